import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { classifyAddress, ipFamily, isLoopbackName, isMetadataName } from '../src/addresses.js';

describe('address classes', () => {
  it.each([
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['[fd00:ec2::254]', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['0.0.0.0', 'loopback'],
    ['0.1.2.3', 'loopback'],
    ['::1', 'loopback'],
    ['::', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['224.0.0.1', 'reserved'],
    ['ff02::1', 'reserved'],
    ['not-an-address', 'reserved'],
    ['93.184.216.34', 'public'],
    ['2606:2800:220:1::1', 'public'],
    ['172.32.0.1', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('knows metadata and loopback names in any case, with or without the trailing dot', () => {
    for (const name of ['metadata.google.internal', 'METADATA.GOOGLE.INTERNAL.', 'instance-data', 'metadata']) {
      expect(isMetadataName(name), name).toBe(true);
    }
    expect(isMetadataName('metadata.example.com')).toBe(false);
    for (const name of ['localhost', 'LocalHost.', 'api.localhost']) expect(isLoopbackName(name), name).toBe(true);
    expect(isLoopbackName('localhost.example.com')).toBe(false);
  });
});

describe('ipFamily', () => {
  it.each([
    '127.0.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '256.1.1.1',
    '1.2.3',
    '01.2.3.4',
    '0x7f.0.0.1',
    '::1',
    '::',
    '::ffff:127.0.0.1',
    'fe80::1%eth0',
    '[::1]',
    'example.com',
    'localhost',
    '1.2.3.4.example',
    '',
    ':',
    '1:2',
  ])('says what net.isIP says of %j', (text) => {
    expect(ipFamily(text)).toBe(isIP(text));
  });
});

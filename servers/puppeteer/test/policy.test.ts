import { classifyAddress } from '@patchbay/kit';
import { describe, expect, it } from 'vitest';
import { NavigationPolicy } from '../src/browser/policy.js';

const open = { allowSites: [], blockSites: [], blockPrivateNetworks: false };

/** A resolver with fixed answers: the policy's DNS step, exercised without owning a DNS zone. */
const resolver = (answers: Record<string, string[]>) => async (host: string) => {
  const found = answers[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found;
};

describe('address classes', () => {
  it.each([
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['0.0.0.0', 'loopback'],
    ['::1', 'loopback'],
    ['::', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['224.0.0.1', 'reserved'],
    ['ff02::1', 'reserved'],
    ['93.184.216.34', 'public'],
    ['2606:2800:220:1::1', 'public'],
    ['172.32.0.1', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe('navigation policy', () => {
  it('allows only http(s) and about:blank at the top level', async () => {
    const policy = new NavigationPolicy(open, resolver({ 'example.com': ['93.184.216.34'] }));
    expect(await policy.checkTopLevel('https://example.com/')).toEqual({ allowed: true });
    expect(await policy.checkTopLevel('about:blank')).toEqual({ allowed: true });
    for (const url of [
      'file:///etc/passwd',
      'chrome://settings',
      'javascript:alert(1)',
      'data:text/html,hi',
      'view-source:https://example.com/',
      'about:config',
      'ftp://example.com/',
    ]) {
      const verdict = await policy.checkTopLevel(url);
      expect(verdict.allowed, url).toBe(false);
    }
  });

  it('refuses metadata and link-local addresses in every spelling', async () => {
    const policy = new NavigationPolicy(open, resolver({}));
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/',
      'http://0xA9FEA9FE/',
      'http://169.254.169.254./',
      'http://[fd00:ec2::254]/',
      'http://[::ffff:169.254.169.254]/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://METADATA.GOOGLE.INTERNAL./',
      'http://169.254.10.10/',
      'http://[fe80::1]/',
    ]) {
      const verdict = await policy.checkRequest(url, false);
      expect(verdict.allowed, url).toBe(false);
    }
  });

  it('refuses a host name that resolves to the metadata address', async () => {
    const policy = new NavigationPolicy(open, resolver({ 'innocent.example': ['93.184.216.34', '169.254.169.254'] }));
    expect(await policy.checkTopLevel('http://innocent.example/')).toEqual({
      allowed: false,
      reason: 'innocent.example (169.254.169.254) is a cloud metadata address',
    });
  });

  it('allows loopback and private addresses unless private networks are blocked', async () => {
    const answers = resolver({ 'intranet.example': ['10.0.0.5'] });
    const relaxed = new NavigationPolicy(open, answers);
    const strict = new NavigationPolicy({ ...open, blockPrivateNetworks: true }, answers);
    for (const url of [
      'http://127.0.0.1:3000/',
      'http://localhost:3000/',
      'http://app.localhost/',
      'http://intranet.example/',
      'http://[::1]/',
    ]) {
      expect((await relaxed.checkTopLevel(url)).allowed, url).toBe(true);
      expect((await strict.checkTopLevel(url)).allowed, url).toBe(false);
    }
  });

  it('applies allow and block site lists, block winning', async () => {
    const policy = new NavigationPolicy(
      {
        allowSites: ['example.com', 'https://api.example.org', '127.0.0.1:3000'],
        blockSites: ['admin.example.com'],
        blockPrivateNetworks: false,
      },
      resolver({ 'example.com': ['93.184.216.34'], 'www.example.com': ['93.184.216.34'], 'api.example.org': ['93.184.216.35'] }),
    );
    expect((await policy.checkTopLevel('https://example.com/')).allowed).toBe(true);
    expect((await policy.checkTopLevel('https://www.example.com/')).allowed).toBe(true);
    expect((await policy.checkTopLevel('https://api.example.org/v1')).allowed).toBe(true);
    expect((await policy.checkTopLevel('http://api.example.org/v1')).allowed).toBe(false);
    expect((await policy.checkTopLevel('http://127.0.0.1:3000/')).allowed).toBe(true);
    expect((await policy.checkTopLevel('http://127.0.0.1:3001/')).allowed).toBe(false);
    expect(await policy.checkTopLevel('https://admin.example.com/')).toEqual({
      allowed: false,
      reason: 'admin.example.com is blocked by the operator (--block-sites admin.example.com)',
    });
    expect(await policy.checkTopLevel('https://evil.test/')).toEqual({
      allowed: false,
      reason: "evil.test is not in the operator's --allow-sites list",
    });
  });

  it('matches *.host for subdomains only', async () => {
    const policy = new NavigationPolicy(
      { ...open, allowSites: ['*.example.com'] },
      resolver({ 'a.example.com': ['93.184.216.34'], 'example.com': ['93.184.216.34'] }),
    );
    expect((await policy.checkTopLevel('https://a.example.com/')).allowed).toBe(true);
    expect((await policy.checkTopLevel('https://example.com/')).allowed).toBe(false);
  });

  it('refuses proxy connections to the metadata address in any spelling a CONNECT line can carry', async () => {
    const policy = new NavigationPolicy(open, resolver({ 'metadata.example': ['169.254.169.254'] }));
    for (const host of [
      '169.254.169.254',
      '2852039166',
      '0xa9fea9fe',
      '0251.0376.0251.0376',
      '169.254.43518',
      '0xa9.0xfe.0xa9.0xfe',
      '::ffff:169.254.169.254',
      '[::ffff:a9fe:a9fe]',
      '::a9fe:a9fe',
      'fd00:ec2::254',
      'METADATA.GOOGLE.INTERNAL.',
      'metadata.example',
    ]) {
      const verdict = await policy.checkConnection(host, 80);
      expect(verdict, host).toMatchObject({ allowed: false });
      expect(verdict, host).not.toHaveProperty('address');
    }
  });

  it('connects the proxy to the address it checked, not to a later DNS answer', async () => {
    const answers = [['93.184.216.34'], ['169.254.169.254']];
    const policy = new NavigationPolicy(open, async () => answers.shift() ?? ['169.254.169.254']);
    expect(await policy.checkRequest('http://rebind.example/', true)).toEqual({ allowed: true });
    expect(await policy.checkConnection('rebind.example', 443)).toEqual({ allowed: true, address: '93.184.216.34' });
    const unresolved = await new NavigationPolicy(open, resolver({})).checkConnection('nowhere.example', 80);
    expect(unresolved).toMatchObject({ allowed: false, unresolved: true });
  });

  it('lets subresources use data: and blob: but not file:', async () => {
    const policy = new NavigationPolicy(open, resolver({}));
    expect((await policy.checkRequest('data:image/png;base64,AAAA', false)).allowed).toBe(true);
    expect((await policy.checkRequest('blob:http://127.0.0.1/1234', false)).allowed).toBe(true);
    expect((await policy.checkRequest('file:///etc/passwd', false)).allowed).toBe(false);
  });
});

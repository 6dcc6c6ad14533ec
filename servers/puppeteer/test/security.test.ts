import { createSocket as createUdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { classifyAddress } from '@patchbay/kit';
import type { Connected } from '@patchbay/testing';
import { call, callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserServices } from '../src/client.js';
import { connect, waitFor } from './helpers.js';
import { type Site, startSite } from './site.js';

interface Request {
  url: string;
  type: string;
  status?: number;
  failure?: string;
}

describe('where the browser may go', () => {
  let site: Site;
  let server: Connected<BrowserServices>;
  beforeAll(async () => {
    site = await startSite();
    // The inspect toolset (opt-in) shows what was refused.
    server = await connect(['--toolsets', 'default,inspect']);
    await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it.each([
    ['file:///etc/passwd', 'the file: scheme is not allowed'],
    ['chrome://settings', 'the chrome: scheme is not allowed'],
    ['javascript:alert(document.cookie)', 'the javascript: scheme is not allowed'],
    ['data:text/html,<h1>hi</h1>', 'the data: scheme is not allowed'],
    ['view-source:http://127.0.0.1/', 'the view-source: scheme is not allowed'],
    ['about:config', 'the about: scheme is not allowed'],
  ])('refuses %s', async (url, reason) => {
    const text = await callError(server.client, 'puppeteer_navigate', { url });
    expect(text).toContain('Argument `url`:');
    expect(text).toContain(reason);
    const tabs = await callOk<{ tabs: Array<{ url: string; active: boolean }> }>(server.client, 'puppeteer_tabs', {});
    expect(tabs.data.tabs.find((t) => t.active)?.url.startsWith('http://127.0.0.1')).toBe(true);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'is a cloud metadata address'],
    ['http://2852039166/latest/meta-data/', 'is a cloud metadata address'],
    ['http://[fd00:ec2::254]/', 'is a cloud metadata address'],
    ['http://[::ffff:169.254.169.254]/', 'is a cloud metadata address'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'is a cloud metadata service'],
    ['http://169.254.3.4/', 'is a link-local address'],
    ['http://[fe80::1]/', 'is a link-local address'],
  ])('refuses %s directly', async (url, reason) => {
    const text = await callError(server.client, 'puppeteer_navigate', { url });
    expect(text).toContain(reason);
  });

  it('refuses a redirect to the metadata address before any connection is attempted', async () => {
    await callOk(server.client, 'puppeteer_network_requests', {});
    const text = await callError(server.client, 'puppeteer_navigate', { url: `${site.origin}/redirect-metadata` });
    expect(text).toBe(
      `navigation refused: http://169.254.169.254/latest/meta-data/ (reached from ${site.origin}/redirect-metadata) is not allowed: ` +
        '169.254.169.254 is a cloud metadata address. Nothing was requested from that address.',
    );
    const log = await callOk<{ requests: Request[] }>(server.client, 'puppeteer_network_requests', { url: '169.254.169.254' });
    // One entry, refused by the policy at the request stage: the browser never reported a
    // connection error (refused, unreachable, timed out) because it never tried to connect.
    expect(log.data.requests).toEqual([
      expect.objectContaining({
        url: 'http://169.254.169.254/latest/meta-data/',
        type: 'document',
        failure: 'refused: 169.254.169.254 is a cloud metadata address',
      }),
    ]);
    const first = await callOk<{ requests: Request[] }>(server.client, 'puppeteer_network_requests', {
      all: true,
      url: 'redirect-metadata',
    });
    expect(first.data.requests.at(-1)?.status).toBe(302);
  });

  it('refuses a redirect to a metadata host name', async () => {
    const text = await callError(server.client, 'puppeteer_navigate', { url: `${site.origin}/redirect-metadata-name` });
    expect(text).toContain('metadata.google.internal is a cloud metadata service');
  });

  it('refuses metadata subresources and frames while the page itself loads', async () => {
    await callOk(server.client, 'puppeteer_network_requests', {});
    const page = await callOk<{ title: string }>(server.client, 'puppeteer_navigate', {
      url: `${site.origin}/subresource-metadata`,
    });
    expect(page.data.title).toBe('Sneaky');
    const refused = await callOk<{ requests: Request[] }>(server.client, 'puppeteer_network_requests', { outcome: 'refused' });
    const urls = refused.data.requests.map((r) => r.url);
    expect(urls).toContain('http://169.254.169.254/latest/meta-data/iam');
    expect(urls).toContain('http://[fd00:ec2::254]/');
  });

  it('leaves a file: link unfollowed', async () => {
    const page = await callOk<{ snapshot: string }>(server.client, 'puppeteer_navigate', { url: `${site.origin}/links` });
    const ref = /link "Local file" \[ref=(e\d+)\]/.exec(page.data.snapshot)?.[1];
    await callOk(server.client, 'puppeteer_click', { ref });
    const tabs = await callOk<{ tabs: Array<{ url: string }> }>(server.client, 'puppeteer_tabs', {});
    expect(tabs.data.tabs.every((t) => t.url.startsWith('http://127.0.0.1') || t.url === 'about:blank')).toBe(true);
  });

  it('refuses a clicked link that redirects to the metadata address', async () => {
    const page = await callOk<{ snapshot: string }>(server.client, 'puppeteer_navigate', { url: `${site.origin}/links` });
    const ref = /link "Metadata by redirect" \[ref=(e\d+)\]/.exec(page.data.snapshot)?.[1];
    const click = await callOk<{ url: string; notices?: string[] }>(server.client, 'puppeteer_click', { ref });
    expect(click.data.notices?.join('\n')).toContain(
      'Refused http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a cloud metadata address.',
    );
    expect(click.data.url.startsWith('http://169.254.169.254')).toBe(false);
  });

  it('refuses launch options smuggled into tool arguments, naming them, and launches nothing with them', async () => {
    const marker = path.join(tmpdir(), `patchbay-pwned-${process.pid}`);
    const result = await call(server.client, 'puppeteer_navigate', {
      url: site.url,
      snapshot: 'none',
      executablePath: '/bin/sh',
      args: ['-c', `touch ${marker}`],
      launchOptions: { executablePath: '/bin/sh', args: ['-c', `touch ${marker}`], headless: false, dumpio: true },
      headless: false,
    });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('Argument `executablePath`: is not an argument of puppeteer_navigate');
    // The same navigation without them works, in the operator's Chromium with its own arguments.
    expect((await call(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' })).isError).toBe(false);
    const session = server.services.peek();
    expect(session?.browser.process()?.spawnfile).toBe('/usr/bin/chromium');
    expect(session?.browser.process()?.spawnargs).not.toContain('-c');
    expect(existsSync(marker)).toBe(false);
    const { tools } = await server.client.listTools();
    const properties = tools.flatMap((t) => Object.keys((t.inputSchema.properties ?? {}) as object));
    for (const launchy of ['executablePath', 'args', 'launchOptions', 'headless', 'userDataDir', 'browserArg']) {
      expect(properties).not.toContain(launchy);
    }
  });

  it('does not offer or run puppeteer_evaluate unless the operator enabled it', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name)).not.toContain('puppeteer_evaluate');
    const outcome = await server.client
      .callTool({ name: 'puppeteer_evaluate', arguments: { function: '() => document.cookie' } })
      .then(
        (r) => ({ isError: r.isError === true, text: JSON.stringify(r.content) }),
        (error: Error) => ({ isError: true, text: error.message }),
      );
    expect(outcome.isError).toBe(true);
    // Its toolset is chosen by default; the operator's --allow-evaluate is what switches it on.
    expect(outcome.text).toMatch(
      /puppeteer_evaluate is not offered: an operator option switches it off on this server; it is offered when the operator starts the server with --allow-evaluate\./,
    );
  });

  it('refuses downloads unless the operator gave a downloads folder', async () => {
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/links`, snapshot: 'none' });
    const click = await callOk<{ notices?: string[] }>(server.client, 'puppeteer_click', { selector: 'a[href="/download"]' });
    expect(click.data.notices).toContain('The page started a download of report.csv; downloads are refused on this server.');
    const requests = await callOk<{ requests: Request[] }>(server.client, 'puppeteer_network_requests', { type: 'download' });
    expect(requests.data.requests).toEqual([
      expect.objectContaining({
        url: `${site.origin}/download`,
        failure: 'refused: downloads are off (the operator can allow them with --downloads-dir)',
      }),
    ]);
  });
});

describe('operator site lists and private networks', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite();
  });
  afterAll(() => site?.close());

  it('refuses loopback with --block-private-networks, by address and by name', async () => {
    const server = await connect(['--block-private-networks']);
    try {
      expect(await callError(server.client, 'puppeteer_navigate', { url: site.url })).toContain(
        '127.0.0.1 is a loopback address and the operator blocks private networks',
      );
      expect(await callError(server.client, 'puppeteer_navigate', { url: `http://localhost:${site.port}/` })).toContain(
        'localhost is a loopback address',
      );
    } finally {
      await server.close();
    }
  });

  it('resolves a host name before allowing it', async () => {
    const name = hostname();
    const address = await lookup(name).then(
      (r) => r.address,
      () => undefined,
    );
    const kind = address ? classifyAddress(address) : undefined;
    if (kind !== 'loopback' && kind !== 'private') {
      // This machine's name resolves to a public address (or not at all): the policy unit tests cover this case.
      expect(kind === undefined || kind === 'public').toBe(true);
      return;
    }
    const server = await connect(['--block-private-networks']);
    try {
      const text = await callError(server.client, 'puppeteer_navigate', { url: `http://${name}:${site.port}/` });
      expect(text).toContain(`${name.toLowerCase()} (${address}) is a ${kind} address`);
    } finally {
      await server.close();
    }
  });

  it('keeps to --allow-sites and --block-sites', async () => {
    const server = await connect(['--allow-sites', `127.0.0.1:${site.port}`]);
    try {
      await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
      expect(await callError(server.client, 'puppeteer_navigate', { url: `http://localhost:${site.port}/` })).toContain(
        "localhost is not in the operator's --allow-sites list",
      );
    } finally {
      await server.close();
    }
    const blocking = await connect(['--block-sites', `127.0.0.1:${site.port}`]);
    try {
      expect(await callError(blocking.client, 'puppeteer_navigate', { url: site.url })).toContain(
        `127.0.0.1 is blocked by the operator (--block-sites 127.0.0.1:${site.port})`,
      );
    } finally {
      await blocking.close();
    }
  });

  it('lets no connection through to a blocked site by WebSocket or by a tab the page opens', async () => {
    // A plain TCP listener: every connection attempt, of any protocol, is counted.
    let connections = 0;
    const listener = createNetServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as AddressInfo).port;
    const server = await connect(['--block-sites', `127.0.0.1:${port}`, '--allow-evaluate', '--toolsets', 'default,inspect']);
    try {
      await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
      // WebSockets never pass request interception; the guard proxy refuses the tunnel.
      const socket = await callOk<{ result: string }>(server.client, 'puppeteer_evaluate', {
        function: `() => new Promise((resolve) => { const ws = new WebSocket('ws://127.0.0.1:${port}/'); ws.onerror = () => resolve('error'); ws.onopen = () => resolve('open'); })`,
      });
      expect(socket.data.result).toBe('"error"');
      const refused = await callOk<{ requests: Request[] }>(server.client, 'puppeteer_network_requests', { outcome: 'refused' });
      expect(refused.data.requests).toEqual([
        expect.objectContaining({
          url: `127.0.0.1:${port}`,
          type: 'connection',
          failure: `refused: 127.0.0.1 is blocked by the operator (--block-sites 127.0.0.1:${port})`,
        }),
      ]);
      // A tab opened by the page starts loading before its guard is attached; the proxy still holds.
      await callOk(server.client, 'puppeteer_navigate', {
        url: `${site.origin}/opener?to=http://127.0.0.1:${port}/secret`,
        snapshot: 'none',
      });
      const click = await callOk<{ notices?: string[] }>(server.client, 'puppeteer_click', { selector: 'button' });
      expect((click.data.notices ?? []).join('\n')).toMatch(new RegExp(`Refused .*127\\.0\\.0\\.1:${port}`));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(connections).toBe(0);
    } finally {
      await server.close();
      await new Promise((resolve) => listener.close(resolve));
    }
  });

  it.each([
    ['a fresh profile', false],
    ['the operator’s profile, even one that allowed it', true],
  ])('sends no WebRTC or WebTransport datagram past the guard proxy, with %s', async (_name, ownProfile) => {
    // UDP never passes the proxy: a STUN request or an HTTP/3 handshake must not leave the browser at all.
    const datagrams: string[] = [];
    const udp = createUdpSocket('udp4', (_message, from) => datagrams.push(`${from.address}:${from.port}`));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    const profile = ownProfile ? await mkdtemp(path.join(tmpdir(), 'patchbay-profile-')) : undefined;
    if (profile) {
      await mkdir(path.join(profile, 'Default'));
      const prefs = { webrtc: { ip_handling_policy: 'default' }, homepage: 'https://example.com/' };
      await writeFile(path.join(profile, 'Default', 'Preferences'), JSON.stringify(prefs));
    }
    const server = await connect([
      '--block-sites',
      `127.0.0.1:${port}`,
      '--allow-evaluate',
      ...(profile ? ['--user-data-dir', profile] : []),
    ]);
    try {
      await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
      const gathered = await callOk<{ result: string }>(server.client, 'puppeteer_evaluate', {
        function: `async () => {
          const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:${port}' }] });
          pc.createDataChannel('x');
          await pc.setLocalDescription(await pc.createOffer());
          await new Promise((resolve) => {
            pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
            setTimeout(resolve, 3000);
          });
          pc.close();
          // WebTransport is HTTP/3, over UDP too.
          const transport = new WebTransport('https://127.0.0.1:${port}/');
          await Promise.race([transport.ready.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 3000))]);
          return 'done';
        }`,
      });
      expect(gathered.data.result).toBe('"done"');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(datagrams).toEqual([]);
      if (profile) {
        // The operator's own preferences stay.
        const prefs = JSON.parse(await readFile(path.join(profile, 'Default', 'Preferences'), 'utf8'));
        expect(prefs.homepage).toBe('https://example.com/');
      }
    } finally {
      await server.close();
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if (profile) await rm(profile, { recursive: true, force: true });
    }
  });

  it('saves downloads into the operator’s folder only', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'patchbay-downloads-'));
    const server = await connect(['--downloads-dir', dir]);
    try {
      await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/links`, snapshot: 'none' });
      await callOk(server.client, 'puppeteer_click', { selector: 'a[href="/download"]' });
      expect(await waitFor(() => existsSync(path.join(dir, 'report.csv')))).toBe(true);
      expect(await readFile(path.join(dir, 'report.csv'), 'utf8')).toBe('a,b\n1,2\n');
      expect(await readdir(dir)).toEqual(['report.csv']);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps a download whose name climbs out (../../) inside the operator’s folder', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'patchbay-downloads-'));
    const dir = path.join(parent, 'a', 'downloads');
    await mkdir(dir, { recursive: true });
    const server = await connect(['--downloads-dir', dir]);
    try {
      await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/escaping-download`, snapshot: 'none' });
      await callOk(server.client, 'puppeteer_click', { selector: 'a' });
      expect(await waitFor(() => existsSync(dir) && readdirSync(dir).some((f) => !f.endsWith('.crdownload')))).toBe(true);
      const [saved] = readdirSync(dir);
      expect(saved).toMatch(/escaped\.csv$/);
      expect(await readFile(path.join(dir, saved as string), 'utf8')).toBe('x\n');
      expect(readdirSync(path.join(parent, 'a'))).toEqual(['downloads']);
      expect(readdirSync(parent)).toEqual(['a']);
    } finally {
      await server.close();
      await rm(parent, { recursive: true, force: true });
    }
  });
});

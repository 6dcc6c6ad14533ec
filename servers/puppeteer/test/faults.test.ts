import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, connect, descendants, groupMembers, isAlive, waitFor } from './helpers.js';
import { type Site, startSite } from './site.js';

/** Chromium browser processes started by this test worker (each launch is one). */
function browsersOf(pid: number): number[] {
  return descendants(pid).filter((p) => {
    try {
      const args = execFileSync('ps', ['-o', 'args=', '-p', String(p)], { encoding: 'utf8' });
      // The browser process itself; its helpers (zygote, renderers, utilities) carry --type=.
      return args.includes('--remote-debugging-pipe') && !args.includes('--type=');
    } catch {
      return false;
    }
  });
}

describe('browser lifecycle and faults', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite();
  });
  afterAll(() => site?.close());

  it('starts the browser on first use, not before', async () => {
    const server = await connect();
    try {
      await server.client.listTools();
      expect(server.services.peek()).toBeUndefined();
      await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
      expect(server.services.peek()?.pid).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('launches one browser when the first calls arrive together', async () => {
    const before = browsersOf(process.pid);
    const server = await connect();
    try {
      const calls = await Promise.all([
        callOk<{ tab: string }>(server.client, 'puppeteer_tabs', {}),
        callOk<{ tab: string }>(server.client, 'puppeteer_wait_for', { seconds: 0.1 }),
        callOk<{ tab: string }>(server.client, 'puppeteer_snapshot', {}),
        callOk<{ tab: string }>(server.client, 'puppeteer_get_text', {}),
      ]);
      expect(calls).toHaveLength(4);
      const started = browsersOf(process.pid).filter((p) => !before.includes(p));
      expect(started).toEqual([server.services.peek()?.pid]);
    } finally {
      await server.close();
    }
  });

  it('starts a new browser after the old one was killed, and says so', async () => {
    const server = await connect();
    try {
      await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
      const first = server.services.peek()?.pid as number;
      process.kill(-first, 'SIGKILL');
      // The very next call, without waiting for the browser's death to be noticed.
      const after = await callOk<{ title: string; notices?: string[] }>(server.client, 'puppeteer_navigate', {
        url: `${site.origin}/form`,
        snapshot: 'none',
      });
      expect(after.data.title).toBe('Sign up');
      const second = server.services.peek()?.pid as number;
      expect(second).not.toBe(first);
      expect(isAlive(first)).toBe(false);
      expect(after.data.notices).toContain('The browser had stopped and was started again; earlier tabs and refs are gone.');
      // And once more after the death was noticed.
      process.kill(-second, 'SIGKILL');
      await waitFor(() => !isAlive(second));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const again = await callOk<{ title: string }>(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
      expect(again.data.title).toBe('Fixture home');
    } finally {
      await server.close();
    }
  });

  it('forgets the refs of a browser that died, rather than sending the model to its tabs', async () => {
    const server = await connect();
    try {
      const page = await callOk<{ snapshot: string }>(server.client, 'puppeteer_navigate', { url: site.url });
      const ref = /\[ref=(e\d+)\]/.exec(page.data.snapshot)?.[1] as string;
      expect(ref).toBeDefined();
      const first = server.services.peek()?.pid as number;
      process.kill(-first, 'SIGKILL');
      await waitFor(() => !isAlive(first));
      await callOk(server.client, 'puppeteer_navigate', { url: site.url, snapshot: 'none' });
      const text = await callError(server.client, 'puppeteer_click', { ref });
      expect(text).toContain(`"${ref}" is not a ref of this browser's pages`);
    } finally {
      await server.close();
    }
  });

  it('leaves no Chromium process behind when the server closes', async () => {
    const server = await connect();
    await callOk(server.client, 'puppeteer_navigate', { url: `${site.origin}/frame`, snapshot: 'none' });
    await callOk(server.client, 'puppeteer_tabs', { action: 'open', url: site.url });
    const pid = server.services.peek()?.pid as number;
    expect(groupMembers(pid).length).toBeGreaterThan(1);
    await server.close();
    expect(await waitFor(() => groupMembers(pid).length === 0)).toBe(true);
  });

  it('leaves no Chromium process behind when a stdio client closes stdin', async () => {
    const child: ChildProcess = spawn(process.execPath, [BIN], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const send = (message: object) => child.stdin?.write(`${JSON.stringify(message)}\n`);
    const response = async (id: number) => {
      await waitFor(() => out.split('\n').some((l) => l.includes(`"id":${id}`)), 30_000);
      return out.split('\n').find((l) => l.includes(`"id":${id}`)) ?? '';
    };
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } },
    });
    expect(await response(1)).toContain('patchbay-puppeteer');
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'puppeteer_navigate', arguments: { url: site.url } } });
    expect(await response(2)).toContain('Fixture home');
    const chromium = browsersOf(child.pid as number);
    expect(chromium).toHaveLength(1);
    const group = groupMembers(chromium[0] as number);
    expect(group.length).toBeGreaterThan(1);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin?.end();
    expect(await exited).toBe(0);
    expect(await waitFor(() => group.every((p) => !isAlive(p)))).toBe(true);
    if (process.getuid?.() === 0) expect(err).toContain('running as root: Chromium starts with --no-sandbox');
  });
});

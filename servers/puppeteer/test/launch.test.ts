import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBrowser } from '../src/browser/executable.js';
import { BASE_ARGS } from '../src/browser/launch.js';
import { BIN, connect, waitFor } from './helpers.js';
import { type Site, startSite } from './site.js';

describe('finding a browser without downloading one', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'patchbay-find-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prefers the operator’s path', () => {
    expect(findBrowser('/opt/custom/chrome', { PATH: '' }, 'linux')).toEqual({
      path: '/opt/custom/chrome',
      source: 'configured',
    });
  });

  it('finds a browser on PATH before one in puppeteer’s cache (newest first), else nothing', async () => {
    const bin = path.join(dir, 'bin');
    const cache = path.join(dir, 'cache');
    await mkdir(bin, { recursive: true });
    const env = { PATH: bin, PUPPETEER_CACHE_DIR: cache };
    // An unknown platform has no system locations, so only PATH and the cache are looked at.
    expect(findBrowser(undefined, env, 'sunos')).toBeUndefined();
    for (const version of ['linux-120.0.6099.109', 'linux-131.0.6778.85', 'linux-99.0.4844.51']) {
      const exe = path.join(cache, 'chrome', version, 'chrome-linux64', 'chrome');
      await mkdir(path.dirname(exe), { recursive: true });
      await writeFile(exe, '#!/bin/sh\n');
      await chmod(exe, 0o755);
    }
    const newest = {
      path: path.join(cache, 'chrome', 'linux-131.0.6778.85', 'chrome-linux64', 'chrome'),
      source: 'puppeteer cache',
    };
    expect(findBrowser(undefined, env, 'sunos')).toEqual(newest);
    // A file on PATH that cannot be executed is no browser.
    const onPath = path.join(bin, 'chromium');
    await writeFile(onPath, '#!/bin/sh\n');
    await chmod(onPath, 0o644);
    expect(findBrowser(undefined, env, 'sunos')).toEqual(newest);
    await chmod(onPath, 0o755);
    expect(findBrowser(undefined, env, 'sunos')).toEqual({ path: onPath, source: 'PATH' });
  });

  it('finds this machine’s Chromium in a system location', () => {
    expect(findBrowser(undefined, { PATH: '' })).toEqual({ path: '/usr/bin/chromium', source: 'system' });
  });

  it('stops at startup with one line when the configured browser does not exist', () => {
    const run = spawnSync(process.execPath, [BIN], {
      env: { ...process.env, PUPPETEER_EXECUTABLE_PATH: '/nowhere/chrome' },
      encoding: 'utf8',
      input: '',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('patchbay-puppeteer: --executable-path: /nowhere/chrome does not exist.');
  });

  it('says how to get a browser when the configured one cannot run', async () => {
    const notExecutable = path.join(dir, 'not-a-browser');
    await writeFile(notExecutable, 'plain text\n');
    await chmod(notExecutable, 0o644);
    const server = await connect(['--executable-path', notExecutable]);
    try {
      const text = await callError(server.client, 'puppeteer_navigate', { url: 'about:blank' });
      expect(text).toContain(`the configured browser ${notExecutable} does not exist or is not executable.`);
      expect(text).toContain('apt-get install chromium');
    } finally {
      await server.close();
    }
  });

  it('says so when the --user-data-dir profile cannot be prepared', async () => {
    const notAFolder = path.join(dir, 'profile-is-a-file');
    await writeFile(notAFolder, 'plain text\n');
    const server = await connect(['--user-data-dir', notAFolder]);
    try {
      const text = await callError(server.client, 'puppeteer_navigate', { url: 'about:blank' });
      expect(text).toContain(`the browser profile folder ${notAFolder} cannot be prepared`);
      expect(text).toContain('Point --user-data-dir at a folder this server can write.');
    } finally {
      await server.close();
    }
  });
});

describe('launch configuration from operator options', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite();
  });
  afterAll(() => site?.close());

  it('always passes the quiet-network switches and extra --browser-arg switches', async () => {
    const server = await connect(['--browser-arg=--user-agent=PatchbayTest/1.0']);
    try {
      const page = await callOk<{ snapshot: string }>(server.client, 'puppeteer_navigate', { url: `${site.origin}/whoami` });
      expect(page.data.snapshot).toContain('agent: PatchbayTest/1.0');
      const args = server.services.peek()?.browser.process()?.spawnargs ?? [];
      for (const flag of BASE_ARGS.filter((a) => !a.startsWith('--disable-features'))) expect(args).toContain(flag);
      expect(args.find((a) => a.startsWith('--disable-features='))).toContain('AutofillServerCommunication');
      expect(args).toContain('--remote-debugging-pipe');
      expect(args.some((a) => a.startsWith('--remote-debugging-port'))).toBe(false);
      if (process.getuid?.() === 0) expect(args).toContain('--no-sandbox');
    } finally {
      await server.close();
    }
  });

  it('refuses browser switches that would undo the server’s own', async () => {
    const run = spawnSync(
      process.execPath,
      [BIN, '--browser-arg=--remote-debugging-port=9222', '--browser-arg=--proxy-server=http://x'],
      {
        encoding: 'utf8',
        input: '',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      '--remote-debugging-port=9222, --proxy-server=http://x: give switches that start with "--"; remote debugging, the proxy and the profile folder are managed by the server',
    );
  });

  it('keeps a profile in --user-data-dir across restarts, and a fresh one otherwise', async () => {
    const profile = await mkdtemp(path.join(tmpdir(), 'patchbay-profile-'));
    try {
      const first = await connect(['--user-data-dir', profile]);
      await callOk(first.client, 'puppeteer_navigate', { url: `${site.origin}/set-cookie`, snapshot: 'none' });
      await first.close();
      const second = await connect(['--user-data-dir', profile]);
      const again = await callOk<{ text: string }>(second.client, 'puppeteer_navigate', {
        url: `${site.origin}/whoami`,
        snapshot: 'none',
      }).then(() => callOk<{ text: string }>(second.client, 'puppeteer_get_text', { selector: '#cookie' }));
      expect(again.data.text).toBe('cookie: session=kept');
      await second.close();
      const isolated = await connect();
      await callOk(isolated.client, 'puppeteer_navigate', { url: `${site.origin}/whoami`, snapshot: 'none' });
      const fresh = await callOk<{ text: string }>(isolated.client, 'puppeteer_get_text', { selector: '#cookie' });
      expect(fresh.data.text).toBe('cookie: none');
      const temp = (isolated.services.peek()?.browser.process()?.spawnargs ?? [])
        .find((a) => a.startsWith('--user-data-dir='))
        ?.slice(16);
      expect(temp && existsSync(temp)).toBe(true);
      await isolated.close();
      // The isolated profile goes with the browser.
      expect(await waitFor(() => !existsSync(temp as string))).toBe(true);
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });
});

import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Connected, connectInMemory, type InMemoryOptions } from '@patchbay/testing';
import type { BrowserServices } from '../src/client.js';
import { puppeteerConnector } from '../src/connector.js';

/** The built bin, for end-to-end tests (turbo builds it before tests run). */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.cjs');
export const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md');

/** An in-memory client for the browser connector with the given flags. */
export function connect(argv: string[] = [], options: Omit<InMemoryOptions, 'argv'> = {}): Promise<Connected<BrowserServices>> {
  return connectInMemory(puppeteerConnector, { ...options, argv });
}

/** Child processes of a process, recursively (Chromium's renderers, zygote, GPU process…). */
export function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    // pgrep exits 1 when there are none.
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0; it holds nothing but an exit status.
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return state !== '' && !state.startsWith('Z');
  } catch {
    return false;
  }
}

/** Processes of the group a (Chromium) process leads that are still running. */
export function groupMembers(pgid: number): number[] {
  try {
    return execFileSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter(isAlive);
  } catch {
    return [];
  }
}

export async function waitFor(check: () => boolean, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The Drive tests' set-up: the API sandbox's Google Drive emulator over real HTTP, and the
 * connector with Google's real clients pointed at it (`GDRIVE_API_URL`, the emulator's token
 * endpoint and OAuth client, a refresh token it issued). Each test file starts one sandbox; each
 * test gets fresh demo data, an empty config folder and open rate-limit gates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sharedRateLimitGates } from '@patchbay/kit';
import { type Sandbox, startSandbox } from '@patchbay/sandbox';
import { connectInMemory } from '@patchbay/testing';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { GdriveServices } from '../src/client.js';
import { gdriveConnector } from '../src/connector.js';

export const ALEX = 'alex@example.com';
export const SAM = 'sam@example.com';
export const ROBOT = 'patchbay-drive@patchbay-sandbox.iam.gserviceaccount.com';
export const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.cjs');

// biome-ignore lint/suspicious/noExplicitAny: the emulator's state type comes from the sandbox's gdrive module
export type DriveSandbox = Sandbox<any>;

export interface Drive {
  sandbox: DriveSandbox;
  /** A fresh folder for stored accounts, per test. */
  configDir: string;
  /** The sandbox's lines (`GDRIVE_API_URL`, the OAuth client, the refresh token) and the config folder. */
  env(extra?: Record<string, string | undefined>): Record<string, string>;
  /** A client for a fresh server with these flags and variables. */
  connect(options?: { argv?: string[]; env?: Record<string, string | undefined>; logs?: string[] }): Promise<{
    client: Client;
    services: GdriveServices;
    close(): Promise<void>;
  }>;
  /** A file id by exact name in the emulator's state. */
  id(name: string): string;
}

export function useDrive(seed = 'demo'): Drive {
  const d = {} as Drive;
  const open: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    d.sandbox = await startSandbox({ service: 'gdrive', seed, logger: false });
  });
  beforeEach(() => {
    d.configDir = mkdtempSync(path.join(tmpdir(), 'patchbay-gdrive-test-'));
  });
  afterEach(async () => {
    for (const close of open.splice(0)) await close().catch(() => undefined);
    rmSync(d.configDir, { recursive: true, force: true });
    d.sandbox.reset();
    sharedRateLimitGates().clear();
  });
  afterAll(() => d.sandbox?.close());
  d.env = (extra = {}) => {
    const env: Record<string, string> = { ...d.sandbox.env, PATCHBAY_GDRIVE_CONFIG_DIR: d.configDir };
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return env;
  };
  d.connect = async (options = {}) => {
    const connected = await connectInMemory(gdriveConnector, {
      argv: options.argv ?? [],
      env: d.env(options.env),
      ...(options.logs ? { logs: options.logs } : {}),
    });
    open.push(connected.close);
    return connected;
  };
  d.id = (name) => {
    const found = d.sandbox.state.findByName(name) as Array<{ id: string }>;
    if (found.length !== 1) throw new Error(`expected one file named ${name}, found ${found.length}`);
    return found[0]!.id;
  };
  return d;
}

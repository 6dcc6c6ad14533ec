/**
 * Shared set-up for the Slack tests: a sandbox on the demo seed, real `@slack/web-api` clients for
 * the seed's tokens, and the spec recorder that checks every exchange after each test.
 */
import { LogLevel, type RetryOptions, type Logger as SlackLogger, WebClient, type WebClientOptions } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type Logger, type Sandbox, type Seed, startSandbox } from '../../src/index.js';
import type { Conversation, SlackState } from '../../src/slack/state.js';
import { SpecRecorder, slackSpec } from './spec.js';

export interface Harness {
  sandbox: Sandbox<SlackState>;
  recorder: SpecRecorder;
  /** @patchbay: the app's bot token. */
  bot: WebClient;
  /** Ada Lovelace: the app's user token (a regular member). */
  user: WebClient;
  /** Grace Hopper: a workspace owner's user token. */
  admin: WebClient;
  /** A client for any token; `retries` 0 unless given. */
  client(token: string | undefined, options?: WebClientOptions): WebClient;
  /** A conversation of the current state by `#name`. */
  channel(name: string): Conversation;
  /** A user ID of the current state by handle. */
  userId(name: string): string;
  warnings: string[];
}

/** WebClient logs warnings (a post without text) and rate-limit notes; tests keep them. */
export const clientLog: string[] = [];
const quiet: SlackLogger = {
  debug: () => {},
  info: (...m) => clientLog.push(m.join(' ')),
  warn: (...m) => clientLog.push(m.join(' ')),
  error: (...m) => clientLog.push(m.join(' ')),
  setLevel: () => {},
  getLevel: () => LogLevel.INFO,
  setName: () => {},
};

/** No retries: a test sees exactly the answer the sandbox gave. */
export const noRetries: RetryOptions = { retries: 0 };

export function useSlack(options: { resetEachTest?: boolean; seed?: string | Seed<SlackState> } = {}): Harness {
  const h = { warnings: [] as string[] } as Harness;
  const logger: Logger = { info: () => {}, warn: (line) => h.warnings.push(line) };
  beforeAll(async () => {
    h.sandbox = await startSandbox({ service: 'slack', logger, ...(options.seed ? { seed: options.seed } : {}) });
    h.recorder = new SpecRecorder(slackSpec());
    h.sandbox.tap(h.recorder.listener);
    h.client = (token, clientOptions = {}) =>
      new WebClient(token, {
        slackApiUrl: h.sandbox.env['SLACK_API_URL']!,
        logger: quiet,
        retryConfig: noRetries,
        ...clientOptions,
      });
    // The tokens are the same after every reset (they derive from the seed), so the clients are made once.
    h.bot = h.client(h.sandbox.state.botToken);
    h.user = h.client(h.sandbox.state.userToken);
    h.admin = h.client(h.sandbox.state.namedTokens.get('admin'));
    h.channel = (name) => {
      const c = h.sandbox.state.channelByName(name);
      if (!c) throw new Error(`no #${name} in this seed`);
      return c;
    };
    h.userId = (name) => {
      const u = h.sandbox.state.users.byName(name);
      if (!u) throw new Error(`no @${name} in this seed`);
      return u.id;
    };
  });
  afterEach(() => {
    try {
      // Every exchange of the test, success and error, must match Slack's API description.
      expect(h.recorder.drain()).toEqual([]);
    } finally {
      if (options.resetEachTest !== false) {
        h.sandbox.reset();
        h.warnings.length = 0;
        clientLog.length = 0;
      }
    }
  });
  afterAll(() => h.sandbox.close());
  return h;
}

/** The `ok: false` answer a WebClient call was rejected with (`data.error`, `data.needed`…). */
// biome-ignore lint/suspicious/noExplicitAny: error bodies are asserted on loosely
export async function slackError(promise: Promise<unknown>): Promise<{ code: string; data: any }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code: string; data?: unknown };
    return { code: e.code, data: e.data };
  }
  throw new Error('expected the call to fail');
}

/** The error code of a rejected call (`channel_not_found`). */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  const { data, code } = await slackError(promise);
  return data?.error ?? code;
}

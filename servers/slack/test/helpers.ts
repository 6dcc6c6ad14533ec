import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KnownServices, type Sandbox, startSandbox } from '@patchbay/sandbox';
import type { SlackState } from '@patchbay/sandbox/slack';
import { type Connected, call, connectInMemory, type InMemoryOptions, type ToolOutcome } from '@patchbay/testing';
import type { SlackServices } from '../src/client.js';
import { slackConnector } from '../src/connector.js';

/** The built bin, for end-to-end tests (turbo builds it before tests run). */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.cjs');

export type SlackSandbox = Sandbox<KnownServices['slack']>;

/**
 * The Slack emulator on a free loopback port with the demo workspace, quiet (tests assert on its
 * log). Slack's per-minute rate limits are off: tests that are about rate limits set their own.
 */
export async function slackSandbox(seed?: string | ((state: SlackState) => void)): Promise<SlackSandbox> {
  const sandbox = await startSandbox({ service: 'slack', logger: false, ...(seed ? { seed } : {}) });
  sandbox.state.rateLimits.enabled = false;
  return sandbox;
}

/** Fresh demo data, rate limits off again. */
export function resetSandbox(sandbox: SlackSandbox): void {
  sandbox.reset();
  sandbox.state.rateLimits.enabled = false;
}

/** The variables `patchbay-sandbox slack` prints: API URL, both tokens, team. */
export function sandboxEnv(sandbox: SlackSandbox, tokens: 'both' | 'bot' | 'user' = 'both'): Record<string, string> {
  const env: Record<string, string> = { SLACK_API_URL: sandbox.env.SLACK_API_URL as string };
  if (tokens !== 'user') env.SLACK_BOT_TOKEN = sandbox.state.botToken;
  if (tokens !== 'bot') env.SLACK_USER_TOKEN = sandbox.state.userToken;
  return env;
}

/** A real SDK client talking to the connector in memory; the connector talks to the sandbox over HTTP. */
export async function connect(
  sandbox: SlackSandbox,
  argv: string[] = [],
  options: Omit<InMemoryOptions, 'argv'> & { tokens?: 'both' | 'bot' | 'user' } = {},
): Promise<Connected<SlackServices>> {
  const connected = await connectInMemory(slackConnector, {
    ...options,
    argv,
    env: { ...sandboxEnv(sandbox, options.tokens), ...options.env },
  });
  // The SDK client checks structured results against output schemas only for tools it has listed.
  await connected.client.listTools();
  return connected;
}

/** Every page of a paged tool, following `more.cursor` to the end. */
export async function allPages(
  client: Connected['client'],
  tool: string,
  args: Record<string, unknown>,
  max = 50,
): Promise<ToolOutcome[]> {
  const pages: ToolOutcome[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < max; i++) {
    const outcome = await call(client, tool, { ...args, ...(cursor ? { cursor } : {}) });
    if (outcome.isError) throw new Error(`${tool} failed on page ${i + 1}: ${outcome.text}`);
    pages.push(outcome);
    cursor = (outcome.structured?.more as { cursor?: string } | undefined)?.cursor;
    if (!cursor) return pages;
  }
  throw new Error(`${tool}: still more after ${max} pages`);
}

/** Requests the connector made to the emulator for a Slack method. */
export function requests(sandbox: SlackSandbox, method?: string) {
  return sandbox.log.entries(method ? { route: method } : {});
}

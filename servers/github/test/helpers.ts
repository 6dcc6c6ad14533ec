import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KnownServices, type Sandbox, startSandbox } from '@patchbay/sandbox';
import { type Connected, connectInMemory, type InMemoryOptions } from '@patchbay/testing';
import type { GitHubServices } from '../src/client.js';
import { githubConnector } from '../src/connector.js';

/** The built bin, for end-to-end tests (turbo builds it before tests run). */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.cjs');

export type GitHubSandbox = Sandbox<KnownServices['github']>;

/** The GitHub emulator on a free loopback port, with the demo data (quiet: tests assert on its log). */
export function githubSandbox(): Promise<GitHubSandbox> {
  return startSandbox({ service: 'github', logger: false });
}

/** The environment that points the connector at the sandbox, as `patchbay-sandbox github` prints it. */
export function sandboxEnv(sandbox: GitHubSandbox): Record<string, string> {
  return { GITHUB_API_URL: sandbox.url, GITHUB_TOKEN: sandbox.token };
}

/** A real SDK client talking to the connector in memory; the connector talks to the sandbox over HTTP. */
export async function connect(
  sandbox: GitHubSandbox,
  argv: string[] = [],
  options: Omit<InMemoryOptions, 'argv'> = {},
): Promise<Connected<GitHubServices>> {
  const connected = await connectInMemory(githubConnector, { ...options, argv, env: { ...sandboxEnv(sandbox), ...options.env } });
  // The SDK client checks each result's structured content against the tool's output schema only
  // for tools it has listed: list them, so every test checks the schemas as a client would.
  await connected.client.listTools();
  return connected;
}

/** A token of another demo user, or one with fewer scopes (`state.addToken`). */
export function tokenFor(sandbox: GitHubSandbox, login: string, scopes?: string[]): string {
  return scopes ? sandbox.state.addToken(login, scopes, `test-${scopes.join('-')}`) : sandbox.state.tokenFor(login);
}

/** The demo repository most tests read. */
export const HELLO = 'octocat/hello-world';

/** Every piece of a paged listing, following cursors to the end. */
export async function allPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; cursor: string | undefined }>,
  max = 50,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < max; i++) {
    const page = await fetchPage(cursor);
    pages.push(page.items);
    cursor = page.cursor;
    if (!cursor) return pages;
  }
  throw new Error(`still more after ${max} pages`);
}

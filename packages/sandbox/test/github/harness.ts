/**
 * Shared set-up for the GitHub tests: a sandbox on the demo seed, real `@octokit/rest` clients
 * for several identities, and the spec recorder that checks every exchange after each test.
 */
import { Octokit } from '@octokit/rest';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { GitHubState } from '../../src/github/state.js';
import { type Logger, type Sandbox, startSandbox } from '../../src/index.js';
import { githubSpec, SpecRecorder } from './spec.js';

export interface Harness {
  sandbox: Sandbox<GitHubState>;
  recorder: SpecRecorder;
  /** octocat: owner of the demo repositories. */
  octo: Octokit;
  /** hubot: collaborator on hello-world, member of patchbay-demo. */
  hubot: Octokit;
  /** outsider: a `public_repo` token with no access to anything private. */
  outsider: Octokit;
  anonymous: Octokit;
  client(token?: string): Octokit;
  warnings: string[];
}

/** Octokit logs deprecation notices and 404s through `log`; tests keep their output quiet. */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export function useGitHub(options: { resetEachTest?: boolean } = {}): Harness {
  const h = { warnings: [] as string[] } as Harness;
  const logger: Logger = { info: () => {}, warn: (line) => h.warnings.push(line) };
  beforeAll(async () => {
    h.sandbox = await startSandbox({ service: 'github', logger });
    h.recorder = new SpecRecorder(githubSpec());
    h.sandbox.tap(h.recorder.listener);
    h.client = (token) => new Octokit({ baseUrl: h.sandbox.url, log: quiet, ...(token ? { auth: token } : {}) });
    h.octo = h.client(h.sandbox.token);
    h.hubot = h.client(h.sandbox.state.tokenFor('hubot'));
    h.outsider = h.client(h.sandbox.state.tokenFor('outsider'));
    h.anonymous = h.client();
  });
  afterEach(() => {
    try {
      // Every exchange of the test, success and error, must match GitHub's API description.
      expect(h.recorder.drain()).toEqual([]);
    } finally {
      if (options.resetEachTest !== false) {
        h.sandbox.reset();
        h.warnings.length = 0;
      }
    }
  });
  afterAll(() => h.sandbox.close());
  return h;
}

// biome-ignore lint/suspicious/noExplicitAny: error bodies are asserted on loosely
type ErrorBody = any;

/** The error a rejected Octokit call threw (RequestError: status, response.data, response.headers). */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; response: { data: ErrorBody; headers: Record<string, string> } }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the request to fail');
}

export const OWNER = 'octocat';
export const REPO = 'hello-world';
export const repo = { owner: OWNER, repo: REPO };

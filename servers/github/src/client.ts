import { createHash } from 'node:crypto';
import type { Octokit } from '@octokit/rest';
import { type Lazy, type Logger, lazy, type OptionValues } from '@patchbay/kit';
import type { GitHubOptions } from './config.js';
import { type ApiEndpoint, resolveApiUrl } from './host.js';
import { createLockdown, type Lockdown } from './lockdown.js';
import { type RepoPolicy, repoPolicy } from './policy.js';
import { VERSION } from './version.js';

export type { Octokit };

/** The connector's long-lived services: one Octokit per process, made on the first call. */
export interface GitHubServices {
  options: OptionValues<GitHubOptions>;
  endpoint: ApiEndpoint;
  policy: RepoPolicy;
  lockdown: Lockdown | undefined;
  log: Logger;
  octokit: Lazy<Octokit>;
  dispose(): Promise<void>;
}

/** Reads may be repeated after a 5xx or a dropped connection; anything else never is. */
const REPEATABLE = new Set(['GET', 'HEAD']);

export function createGitHubServices(options: OptionValues<GitHubOptions>, log: Logger): GitHubServices {
  const resolved = resolveApiUrl(options.ghHost);
  // The option's own validation refused a bad host before this point.
  if ('problem' in resolved) throw new Error(resolved.problem);
  const endpoint = resolved;
  const policy = repoPolicy(options.repos);
  const octokit = lazy(() => createOctokit(options, endpoint, log));
  const services: GitHubServices = {
    options,
    endpoint,
    policy,
    lockdown: undefined,
    log,
    octokit,
    dispose: () => octokit.dispose(),
  };
  if (options.lockdown) services.lockdown = createLockdown(octokit);
  return services;
}

/**
 * Octokit with GitHub's own retry and rate-limit plugins, loaded on first use (they cost nothing at
 * start-up):
 * - plugin-throttling waits out a primary or secondary rate limit when it resets within
 *   `--rate-limit-wait` seconds (once per request; a refused write was not applied, so sending it
 *   again is safe), and otherwise lets the 403/429 through, which the error table reports with
 *   the reset time. It also spaces writes out as GitHub asks (one per second, searches one per two
 *   seconds) — except against a loopback sandbox, which has no such limits.
 * - plugin-retry repeats a read after a 5xx or a dropped connection (twice, after 1 s and 4 s).
 *   A write is never repeated: a POST that timed out may have created the issue already.
 */
async function createOctokit(options: OptionValues<GitHubOptions>, endpoint: ApiEndpoint, log: Logger): Promise<Octokit> {
  const [{ Octokit }, { retry }, { throttling }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const maxWait = options.rateLimitWait;
  const waitOut =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const wait = retryCount === 0 && retryAfter <= maxWait;
      log.warn(`GitHub ${kind} rate limit`, {
        request: `${request.method} ${request.url}`,
        retryAfterSeconds: retryAfter,
        action: wait ? 'waiting' : 'reporting',
      });
      return wait;
    };
  const GitHub = Octokit.plugin(retry, throttling);
  const token = options.githubToken as string;
  const unpaced = endpoint.loopback ? { write: NO_PACING, search: NO_PACING, notifications: NO_PACING } : {};
  const octokit = new GitHub({
    auth: token,
    baseUrl: endpoint.url,
    userAgent: `patchbay-github/${VERSION}`,
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.error(message),
    },
    // 403 and 429 are rate limits (the throttling plugin's) or refusals; neither is retried here.
    retry: { doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451], retries: 2 },
    throttle: {
      // Requests of one token share one queue, never the token itself.
      id: createHash('sha256').update(token).digest('hex').slice(0, 16),
      onRateLimit: waitOut('primary'),
      onSecondaryRateLimit: waitOut('secondary'),
      ...unpaced,
    },
  });
  octokit.hook.before('request', (request) => {
    if (!REPEATABLE.has(request.method)) request.request = { ...request.request, retries: 0 };
  });
  return octokit as unknown as Octokit;
}

/**
 * A pass-through in place of one of plugin-throttling's Bottleneck groups (the plugin's `write`,
 * `search` and `notifications` options): the job runs at once. Used only for a loopback API.
 */
const NO_PACING = {
  key: () => ({
    schedule: <A extends unknown[], R>(_options: unknown, job: (...args: A) => R, ...args: A): Promise<Awaited<R>> =>
      Promise.resolve(job(...args)) as Promise<Awaited<R>>,
  }),
} as never;

import { option } from '@patchbay/kit';
import { resolveApiUrl } from './host.js';
import { parseRepoPattern } from './policy.js';

/** Where to get a token, named by the missing-credential line and by 401 errors. */
export const TOKEN_URL = 'https://github.com/settings/personal-access-tokens';

/** Every option of the GitHub connector, declared once: flag, environment, type, default, help. */
export const githubOptions = {
  githubToken: option.string({
    env: ['GITHUB_PERSONAL_ACCESS_TOKEN', 'GITHUB_TOKEN'],
    placeholder: 'token',
    secret: true,
    credential: { obtainAt: TOKEN_URL },
    description: 'GitHub token (fine-grained or classic PAT, or an app/Actions token); prefer the environment to the flag',
  }),
  ghHost: option.string({
    flag: 'gh-host',
    env: ['GITHUB_API_URL', 'GITHUB_HOST'],
    placeholder: 'URL',
    description:
      'GitHub Enterprise Server or ghe.com host, or the API URL itself (default github.com); HTTPS only, except http://127.0.0.1 or localhost (the sandbox)',
    validate: (value) => {
      const resolved = resolveApiUrl(value);
      return 'problem' in resolved ? resolved.problem : undefined;
    },
  }),
  repos: option.list({
    env: ['PATCHBAY_GITHUB_REPOS'],
    placeholder: 'owner/name,owner/*',
    description: 'Only these repositories (owner/name, or owner/* for all of an owner); every tool refuses others',
    validate: (patterns) => {
      const problems = patterns.map((p) => parseRepoPattern(p)).filter((p): p is string => typeof p === 'string');
      return problems.length ? problems.join(' ') : undefined;
    },
  }),
  lockdown: option.boolean({
    env: ['PATCHBAY_GITHUB_LOCKDOWN', 'GITHUB_LOCKDOWN_MODE'],
    description: 'On public repositories, withhold issue, pull request and comment text by authors without push access',
  }),
  rateLimitWait: option.number({
    env: ['PATCHBAY_GITHUB_RATE_LIMIT_WAIT'],
    placeholder: 'seconds',
    default: 10,
    description: 'Wait out a rate limit that resets within this many seconds; a longer one is reported with its reset time',
    validate: (n) => (Number.isFinite(n) && n >= 0 && n <= 600 ? undefined : 'must be 0 to 600 seconds'),
  }),
};

export type GitHubOptions = typeof githubOptions;

// What the bin's zod-free front needs (see scripts/bundle.mjs): the options, read without zod.
export { githubOptions as options };

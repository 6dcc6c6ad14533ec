import { ToolError } from '@patchbay/kit';

/**
 * `--repos owner/name,owner/*`: the repositories any tool may touch. Checked before a request is
 * made for a tool's `repo` argument, and applied to what comes back from searches and listings
 * that span repositories, so nothing outside the list is read, written or shown.
 */
export interface RepoPolicy {
  /** Whether any restriction is configured. */
  readonly restricted: boolean;
  allows(fullName: string): boolean;
  /** Throws the refusal a model can act on, naming the argument. */
  check(fullName: string, argument?: string): void;
  /** The patterns, for messages and get_me. */
  readonly patterns: readonly string[];
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** A pattern's problem sentence, or undefined when it is `owner/name` or `owner/*`. */
export function parseRepoPattern(pattern: string): string | undefined {
  const [owner, name, extra] = pattern.split('/');
  if (extra !== undefined || !owner || !name || !OWNER.test(owner) || !(name === '*' || NAME.test(name))) {
    return `"${pattern}" is not owner/name or owner/* (e.g. octocat/hello-world or octocat/*).`;
  }
  return undefined;
}

export function repoPolicy(patterns: readonly string[]): RepoPolicy {
  // GitHub owner and repository names are case-insensitive.
  const exact = new Set<string>();
  const owners = new Set<string>();
  for (const pattern of patterns) {
    const [owner = '', name = ''] = pattern.toLowerCase().split('/');
    if (name === '*') owners.add(owner);
    else exact.add(`${owner}/${name}`);
  }
  const restricted = patterns.length > 0;
  const allows = (fullName: string) => {
    if (!restricted) return true;
    const lower = fullName.toLowerCase();
    return exact.has(lower) || owners.has(lower.split('/')[0] ?? '');
  };
  return {
    restricted,
    patterns,
    allows,
    check(fullName, argument = 'repo') {
      if (allows(fullName)) return;
      throw new ToolError(`${fullName} is not one of the repositories this server may use (${patterns.join(', ')}).`, {
        argument,
        hint: 'Use one of those; the operator can widen the list with --repos.',
      });
    },
  };
}

import type { Octokit } from '@octokit/rest';
import type { Lazy } from '@patchbay/kit';

/**
 * `--lockdown`: on a public repository anyone can open an issue or comment, and that text is where
 * prompt injection comes from. In lockdown, text by an author without push access to the
 * repository is withheld (the item stays, its text does not, and the reply says how many were
 * withheld). Private repositories are left alone: only people given access can write there.
 *
 * Push access is asked of GitHub (the collaborator permission API) once per author and
 * repository per process. When GitHub cannot say — the token may not read permissions there —
 * the text is withheld: lockdown fails closed.
 */
export interface Lockdown {
  /** The subset of `logins` whose text may be shown in `repo` (all of them on a private repository). */
  trustedAmong(repo: string, logins: Iterable<string | undefined>, signal: AbortSignal): Promise<Set<string>>;
}

const PUSH = new Set(['admin', 'maintain', 'write']);

export function createLockdown(octokit: Lazy<Octokit>): Lockdown {
  const visibility = new Map<string, Promise<boolean>>(); // repo → is public
  const permission = new Map<string, Promise<boolean>>(); // repo\0login → has push access

  const isPublic = (repo: string, signal: AbortSignal) => {
    const key = repo.toLowerCase();
    let known = visibility.get(key);
    if (!known) {
      known = (async () => {
        const [owner = '', name = ''] = repo.split('/');
        const { data } = await (await octokit.get()).rest.repos.get({ owner, repo: name, request: { signal } });
        return !data.private;
      })();
      // A failure is not remembered: the next call asks again.
      known.catch(() => visibility.delete(key));
      visibility.set(key, known);
    }
    return known;
  };

  const canPush = (repo: string, login: string, signal: AbortSignal) => {
    const key = `${repo.toLowerCase()}\0${login.toLowerCase()}`;
    let known = permission.get(key);
    if (!known) {
      known = (async () => {
        const [owner = '', name = ''] = repo.split('/');
        if (owner.toLowerCase() === login.toLowerCase()) return true;
        try {
          const { data } = await (await octokit.get()).rest.repos.getCollaboratorPermissionLevel({
            owner,
            repo: name,
            username: login,
            request: { signal },
          });
          const role = (data as { role_name?: string }).role_name;
          return PUSH.has(data.permission) || (role !== undefined && PUSH.has(role));
        } catch {
          // GitHub could not say (no access to permissions, a network error, a cancelled call):
          // withheld this time, asked again next time.
          permission.delete(key);
          return false;
        }
      })();
      permission.set(key, known);
    }
    return known;
  };

  const trustedAmong: Lockdown['trustedAmong'] = async (repo, logins, signal) => {
    const distinct = [...new Set([...logins].filter((l): l is string => typeof l === 'string' && l !== ''))];
    if (!(await isPublic(repo, signal))) return new Set(distinct);
    const verdicts = await Promise.all(distinct.map(async (login) => [login, await canPush(repo, login, signal)] as const));
    return new Set(verdicts.filter(([, ok]) => ok).map(([login]) => login));
  };

  return { trustedAmong };
}

/** The text shown instead of withheld content. */
export const WITHHELD = '[withheld by lockdown: the author has no push access to this public repository]';

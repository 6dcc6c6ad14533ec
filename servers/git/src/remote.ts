import { redact, ToolError } from '@patchbay/kit';
import type { GitServices, Repository } from './client.js';
import { runGit } from './exec.js';
import { type Pin, pinRoutes, type Route, RouteRefused } from './pinning.js';
import { withoutCredentials } from './url-policy.js';
import { safeRemoteName } from './validate.js';
import { currentBranch } from './worktree.js';

/**
 * Remotes are chosen by name, never by URL: a remote's URL is repository configuration that only
 * the operator (or the person who cloned it) wrote, and no tool can add or change one. That is
 * why a remote may point at a local path — the operator decided so — while git_clone, which
 * takes a URL from the model, is held to its URL policy. The exception is a repository in the
 * clone root: its remote URL is the one a model gave git_clone, so fetch, pull and push there
 * check and pin it as the clone did (`pinRemote`) — a name that was public at clone time may
 * point at this machine by the next fetch.
 */
export interface Remote {
  name: string;
  url: string;
  push_url?: string;
}

export async function listRemotes(repo: Repository): Promise<Remote[]> {
  const { stdout } = await repo.run(['config', '--get-regexp', '^remote\\..*\\.(url|pushurl)$'], {
    okCodes: [1],
    maxBytes: 256 * 1024,
  });
  const remotes = new Map<string, Remote>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const match = /^remote\.(.+)\.(url|pushurl) (.*)$/.exec(line);
    if (!match) continue;
    const [, name = '', key, value = ''] = match;
    const remote = remotes.get(name) ?? { name, url: '' };
    if (key === 'url') remote.url = redact(withoutCredentials(value));
    else remote.push_url = redact(withoutCredentials(value));
    remotes.set(name, remote);
  }
  return [...remotes.values()];
}

/** The upstream of the current branch, split into remote and branch, if it has one. */
export async function upstreamOf(repo: Repository): Promise<{ remote: string; branch: string } | undefined> {
  const branch = await currentBranch(repo);
  if (!branch) return undefined;
  const remote = (await repo.run(['config', '--get', `branch.${branch}.remote`], { okCodes: [1] })).stdout.trim();
  const merge = (await repo.run(['config', '--get', `branch.${branch}.merge`], { okCodes: [1] })).stdout.trim();
  if (!remote || !merge) return undefined;
  return { remote, branch: merge.replace(/^refs\/heads\//, '') };
}

/** The remote a call means: the one named (which must exist), else the upstream's, else the only one or "origin". */
export async function chooseRemote(repo: Repository, named: string | undefined): Promise<string> {
  const remotes = (await listRemotes(repo)).map((r) => r.name);
  if (remotes.length === 0) {
    throw new ToolError('this repository has no remotes.', {
      hint: 'Ask the operator to add one (git remote add origin <url>).',
    });
  }
  if (named !== undefined) {
    const name = safeRemoteName(named, 'remote');
    if (!remotes.includes(name)) {
      throw new ToolError(`there is no remote named "${name}".`, {
        argument: 'remote',
        hint: `Configured remotes: ${remotes.join(', ')}.`,
      });
    }
    return name;
  }
  const upstream = await upstreamOf(repo);
  if (upstream && remotes.includes(upstream.remote)) return upstream.remote;
  if (remotes.length === 1) return remotes[0] as string;
  if (remotes.includes('origin')) return 'origin';
  throw new ToolError('is required: the current branch has no upstream and there are several remotes.', {
    argument: 'remote',
    hint: `Pass one of: ${remotes.join(', ')}.`,
  });
}

const NO_PIN: Pin = { args: [], env: {} };

/**
 * The `-c` arguments and environment that confine a fetch, pull or push to checked addresses, for
 * a repository whose remote URLs came from a model (see `clonedByModel`); nothing for others.
 */
export async function pinRemote(
  services: GitServices,
  repo: Repository,
  remote: string,
  direction: 'fetch' | 'push',
): Promise<Pin> {
  if (!(await services.clonedByModel(repo.path))) return NO_PIN;
  const get = async (args: string[]) =>
    (await repo.run(args, { okCodes: [1, 2], maxBytes: 64 * 1024 })).stdout.split('\n').filter(Boolean);
  const pushUrls = direction === 'push' ? await get(['config', '--get-all', `remote.${remote}.pushurl`]) : [];
  const requested = pushUrls.length ? pushUrls : await get(['config', '--get-all', `remote.${remote}.url`]);
  // With insteadOf (and pushInsteadOf) applied: where git will really connect.
  const effective = await get(['remote', 'get-url', ...(direction === 'push' ? ['--push'] : []), '--all', remote]);
  const routes: Route[] = requested.map((url, i) => ({ requested: url, effective: effective[i] ?? url }));
  return pinOrRefuse(services, routes, repo.path, { remote });
}

/** The pin for cloning `url` (already through checkCloneUrl) with git running in `cwd`. */
export async function pinClone(
  services: GitServices,
  url: string,
  scope: { cwd: string; signal: AbortSignal; timeout: number },
): Promise<Pin> {
  // With the operator's insteadOf applied: where git will really connect.
  const { stdout } = await runGit(['ls-remote', '--get-url', '--', url], { ...scope, maxBytes: 64 * 1024 });
  return pinOrRefuse(services, [{ requested: url, effective: stdout.trim() || url }], scope.cwd, { argument: 'url' });
}

async function pinOrRefuse(
  services: GitServices,
  routes: Route[],
  cwd: string,
  where: { argument: string } | { remote: string },
): Promise<Pin> {
  try {
    return await pinRoutes(routes, { guard: services.guard, cwd });
  } catch (error) {
    if (!(error instanceof RouteRefused)) throw error;
    if ('argument' in where) {
      throw new ToolError(error.message, {
        argument: where.argument,
        hint: 'Clone from a public host, by its https:// or ssh:// URL.',
      });
    }
    throw new ToolError(`the remote ${where.remote} of this cloned repository cannot be reached: ${error.message}`, {
      hint: "A repository in the clone root is fetched and pushed under git_clone's rules; the remote's address no longer passes them.",
    });
  }
}

/** Lines the remote sent back ("remote: …"), e.g. a link to open a pull request. */
export function remoteMessages(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('remote: ') && l.trim() !== 'remote:')
    .map((l) => redact(l.slice(8).trimEnd()))
    .slice(0, 20);
}

/** Remote-tracking refs and tags with their commits, to report what a fetch changed. */
export async function refSnapshot(repo: Repository, remote: string): Promise<Map<string, string>> {
  const { stdout } = await repo.run(
    ['for-each-ref', '--format=%(objectname) %(refname)', '--end-of-options', `refs/remotes/${remote}`, 'refs/tags'],
    {
      maxBytes: 8 * 1024 * 1024,
    },
  );
  const refs = new Map<string, string>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const space = line.indexOf(' ');
    refs.set(
      line
        .slice(space + 1)
        .replace(/^refs\/remotes\//, '')
        .replace(/^refs\/tags\//, 'tag '),
      line.slice(0, space),
    );
  }
  return refs;
}

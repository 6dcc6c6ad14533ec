import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { type Logger, type OptionValues, resolveInside, type ToolContext, ToolError } from '@patchbay/kit';
import type { SimpleGit } from 'simple-git';
import { type GitOptions, initRoots } from './config.js';
import { ownershipRefused } from './errors.js';
import { GitFailure, type RunOptions, type RunResult, type RunScope, runGit, withSimpleGit } from './exec.js';
import { type NetworkSeams, RemoteGuard } from './network.js';
import { type Discovery, TopLevelCache } from './top-level-cache.js';

export interface Repository {
  /** The real path of the repository's top level. */
  path: string;
  /** Its git directory (for a linked worktree, the worktree's own): where an operation in progress leaves its state. */
  gitDir: string;
  /**
   * Run git and read its output as a stream, bounded: for commands whose output can be huge
   * (diffs, blobs, grep, ls-tree) so nothing is ever read in full.
   */
  run(args: string[], options?: Omit<RunOptions, keyof RunScope>): Promise<RunResult>;
  /** Use simple-git (its parsers) on this repository, bound to the call's signal and time limit. */
  simple<T>(command: string, use: (git: SimpleGit) => Promise<T>): Promise<T>;
}

/** What `open` needs from a call: the client's roots and the call's signal. */
export type CallScope = Pick<ToolContext<unknown>, 'roots' | 'signal'>;

export interface GitServices {
  options: OptionValues<GitOptions>;
  log: Logger;
  /** Resolve a tool's `repository` argument to an allowed repository. */
  open(input: string | undefined, ctx: CallScope): Promise<Repository>;
  /** The folders a repository (or a worktree) may be in: the configured ones and the client's MCP roots. */
  allowedRoots(ctx: Pick<CallScope, 'roots'>): Promise<string[]>;
  /** The real path of the repository containing `dir` (trusted as `open` trusts it), or undefined. */
  topLevel(dir: string, signal?: AbortSignal): Promise<string | undefined>;
  /** Decides which hosts a URL from the model may make git connect to. */
  guard: RemoteGuard;
  /**
   * Whether a repository's remote URLs came from a model: those in the clone root were cloned
   * from a URL git_clone was given, so their fetch, pull and push are checked like the clone.
   */
  clonedByModel(repositoryPath: string): Promise<boolean>;
  dispose(): Promise<void>;
}

export function createGitServices(options: OptionValues<GitOptions>, log: Logger, network: NetworkSeams = {}): GitServices {
  // Repositories cloned into the clone root or made in the init root must be usable by the other tools.
  const configured = [...options.repository, ...initRoots(options)].map((r) => path.resolve(r));
  let configuredReal: Promise<string[]> | undefined;
  /**
   * Repositories in the configured locations that git refused for their owner, trusted from then
   * on: their real top level → the path as git names it (what safe.directory must say).
   */
  const trusted = new Map<string, string>();
  /** Paths whose refusal was already logged, so stderr says it once. */
  const refusals = new Set<string>();

  /** Whether `dir` is one of the operator's configured locations or inside one. */
  const isConfigured = async (dir: string) => {
    configuredReal ??= Promise.all(configured.map((c) => realpath(c).catch(() => c)));
    return (await configuredReal).some((root) => dir === root || dir.startsWith(root + path.sep));
  };

  /** Which repository each folder belongs to, while nothing git read to say so has changed. */
  const discovered = new TopLevelCache();

  /** The repository containing `dir`, or undefined when there is none. */
  const discover = async (dir: string, signal?: AbortSignal): Promise<Discovery | undefined> => {
    const cached = await discovered.get(dir);
    if (cached !== undefined) return cached;
    const ask = async (trust?: string): Promise<Discovery> => {
      const { stdout } = await runGit(['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir'], {
        cwd: dir,
        timeout: options.timeout,
        maxBytes: 64 * 1024,
        ...(signal ? { signal } : {}),
        ...(trust ? { trust } : {}),
      });
      const [shown = '', gitDir = '', commonDir = ''] = stdout.split('\n');
      const top = await realpath(shown);
      // --git-common-dir may be relative to the folder git ran in.
      const real = (p: string) => realpath(path.resolve(dir, p)).catch(() => undefined);
      const [git, common] = await Promise.all([real(gitDir), real(commonDir)]);
      const found = { top, gitDir: git ?? path.resolve(dir, gitDir), commonDir: common ?? path.resolve(dir, commonDir) };
      if (git !== undefined && common !== undefined) await discovered.remember(dir, found);
      return found;
    };
    const known = [...trusted].find(([top]) => dir === top || dir.startsWith(top + path.sep))?.[1];
    try {
      return await ask(known);
    } catch (error) {
      if (!(error instanceof GitFailure)) throw error;
      const owner = /detected dubious ownership in repository at '([^']+)'/.exec(error.stderr)?.[1];
      if (owner === undefined) return undefined;
      // The operator configured this location, so its repositories are theirs to trust: exactly
      // the path git names, never `*`. A repository reached only through a client's roots is not.
      if (await isConfigured(await realpath(owner).catch(() => owner))) {
        try {
          const found = await ask(owner);
          trusted.set(found.top, owner);
          return found;
        } catch (retry) {
          if (!(retry instanceof GitFailure)) throw retry;
        }
      }
      if (!refusals.has(owner)) {
        refusals.add(owner);
        log.warn('git refuses a repository owned by another user ("dubious ownership")', { path: owner });
      }
      throw ownershipRefused(owner);
    }
  };
  const topLevel = async (dir: string, signal?: AbortSignal) => (await discover(dir, signal))?.top;

  /** The roots a repository may live in: configured ones, the clone root, the client's MCP roots. */
  const allowedRoots = async (ctx: Pick<CallScope, 'roots'>) => {
    const roots = [...configured, ...(await ctx.roots())];
    return [...new Set(roots)];
  };

  let cloneRootReal: Promise<string | undefined> | undefined;
  return {
    options,
    log,
    topLevel,
    allowedRoots,
    guard: new RemoteGuard({ blockPrivateNetworks: options.blockPrivateNetworks }, network),
    async clonedByModel(repositoryPath) {
      if (!options.cloneRoot) return false;
      const cloneRoot = options.cloneRoot;
      cloneRootReal ??= realpath(cloneRoot).catch(() => undefined);
      const root = await cloneRootReal;
      return root !== undefined && (repositoryPath === root || repositoryPath.startsWith(root + path.sep));
    },
    async open(input, ctx) {
      const roots = await allowedRoots(ctx);
      if (roots.length === 0) {
        throw new ToolError('no repository is configured, so no git tool can run.', {
          hint:
            'Ask the operator to start the server with --repository <path> (or GIT_REPOSITORIES), ' +
            'or use a client that shares its workspace folders as MCP roots.',
        });
      }
      let target = input;
      if (!target) {
        if (roots.length !== 1) {
          throw new ToolError('is required when more than one repository is allowed.', {
            argument: 'repository',
            hint: `Pass one of: ${roots.join(', ')}.`,
          });
        }
        target = roots[0] as string;
      }
      const inside = await resolveInside(roots, target, 'repository');
      const found = await discover(inside.path, ctx.signal);
      if (!found) {
        throw new ToolError(`"${target}" is not inside a git repository.`, {
          argument: 'repository',
          hint: 'Pass the path of a folder that contains a .git directory.',
        });
      }
      const { top, gitDir } = found;
      // A subfolder of an allowed root may belong to a repository that starts above the root;
      // that repository's other files are not allowed.
      if (top !== inside.root && !top.startsWith(inside.root + path.sep)) {
        throw new ToolError(`the repository containing "${target}" starts at ${top}, outside the allowed locations.`, {
          argument: 'repository',
        });
      }
      const scope: RunScope = {
        cwd: top,
        signal: ctx.signal,
        timeout: options.timeout,
        ...(trusted.has(top) ? { trust: trusted.get(top) } : {}),
      };
      return {
        path: top,
        gitDir,
        run: (args, runOptions = {}) => runGit(args, { ...runOptions, ...scope }),
        simple: (command, use) => withSimpleGit(scope, command, use),
      };
    },
    async dispose() {
      // git processes are per call; nothing long-lived to close.
    },
  };
}

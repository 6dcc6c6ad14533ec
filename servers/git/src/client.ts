import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Logger, type OptionValues, resolveInside, type ToolContext, ToolError } from '@patchbay/kit';
import type { SimpleGit } from 'simple-git';
import type { GitOptions } from './config.js';
import { GIT_CONFIG, GIT_CONFIG_ARGS, gitEnv } from './env.js';
import { type RunOptions, type RunResult, runGit } from './exec.js';
import { type NetworkSeams, RemoteGuard } from './network.js';

const execFileAsync = promisify(execFile);

export interface Repository {
  /** The real path of the repository's top level. */
  path: string;
  /**
   * simple-git bound to the repository and to this call's AbortSignal, made on first use: most
   * tools only stream through `run`, so they neither wait for simple-git to load nor build one.
   */
  git(): Promise<SimpleGit>;
  /**
   * Run git and read its output as a stream, bounded: for commands whose output can be huge
   * (diffs, blobs, grep, ls-tree) so nothing is ever read in full.
   */
  run(args: string[], options?: Omit<RunOptions, 'signal' | 'timeout' | 'cwd'>): Promise<RunResult>;
}

/** What `open` needs from a call: the client's roots and the call's signal. */
export type CallScope = Pick<ToolContext<unknown>, 'roots' | 'signal'>;

export interface GitServices {
  options: OptionValues<GitOptions>;
  log: Logger;
  /** Resolve a tool's `repository` argument to an allowed repository. */
  open(input: string | undefined, ctx: CallScope): Promise<Repository>;
  /** Decides which hosts a URL from the model may make git connect to. */
  guard: RemoteGuard;
  /**
   * Whether a repository's remote URLs came from a model: those in the clone root were cloned
   * from a URL git_clone was given, so their fetch, pull and push are checked like the clone.
   */
  clonedByModel(repositoryPath: string): Promise<boolean>;
  dispose(): Promise<void>;
}

const importSimpleGit = () => import('simple-git');
let simpleGitModule: ReturnType<typeof importSimpleGit> | undefined;
/** simple-git is loaded by the connector's warm-up or the first call that needs it, never at startup. */
export function loadSimpleGit() {
  simpleGitModule ??= importSimpleGit();
  return simpleGitModule;
}

export function createGitServices(options: OptionValues<GitOptions>, log: Logger, network: NetworkSeams = {}): GitServices {
  // Repositories cloned into the clone root must be usable by the other tools.
  const configured = [...options.repository, ...(options.cloneRoot ? [options.cloneRoot] : [])].map((r) => path.resolve(r));

  const gitAt = async (dir: string, signal: AbortSignal) => {
    const { simpleGit } = await loadSimpleGit();
    return simpleGit({
      baseDir: dir,
      maxConcurrentProcesses: 4,
      timeout: { block: options.timeout },
      abort: signal,
      config: GIT_CONFIG,
      // simple-git refuses some environment variables unless told otherwise. The environment is
      // built by gitEnv() from the operator's own (GIT_CONFIG_GLOBAL chooses their config file,
      // GIT_EDITOR=true keeps an editor from ever opening); tool arguments never reach it or `-c`.
      unsafe: { allowUnsafeCustomBinary: false, allowUnsafeConfigPaths: true, allowUnsafeEditor: true },
    }).env({ ...gitEnv(), GIT_LITERAL_PATHSPECS: '1' });
  };

  /** The roots a repository may live in: configured ones, the clone root, the client's MCP roots. */
  const allowedRoots = async (ctx: Pick<CallScope, 'roots'>) => {
    const roots = [...configured, ...(await ctx.roots())];
    return [...new Set(roots)];
  };

  let cloneRootReal: Promise<string | undefined> | undefined;
  return {
    options,
    log,
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
      const top = await topLevel(inside.path);
      if (!top) {
        throw new ToolError(`"${target}" is not inside a git repository.`, {
          argument: 'repository',
          hint: 'Pass the path of a folder that contains a .git directory.',
        });
      }
      // A subfolder of an allowed root may belong to a repository that starts above the root;
      // that repository's other files are not allowed.
      if (top !== inside.root && !top.startsWith(inside.root + path.sep)) {
        throw new ToolError(`the repository containing "${target}" starts at ${top}, outside the allowed locations.`, {
          argument: 'repository',
        });
      }
      return {
        path: top,
        git: () => gitAt(top, ctx.signal),
        run: (args, runOptions = {}) =>
          runGit([...GIT_CONFIG_ARGS, ...args], {
            ...runOptions,
            cwd: top,
            signal: ctx.signal,
            timeout: options.timeout,
          }),
      };
    },
    async dispose() {
      // git processes are per call; nothing long-lived to close.
    },
  };
}

/** The real path of the top of the repository containing `dir`, or undefined when there is none. */
export async function topLevel(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('git', [...GIT_CONFIG_ARGS, 'rev-parse', '--show-toplevel'], {
      cwd: dir,
      env: gitEnv(),
    });
    return await realpath(stdout.trim());
  } catch {
    return undefined;
  }
}

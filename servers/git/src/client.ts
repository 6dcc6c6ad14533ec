import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Logger, type OptionValues, ToolError, type ToolContext, resolveInside } from '@patchbay/kit';
import type { SimpleGit } from 'simple-git';
import type { GitOptions } from './config.js';

const execFileAsync = promisify(execFile);

/** Variables git may see from the server's environment; everything else is left out. */
const PASSED_THROUGH = ['PATH', 'HOME', 'USER', 'TMPDIR', 'XDG_CONFIG_HOME', 'SSH_AUTH_SOCK', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

/**
 * Environment for every git process: only the variables above, so nothing the server inherited
 * can redirect git (GIT_DIR, GIT_WORK_TREE…) or run a program (EDITOR, PAGER, GIT_SSH_COMMAND);
 * prompts are off (a credential prompt would hang the tool) and output is in English.
 */
export function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASSED_THROUGH) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', LANG: 'C' };
}

export interface Repository {
  /** The real path of the repository's top level. */
  path: string;
  /** simple-git bound to the repository and to this call's AbortSignal. */
  git: SimpleGit;
}

export interface GitServices {
  options: OptionValues<GitOptions>;
  log: Logger;
  /** Resolve a tool's `repository` argument to an allowed repository. */
  open(input: string | undefined, ctx: Pick<ToolContext<unknown>, 'roots' | 'signal'>): Promise<Repository>;
  /** The roots a repository may live in: configured ones plus the client's MCP roots. */
  allowedRoots(ctx: Pick<ToolContext<unknown>, 'roots'>): Promise<string[]>;
  /** simple-git for a folder that is not (yet) a repository (clone targets). */
  gitAt(dir: string, signal: AbortSignal): Promise<SimpleGit>;
  dispose(): Promise<void>;
}

let simpleGitModule: Promise<typeof import('simple-git')> | undefined;
/** simple-git is loaded on the first git call, not at startup. */
function loadSimpleGit() {
  simpleGitModule ??= import('simple-git');
  return simpleGitModule;
}

export function createGitServices(options: OptionValues<GitOptions>, log: Logger): GitServices {
  const configured = options.repository.map((r) => path.resolve(r));

  const gitAt = async (dir: string, signal: AbortSignal) => {
    const { simpleGit } = await loadSimpleGit();
    return simpleGit({
      baseDir: dir,
      maxConcurrentProcesses: 4,
      timeout: { block: options.timeout },
      abort: signal,
      // The operator's global identity is fine, but nothing may rewrite where git looks.
      unsafe: { allowUnsafeCustomBinary: false },
    }).env(gitEnv());
  };

  const allowedRoots = async (ctx: Pick<ToolContext<unknown>, 'roots'>) => {
    const roots = [...configured, ...(await ctx.roots())];
    return [...new Set(roots)];
  };

  return {
    options,
    log,
    allowedRoots,
    gitAt,
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
      return { path: top, git: await gitAt(top, ctx.signal) };
    },
    async dispose() {
      // git processes are per call; nothing long-lived to close.
    },
  };
}

async function topLevel(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, env: gitEnv() });
    return await realpath(stdout.trim());
  } catch {
    return undefined;
  }
}

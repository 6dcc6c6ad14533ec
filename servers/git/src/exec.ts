import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ToolError } from '@patchbay/kit';
import type { SimpleGit } from 'simple-git';

/**
 * How every git process of this connector starts: one environment (gitEnv), one set of `-c`
 * settings (gitConfig), one error shape (GitFailure, an AbortError on cancel, a ToolError on
 * timeout), and two ways to run.
 *
 * - simple-git, the library the project's design names for git, where it does the job: its
 *   parsers (`git status`), with its abort and timeout plugins (`withSimpleGit`).
 * - `runGit`, this project's own, for what simple-git cannot do: read a command's output as a
 *   bounded stream (a diff, a blob, a grep or a tree listing can be many megabytes, and simple-git
 *   buffers all of it), stop git's whole process group on cancel or timeout (hooks, ssh and
 *   credential helpers git started), feed stdin and report --progress as it comes.
 */

const importSimpleGit = () => import('simple-git');
let simpleGitModule: ReturnType<typeof importSimpleGit> | undefined;
/** simple-git is loaded by the connector's warm-up or the first call that needs it, never at startup. */
export function loadSimpleGit() {
  simpleGitModule ??= importSimpleGit();
  return simpleGitModule;
}

/**
 * Variables git may see from the server's environment; everything else is left out. Identity,
 * config location, signing and TLS settings are the operator's to choose; nothing here can point
 * git at another repository (GIT_DIR, GIT_WORK_TREE) or make it run a program (EDITOR, PAGER,
 * GIT_SSH_COMMAND, GIT_EXTERNAL_DIFF).
 */
const PASSED_THROUGH = [
  'PATH',
  'HOME',
  'USER',
  'TMPDIR',
  'XDG_CONFIG_HOME',
  'SSH_AUTH_SOCK',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
  'GNUPGHOME',
  'GIT_SSL_CAINFO',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];

/**
 * Environment for every git process: only the variables above, so nothing the server inherited
 * can redirect git or run a program; prompts are off (a credential prompt would hang the tool),
 * an editor can never open (it would hang too) and output is in English so errors can be
 * recognised. (Pathspecs are made literal per command: see RunOptions.magicPathspecs.)
 */
export function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASSED_THROUGH) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_EDITOR: 'true',
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
    LANG: 'C',
  };
}

/**
 * Config every git command runs with: paths printed as they are (not octal-escaped), never
 * coloured, and only repositories whose git directory is a `.git` are found. Without that last
 * setting a folder inside an allowed repository that merely holds files shaped like a git
 * directory (HEAD, objects, refs and a config naming a work tree and, say, an fsmonitor program)
 * would be opened as a repository of its own and its config obeyed; such files can arrive in any
 * clone. (Diff commands also pass --no-ext-diff --no-textconv, and blame --no-textconv, so a
 * repository's configured programs do not run.)
 *
 * `trust` is a repository the operator configured that belongs to another user than the one the
 * server runs as (a repository mounted into a container): git refuses those ("dubious
 * ownership") unless `safe.directory` names them, which is done for exactly that path, never `*`,
 * and only for repositories in the operator's configured locations (see client.ts).
 */
export function gitConfig(trust?: string): string[] {
  return [
    'core.quotePath=false',
    'color.ui=never',
    'safe.bareRepository=explicit',
    ...(trust !== undefined ? [`safe.directory=${trust}`] : []),
  ];
}

/** Where and how long one git command runs, and which repository it may trust. */
export interface RunScope {
  cwd: string;
  /** The call's signal: git is stopped (its whole process group) when it aborts. */
  signal?: AbortSignal;
  /** Milliseconds before git is stopped and the call fails. */
  timeout: number;
  /** A configured repository to trust despite its owner (see gitConfig). */
  trust?: string;
}

export interface RunOptions extends RunScope {
  /** Split stdout into records on this separator and hand each to `onRecord`. */
  separator?: '\n' | '\0';
  /**
   * Return false to stop reading: git is ended and the run counts as successful. Return a
   * separator to split the rest of the output on it instead: `diff --numstat -z -p` writes its
   * file list NUL-separated, then the patches line by line.
   */
  onRecord?: (record: string) => boolean | '\n' | '\0' | undefined;
  /** Without `onRecord`: keep at most this many bytes of stdout, then stop git. */
  maxBytes?: number;
  /** Exit codes that are not failures (grep exits 1 when nothing matched). */
  okCodes?: readonly number[];
  /** Written to git's stdin. */
  input?: string;
  /**
   * Paths are literal by default (GIT_LITERAL_PATHSPECS): a user's "*" or ":(top)" is a file name,
   * never a glob or pathspec magic. `git stash --include-untracked` relies on magic internally
   * and silently stashes no untracked files under that setting, so it opts out.
   */
  magicPathspecs?: boolean;
  /** With `--progress`: called with git's phase and percentage as they change. */
  onProgress?: (phase: string, percent: number) => void;
  /** Variables added to git's filtered environment (the ssh pin's GIT_SSH_COMMAND). */
  env?: Record<string, string>;
}

export interface RunResult {
  /** Collected stdout (empty when `onRecord` consumed it). */
  stdout: string;
  /** The same bytes, undecoded (for binary content). */
  bytes: Buffer;
  /** What git wrote to stderr (its first 16 KiB): progress, warnings, a remote's messages. */
  stderr: string;
  code: number;
  /** The caller (or `maxBytes`) stopped git before it finished. */
  stopped: boolean;
}

/** git exited with a failure status; `stderr` says why. The connector's mapError explains it (errors.ts). */
export class GitFailure extends Error {
  override readonly name = 'GitFailure';
  constructor(
    /** git's exit status; undefined when simple-git ran it (it does not say). */
    readonly code: number | undefined,
    readonly stderr: string,
    /** The subcommand (`log`, `fetch`). */
    readonly command: string,
    /** Its arguments after the `-c` settings, to find what it was run on (a remote, a URL). */
    readonly args: readonly string[] = [],
  ) {
    super(
      `git ${command} ${code === undefined ? 'failed' : `exited with ${code}`}: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
    );
  }
}

const STDERR_LIMIT = 16_384;

/** The subcommand of an argument list (the first word that is neither an option nor a `-c` value). */
function subcommand(args: readonly string[]): string {
  return args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '-c') ?? 'git';
}

function timedOut(command: string, timeout: number): ToolError {
  return new ToolError(`git ${command} took longer than ${timeout} ms and was stopped.`, {
    hint: 'Narrow the request (a path, a revision range, fewer results), or ask the operator to raise --timeout.',
  });
}

function cancelled(command: string): Error {
  const error = new Error(`git ${command} was cancelled`);
  error.name = 'AbortError';
  return error;
}

/** Run git with the connector's environment and config, reading its output as a bounded stream. */
export function runGit(args: string[], options: RunOptions): Promise<RunResult> {
  const command = subcommand(args);
  const signal = options.signal;
  return new Promise((resolve, reject) => {
    // Its own process group, so stopping git also stops what it started (hooks, ssh, helpers).
    const child = spawn('git', [...gitConfig(options.trust).flatMap((c) => ['-c', c]), ...args], {
      cwd: options.cwd,
      env: { ...gitEnv(), ...(options.magicPathspecs ? {} : { GIT_LITERAL_PATHSPECS: '1' }), ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const stdout = child.stdout as Readable;
    const errors = child.stderr as Readable;
    let stopped = false;
    let settled = false;
    let stderr = '';
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let pending = Buffer.alloc(0);
    let separator = options.separator === '\0' ? 0 : 10;

    const killGroup = (kill: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, kill);
      } catch {
        child.kill(kill);
      }
    };
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const stop = () => {
      if (stopped) return;
      stopped = true;
      stdout.removeAllListeners('data');
      killGroup('SIGTERM');
    };
    const onAbort = () => {
      killGroup('SIGTERM');
      finish(() => reject(cancelled(command)));
    };
    const timer = setTimeout(() => {
      killGroup('SIGKILL');
      finish(() => reject(timedOut(command, options.timeout)));
    }, options.timeout);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });

    stdout.on('data', (chunk: Buffer) => {
      if (options.onRecord) {
        let buffer = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        let at = buffer.indexOf(separator);
        while (at !== -1) {
          const record = buffer.subarray(0, at).toString('utf8');
          buffer = buffer.subarray(at + 1);
          const verdict = options.onRecord(record);
          if (verdict === false) {
            stop();
            return;
          }
          if (verdict === '\0' || verdict === '\n') separator = verdict === '\0' ? 0 : 10;
          at = buffer.indexOf(separator);
        }
        pending = Buffer.from(buffer);
        return;
      }
      const room = (options.maxBytes ?? Number.POSITIVE_INFINITY) - keptBytes;
      if (chunk.length >= room) {
        kept.push(chunk.subarray(0, room));
        keptBytes += room;
        stop();
        return;
      }
      kept.push(chunk);
      keptBytes += chunk.length;
    });
    let lastProgress = '';
    // A character whose bytes arrive in two reads (a file name in an error) stays whole.
    const stderrText = new StringDecoder('utf8');
    errors.on('data', (chunk: Buffer) => {
      const text = stderrText.write(chunk);
      if (options.onProgress) {
        // "Receiving objects:  45% (450/1000)", repainted with \r.
        for (const match of text.matchAll(/([A-Za-z][A-Za-z ]+):\s+(\d{1,3})%/g)) {
          const key = `${match[1]}${match[2]}`;
          if (key !== lastProgress) options.onProgress(match[1] as string, Number(match[2]));
          lastProgress = key;
        }
        // Progress lines are repainted many times: keep only the others for error messages.
        if (stderr.length < STDERR_LIMIT) stderr += text.replace(/[^\n]*\r/g, '');
      } else if (stderr.length < STDERR_LIMIT) stderr += text;
    });
    child.on('error', (error) => finish(() => reject(error)));
    child.on('close', (code) => {
      if (settled) return;
      // A last record without a trailing separator.
      if (!stopped && options.onRecord && pending.length) options.onRecord(pending.toString('utf8'));
      const exit = code ?? 1;
      if (!stopped && exit !== 0 && !(options.okCodes ?? []).includes(exit)) {
        finish(() => reject(new GitFailure(exit, stderr, command, args)));
        return;
      }
      // A cut in the middle of a multi-byte character leaves U+FFFD at the end: drop it.
      const bytes = Buffer.concat(kept);
      const text = bytes.toString('utf8').replace(/\uFFFD$/, '');
      finish(() => resolve({ stdout: text, bytes, stderr, code: stopped ? 0 : exit, stopped }));
    });
    if (options.input !== undefined && child.stdin) {
      // git may exit before reading its input (a refusing hook): that is not a fault of ours.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/**
 * Use simple-git (for its parsers) with the same environment, config, cancellation and time limit
 * as runGit, its failures turned into the same shapes: GitFailure, AbortError, the timeout ToolError.
 */
export async function withSimpleGit<T>(scope: RunScope, command: string, use: (git: SimpleGit) => Promise<T>): Promise<T> {
  const { simpleGit, GitError } = await loadSimpleGit();
  const git = simpleGit({
    baseDir: scope.cwd,
    timeout: { block: scope.timeout },
    ...(scope.signal ? { abort: scope.signal } : {}),
    config: gitConfig(scope.trust),
    // simple-git refuses some environment variables unless told otherwise. The environment is
    // built by gitEnv() from the operator's own (GIT_CONFIG_GLOBAL chooses their config file,
    // GIT_EDITOR=true keeps an editor from ever opening); tool arguments never reach it or `-c`.
    unsafe: { allowUnsafeCustomBinary: false, allowUnsafeConfigPaths: true, allowUnsafeEditor: true },
  }).env({ ...gitEnv(), GIT_LITERAL_PATHSPECS: '1' });
  try {
    return await use(git);
  } catch (error) {
    const plugin = (error as { plugin?: string }).plugin;
    if (plugin === 'abort' || scope.signal?.aborted) throw cancelled(command);
    if (plugin === 'timeout') throw timedOut(command, scope.timeout);
    // simple-git's GitError carries what git wrote to stderr as its message.
    if (error instanceof GitError) throw new GitFailure(undefined, error.message, command);
    throw error;
  }
}

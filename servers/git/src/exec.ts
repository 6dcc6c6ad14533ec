import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ToolError } from '@patchbay/kit';
import { gitEnv } from './env.js';

/**
 * A bounded, streaming git runner. simple-git buffers a command's whole output, which is right
 * for status or a commit but not for a diff, a blob, a grep or a tree listing that can be many
 * megabytes: here the caller consumes records as they arrive and stops git as soon as it has
 * enough, so neither memory nor time grows with the size of the repository.
 */
export interface RunOptions {
  cwd: string;
  signal: AbortSignal;
  /** Milliseconds before git is stopped and the call fails. */
  timeout: number;
  /** Split stdout into records on this separator and hand each to `onRecord`. */
  separator?: '\n' | '\0';
  /** Return false to stop reading: git is ended and the run counts as successful. */
  onRecord?: (record: string) => boolean | undefined;
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

/** git exited with a failure status; `stderr` says why. Callers translate it (see errors.ts). */
export class GitFailure extends Error {
  override readonly name = 'GitFailure';
  constructor(
    readonly code: number,
    readonly stderr: string,
    readonly command: string,
  ) {
    super(`git ${command} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
}

const STDERR_LIMIT = 16_384;

export function runGit(args: string[], options: RunOptions): Promise<RunResult> {
  const command = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '-c') ?? 'git';
  return new Promise((resolve, reject) => {
    // Its own process group, so stopping git also stops what it started (hooks, ssh, helpers).
    const child = spawn('git', args, {
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
    const separator = options.separator === '\0' ? 0 : 10;

    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    };
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
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
      const error = new Error(`git ${command} was cancelled`);
      error.name = 'AbortError';
      finish(() => reject(error));
    };
    const timer = setTimeout(() => {
      killGroup('SIGKILL');
      finish(() =>
        reject(
          new ToolError(`git ${command} took longer than ${options.timeout} ms and was stopped.`, {
            hint: 'Narrow the request (a path, a revision range, fewer results), or ask the operator to raise --timeout.',
          }),
        ),
      );
    }, options.timeout);
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });

    stdout.on('data', (chunk: Buffer) => {
      if (options.onRecord) {
        let buffer = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        let at = buffer.indexOf(separator);
        while (at !== -1) {
          const record = buffer.subarray(0, at).toString('utf8');
          buffer = buffer.subarray(at + 1);
          if (options.onRecord(record) === false) {
            stop();
            return;
          }
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
    errors.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
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
        finish(() => reject(new GitFailure(exit, stderr, command)));
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

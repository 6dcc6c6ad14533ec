import type { BigIntStats } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * What `git rev-parse --show-toplevel --absolute-git-dir --git-common-dir` said for a folder,
 * each resolved to its real path.
 */
export interface Discovery {
  top: string;
  gitDir: string;
  commonDir: string;
}

/**
 * Remembers which repository a folder belongs to, so a call does not start `git rev-parse` to
 * find out again (it was about a third of a warm git_status). An answer is reused only while
 * everything git read to give it is unchanged, checked with a few `lstat`s on every use:
 *
 * - the folder itself (device and inode: deleted and re-created, or swapped by a rename, is another folder);
 * - every folder from it up to the top level still has no `.git` (one appearing there would make
 *   a nearer repository, which git would find first);
 * - the top level and its `.git` (device, inode and owner; for a `.git` file — a linked worktree
 *   or a submodule — also its size and time, since its text names the git directory);
 * - the config files that can move the work tree elsewhere or make the repository bare
 *   (`core.worktree`, `core.bare`): the common `config` and the git directory's `config.worktree`.
 *   git rewrites a config through a lock file and a rename (a new inode); an edit in place changes
 *   its size or time.
 *
 * Why a stale answer cannot widen what a call reaches: the folder's real path (the key) is
 * resolved and checked against the allowed roots on every call before the cache is asked, and the
 * top level is checked against them after; and the cache only saves the *finding*: every git
 * command still runs inside the top level and applies git's own checks there again (ownership
 * and safe.directory, safe.bareRepository), so a repository that changed owner is refused by the
 * command itself. Failures (not a repository, refused) are never remembered.
 */
export class TopLevelCache {
  readonly #entries = new Map<string, { discovery: Discovery; fingerprint: string }>();

  constructor(private readonly capacity = 256) {}

  /** What was found for `dir` before, if nothing it depended on has changed since. */
  async get(dir: string): Promise<Discovery | undefined> {
    const entry = this.#entries.get(dir);
    if (!entry) return undefined;
    if ((await fingerprint(dir, entry.discovery)) === entry.fingerprint) return entry.discovery;
    this.#entries.delete(dir);
    return undefined;
  }

  /** Remember what git found for `dir` (fingerprinted now, after git answered). */
  async remember(dir: string, discovery: Discovery): Promise<void> {
    const print = await fingerprint(dir, discovery);
    if (print === undefined) return;
    this.#entries.delete(dir);
    this.#entries.set(dir, { discovery, fingerprint: print });
    // The oldest entry goes first when full (a Map iterates in insertion order).
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}

/** Everything the answer for `dir` depends on, as one string; undefined if `dir` is not inside `top`. */
async function fingerprint(dir: string, { top, gitDir, commonDir }: Discovery): Promise<string | undefined> {
  if (dir !== top && !dir.startsWith(top + path.sep)) return undefined;
  // Folders strictly between dir and top (dir included when it is not top): none may hold a .git.
  const between: string[] = [];
  for (let d = dir; d !== top; d = path.dirname(d)) between.push(d);
  const parts = await Promise.all([
    identity(dir),
    identity(top),
    identity(path.join(top, '.git'), { contents: true }),
    identity(path.join(commonDir, 'config'), { follow: true, contents: true }),
    identity(path.join(gitDir, 'config.worktree'), { follow: true, contents: true }),
    ...between.map((d) => identity(path.join(d, '.git'))),
  ]);
  return parts.join('|');
}

/**
 * Who a path is: absent, or its device, inode and owner; with `contents`, a file's size and times
 * too. `follow` reads through a symbolic link (a config file may be one); otherwise the link itself.
 */
async function identity(file: string, how: { follow?: boolean; contents?: boolean } = {}): Promise<string> {
  let s: BigIntStats;
  try {
    s = await (how.follow ? stat(file, { bigint: true }) : lstat(file, { bigint: true }));
  } catch {
    return '-';
  }
  const base = `${s.dev}:${s.ino}:${s.uid}`;
  return how.contents && s.isFile() ? `${base}:${s.size}:${s.mtimeNs}:${s.ctimeNs}` : base;
}

import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The user's own directory for what a start leaves for the next (V8 code caches, the tools a set
 * of options chose), made if missing; undefined unless only this user can write to it: what is
 * read from it decides what the process runs or offers. Undefined on a system without user ids
 * (Windows), where the mode bits do not say who can write. PATCHBAY_NO_CODE_CACHE=1 turns it off,
 * PATCHBAY_CODE_CACHE_DIR moves it.
 *
 * Without node:os on purpose: the bin's front reads it before its first tools/list answer, and
 * loading that module costs half a millisecond. The temporary directory is found as os.tmpdir()
 * finds it on POSIX systems.
 */
export function privateDirectory(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.PATCHBAY_NO_CODE_CACHE === '1') return undefined;
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const dir = env.PATCHBAY_CODE_CACHE_DIR || join(temporaryDirectory(env), `patchbay-code-cache-${uid}`);
  try {
    // Looked at first, made only when missing: a failed mkdir's error costs more than the look.
    let stat = lstatSync(dir, { throwIfNoEntry: false });
    if (!stat) {
      mkdirSync(dir, { mode: 0o700 });
      stat = lstatSync(dir);
    }
    if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    // Made meanwhile by another start, or not possible: no cache this time.
    return undefined;
  }
}

/** os.tmpdir() on POSIX: TMPDIR, TMP or TEMP, else /tmp, without a trailing slash. */
function temporaryDirectory(env: Readonly<Record<string, string | undefined>>): string {
  const dir = env.TMPDIR || env.TMP || env.TEMP || '/tmp';
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

/** Write a file whole to a temporary name, then rename it: a start reading meanwhile reads all of it or nothing. */
export function writeWhole(file: string, data: string | NodeJS.ArrayBufferView): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data, { mode: 0o600 });
  renameSync(temporary, file);
}

/** Remove all but the newest `keep` files of the directory whose names start with `prefix` and end with `suffix`. */
export function keepNewest(dir: string, prefix: string, suffix: string, keep: number): void {
  const files = readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && name.endsWith(suffix))
    // Another start may prune (or rename into place) at the same moment: a file gone is skipped.
    .map((name) => ({ file: join(dir, name), at: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs }))
    .filter((entry): entry is { file: string; at: number } => entry.at !== undefined)
    .sort((a, b) => b.at - a.at);
  for (const { file } of files.slice(keep)) rmSync(file, { force: true });
}

/**
 * Run `work` once, after `ms` or at exit if the process ends sooner: what a start leaves for the
 * next is written off the path of its first answers, and a session as short as one call still
 * leaves it.
 */
export function onceLaterOrAtExit(ms: number, work: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    process.off('exit', once);
    work();
  };
  const timer = setTimeout(once, ms).unref();
  process.on('exit', once);
}

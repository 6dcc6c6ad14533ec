import type { Repository } from './client.js';

/** Helpers for the tools that change a repository. */

/**
 * Run a git command that changes something (its failures are explained by the connector's error
 * table, in git's own words when nothing more specific fits).
 */
export async function change(
  repo: Repository,
  args: string[],
  options: { input?: string; magicPathspecs?: boolean } = {},
): Promise<string> {
  return (await repo.run(args, { maxBytes: 256 * 1024, ...options })).stdout;
}

/** Tracked files with staged or unstaged changes (untracked files are not counted). */
export async function trackedChanges(repo: Repository, limit = 1000): Promise<string[]> {
  const paths: string[] = [];
  let skipNext = false;
  await repo.run(['status', '--porcelain=v1', '-z', '--untracked-files=no'], {
    separator: '\0',
    onRecord(record) {
      if (skipNext) {
        skipNext = false; // the source path of a rename
        return undefined;
      }
      if (record.length < 4) return undefined;
      if (record[0] === 'R' || record[0] === 'C') skipNext = true;
      paths.push(record.slice(3));
      return paths.length >= limit ? false : undefined;
    },
  });
  return paths;
}

/** Files left with conflicts (by a stash pop, a merge or a rebase). */
export async function conflictedFiles(repo: Repository): Promise<string[]> {
  const { stdout } = await repo.run(['diff', '--name-only', '--diff-filter=U', '-z'], { maxBytes: 64 * 1024, okCodes: [1, 128] });
  return stdout.split('\0').filter(Boolean);
}

/** Whether the index differs from HEAD (something is staged). */
export async function hasStaged(repo: Repository): Promise<boolean> {
  return (await repo.run(['diff', '--cached', '--quiet', '--no-ext-diff'], { okCodes: [1] })).code === 1;
}

/** The commit HEAD points at, or undefined before the first commit. */
export async function headCommit(repo: Repository): Promise<string | undefined> {
  const result = await repo.run(['rev-parse', '--verify', '--quiet', 'HEAD'], { okCodes: [1, 128] });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** The checked-out branch, or null when HEAD is detached. */
export async function currentBranch(repo: Repository): Promise<string | null> {
  const result = await repo.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { okCodes: [1, 128] });
  return result.code === 0 ? result.stdout.trim() : null;
}

/** Resolve a revision to a commit id (the error table names the tool's revision argument when it is not one). */
export async function resolveCommit(repo: Repository, revision: string): Promise<string> {
  return (
    await repo.run(['rev-parse', '--verify', '--end-of-options', `${revision}^{commit}`], { maxBytes: 1024 })
  ).stdout.trim();
}

/** Whether a full ref name exists. */
export async function refExists(repo: Repository, ref: string): Promise<boolean> {
  return (await repo.run(['show-ref', '--verify', '--quiet', ref], { okCodes: [1] })).code === 0;
}

/** A list for a message: the first few items and how many more. */
export function someOf(items: readonly string[], shown = 8): string {
  return items.length > shown ? `${items.slice(0, shown).join(', ')} and ${items.length - shown} more` : items.join(', ');
}

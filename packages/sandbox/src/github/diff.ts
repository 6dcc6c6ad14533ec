/**
 * File lists and unified diffs between two trees, as GitHub's commit, compare and pull-request
 * endpoints return them. The line diff trims the common head and tail and reports what is left
 * as one replaced region per file: a correct unified diff, minimal for the single-region edits
 * the seed and most tests make, longer than git's for edits scattered through a file.
 */
import { type FlatEntry, type GitStore, isBinary } from './git.js';

export interface FileChange {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed';
  previous_filename?: string;
  additions: number;
  deletions: number;
  /** Unified diff hunks (no `diff --git` header), absent for binary and very large files, as on GitHub. */
  patch?: string;
  sha: string | null;
  binary: boolean;
}

/** Blobs above this get no patch, as GitHub omits patches for large files. */
const MAX_PATCH_BLOB = 512 * 1024;
const CONTEXT = 3;

/** Marks a last line that has no newline, so "a" and "a\n" differ as they do for git. */
const NO_EOL = '\u0000no-eol';

function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  else parts[parts.length - 1] += NO_EOL;
  return parts;
}

/** git's default hunk heading: the nearest line above the hunk that starts like a declaration. */
function heading(before: string[], start: number): string {
  for (let i = start - 1; i >= 0; i--) {
    const line = before[i]!.replace(NO_EOL, '');
    if (/^[A-Za-z_$]/.test(line)) return ` ${line.slice(0, 80).trimEnd()}`;
  }
  return '';
}

function render(prefix: string, line: string): string[] {
  return line.endsWith(NO_EOL)
    ? [`${prefix}${line.slice(0, -NO_EOL.length)}`, '\\ No newline at end of file']
    : [`${prefix}${line}`];
}

/** Hunks for one file, GitHub style (starting at `@@`). */
export function unifiedHunks(before: string, after: string): { patch: string; additions: number; deletions: number } {
  const a = lines(before);
  const b = lines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const removed = a.slice(head, a.length - tail);
  const added = b.slice(head, b.length - tail);
  if (removed.length === 0 && added.length === 0) return { patch: '', additions: 0, deletions: 0 };
  const start = Math.max(0, head - CONTEXT);
  const lead = a.slice(start, head);
  const trail = a.slice(a.length - tail, Math.min(a.length, a.length - tail + CONTEXT));
  const oldCount = lead.length + removed.length + trail.length;
  const newCount = lead.length + added.length + trail.length;
  const range = (from: number, count: number) => `${count === 0 ? from : from + 1}${count === 1 ? '' : `,${count}`}`;
  const header = `@@ -${range(start, oldCount)} +${range(start, newCount)} @@${heading(a, start)}`;
  const body = [
    ...lead.flatMap((l) => render(' ', l)),
    ...removed.flatMap((l) => render('-', l)),
    ...added.flatMap((l) => render('+', l)),
    ...trail.flatMap((l) => render(' ', l)),
  ];
  return { patch: [header, ...body].join('\n'), additions: added.length, deletions: removed.length };
}

/** Changed files between two trees (null = the empty tree), sorted by path. */
export function diffTrees(git: GitStore, fromTree: string | null, toTree: string): FileChange[] {
  const before = fromTree ? git.flatten(fromTree) : new Map<string, FlatEntry>();
  const after = git.flatten(toTree);
  const out: FileChange[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const x = before.get(path);
    const y = after.get(path);
    if (x?.sha === y?.sha) continue;
    const oldBytes = x ? (git.blobs.get(x.sha) ?? Buffer.alloc(0)) : Buffer.alloc(0);
    const newBytes = y ? (git.blobs.get(y.sha) ?? Buffer.alloc(0)) : Buffer.alloc(0);
    const status = !x ? 'added' : !y ? 'removed' : 'modified';
    const binary = isBinary(oldBytes) || isBinary(newBytes);
    const change: FileChange = { filename: path, status, additions: 0, deletions: 0, sha: y?.sha ?? x?.sha ?? null, binary };
    if (!binary && oldBytes.length <= MAX_PATCH_BLOB && newBytes.length <= MAX_PATCH_BLOB) {
      const hunks = unifiedHunks(oldBytes.toString('utf8'), newBytes.toString('utf8'));
      Object.assign(change, hunks);
    } else if (!binary) {
      change.additions = lines(newBytes.toString('utf8')).length;
      change.deletions = lines(oldBytes.toString('utf8')).length;
    }
    out.push(change);
  }
  return out;
}

/** A `git diff`-style text for a list of changes (what `application/vnd.github.diff` returns). */
export function renderDiff(
  git: GitStore,
  changes: FileChange[],
  before: Map<string, FlatEntry>,
  after: Map<string, FlatEntry>,
): string {
  const out: string[] = [];
  for (const c of changes) {
    const x = before.get(c.filename);
    const y = after.get(c.filename);
    const short = (sha: string | undefined) => (sha ?? '0'.repeat(40)).slice(0, 7);
    out.push(`diff --git a/${c.filename} b/${c.filename}`);
    if (c.status === 'added') out.push(`new file mode ${y!.mode}`);
    if (c.status === 'removed') out.push(`deleted file mode ${x!.mode}`);
    out.push(`index ${short(x?.sha)}..${short(y?.sha)}${c.status === 'modified' ? ` ${y!.mode}` : ''}`);
    if (c.binary) {
      out.push(`Binary files ${x ? `a/${c.filename}` : '/dev/null'} and ${y ? `b/${c.filename}` : '/dev/null'} differ`);
      continue;
    }
    if (c.patch === undefined) {
      // Too large for a stored patch: compute it for the raw diff, as git would.
      const hunks = unifiedHunks(
        x ? (git.blobs.get(x.sha)?.toString('utf8') ?? '') : '',
        y ? (git.blobs.get(y.sha)?.toString('utf8') ?? '') : '',
      );
      out.push(`--- ${x ? `a/${c.filename}` : '/dev/null'}`, `+++ ${y ? `b/${c.filename}` : '/dev/null'}`, hunks.patch);
      continue;
    }
    if (c.patch === '') continue;
    out.push(`--- ${x ? `a/${c.filename}` : '/dev/null'}`, `+++ ${y ? `b/${c.filename}` : '/dev/null'}`, c.patch);
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

import { jsonSize, type ListSpec, moreSchema, type Position, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { Repository } from './client.js';

/**
 * The diff engine behind git_diff, git_show and the prompts: a diff is paged by file. The first
 * page — the call nearly every diff is — takes one git run: `--raw --numstat -z -p` writes the
 * whole file list (with +/− counts, for the totals) and then the patches, which are read no
 * further than a budget's worth. A later page lists the files the same way and then asks for the
 * patches of only the files that can be on it (by path), so a diff of any size costs one page of
 * work per call. The kit fits the page; a file whose patch alone is bigger than a page is split at
 * a line (preferably a hunk) boundary and continues on the next page from the line where it
 * stopped: the cursor's offset is the file, its state the lines of that file's patch already shown.
 *
 * Measured (a 3,000-commit repository, HEAD~1000..HEAD, 97 files): the first page used to be a
 * list run and two patch runs, each resolving the range, diffing the trees and detecting renames
 * again; one run does it once.
 */

export const diffFileSchema = z.object({
  path: z.string(),
  old_path: z.string().optional().describe('Path before a rename'),
  status: z.string().describe('A, M, D, R (renamed), T (type changed), U (unmerged)'),
  additions: z.number(),
  deletions: z.number(),
  binary: z.boolean().optional().describe('Binary file: counts are 0, the patch only says it differs'),
  patch: z.string().optional().describe('Unified diff (absent when stat_only)'),
  from_line: z.number().optional().describe("Continues this file's patch from this line"),
  cut: z.boolean().optional().describe('Patch continues on the next page (cursor)'),
});

export type DiffFile = z.infer<typeof diffFileSchema>;

const totalsSchema = z
  .object({ files: z.number(), additions: z.number(), deletions: z.number() })
  .describe('Whole diff, not just this page');
type Totals = z.infer<typeof totalsSchema>;

export const diffOutput = {
  totals: totalsSchema,
  files: z.array(diffFileSchema).describe('This page of files, in path order'),
  more: moreSchema,
};

export interface DiffRequest {
  /** Mode flags after `git diff`, before the revisions (`--cached`). */
  flags: string[];
  /** Revisions compared (none: index vs working tree). */
  revisions: string[];
  paths: string[];
  context: number;
  statOnly: boolean;
  /** Text before the summary line (`Staged changes: `, a commit's header). */
  heading?: string;
}

/** One page of a diff, for `ctx.page`, with the whole diff's totals. */
export type DiffPage = ListSpec<DiffFile> & { items: DiffFile[]; rest: number; totals: Totals };

interface Change {
  path: string;
  old_path?: string;
  status: string;
  additions: number;
  deletions: number;
  binary?: boolean;
}

const MAX_FILES = 200_000;
const COMMON = ['--no-color', '--no-ext-diff', '--no-textconv', '-M'];

/**
 * Read the page of a diff that starts at `position` (from the cursor), no more than `budget`
 * bytes of patches, and describe it for `ctx.page`.
 */
export async function diffPage(repo: Repository, request: DiffRequest, position: Position, budget: number): Promise<DiffPage> {
  const skip = position.state ?? 0;
  if (!Number.isSafeInteger(skip) || (skip as number) < 0) {
    throw new ToolError('is not a cursor this tool returned.', { argument: 'cursor', hint: 'Leave cursor out to start over.' });
  }
  const first = position.offset;
  // The first page of patches comes with the file list, from one git run; a later page (or a
  // list without patches) lists the files first, then reads the patches of that page only.
  const whole = first === 0 && skip === 0 && !request.statOnly ? await readFirstPage(repo, request, budget) : undefined;
  const changes = whole?.changes ?? (await listChanges(repo, request));
  const totals = {
    files: changes.length,
    additions: changes.reduce((n, c) => n + c.additions, 0),
    deletions: changes.reduce((n, c) => n + c.deletions, 0),
  };
  if (first > changes.length) {
    throw new ToolError('points past the end of this diff (it changed since the cursor was made).', {
      argument: 'cursor',
      hint: 'Call again without a cursor to start over.',
    });
  }
  const items: DiffFile[] =
    whole?.files ??
    (request.statOnly ? changes.slice(first) : await readPatches(repo, request, changes, first, skip as number, budget));
  const heading = request.heading ?? '';
  return {
    key: 'files',
    fields: { totals },
    items,
    rest: changes.length - first - items.length,
    totals,
    head: (shown) => {
      if (totals.files === 0) return '';
      const summary = `${totals.files} file${totals.files === 1 ? '' : 's'} changed, +${totals.additions} −${totals.deletions}`;
      const whole = first === 0 && shown.length === totals.files && !shown.some((f) => f.cut);
      return `${heading}${summary}${whole ? '' : ` (files ${first + 1}–${Math.max(first + 1, first + shown.length)} of ${totals.files})`}`;
    },
    line: request.statOnly
      ? (f) =>
          `${f.status} ${f.old_path ? `${f.old_path} → ` : ''}${f.path}  ${f.binary ? 'binary' : `+${f.additions} −${f.deletions}`}`
      : (f) => (f.from_line ? `(… ${f.path} continued from line ${f.from_line} of its diff)\n${f.patch}` : (f.patch ?? '')),
    ...(request.statOnly
      ? {}
      : {
          split: (file: DiffFile, room: { text: number; json: number }) => {
            const lines = (file.patch ?? '').split('\n');
            const base = jsonSize({ ...file, patch: '', cut: true }) + file.path.length + 64;
            // At least one line is shown and at least one left, so the next page has a rest of this
            // file to start with (a page that began past its end would misread the next file).
            const kept = Math.max(1, Math.min(lines.length - 1, linesThatFit(lines, Math.min(room.text, room.json) - base)));
            const before = (file.from_line ?? 1) - 1;
            return { item: { ...file, patch: lines.slice(0, kept).join('\n'), cut: true }, resume: before + kept };
          },
        }),
    unit: ['file', 'files'],
    empty: `${heading}No changes.`,
    ...(request.statOnly ? {} : { hint: 'Or narrow it with paths or stat_only=true.' }),
  };
}

/** The `git diff` arguments that list every changed file with its status and counts, NUL-separated. */
function summaryArgs(request: DiffRequest, patch: string[] = []): string[] {
  return [
    'diff',
    '--raw',
    '--numstat',
    '-z',
    ...patch,
    ...COMMON,
    ...request.flags,
    '--end-of-options',
    ...request.revisions,
    '--',
    ...request.paths,
  ];
}

/** Collects the list's NUL-separated tokens, refusing a diff of more files than anyone can page through. */
class Summary {
  readonly tokens: string[] = [];
  tooMany = false;
  /** Keep one token; false when there are too many (git is stopped). */
  add(token: string): boolean {
    this.tokens.push(token);
    if (this.tokens.length > MAX_FILES * 6) this.tooMany = true;
    return !this.tooMany;
  }
  changes(): Change[] {
    if (this.tooMany) {
      throw new ToolError(`more than ${MAX_FILES} files changed.`, {
        argument: 'paths',
        hint: 'Limit the diff to a folder with paths.',
      });
    }
    return parseSummary(this.tokens);
  }
}

/** Every changed file with its counts and status, from one `--raw --numstat -z` run. */
async function listChanges(repo: Repository, request: DiffRequest): Promise<Change[]> {
  const summary = new Summary();
  await repo.run(summaryArgs(request), { separator: '\0', onRecord: (token) => (summary.add(token) ? undefined : false) });
  return summary.changes();
}

/**
 * The first page in one run: `--raw --numstat -z -p` writes the file list, an empty token, then
 * the patches, in the list's order; patches are read no further than `budget` bytes (the last
 * file may be read in part: more than a page holds, so the kit never shows it whole).
 * Undefined when the working tree has a conflicted file: git then switches that run to its
 * combined format (a `::` record, no counts, no patch), so the page is read in two steps.
 */
async function readFirstPage(
  repo: Repository,
  request: DiffRequest,
  budget: number,
): Promise<{ changes: Change[]; files: DiffFile[] } | undefined> {
  const summary = new Summary();
  const lines: string[] = [];
  let patches = false;
  let combined = false;
  let bytes = 0;
  await repo.run(summaryArgs(request, ['-p', `-U${request.context}`]), {
    separator: '\0',
    onRecord(record) {
      if (patches) {
        lines.push(record);
        bytes += record.length + 1;
        return bytes > budget ? false : undefined;
      }
      if (/^::[0-7]{6} [0-7]{6} /.test(record)) {
        combined = true;
        return false;
      }
      if (record !== '') return summary.add(record) ? undefined : false;
      patches = true;
      return '\n';
    },
  });
  if (combined) return undefined;
  const changes = summary.changes();
  const chunks = splitByFile(lines, false);
  if (chunks.length > changes.length) {
    throw new ToolError('the diff changed while it was being read.', { hint: 'Call again (without a cursor to start over).' });
  }
  return { changes, files: chunks.map((chunk, k) => ({ ...(changes[k] as Change), patch: chunk.join('\n') })) };
}

/** The file list of `--raw --numstat -z`: raw records, then numstat records in the same order. */
function parseSummary(tokens: readonly string[]): Change[] {
  const changes: Change[] = [];
  let i = 0;
  // Raw records first: ":<modes> <ids> <status>" then one path, or two for renames and copies.
  while (i < tokens.length && (tokens[i] as string).startsWith(':')) {
    const status = ((tokens[i] as string).split(' ').at(-1) ?? 'M').charAt(0);
    if (status === 'R' || status === 'C') {
      changes.push({ old_path: tokens[i + 1] as string, path: tokens[i + 2] as string, status, additions: 0, deletions: 0 });
      i += 3;
    } else {
      changes.push({ path: tokens[i + 1] as string, status, additions: 0, deletions: 0 });
      i += 2;
    }
  }
  // Then numstat records in the same order: "<added>\t<deleted>\t<path>", or with an empty path
  // followed by the two paths of a rename. Binary files count "-".
  for (const change of changes) {
    const record = tokens[i] ?? '';
    const [added = '0', deleted = '0', inline = ''] = record.split('\t');
    i += inline === '' && change.old_path !== undefined ? 3 : 1;
    if (added === '-') change.binary = true;
    else {
      change.additions = Number(added) || 0;
      change.deletions = Number(deleted) || 0;
    }
  }
  // A conflicted file is listed twice against the working tree ("U", then its changes) but gets
  // one combined patch: keep one entry, marked U, with the counts of the second.
  return changes.filter((change, k) => {
    const previous = changes[k - 1];
    if (previous?.status === 'U' && previous.path === change.path && change.status !== 'U') {
      Object.assign(previous, { additions: change.additions, deletions: change.deletions });
      return false;
    }
    return true;
  });
}

/** Rough patch size of a change, to choose how many patches to ask git for at once. */
function estimate(change: Change, context: number): number {
  return 200 + (change.additions + change.deletions) * 50 + Math.min(change.additions + change.deletions, 50) * context * 10;
}

/**
 * The patches of the files from `first` on (the first one from line `skip` of its patch), read in
 * batches of files that probably fit and never more than `budget` bytes: more than that cannot be
 * on one page. The last file may be read in part; the kit never shows it whole, since what was read
 * is more than a page holds.
 */
async function readPatches(
  repo: Repository,
  request: DiffRequest,
  changes: Change[],
  first: number,
  skip: number,
  budget: number,
): Promise<DiffFile[]> {
  const files: DiffFile[] = [];
  let bytes = 0;
  let at = first;
  let skipping = skip;
  while (at < changes.length && bytes <= budget) {
    // A batch of files whose patches probably fit in what is left of the budget.
    const batch: Change[] = [];
    let guess = 0;
    for (let j = at; j < changes.length && batch.length < 200; j++) {
      const change = changes[j] as Change;
      if (batch.length > 0 && guess + estimate(change, request.context) > (budget - bytes) * 1.5) break;
      batch.push(change);
      guess += estimate(change, request.context);
    }
    const paths = batch.flatMap((c) => (c.old_path !== undefined ? [c.old_path, c.path] : [c.path]));
    const lines: string[] = [];
    let skipped = 0;
    const read = await repo.run(
      ['diff', `-U${request.context}`, ...COMMON, ...request.flags, '--end-of-options', ...request.revisions, '--', ...paths],
      {
        separator: '\n',
        onRecord(line) {
          if (skipped < skipping) {
            skipped++;
            return undefined;
          }
          lines.push(line);
          bytes += line.length + 1;
          return bytes > budget ? false : undefined;
        },
      },
    );
    const chunks = splitByFile(lines, skipping > 0);
    if (chunks.length > batch.length || (chunks.length === 0 && !read.stopped)) {
      throw new ToolError('the diff changed while it was being read.', { hint: 'Call again (without a cursor to start over).' });
    }
    chunks.forEach((chunk, k) => {
      const from = k === 0 && skipping > 0 ? { from_line: skipping + 1 } : {};
      files.push({ ...(batch[k] as Change), ...from, patch: chunk.join('\n') });
    });
    at += chunks.length;
    skipping = 0;
    if (read.stopped) break;
    if (chunks.length < batch.length) {
      throw new ToolError('the diff changed while it was being read.', { hint: 'Call again (without a cursor to start over).' });
    }
  }
  return files;
}

/**
 * Split patch lines into one chunk per file; a continued page starts mid-file, headerless. A file
 * starts with "diff --git", a conflicted one with "diff --cc" (its combined diff) or, in the index,
 * with "* Unmerged path" alone.
 */
function splitByFile(lines: string[], continued: boolean): string[][] {
  const chunks: string[][] = [];
  for (const line of lines) {
    const last = chunks.at(-1);
    const header = line.startsWith('diff --git ') || line.startsWith('diff --cc ') || line.startsWith('* Unmerged path ');
    const joinsUnmerged = last?.length === 1 && last[0]?.startsWith('* Unmerged path ') && line.startsWith('diff --cc ');
    if ((header && !joinsUnmerged) || (!last && continued)) chunks.push([line]);
    else last?.push(line);
  }
  return chunks;
}

/** How many leading lines fit in `room` bytes of JSON, preferring to stop before a hunk header. */
function linesThatFit(lines: string[], room: number): number {
  let used = 2;
  let count = 0;
  for (const line of lines) {
    const size = jsonSize(line); // quotes stand in for the escaped newline
    if (used + size > room) break;
    used += size;
    count++;
  }
  if (count === lines.length) return count;
  let hunk = -1;
  for (let i = count - 1; i > 0; i--) {
    if (lines[i]?.startsWith('@@')) {
      hunk = i;
      break;
    }
  }
  const cut = hunk > count / 2 ? hunk : count;
  return Math.max(1, cut);
}

/** The id of the empty tree in this repository's hash format (the "parent" of a root commit). */
export async function emptyTree(repo: Repository): Promise<string> {
  const { stdout } = await repo.run(['hash-object', '-t', 'tree', '--stdin'], { input: '' });
  return stdout.trim();
}

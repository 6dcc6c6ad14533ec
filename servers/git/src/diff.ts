import { encodeCursor, jsonSize, type More, more, moreSchema, type OutputBudget, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { Repository } from './client.js';
import { argumentsKey, openCursor } from './paging.js';

/**
 * The diff engine behind git_diff, git_show and the prompts: a diff is paged by file under the
 * output budget. The file list (with +/− counts) comes first from one cheap `--raw --numstat`
 * run; then only the patches of the files that can fit are asked for, streamed and cut at a
 * line (preferably a hunk) boundary, so a diff of any size costs one page of work per call.
 * A file whose patch alone is bigger than the budget continues on the next page from the line
 * where it stopped.
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

export const diffOutput = {
  totals: z
    .object({ files: z.number(), additions: z.number(), deletions: z.number() })
    .describe('Whole diff, not just this page'),
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
  cursor: string | undefined;
  /** Which tool the cursor hint should name. */
  tool: string;
  /** Bytes the caller needs for the rest of its reply (a commit header). */
  reserve?: number;
}

export interface DiffPage {
  totals: { files: number; additions: number; deletions: number };
  files: DiffFile[];
  more: More;
  /** The page for people: a summary line, then the raw patches (or stat lines). */
  text: string;
}

interface Change {
  path: string;
  old_path?: string;
  status: string;
  additions: number;
  deletions: number;
  binary?: boolean;
}

interface DiffCursor extends Record<string, unknown> {
  k: string;
  o: number;
  s: number;
}

const MAX_FILES = 200_000;
const COMMON = ['--no-color', '--no-ext-diff', '--no-textconv', '-M'];

export async function diffPage(repo: Repository, request: DiffRequest, budget: OutputBudget): Promise<DiffPage> {
  const key = argumentsKey(request.flags, request.revisions, request.paths, request.context, request.statOnly);
  const position = request.cursor
    ? openCursor<DiffCursor>(request.cursor, key, request.tool, (v) => isCount(v.o) && isCount(v.s))
    : { k: key, o: 0, s: 0 };

  const changes = await listChanges(repo, request);
  const totals = {
    files: changes.length,
    additions: changes.reduce((n, c) => n + c.additions, 0),
    deletions: changes.reduce((n, c) => n + c.deletions, 0),
  };
  if (position.o > changes.length) {
    throw new ToolError('points past the end of this diff (it changed since the cursor was made).', {
      argument: 'cursor',
      hint: 'Call again without a cursor to start over.',
    });
  }
  const meter = budget.meter(700 + (request.reserve ?? 0));
  const files: DiffFile[] = [];
  let next: { o: number; s: number } | undefined;

  if (request.statOnly) {
    let i = position.o;
    for (; i < changes.length; i++) {
      const change = changes[i] as Change;
      if (!meter.fits(jsonSize(change) + 1)) break;
      files.push(change);
    }
    if (i < changes.length) next = { o: i, s: 0 };
  } else {
    next = await fillPatches(repo, request, changes, position, meter, files);
  }

  const remaining = next ? changes.length - next.o : 0;
  const cursor = next ? encodeCursor({ k: key, o: next.o, s: next.s } satisfies DiffCursor) : undefined;
  const moreInfo = cursor
    ? more(
        remaining,
        `Call ${request.tool} again with the same arguments and cursor set to continue${request.statOnly ? '' : ', or narrow it with paths or stat_only=true'}.`,
        cursor,
      )
    : undefined;
  return { totals, files, more: moreInfo, text: render(totals, files, position.o, request.statOnly, moreInfo) };
}

const isCount = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;

/** Every changed file with its counts and status, from one `--raw --numstat -z` run. */
async function listChanges(repo: Repository, request: DiffRequest): Promise<Change[]> {
  const tokens: string[] = [];
  let tooMany = false;
  await repo.run(
    [
      'diff',
      '--raw',
      '--numstat',
      '-z',
      ...COMMON,
      ...request.flags,
      '--end-of-options',
      ...request.revisions,
      '--',
      ...request.paths,
    ],
    {
      separator: '\0',
      onRecord(token) {
        tokens.push(token);
        if (tokens.length > MAX_FILES * 6) {
          tooMany = true;
          return false;
        }
        return undefined;
      },
    },
  );
  if (tooMany) {
    throw new ToolError(`more than ${MAX_FILES} files changed.`, {
      argument: 'paths',
      hint: 'Limit the diff to a folder with paths.',
    });
  }
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

async function fillPatches(
  repo: Repository,
  request: DiffRequest,
  changes: Change[],
  position: { o: number; s: number },
  meter: ReturnType<OutputBudget['meter']>,
  files: DiffFile[],
): Promise<{ o: number; s: number } | undefined> {
  let at = position.o;
  let skip = position.s;
  while (at < changes.length) {
    // A batch of files whose patches probably fit in what is left of the budget.
    const batch: Change[] = [];
    let guess = 0;
    for (let j = at; j < changes.length && batch.length < 200; j++) {
      const change = changes[j] as Change;
      if (batch.length > 0 && guess + estimate(change, request.context) > meter.remaining * 1.5) break;
      batch.push(change);
      guess += estimate(change, request.context);
    }
    const paths = batch.flatMap((c) => (c.old_path !== undefined ? [c.old_path, c.path] : [c.path]));
    const lines: string[] = [];
    let bytes = 0;
    let skipped = 0;
    const limit = meter.remaining + 1024;
    const read = await repo.run(
      ['diff', `-U${request.context}`, ...COMMON, ...request.flags, '--end-of-options', ...request.revisions, '--', ...paths],
      {
        separator: '\n',
        onRecord(line) {
          if (skipped < skip) {
            skipped++;
            return undefined;
          }
          lines.push(line);
          bytes += line.length + 1;
          return bytes > limit ? false : undefined;
        },
      },
    );
    const chunks = splitByFile(lines, skip > 0);
    if (chunks.length > batch.length || (chunks.length === 0 && !read.stopped)) {
      throw new ToolError('the diff changed while it was being read.', { hint: 'Call again (without a cursor to start over).' });
    }
    for (let k = 0; k < chunks.length; k++) {
      const change = batch[k] as Change;
      const chunk = chunks[k] as string[];
      const complete = !(read.stopped && k === chunks.length - 1);
      const first = files.length === 0;
      const entry: DiffFile = { ...change, ...(skip > 0 && k === 0 ? { from_line: skip + 1 } : {}) };
      const base = jsonSize(entry) + 16;
      const patchSize = jsonSize(chunk.join('\n'));
      if (complete && meter.fits(base + patchSize)) {
        files.push({ ...entry, patch: chunk.join('\n') });
        continue;
      }
      if (!first) return { o: at + k, s: 0 };
      // The first file of the page does not fit (or was not read to its end): show what fits,
      // cut at a hunk boundary when one is reasonably close, and continue it next time.
      const kept = linesThatFit(chunk, meter.remaining - base);
      meter.fits(base + jsonSize(chunk.slice(0, kept).join('\n')));
      files.push({ ...entry, patch: chunk.slice(0, kept).join('\n'), cut: true });
      return { o: at + k, s: (k === 0 ? skip : 0) + kept };
    }
    at += chunks.length;
    skip = 0;
    if (chunks.length < batch.length) {
      // git produced fewer patches than files (the read stopped early): continue from there.
      if (read.stopped) return { o: at, s: 0 };
      throw new ToolError('the diff changed while it was being read.', { hint: 'Call again (without a cursor to start over).' });
    }
    if (meter.remaining < 400) return at < changes.length ? { o: at, s: 0 } : undefined;
  }
  return undefined;
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

function render(totals: DiffPage['totals'], files: DiffFile[], first: number, statOnly: boolean, moreInfo: More): string {
  if (totals.files === 0) return 'No changes.';
  const summary = `${totals.files} file${totals.files === 1 ? '' : 's'} changed, +${totals.additions} −${totals.deletions}`;
  const last = first + files.length;
  const range = first > 0 || moreInfo ? ` (files ${first + 1}–${Math.max(first + 1, last)} of ${totals.files})` : '';
  const body = statOnly
    ? files.map(
        (f) =>
          `${f.status} ${f.old_path ? `${f.old_path} → ` : ''}${f.path}  ${f.binary ? 'binary' : `+${f.additions} −${f.deletions}`}`,
      )
    : files.map((f) =>
        f.from_line ? `(… ${f.path} continued from line ${f.from_line} of its diff)\n${f.patch}` : (f.patch ?? ''),
      );
  const tail = moreInfo
    ? `\n… ${moreInfo.omitted > 0 ? `${moreInfo.omitted} more file${moreInfo.omitted === 1 ? '' : 's'} not shown` : 'More of this file not shown'} (output budget). ${moreInfo.hint} cursor: ${moreInfo.cursor}`
    : '';
  return `${summary}${range}\n${body.join('\n')}${tail}`;
}

/** The id of the empty tree in this repository's hash format (the "parent" of a root commit). */
export async function emptyTree(repo: Repository): Promise<string> {
  const { stdout } = await repo.run(['hash-object', '-t', 'tree', '--stdin'], { input: '' });
  return stdout.trim();
}

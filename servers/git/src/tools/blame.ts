import { byteLength, cursorInput, jsonSize, moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { insideWorktree, safePath, safeSingleRevision } from '../validate.js';

const rangeSchema = z.object({
  commit: z.string().describe('All zeros: not committed yet'),
  author: z.string(),
  date: z.string(),
  summary: z.string(),
  start_line: z.number(),
  end_line: z.number(),
  content: z.string(),
});
type Range = z.infer<typeof rangeSchema>;

const UNCOMMITTED = /^0+$/;

function render(r: Range): string {
  const who = UNCOMMITTED.test(r.commit)
    ? 'uncommitted'
    : `${r.commit.slice(0, 10)} ${r.date.slice(0, 10)} ${r.author}: ${r.summary}`;
  const lines = r.content.split('\n').map((l, i) => `${String(r.start_line + i).padStart(5)}  ${l}`);
  return `${who}\n${lines.join('\n')}`;
}

/** The first lines of a range that fit in `room` (at least one): a long run from one commit, cut. */
function head(range: Range, room: { text: number; json: number }): Range {
  const lines = range.content.split('\n');
  let used = jsonSize({ ...range, content: '' }) + 32;
  let kept = 0;
  while (kept < lines.length) {
    const size = jsonSize(lines[kept]) + 8; // its own line number and indent in the text
    if (kept > 0 && used + size > Math.min(room.text, room.json)) break;
    used += size;
    kept++;
  }
  return { ...range, end_line: range.start_line + kept - 1, content: lines.slice(0, kept).join('\n') };
}

export const blameTool = tool({
  name: 'git_blame',
  title: 'Blame lines of a file',
  description:
    'Who last changed each line of a file, and in which commit: consecutive lines from the same commit are grouped. ' +
    'Pass start_line/end_line for a range; long files are cut to the output budget with a cursor to continue.',
  toolset: 'repository',
  access: 'read',
  input: {
    repository: repositoryInput,
    path: z.string().max(4096).describe('File to blame, relative to the repository'),
    revision: z
      .string()
      .max(256)
      .optional()
      .describe('Blame the file as of this commit (default: the working tree, uncommitted lines included)'),
    start_line: z.number().int().min(1).max(100_000_000).default(1).describe('First line'),
    end_line: z.number().int().min(1).max(100_000_000).optional().describe('Last line (default: the end of the file)'),
    cursor: cursorInput,
  },
  output: {
    repository: z.string(),
    path: z.string(),
    ranges: z.array(rangeSchema),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const revision = args.revision ? safeSingleRevision(args.revision, 'revision') : undefined;
    const path = revision ? safePath(args.path, 'path') : await insideWorktree(repo.path, args.path, 'path');
    if (args.end_line !== undefined && args.end_line < args.start_line) {
      throw new ToolError('is before start_line.', {
        argument: 'end_line',
        hint: `Give an end_line of ${args.start_line} or more.`,
      });
    }
    // A cursor carries the line the next page starts at.
    const resumeAt = ctx.position.state;
    if (
      resumeAt !== undefined &&
      (!Number.isSafeInteger(resumeAt) || (resumeAt as number) < args.start_line || (resumeAt as number) > (args.end_line ?? 1e8))
    ) {
      throw new ToolError('is not a cursor this tool returned.', { argument: 'cursor', hint: 'Leave cursor out to start over.' });
    }
    const from = (resumeAt as number | undefined) ?? args.start_line;

    // Ranges are kept while they could still be on this page (a budget's worth of lines); after
    // that they are only counted, and a range running across that point goes on as a new one.
    const ranges: Range[] = [];
    let kept = 0;
    let rangesAfter = 0;
    let nextLine = from;
    const commits = new Map<string, { author: string; date: string; summary: string }>();
    let current: string | undefined;
    let finalLine = 0;
    let lastCommit: string | undefined;
    let lastLine = 0;
    // Blame gives a commit's details only at its first appearance; later ranges reuse them.
    const info = (hash: string) => {
      const entry = commits.get(hash) ?? { author: '', date: '', summary: '' };
      commits.set(hash, entry);
      return entry;
    };
    // --no-textconv: blame would otherwise show a configured converter's output, not the file's lines.
    await repo.run(
      ['blame', '--porcelain', '--no-textconv', `-L${from},${args.end_line ?? ''}`, ...(revision ? [revision] : []), '--', path],
      {
        separator: '\n',
        onRecord(line) {
          if (line.startsWith('\t')) {
            if (!current) return undefined;
            const continues = lastCommit === current && lastLine === finalLine - 1;
            lastCommit = current;
            lastLine = finalLine;
            if (kept > ctx.budget.bytes) {
              if (!continues || rangesAfter === 0) rangesAfter++;
              return undefined;
            }
            const text = line.slice(1);
            const last = ranges.at(-1);
            if (continues && last) {
              last.end_line = finalLine;
              last.content += `\n${text}`;
            } else {
              ranges.push({ commit: current, ...info(current), start_line: finalLine, end_line: finalLine, content: text });
            }
            kept += byteLength(text) + 8;
            nextLine = finalLine + 1;
            return undefined;
          }
          const header = /^([0-9a-f]{40,64}) \d+ (\d+)/.exec(line);
          if (header) {
            current = header[1] as string;
            finalLine = Number(header[2]);
            return undefined;
          }
          if (!current) return undefined;
          const space = line.indexOf(' ');
          const key = space === -1 ? line : line.slice(0, space);
          const value = space === -1 ? '' : line.slice(space + 1);
          if (key === 'author') info(current).author = UNCOMMITTED.test(current) ? 'Not committed yet' : value;
          else if (key === 'author-time') info(current).date = new Date(Number(value) * 1000).toISOString().replace('.000Z', 'Z');
          else if (key === 'summary') info(current).summary = value;
          return undefined;
        },
      },
    );
    return ctx.page({
      key: 'ranges',
      fields: { repository: repo.path, path },
      items: ranges,
      rest: rangesAfter,
      line: render,
      // The next page starts at the first line not shown.
      resume: (index) => ranges[index]?.start_line ?? nextLine,
      split: (range, room) => {
        const part = head(range, room);
        return { item: part, resume: part.end_line + 1 };
      },
      unit: ['group of lines', 'groups of lines'],
      empty: 'No lines in that range.',
      hint: 'Or pass start_line and end_line for another part of the file.',
    });
  },
});

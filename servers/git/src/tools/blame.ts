import { defineTool, jsonSize, more, moreLine, moreSchema, type ToolContext, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { GitServices } from '../client.js';
import { repositoryInput } from '../inputs.js';
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

export const blameTool = defineTool({
  name: 'git_blame',
  title: 'Blame lines of a file',
  description:
    'Who last changed each line of a file, and in which commit: consecutive lines from the same commit are grouped. ' +
    'Pass start_line/end_line for a range; long files are cut to the output budget with the start_line to continue from.',
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
  },
  output: {
    repository: z.string(),
    path: z.string(),
    ranges: z.array(rangeSchema),
    more: moreSchema,
  },
  async handler(args, ctx: ToolContext<GitServices>) {
    const repo = await ctx.services.open(args.repository, ctx);
    const revision = args.revision ? safeSingleRevision(args.revision, 'revision') : undefined;
    const path = revision ? safePath(args.path, 'path') : await insideWorktree(repo.path, args.path, 'path');
    if (args.end_line !== undefined && args.end_line < args.start_line) {
      throw new ToolError('is before start_line.', {
        argument: 'end_line',
        hint: `Give an end_line of ${args.start_line} or more.`,
      });
    }

    const meter = ctx.budget.meter(600);
    const ranges: Range[] = [];
    const commits = new Map<string, { author: string; date: string; summary: string }>();
    let current: string | undefined;
    let finalLine = 0;
    let lastShown = args.start_line - 1;
    let total = 0;
    let full = false;
    // Blame gives a commit's details only at its first appearance; later ranges reuse them.
    const info = (hash: string) => {
      const entry = commits.get(hash) ?? { author: '', date: '', summary: '' };
      commits.set(hash, entry);
      return entry;
    };
    // --no-textconv: blame would otherwise show a configured converter's output, not the file's lines.
    await repo.run(
      [
        'blame',
        '--porcelain',
        '--no-textconv',
        `-L${args.start_line},${args.end_line ?? ''}`,
        ...(revision ? [revision] : []),
        '--',
        path,
      ],
      {
        separator: '\n',
        onRecord(line) {
          if (line.startsWith('\t')) {
            total = finalLine;
            if (full || !current) return undefined;
            const text = line.slice(1);
            const last = ranges.at(-1);
            if (last && last.commit === current && last.end_line === finalLine - 1) {
              if (!meter.fits(jsonSize(text))) {
                full = true;
                return undefined;
              }
              last.end_line = finalLine;
              last.content += `\n${text}`;
            } else {
              const c = info(current);
              const range = { commit: current, ...c, start_line: finalLine, end_line: finalLine, content: text };
              if (!meter.fits(jsonSize(range) + 1)) {
                full = true;
                return undefined;
              }
              ranges.push(range);
            }
            lastShown = finalLine;
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
    const moreInfo = full
      ? more(total - lastShown, `Call git_blame again with start_line=${lastShown + 1} for the rest.`)
      : undefined;
    const text = ranges.length
      ? ranges
          .map((r) => {
            const who = UNCOMMITTED.test(r.commit)
              ? 'uncommitted'
              : `${r.commit.slice(0, 10)} ${r.date.slice(0, 10)} ${r.author}: ${r.summary}`;
            const lines = r.content.split('\n').map((l, i) => `${String(r.start_line + i).padStart(5)}  ${l}`);
            return `${who}\n${lines.join('\n')}`;
          })
          .join('\n') + moreLine(moreInfo, 'lines')
      : 'No lines in that range.';
    return { structured: { repository: repo.path, path, ranges, more: moreInfo }, text };
  },
});

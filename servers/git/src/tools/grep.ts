import { byteLength, cursorInput, limitInput, moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { CountAhead } from '../count-ahead.js';
import { pathsInput, repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { insideWorktree, safePaths, safeSingleRevision } from '../validate.js';

const LINE_LIMIT = 300;

const matchSchema = z.object({
  path: z.string(),
  line: z.number(),
  text: z.string().describe('Cut at 300 chars'),
});
type Match = z.infer<typeof matchSchema>;

/** A match as the page shows it: under its file's name when the file changes. */
interface Shown extends Match {
  first: boolean;
}

const render = (m: Shown) => `${m.first ? `${m.path}\n` : ''}${String(m.line).padStart(6)}: ${m.text}`;

export const grepTool = tool({
  name: 'git_grep',
  title: 'Search file contents',
  description:
    'Search tracked files for a regular expression (or fixed text), in the working tree or at a revision. Returns path, line number and line; binary files are skipped. ' +
    'Bounded by max_matches and the output budget, with a cursor for more.',
  toolset: 'repository',
  access: 'read',
  input: {
    repository: repositoryInput,
    pattern: z
      .string()
      .min(1)
      .max(1000)
      .describe('Extended regular expression (or plain text with fixed_strings=true); may start with "-"'),
    revision: z.string().max(256).optional().describe('Search the files at this commit/branch/tag (default: the working tree)'),
    paths: pathsInput('Only in these files or folders'),
    ignore_case: z.boolean().default(false).describe('Match case-insensitively'),
    fixed_strings: z.boolean().default(false).describe('Treat pattern as plain text, not a regular expression'),
    max_matches: limitInput(100, 1000, 'matching lines'),
    cursor: cursorInput,
  },
  output: {
    repository: z.string(),
    matches: z.array(matchSchema),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    if (/[\0\r\n]/.test(args.pattern)) {
      throw new ToolError('may not contain line breaks or NUL.', { argument: 'pattern', hint: 'Search for one line at a time.' });
    }
    const revision = args.revision ? safeSingleRevision(args.revision, 'revision') : undefined;
    const paths = safePaths(args.paths, 'paths');
    if (!revision) for (const p of paths) if (p !== '.') await insideWorktree(repo.path, p, 'paths');
    const skip = ctx.position.offset;

    // The pattern goes after -e, so even "--output=x" is a pattern, never an option; the revision
    // is validated not to start with "-" and paths come after "--".
    const command = [
      'grep',
      '-n',
      '-z',
      '-I',
      '--no-color',
      '--full-name',
      ...(args.ignore_case ? ['-i'] : []),
      args.fixed_strings ? '-F' : '-E',
      '-e',
      args.pattern,
      ...(revision ? [revision] : []),
      '--',
      ...paths,
    ];
    const prefix = revision ? `${revision}:` : '';
    // The page's matches (up to max_matches, or a budget's worth of lines), then the rest counted.
    const matches: Shown[] = [];
    let kept = 0;
    const after = new CountAhead();
    let seen = 0;
    await repo.run(command, {
      okCodes: [1],
      separator: '\n',
      onRecord(record) {
        seen++;
        if (seen <= skip) return undefined;
        if (matches.length >= args.max_matches || kept > ctx.budget.bytes) return after.add();
        const [file = '', line = '0', ...rest] = record.split('\0');
        let text = rest.join('\0');
        if (text.length > LINE_LIMIT) text = `${text.slice(0, LINE_LIMIT)}…`;
        const path = file.startsWith(prefix) ? file.slice(prefix.length) : file;
        const match = { path, line: Number(line), text, first: matches.at(-1)?.path !== path };
        matches.push(match);
        kept += byteLength(render(match)) + 1;
        return undefined;
      },
    });
    return ctx.page({
      key: 'matches',
      fields: { repository: repo.path },
      items: matches,
      rest: after.rest,
      limit: { argument: 'max_matches', value: args.max_matches },
      head: (shown) =>
        shown.length
          ? `${shown.length} matching line${shown.length === 1 ? '' : 's'}${skip ? ` (after the first ${skip})` : ''}${revision ? ` at ${revision}` : ''}:`
          : '',
      line: render,
      data: ({ first: _, ...match }) => match,
      unit: ['matching line', 'matching lines'],
      empty: skip ? 'No more matches.' : 'No matches.',
      hint: 'Or narrow it with paths.',
    });
  },
});

import { defineTool, jsonSize, more, moreLine, moreSchema, type ToolContext, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { GitServices } from '../client.js';
import { cursorInput, pathsInput, repositoryInput } from '../inputs.js';
import { argumentsKey, readSkip, skipCursor } from '../paging.js';
import { insideWorktree, safePaths, safeSingleRevision } from '../validate.js';

const LINE_LIMIT = 300;

const matchSchema = z.object({
  path: z.string(),
  line: z.number(),
  text: z.string().describe('Cut at 300 chars'),
});

export const grepTool = defineTool({
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
    max_matches: z.number().int().min(1).max(1000).default(100).describe('Most matching lines to return (1–1000)'),
    cursor: cursorInput,
  },
  output: {
    repository: z.string(),
    matches: z.array(matchSchema),
    more: moreSchema,
  },
  async handler(args, ctx: ToolContext<GitServices>) {
    const repo = await ctx.services.open(args.repository, ctx);
    if (/[\0\r\n]/.test(args.pattern)) {
      throw new ToolError('may not contain line breaks or NUL.', { argument: 'pattern', hint: 'Search for one line at a time.' });
    }
    const revision = args.revision ? safeSingleRevision(args.revision, 'revision') : undefined;
    const paths = safePaths(args.paths, 'paths');
    if (!revision) for (const p of paths) if (p !== '.') await insideWorktree(repo.path, p, 'paths');

    const key = argumentsKey(args.pattern, revision, paths, args.ignore_case, args.fixed_strings);
    const skip = readSkip(args.cursor, key, 'git_grep');

    // The pattern goes after -e, so even "--output=x" is a pattern, never an option; the revision
    // is validated not to start with "-" and paths come after "--".
    const command = [
      'grep',
      '-n',
      '-z',
      '-I',
      '--no-color',
      '--full-name',
      args.ignore_case ? '-i' : '',
      args.fixed_strings ? '-F' : '-E',
      '-e',
      args.pattern,
    ];
    const prefix = revision ? `${revision}:` : '';
    const matches: Array<z.infer<typeof matchSchema>> = [];
    const meter = ctx.budget.meter(700);
    let seen = 0;
    let stoppedAt: number | undefined;
    await repo.run([...command.filter(Boolean), ...(revision ? [revision] : []), '--', ...paths], {
      okCodes: [1],
      separator: '\n',
      onRecord(record) {
        seen++;
        if (seen <= skip) return undefined;
        const [file = '', line = '0', ...rest] = record.split('\0');
        let text = rest.join('\0');
        if (text.length > LINE_LIMIT) text = `${text.slice(0, LINE_LIMIT)}…`;
        const match = { path: file.startsWith(prefix) ? file.slice(prefix.length) : file, line: Number(line), text };
        if (matches.length >= args.max_matches || !meter.fits(jsonSize(match) + 1)) {
          stoppedAt = seen - 1;
          return false;
        }
        matches.push(match);
        return undefined;
      },
    });
    const moreInfo =
      stoppedAt !== undefined
        ? more(
            0,
            'Call git_grep again with the same arguments and this cursor for more matches, or narrow with paths.',
            skipCursor(key, stoppedAt),
          )
        : undefined;
    const lines: string[] = [];
    let lastPath = '';
    for (const m of matches) {
      if (m.path !== lastPath) lines.push(m.path);
      lastPath = m.path;
      lines.push(`${String(m.line).padStart(6)}: ${m.text}`);
    }
    const text = matches.length
      ? `${matches.length} matching line${matches.length === 1 ? '' : 's'}${skip ? ` (after the first ${skip})` : ''}${revision ? ` at ${revision}` : ''}:\n${lines.join('\n')}${moreLine(moreInfo, 'matches')}`
      : skip
        ? 'No more matches.'
        : 'No matches.';
    return { structured: { repository: repo.path, matches, more: moreInfo }, text };
  },
});

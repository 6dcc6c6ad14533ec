import { cursorInput, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { diffOutput, diffPage } from '../diff.js';
import { pathsInput, repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { insideWorktree, safePaths, safeRevision } from '../validate.js';

export const diffTool = tool({
  name: 'git_diff',
  title: 'Diff changes',
  description:
    'Unified diff of unstaged changes (default), staged changes (staged=true), the working tree against a revision, or between two commits (revision "a..b" or "a...b"). ' +
    'Paged by file under the output budget with a cursor; stat_only=true lists files with +/− counts only. Untracked files are not diffed (see git_status).',
  toolset: 'repository',
  access: 'read',
  input: {
    repository: repositoryInput,
    revision: z
      .string()
      .max(256)
      .optional()
      .describe(
        'Compare against this commit/branch/tag, or a range "a..b" (a to b) / "a...b" (b since it forked from a). Default: unstaged changes',
      ),
    staged: z.boolean().default(false).describe('Diff the index (what the next commit holds) instead of the working tree'),
    paths: pathsInput('Only these files or folders'),
    context_lines: z.number().int().min(0).max(100).default(3).describe('Unchanged lines shown around each change'),
    stat_only: z.boolean().default(false).describe('Only list changed files with +/− counts, no patches'),
    cursor: cursorInput,
  },
  output: {
    repository: z.string(),
    compared: z.string().describe('What was compared with what'),
    ...diffOutput,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const revision = args.revision ? safeRevision(args.revision, 'revision') : undefined;
    const range = revision?.includes('..') ?? false;
    if (range && args.staged) {
      throw new ToolError('cannot be combined with a range in revision.', {
        argument: 'staged',
        hint: 'A range compares two commits; leave staged out, or give a single revision to compare the index with.',
      });
    }
    const paths = safePaths(args.paths, 'paths');
    // Without a range, one side is the working tree (or the index): its paths must stay inside.
    if (!range && !args.staged) for (const p of paths) if (p !== '.') await insideWorktree(repo.path, p, 'paths');
    const compared = range
      ? `${revision}`
      : revision
        ? `${args.staged ? 'index' : 'working tree'} vs ${revision}`
        : args.staged
          ? 'staged changes (index vs HEAD)'
          : 'unstaged changes (working tree vs index)';
    const page = await diffPage(
      repo,
      {
        flags: args.staged ? ['--cached'] : [],
        revisions: revision ? [revision] : [],
        paths,
        context: args.context_lines,
        statOnly: args.stat_only,
        heading: `${capitalise(compared)}: `,
      },
      ctx.position,
      ctx.budget.bytes,
    );
    return ctx.page({ ...page, fields: { repository: repo.path, compared, ...page.fields } });
  },
});

function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

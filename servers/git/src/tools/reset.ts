import { moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { safePaths, safeSingleRevision } from '../validate.js';
import { change, currentBranch, headCommit, resolveCommit, trackedChanges } from '../worktree.js';

const targetInput = z.string().max(256).default('HEAD').describe('Commit, branch or tag to reset to (default HEAD)');

export const resetTool = tool({
  name: 'git_reset',
  title: 'Reset (soft or mixed)',
  description:
    'Move the current branch to target without touching files: mode=mixed (default) also unstages everything, mode=soft keeps it staged. ' +
    'With paths (mixed only), just unstages those files. Working-tree files are never changed; to discard changes use git_reset_hard.',
  toolset: 'write',
  access: 'write',
  idempotent: true,
  input: {
    repository: repositoryInput,
    mode: z.enum(['mixed', 'soft']).default('mixed').describe('mixed: the index follows target; soft: the index is kept'),
    target: targetInput,
    paths: z.array(z.string().min(1).max(4096)).max(500).optional().describe('Only unstage these files (mode=mixed)'),
  },
  output: {
    repository: z.string(),
    branch: z.string().nullable(),
    commit: z.string().describe('Where HEAD points afterwards'),
    unstaged: z.array(z.string()).optional().describe('With paths: the files unstaged'),
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const target = safeSingleRevision(args.target, 'target');
    const paths = safePaths(args.paths, 'paths');
    if (paths.length && args.mode === 'soft') {
      throw new ToolError('cannot be combined with mode=soft.', {
        argument: 'paths',
        hint: 'Leave mode out (mixed) to unstage files.',
      });
    }
    const commit = await resolveCommit(repo, target);
    // reset takes no --end-of-options; target is a resolved commit id and paths follow "--".
    await change(
      repo,
      paths.length ? ['reset', '--quiet', commit, '--', ...paths] : ['reset', '--quiet', `--${args.mode}`, commit],
    );
    const branch = await currentBranch(repo);
    const head = (await headCommit(repo)) ?? commit;
    const text = paths.length
      ? `Unstaged ${paths.join(', ')}.`
      : `${args.mode === 'soft' ? 'Soft' : 'Mixed'} reset: ${branch ?? 'HEAD'} now at ${head.slice(0, 10)}; ${args.mode === 'soft' ? 'changes since then are staged' : 'changes since then are unstaged'} in the working tree.`;
    return { structured: { repository: repo.path, branch, commit: head, ...(paths.length ? { unstaged: paths } : {}) }, text };
  },
});

export const resetHardTool = tool({
  name: 'git_reset_hard',
  title: 'Reset hard (discard changes)',
  description:
    'DESTRUCTIVE: move the current branch to target (default HEAD) and make the index and every tracked file match it, discarding all uncommitted changes to tracked files. Untracked files are left alone. Returns the files whose changes were discarded.',
  toolset: 'write',
  access: 'destructive',
  idempotent: true,
  input: { repository: repositoryInput, target: targetInput },
  output: {
    repository: z.string(),
    branch: z.string().nullable(),
    commit: z.string().describe('Where HEAD points afterwards'),
    discarded: z.array(z.string()).describe('Tracked files whose uncommitted changes were thrown away'),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const target = safeSingleRevision(args.target, 'target');
    const commit = await resolveCommit(repo, target);
    const discarded = await trackedChanges(repo, 10_000);
    await change(repo, ['reset', '--quiet', '--hard', commit]);
    const branch = await currentBranch(repo);
    const done = `Hard reset: ${branch ?? 'HEAD'} now at ${commit.slice(0, 10)}.`;
    return ctx.page({
      key: 'discarded',
      fields: { repository: repo.path, branch, commit },
      items: discarded,
      ...(discarded.length
        ? { head: `${done} Discarded uncommitted changes to ${discarded.length} file${discarded.length === 1 ? '' : 's'}:` }
        : {}),
      line: (file) => file,
      unit: ['file', 'files'],
      empty: `${done} There were no uncommitted changes to discard.`,
      hint: 'The list of discarded files was cut.',
    });
  },
});

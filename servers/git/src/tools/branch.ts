import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { Repository } from '../client.js';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { safeRefName, safeSingleRevision } from '../validate.js';
import { change, currentBranch, headCommit, refExists, resolveCommit, someOf, trackedChanges } from '../worktree.js';

const headState = {
  repository: z.string(),
  branch: z.string().nullable().describe('The checked-out branch afterwards; null when HEAD is detached'),
  commit: z.string().describe('The commit HEAD points at afterwards'),
};

export const createBranchTool = tool({
  name: 'git_create_branch',
  title: 'Create a branch',
  description:
    'Create a branch at a base (default: the current commit), optionally switching to it. Switching to a new branch keeps uncommitted changes, so it is the way to move work in progress onto a branch.',
  toolset: 'write',
  access: 'write',
  input: {
    repository: repositoryInput,
    name: z.string().min(1).max(250).describe('New branch name, e.g. "feature/login"'),
    base: z.string().max(256).optional().describe('Commit, branch or tag to start from (default: HEAD)'),
    checkout: z.boolean().default(false).describe('Switch to the new branch'),
  },
  output: { ...headState, created: z.string().describe('The new branch'), checked_out: z.boolean() },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const name = safeRefName(args.name, 'name');
    const base = args.base ? safeSingleRevision(args.base, 'base') : 'HEAD';
    if (await refExists(repo, `refs/heads/${name}`)) {
      throw new ToolError(`a branch named "${name}" already exists.`, {
        argument: 'name',
        hint: 'Choose another name, or switch to it with git_checkout.',
      });
    }
    const start = await resolveCommit(repo, base);
    await change(
      repo,
      args.checkout
        ? ['switch', '--quiet', '--no-track', '--create', name, start]
        : ['branch', '--no-track', '--end-of-options', name, start],
    );
    const data = {
      repository: repo.path,
      created: name,
      checked_out: args.checkout,
      branch: await currentBranch(repo),
      commit: (await headCommit(repo)) ?? start,
    };
    return {
      structured: data,
      text: `Created branch ${name} at ${start.slice(0, 10)}${args.checkout ? ' and switched to it' : ''}.`,
    };
  },
});

export const checkoutTool = tool({
  name: 'git_checkout',
  title: 'Switch branch or commit',
  description:
    'Switch the working tree to a branch (a remote branch like "origin/x" or a name only a remote has gets a local tracking branch) or, detached, to a tag or commit. ' +
    'Refuses while tracked files have uncommitted changes, so no work is lost: commit or stash them first.',
  toolset: 'write',
  access: 'write',
  idempotent: true,
  input: {
    repository: repositoryInput,
    target: z.string().min(1).max(256).describe('Branch, remote branch, tag or commit to switch to'),
  },
  output: {
    ...headState,
    detached: z.boolean(),
    created_tracking_branch: z.string().optional().describe('A local branch made to track the remote one'),
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const target = safeSingleRevision(args.target, 'target');
    const dirty = await trackedChanges(repo);
    if (dirty.length) {
      throw new ToolError(`uncommitted changes to ${someOf(dirty)} would be carried along or lost, so nothing was switched.`, {
        hint: 'Commit them (git_commit), stash them (git_stash action=push), or move them to a new branch with git_create_branch checkout=true.',
      });
    }
    const plan = await planSwitch(repo, target);
    // Never --force/--discard-changes: if an untracked file would be overwritten, git refuses too.
    await change(repo, plan.args);
    const branch = await currentBranch(repo);
    const data = {
      repository: repo.path,
      branch,
      commit: (await headCommit(repo)) ?? '',
      detached: branch === null,
      ...(plan.tracking ? { created_tracking_branch: plan.tracking } : {}),
    };
    const text = branch
      ? `Switched to branch ${branch}${plan.tracking ? ` (new, tracking ${target})` : ''} at ${data.commit.slice(0, 10)}.`
      : `Switched to a detached HEAD at ${data.commit.slice(0, 10)} (${target}). Create a branch with git_create_branch before committing here.`;
    return { structured: data, text };
  },
});

async function planSwitch(repo: Repository, target: string): Promise<{ args: string[]; tracking?: string }> {
  if (await refExists(repo, `refs/heads/${target}`))
    return { args: ['switch', '--quiet', '--no-guess', '--end-of-options', target] };
  // "origin/feature": make a local "feature" that tracks it, unless one exists already.
  const slash = target.indexOf('/');
  if (slash > 0 && (await refExists(repo, `refs/remotes/${target}`))) {
    const local = target.slice(slash + 1);
    if (!(await refExists(repo, `refs/heads/${local}`)))
      return { args: ['switch', '--quiet', '--track', '--end-of-options', target], tracking: local };
  }
  // A name only one remote has ("feature" when origin/feature exists): git's own guess.
  const remotes = (
    await repo.run(['for-each-ref', '--format=%(refname)', '--end-of-options', 'refs/remotes'], { maxBytes: 1024 * 1024 })
  ).stdout
    .split('\n')
    .filter((ref) => ref.endsWith(`/${target}`) && ref.split('/').length === 4 + target.split('/').length - 1);
  if (remotes.length === 1) return { args: ['switch', '--quiet', '--guess', '--end-of-options', target], tracking: target };
  const commit = await resolveCommit(repo, target);
  return { args: ['switch', '--quiet', '--detach', '--end-of-options', commit] };
}

import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { Repository } from '../client.js';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import {
  expectInProgress,
  expectResolved,
  type Operation,
  type Outcome,
  outcome,
  outcomeSchema,
  readyToStart,
  step,
} from '../operations.js';
import { safeSingleRevision } from '../validate.js';
import { change, currentBranch, headCommit, resolveCommit } from '../worktree.js';

/**
 * Tools that combine or rewrite history: merge, rebase, cherry-pick and revert. Each starts only
 * on a clean working tree with no other operation unfinished, stops (without failing) when git
 * stops for a conflict, and is continued or aborted with the same tool (operations.ts).
 */

const CONTINUE = 'while one is stopped: continue (after staging the resolved files)';
const startOrContinue = z
  .enum(['start', 'continue', 'abort'])
  .default('start')
  .describe(`start; or, ${CONTINUE}, abort (undo it all)`);
const startContinueOrSkip = z
  .enum(['start', 'continue', 'skip', 'abort'])
  .default('start')
  .describe(`start; or, ${CONTINUE}, skip (leave out the commit it stopped at), abort (undo it all)`);

/** The reply for a stopped operation, or for one that finished with `result`. */
async function reply(
  repo: Repository,
  stopped: (Outcome & { text: string }) | undefined,
  done: (o: Outcome) => string,
  result: string,
  extra: Record<string, unknown> = {},
) {
  if (stopped) {
    const { text, ...structured } = stopped;
    return { structured: { ...structured, ...extra }, text };
  }
  const state = await outcome(repo, result);
  return { structured: { ...state, ...extra }, text: done(state) };
}

const short = (commit: string | undefined) => (commit ? commit.slice(0, 10) : 'nothing');

/** Commits in a range, counted (`rev-list --count`). */
async function count(repo: Repository, args: string[]): Promise<number> {
  return Number((await repo.run(['rev-list', '--count', ...args], { maxBytes: 64 })).stdout.trim());
}

export const mergeTool = tool({
  name: 'git_merge',
  title: 'Merge into the current branch',
  description:
    'Merge a branch, tag or commit into the current branch: fast-forward when possible, else a merge commit (fast_forward=only or never to insist). ' +
    'On conflicts it stops and lists the files: resolve them, git_add them, then action=continue; action=abort undoes the merge.',
  toolset: 'history',
  access: 'write',
  input: {
    repository: repositoryInput,
    action: startOrContinue,
    ref: z.string().max(256).optional().describe('start: the branch, tag or commit to merge'),
    fast_forward: z
      .enum(['allow', 'only', 'never'])
      .default('allow')
      .describe('allow: fast-forward when possible; only: refuse unless it can; never: always make a merge commit'),
    message: z.string().max(20_000).optional().describe('start: message for the merge commit (default: git\'s "Merge branch …")'),
  },
  output: { ...outcomeSchema, merged: z.string().optional().describe('What was merged') },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    if (args.action === 'abort') {
      await expectInProgress(repo, 'merge', 'abort');
      await change(repo, ['merge', '--abort']);
      return reply(repo, undefined, (o) => `Merge aborted; ${o.branch ?? 'HEAD'} is back at ${short(o.commit)}.`, 'aborted');
    }
    if (args.action === 'continue') {
      await expectInProgress(repo, 'merge', 'continue');
      await expectResolved(repo, 'merge');
      const { stopped } = await step(repo, 'merge', ['merge', '--continue']);
      return reply(repo, stopped, (o) => `Merge completed with merge commit ${short(o.commit)}.`, 'merge commit');
    }
    if (!args.ref) {
      throw new ToolError('is required to start a merge.', {
        argument: 'ref',
        hint: 'Name the branch to merge, e.g. "feature/login".',
      });
    }
    const ref = safeSingleRevision(args.ref, 'ref');
    const message = args.message?.trim();
    if (message?.includes('\0')) throw new ToolError('contains a NUL byte.', { argument: 'message' });
    await readyToStart(repo, 'merge');
    const before = await headCommit(repo);
    const flag = { allow: '--ff', only: '--ff-only', never: '--no-ff' }[args.fast_forward];
    // The message is one argv value (`--message=…`), never read as an option; signing follows the
    // repository's config (commit.gpgSign), never skipped.
    const { stopped } = await step(repo, 'merge', [
      'merge',
      '--quiet',
      flag,
      message ? `--message=${message}` : '--no-edit',
      '--end-of-options',
      ref,
    ]);
    const after = await headCommit(repo);
    const parents =
      after && after !== before ? (await repo.run(['log', '-1', '--format=%P', after], { maxBytes: 4096 })).stdout : '';
    const result = after === before ? 'up to date' : parents.trim().includes(' ') ? 'merge commit' : 'fast-forward';
    return reply(
      repo,
      stopped,
      (o) =>
        result === 'up to date'
          ? `${o.branch ?? 'HEAD'} already contains ${ref}; nothing to merge.`
          : result === 'fast-forward'
            ? `Fast-forwarded ${o.branch ?? 'HEAD'} to ${ref}: ${short(before)} → ${short(o.commit)}.`
            : `Merged ${ref} into ${o.branch ?? 'HEAD'} with merge commit ${short(o.commit)}.`,
      result,
      { merged: ref },
    );
  },
});

export const rebaseTool = tool({
  name: 'git_rebase',
  title: 'Rebase the current branch',
  description:
    "Replay the current branch's own commits on top of onto (non-interactive); the old commits stay reachable through git_reflog. " +
    'Refuses to rewrite commits already on a remote unless the operator allowed it. On conflicts it stops and lists the files: resolve, git_add, then action=continue (or skip, abort).',
  toolset: 'history',
  access: 'write',
  input: {
    repository: repositoryInput,
    action: startContinueOrSkip,
    onto: z.string().max(256).optional().describe('start: the branch, tag or commit to replay onto, e.g. "origin/main"'),
  },
  output: {
    ...outcomeSchema,
    onto: z.string().optional().describe('The commit replayed onto'),
    replayed: z.number().optional().describe('Commits of the branch now on top of onto'),
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    if (args.action !== 'start') {
      await expectInProgress(repo, 'rebase', args.action);
      if (args.action === 'abort') {
        await change(repo, ['rebase', '--abort']);
        return reply(repo, undefined, (o) => `Rebase aborted; ${o.branch ?? 'HEAD'} is back at ${short(o.commit)}.`, 'aborted');
      }
      if (args.action === 'continue') await expectResolved(repo, 'rebase');
      const { stopped } = await step(repo, 'rebase', ['rebase', `--${args.action}`]);
      return reply(repo, stopped, (o) => `Rebase completed; ${o.branch ?? 'HEAD'} is now at ${short(o.commit)}.`, 'rebased');
    }
    if (!args.onto) {
      throw new ToolError('is required to start a rebase.', {
        argument: 'onto',
        hint: 'Name the branch to rebase onto, e.g. "main".',
      });
    }
    const onto = safeSingleRevision(args.onto, 'onto');
    const branch = await currentBranch(repo);
    if (!branch) {
      throw new ToolError('HEAD is detached, so there is no branch to rebase.', {
        hint: 'Switch to a branch with git_checkout first.',
      });
    }
    await readyToStart(repo, 'rebase');
    const target = await resolveCommit(repo, onto);
    const upToDate = (await repo.run(['merge-base', '--is-ancestor', target, 'HEAD'], { okCodes: [1] })).code === 0;
    if (upToDate) {
      return reply(repo, undefined, (o) => `${o.branch} already contains ${onto}; nothing to rebase.`, 'up to date', {
        onto: target,
        replayed: 0,
      });
    }
    // Commits the rebase would rewrite, and how many of them no remote-tracking branch has.
    const rewritten = await count(repo, [`${target}..HEAD`]);
    if (!ctx.services.options.allowRewritePushed && rewritten > 0) {
      const local = await count(repo, [`${target}..HEAD`, '--not', '--remotes']);
      if (local < rewritten) {
        throw new ToolError(
          `${rewritten - local} of the ${rewritten} commits of ${branch} that would be rewritten are already on a remote, so the rebase was not started.`,
          {
            hint: `Rewriting pushed commits would need a force-push. Merge ${onto} instead (git_merge), or ask the operator to start the server with --allow-rewrite-pushed.`,
          },
        );
      }
    }
    const { stopped } = await step(repo, 'rebase', ['rebase', '--quiet', '--end-of-options', target]);
    const replayed = stopped ? undefined : await count(repo, [`${target}..HEAD`]);
    return reply(
      repo,
      stopped,
      (o) =>
        replayed
          ? `Rebased ${branch} onto ${onto} (${short(target)}): ${replayed} commit${replayed === 1 ? '' : 's'} replayed; ${branch} now at ${short(o.commit)}.`
          : `Fast-forwarded ${branch} to ${onto} (${short(target)}): it had no commits of its own.`,
      'rebased',
      { onto: target, ...(replayed !== undefined ? { replayed } : {}) },
    );
  },
});

/** cherry-pick and revert: the same shape, applying commits in the order given. */
function applyTool(operation: Extract<Operation, 'cherry-pick' | 'revert'>) {
  const pick = operation === 'cherry-pick';
  const verb = pick ? 'Cherry-picked' : 'Reverted';
  return tool({
    name: pick ? 'git_cherry_pick' : 'git_revert',
    title: pick ? 'Cherry-pick commits' : 'Revert commits',
    description: pick
      ? 'Apply the changes of existing commits (from another branch) onto the current branch as new commits, in the order given. ' +
        'On conflicts it stops and lists the files: resolve, git_add, then action=continue (or skip, abort).'
      : 'Make new commits that undo the changes of existing commits, in the order given (history is not rewritten). ' +
        'On conflicts it stops and lists the files: resolve, git_add, then action=continue (or skip, abort).',
    toolset: 'history',
    access: 'write',
    input: {
      repository: repositoryInput,
      action: startContinueOrSkip,
      commits: z
        .array(z.string().min(1).max(256))
        .min(1)
        .max(100)
        .optional()
        .describe(pick ? 'start: the commits to apply, oldest first' : 'start: the commits to undo, e.g. ["HEAD"]'),
    },
    output: { ...outcomeSchema, applied: z.array(z.string()).optional().describe('The new commits, oldest first') },
    async handler(args, ctx) {
      const repo = await ctx.services.open(args.repository, ctx);
      const before = await headCommit(repo);
      let stopped: Awaited<ReturnType<typeof step>>['stopped'];
      if (args.action === 'abort') {
        await expectInProgress(repo, operation, 'abort');
        await change(repo, [operation, '--abort']);
        return reply(
          repo,
          undefined,
          (o) => `The ${operation} was aborted; ${o.branch ?? 'HEAD'} is back at ${short(o.commit)}.`,
          'aborted',
        );
      }
      if (args.action !== 'start') {
        await expectInProgress(repo, operation, args.action);
        if (args.action === 'continue') await expectResolved(repo, operation);
        ({ stopped } = await step(repo, operation, [operation, `--${args.action}`]));
      } else {
        if (!args.commits?.length) {
          throw new ToolError(`is required to start a ${operation}.`, {
            argument: 'commits',
            hint: 'Give one or more commit ids.',
          });
        }
        const commits: string[] = [];
        for (const [i, c] of args.commits.entries()) {
          const argument = args.commits.length === 1 ? 'commits' : `commits[${i}]`;
          const revision = safeSingleRevision(c, argument);
          const id = await repo.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], {
            okCodes: [1, 128],
            maxBytes: 1024,
          });
          if (id.code !== 0) {
            throw new ToolError(`"${c}" is not a commit in this repository.`, {
              argument,
              hint: 'Use a commit id (git_log), a branch or a tag.',
            });
          }
          commits.push(id.stdout.trim());
        }
        await readyToStart(repo, operation);
        // Commit ids only (resolved above), after --end-of-options; revert's message is git's own, no editor.
        ({ stopped } = await step(repo, operation, [operation, ...(pick ? [] : ['--no-edit']), '--end-of-options', ...commits]));
      }
      const after = await headCommit(repo);
      const applied =
        before && after && before !== after
          ? (await repo.run(['rev-list', '--reverse', `${before}..${after}`], { maxBytes: 64 * 1024 })).stdout
              .split('\n')
              .filter(Boolean)
          : [];
      return reply(
        repo,
        stopped,
        (o) =>
          applied.length
            ? `${verb} ${applied.length} commit${applied.length === 1 ? '' : 's'} onto ${o.branch ?? 'HEAD'}: ${applied.map(short).join(', ')}.`
            : `Nothing new was committed; ${o.branch ?? 'HEAD'} is at ${short(o.commit)}.`,
        pick ? 'picked' : 'reverted',
        { applied },
      );
    },
  });
}

export const cherryPickTool = applyTool('cherry-pick');
export const revertTool = applyTool('revert');

import { cursorInput, moreSchema, type ToolContext, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { Repository } from '../client.js';
import { diffOutput, diffPage } from '../diff.js';
import { lastLine } from '../errors.js';
import { GitFailure } from '../exec.js';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { change, conflictedFiles, resolveCommit, someOf, trackedChanges } from '../worktree.js';

const stashSchema = z.object({
  index: z.number().describe('0 is the newest; pass it to pop'),
  date: z.string(),
  message: z.string(),
});
type Stash = z.infer<typeof stashSchema>;

const indexInput = z.number().int().min(0).max(10_000).default(0).describe('Which stash (0 = newest)');

export const stashTool = tool({
  name: 'git_stash',
  title: 'Stash changes',
  description:
    'action=push sets uncommitted changes aside (untracked files too with include_untracked) and cleans the working tree; ' +
    'pop re-applies a stash and drops it (kept if it conflicts); apply re-applies it and keeps it; show pages its diff by file; list shows the stashes.',
  toolset: 'write',
  access: 'write',
  input: {
    repository: repositoryInput,
    action: z.enum(['push', 'pop', 'apply', 'show', 'list']).describe('push, pop, apply, show or list'),
    message: z.string().max(1000).optional().describe('push: a note to recognise the stash by'),
    include_untracked: z.boolean().default(false).describe('push: also stash untracked files'),
    index: indexInput.describe('pop, apply, show: which stash (0 = newest)'),
    cursor: cursorInput,
  },
  output: {
    repository: z.string(),
    action: z.string(),
    stashes: z.array(stashSchema).optional().describe('The stashes after the action, newest first (not with show)'),
    totals: diffOutput.totals.optional(),
    files: diffOutput.files.optional().describe('show: this page of the changed files'),
    untracked: z.array(z.string()).optional().describe('show: untracked files the stash holds'),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    let done: string;
    if (args.action === 'push') {
      const before = await listStashes(repo);
      const message = args.message?.replace(/[\r\n\0]+/g, ' ').trim();
      await change(
        repo,
        [
          'stash',
          'push',
          '--quiet',
          ...(args.include_untracked ? ['--include-untracked'] : []),
          ...(message ? [`--message=${message}`] : []),
        ],
        { magicPathspecs: true },
      );
      if ((await listStashes(repo)).length === before.length) {
        throw new ToolError('there were no local changes to stash.', {
          hint: args.include_untracked
            ? 'The working tree is clean.'
            : 'Only untracked files changed? Pass include_untracked=true.',
        });
      }
      done = 'Stashed the changes as stash 0; the working tree is clean.';
    } else if (args.action === 'pop' || args.action === 'apply') {
      await chooseStash(repo, args.index);
      await applyStash(repo, args.action, args.index);
      done = args.action === 'pop' ? `Applied and dropped stash ${args.index}.` : `Applied stash ${args.index}; it is kept.`;
    } else if (args.action === 'show') {
      return showStash(repo, args.index, ctx);
    } else {
      done = '';
    }
    return ctx.page({
      key: 'stashes',
      fields: { repository: repo.path, action: args.action },
      items: await listStashes(repo),
      ...(done ? { head: done } : {}),
      line: (s) => `${s.index}  ${s.date.slice(0, 16).replace('T', ' ')}  ${s.message}`,
      unit: ['stash', 'stashes'],
      hint: 'Only the newest stashes are listed.',
    });
  },
});

export const dropStashTool = tool({
  name: 'git_drop_stash',
  title: 'Drop a stash',
  description:
    'DESTRUCTIVE: delete one stash (default the newest). Returns its commit, from which git_create_branch base=<commit> can still recover it until git collects garbage.',
  toolset: 'workspace',
  access: 'destructive',
  input: { repository: repositoryInput, index: indexInput },
  output: {
    repository: z.string(),
    dropped: stashSchema.extend({ commit: z.string() }),
    stashes: z.array(stashSchema).describe('The stashes left, newest first'),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const stash = await chooseStash(repo, args.index);
    // The stash's own commit id, not stash@{n}: dropping the entry n names now, and no other.
    const commit = await resolveCommit(repo, `stash@{${args.index}}`);
    await change(repo, ['stash', 'drop', '--quiet', `stash@{${args.index}}`]);
    return ctx.page({
      key: 'stashes',
      fields: { repository: repo.path, dropped: { ...stash, commit } },
      items: await listStashes(repo),
      head: `Dropped stash ${args.index} (${stash.message}), commit ${commit.slice(0, 10)}. Stashes left:`,
      line: (s) => `${s.index}  ${s.date.slice(0, 16).replace('T', ' ')}  ${s.message}`,
      unit: ['stash', 'stashes'],
      empty: `Dropped stash ${args.index} (${stash.message}), commit ${commit.slice(0, 10)}. No stashes left.`,
      hint: 'Only the newest stashes are listed.',
    });
  },
});

/** The stash at `index`, or a clear refusal naming the ones there are. */
async function chooseStash(repo: Repository, index: number): Promise<Stash> {
  const stashes = await listStashes(repo);
  const stash = stashes[index];
  if (stash === undefined) {
    throw new ToolError(
      stashes.length
        ? `there is no stash ${index}; the newest is 0 and the oldest ${stashes.length - 1}.`
        : 'there are no stashes.',
      { argument: 'index' },
    );
  }
  return stash;
}

/** Re-apply a stash (and with pop drop it); a conflict or a refusal is said with what to do. */
async function applyStash(repo: Repository, action: 'pop' | 'apply', index: number): Promise<void> {
  try {
    await repo.run(['stash', action, '--quiet', `stash@{${index}}`], { maxBytes: 64 * 1024, magicPathspecs: true });
  } catch (error) {
    if (!(error instanceof GitFailure)) throw error;
    const conflicted = await conflictedFiles(repo);
    if (conflicted.length) {
      throw new ToolError(
        `the stash conflicted with the working tree in ${someOf(conflicted)}; it was applied with conflict markers and kept.`,
        { hint: 'Resolve the conflicts, then git_add the files; drop the stash with git_drop_stash when done.' },
      );
    }
    const dirty = await trackedChanges(repo, 20);
    throw new ToolError(`git refused to ${action} the stash: ${lastLine(error.stderr)}.`, {
      hint: dirty.length
        ? `Commit or stash the changes to ${someOf(dirty)} first.`
        : 'Check the repository state with git_status.',
    });
  }
}

/** A stash's changes against the commit it was made on, paged by file like git_diff, and its untracked files. */
async function showStash(repo: Repository, index: number, ctx: Pick<ToolContext<unknown>, 'position' | 'budget' | 'page'>) {
  const stash = await chooseStash(repo, index);
  const commit = await resolveCommit(repo, `stash@{${index}}`);
  // A stash made with include_untracked keeps its untracked files in a third parent.
  const third = await repo.run(['rev-parse', '--verify', '--quiet', `${commit}^3`], { okCodes: [1, 128], maxBytes: 1024 });
  const untracked =
    third.code === 0
      ? (
          await repo.run(['ls-tree', '-r', '-z', '--name-only', '--end-of-options', third.stdout.trim()], {
            maxBytes: 256 * 1024,
          })
        ).stdout
          .split('\0')
          .filter(Boolean)
      : [];
  const also = untracked.length
    ? `Also holds ${untracked.length} untracked file${untracked.length === 1 ? '' : 's'}: ${someOf(untracked, 20)}.\n`
    : '';
  const page = await diffPage(
    repo,
    {
      flags: [],
      revisions: [`${commit}^1`, commit],
      paths: [],
      context: 3,
      statOnly: false,
      heading: `stash@{${index}} (${stash.message}) against the commit it was made on:\n${also}`,
    },
    ctx.position,
    ctx.budget.bytes,
  );
  return ctx.page({
    ...page,
    fields: { repository: repo.path, action: 'show', ...(untracked.length ? { untracked } : {}), ...page.fields },
  });
}

async function listStashes(repo: Repository): Promise<Stash[]> {
  const stashes: Stash[] = [];
  await repo.run(['stash', 'list', '--format=%gd%x1f%cI%x1f%gs'], {
    separator: '\n',
    onRecord(line) {
      const [ref = '', date = '', message = ''] = line.split('\x1f');
      const index = Number(/\{(\d+)\}/.exec(ref)?.[1] ?? -1);
      if (index >= 0) stashes.push({ index, date, message });
      return stashes.length >= 1000 ? false : undefined;
    },
  });
  return stashes;
}

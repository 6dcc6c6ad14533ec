import { moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { Repository } from '../client.js';
import { lastLine } from '../errors.js';
import { GitFailure } from '../exec.js';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { change, conflictedFiles, someOf, trackedChanges } from '../worktree.js';

const stashSchema = z.object({
  index: z.number().describe('0 is the newest; pass it to pop'),
  date: z.string(),
  message: z.string(),
});
type Stash = z.infer<typeof stashSchema>;

export const stashTool = tool({
  name: 'git_stash',
  title: 'Stash changes',
  description:
    'action=push sets uncommitted changes aside (untracked files too with include_untracked) and cleans the working tree; action=pop re-applies a stash and drops it (kept if it conflicts); action=list shows the stashes.',
  toolset: 'write',
  access: 'write',
  input: {
    repository: repositoryInput,
    action: z.enum(['push', 'pop', 'list']).describe('push, pop or list'),
    message: z.string().max(1000).optional().describe('push: a note to recognise the stash by'),
    include_untracked: z.boolean().default(false).describe('push: also stash untracked files'),
    index: z.number().int().min(0).max(10_000).default(0).describe('pop: which stash (0 = newest)'),
  },
  output: {
    repository: z.string(),
    action: z.string(),
    stashes: z.array(stashSchema).describe('The stashes after the action, newest first'),
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
    } else if (args.action === 'pop') {
      const stashes = await listStashes(repo);
      if (args.index >= stashes.length) {
        throw new ToolError(
          stashes.length
            ? `there is no stash ${args.index}; the newest is 0 and the oldest ${stashes.length - 1}.`
            : 'there are no stashes.',
          {
            argument: 'index',
          },
        );
      }
      try {
        await repo.run(['stash', 'pop', '--quiet', `stash@{${args.index}}`], { maxBytes: 64 * 1024, magicPathspecs: true });
      } catch (error) {
        if (!(error instanceof GitFailure)) throw error;
        const conflicted = await conflictedFiles(repo);
        if (conflicted.length) {
          throw new ToolError(
            `the stash conflicted with the working tree in ${someOf(conflicted)}; it was applied with conflict markers and kept.`,
            {
              hint: 'Resolve the conflicts, then git_add the files; drop the stash with the git CLI when done.',
            },
          );
        }
        const dirty = await trackedChanges(repo, 20);
        throw new ToolError(`git refused to pop the stash: ${lastLine(error.stderr)}.`, {
          hint: dirty.length
            ? `Commit or stash the changes to ${someOf(dirty)} first.`
            : 'Check the repository state with git_status.',
        });
      }
      done = `Applied and dropped stash ${args.index}.`;
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

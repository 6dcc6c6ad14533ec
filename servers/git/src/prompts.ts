import { type ReadContext, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { GitServices, Repository } from './client.js';
import { diffPage } from './diff.js';
import { prompt } from './kit.js';
import { knownRepositories, openKnown } from './known.js';
import { upstreamOf } from './remote.js';
import { safeSingleRevision } from './validate.js';
import { hasStaged, refExists } from './worktree.js';

/**
 * Prompts hand the model the material (a diff within the output budget) and the task. The
 * repository argument names a configured repository (see known.ts): prompts get no client roots.
 */

const repositoryArg = () =>
  z.string().optional().describe("A configured repository's folder name or path (optional when only one is configured)");
const baseArg = () =>
  z.string().optional().describe('Branch, tag or commit to compare with (default: the upstream, else main or master)');

async function completeRepository(value: string, _context: Record<string, string>, services: GitServices): Promise<string[]> {
  return (await knownRepositories(services))
    .flatMap((k) => [k.id, k.path])
    .filter((v) => v.startsWith(value))
    .slice(0, 100);
}

/**
 * The stat of every file, then as many patches as fit: a model sees the whole shape of the change.
 * The material is one text, so it is shared out here: a quarter of the budget for the list of
 * files (a change to thousands of files still leaves room for patches), the rest for the patches.
 */
async function diffMaterial(
  repo: Repository,
  flags: string[],
  revisions: string[],
  ctx: ReadContext<GitServices>,
): Promise<{ files: number; text: string }> {
  const request = { flags, revisions, paths: [], context: 3 };
  const start = { offset: 0, state: undefined };
  const listShare = Math.floor(ctx.budget.bytes / 4);
  const list = await diffPage(repo, { ...request, statOnly: true }, start, listShare);
  if (list.totals.files === 0) return { files: 0, text: '' };
  const patchShare = ctx.budget.bytes - listShare;
  const patches = await diffPage(repo, { ...request, statOnly: false }, start, patchShare);
  const hint = 'Use git_diff for the rest.';
  const listText = ctx.page({ ...list, budget: listShare, hint }).text;
  const patchText = ctx.page({ ...patches, budget: patchShare, hint }).text;
  return { files: list.totals.files, text: `Files:\n${listText}\n\nPatches:\n${patchText}` };
}

export const commitMessagePrompt = prompt({
  name: 'git_commit_message',
  title: 'Write a commit message',
  description: "A commit message for the staged changes, in the style of the repository's recent commits.",
  // A getter: the kit marks argument schemas completable in place (Object.defineProperty, once
  // only), and builds a server per HTTP request, so each server needs schemas of its own.
  get args() {
    return { repository: repositoryArg() };
  },
  complete: { repository: completeRepository },
  async render(args, ctx) {
    const repo = await openKnown(ctx.services, args.repository, ctx.signal);
    if (!(await hasStaged(repo))) {
      throw new ToolError('nothing is staged in this repository, so there is nothing to describe.', {
        hint: 'Stage changes with git_add first.',
      });
    }
    const material = await diffMaterial(repo, ['--cached'], [], ctx);
    const recent = (await repo.run(['log', '-8', '--format=%s'], { okCodes: [128], maxBytes: 4096 })).stdout.trim();
    return {
      description: `Commit message for ${material.files} staged file${material.files === 1 ? '' : 's'} in ${repo.path}`,
      messages: [
        {
          role: 'user',
          text: [
            'Write a commit message for the staged changes below.',
            'A subject line of at most 72 characters in the imperative mood ("Add…", "Fix…"), then a blank line and a short body that says why the change was made, when that is not obvious.',
            recent ? `Match the style of this repository's recent subjects:\n${recent}` : '',
            'Reply with the message only.',
            '',
            material.text,
          ]
            .filter((l) => l !== '')
            .join('\n'),
        },
      ],
    };
  },
});

export const reviewPrompt = prompt({
  name: 'git_review_changes',
  title: 'Review changes against a base',
  description:
    'A code review of everything that changed since the current branch left a base branch (commits and uncommitted work).',
  get args() {
    return { repository: repositoryArg(), base: baseArg() };
  },
  complete: {
    repository: completeRepository,
    async base(value, context, services) {
      const repo = await openKnown(services, context.repository, AbortSignal.timeout(5000));
      const { stdout } = await repo.run(
        ['for-each-ref', '--format=%(refname:short)', '--end-of-options', 'refs/heads', 'refs/remotes', 'refs/tags'],
        {
          maxBytes: 256 * 1024,
        },
      );
      return stdout
        .split('\n')
        .filter((n) => n !== '' && n.startsWith(value))
        .slice(0, 100);
    },
  },
  async render(args, ctx) {
    const repo = await openKnown(ctx.services, args.repository, ctx.signal);
    const base = args.base ? safeSingleRevision(args.base, 'base') : await defaultBase(repo);
    let forkPoint: string;
    try {
      forkPoint = (await repo.run(['merge-base', '--end-of-options', base, 'HEAD'], { maxBytes: 256 })).stdout.trim();
    } catch {
      throw new ToolError(`"${base}" is not a revision that shares history with HEAD.`, {
        argument: 'base',
        hint: 'Name a branch such as "main".',
      });
    }
    const commits = (
      await repo.run(['log', '--format=%h %s', '-50', `${forkPoint}..HEAD`], { maxBytes: 16 * 1024 })
    ).stdout.trim();
    // Against the fork point, the working tree: commits on the branch and uncommitted work alike.
    const material = await diffMaterial(repo, [], [forkPoint], ctx);
    if (material.files === 0) throw new ToolError(`nothing has changed since the branch left ${base}.`, { argument: 'base' });
    return {
      description: `Review of ${material.files} changed file${material.files === 1 ? '' : 's'} in ${repo.path} against ${base}`,
      messages: [
        {
          role: 'user',
          text: [
            `Review the changes below: everything that differs from ${base} (fork point ${forkPoint.slice(0, 10)}), committed or not.`,
            'Look for bugs, security problems, missing tests, unclear names and needless complexity. For each finding give the file and line, what is wrong and a concrete fix; say which findings must be fixed before merging. Skip praise.',
            commits
              ? `Commits on the branch:\n${commits}`
              : 'There are no commits on the branch yet; the changes are uncommitted.',
            '',
            material.text,
          ].join('\n'),
        },
      ],
    };
  },
});

async function defaultBase(repo: Repository): Promise<string> {
  const upstream = await upstreamOf(repo);
  if (upstream) return `${upstream.remote}/${upstream.branch}`;
  for (const name of ['main', 'master']) if (await refExists(repo, `refs/heads/${name}`)) return name;
  throw new ToolError('has no default here: the branch has no upstream and there is no main or master.', {
    argument: 'base',
    hint: 'Name the branch to compare with.',
  });
}

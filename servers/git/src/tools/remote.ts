import { moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { Repository } from '../client.js';
import { lastLine } from '../errors.js';
import { GitFailure } from '../exec.js';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { chooseRemote, listRemotes, pinRemote, refSnapshot, remoteMessages, upstreamOf } from '../remote.js';
import { safeRefName } from '../validate.js';
import { conflictedFiles, currentBranch, headCommit, refExists, someOf, trackedChanges } from '../worktree.js';

const remoteInput = z
  .string()
  .max(100)
  .optional()
  .describe('Name of a configured remote (default: the current branch\'s upstream remote, else the only one or "origin")');

export const remotesTool = tool({
  name: 'git_remotes',
  title: 'List remotes',
  description: 'The configured remotes with their URLs (credentials removed). fetch, pull and push take a remote by these names.',
  toolset: 'remote',
  access: 'read',
  input: { repository: repositoryInput },
  output: {
    repository: z.string(),
    remotes: z.array(z.object({ name: z.string(), url: z.string(), push_url: z.string().optional() })),
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const remotes = await listRemotes(repo);
    const text = remotes.length
      ? remotes.map((r) => `${r.name}  ${r.url}${r.push_url ? ` (push: ${r.push_url})` : ''}`).join('\n')
      : 'No remotes.';
    return { structured: { repository: repo.path, remotes }, text };
  },
});

const refChange = z.object({
  ref: z.string().describe('"origin/main", or "tag v1.0"'),
  change: z.enum(['new', 'updated', 'deleted']),
  from: z.string().optional(),
  to: z.string().optional(),
});

export const fetchTool = tool({
  name: 'git_fetch',
  title: 'Fetch from a remote',
  description:
    'Download new commits, branches and tags from a remote without changing local branches or files. Returns the remote-tracking refs that changed.',
  toolset: 'remote',
  access: 'write',
  idempotent: true,
  openWorld: true,
  input: {
    repository: repositoryInput,
    remote: remoteInput,
    prune: z.boolean().default(false).describe('Also remove remote-tracking branches deleted on the remote'),
  },
  output: {
    repository: z.string(),
    remote: z.string(),
    changes: z.array(refChange),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const remote = await chooseRemote(repo, args.remote);
    const pin = await pinRemote(ctx.services, repo, remote, 'fetch');
    const before = await refSnapshot(repo, remote);
    await repo.run([...pin.args, 'fetch', '--quiet', ...(args.prune ? ['--prune'] : []), '--end-of-options', remote], {
      maxBytes: 64 * 1024,
      env: pin.env,
    });
    const after = await refSnapshot(repo, remote);
    const changes: Array<z.infer<typeof refChange>> = [];
    for (const [ref, to] of after) {
      const from = before.get(ref);
      if (from === undefined) changes.push({ ref, change: 'new', to });
      else if (from !== to) changes.push({ ref, change: 'updated', from, to });
    }
    for (const [ref, from] of before) if (!after.has(ref)) changes.push({ ref, change: 'deleted', from });
    return ctx.page({
      key: 'changes',
      fields: { repository: repo.path, remote },
      items: changes,
      ...(changes.length ? { head: `Fetched ${remote}:` } : {}),
      line: (c) =>
        `${c.change.padEnd(7)} ${c.ref}${c.change === 'updated' ? ` ${c.from?.slice(0, 10)}..${c.to?.slice(0, 10)}` : c.to ? ` ${c.to.slice(0, 10)}` : ''}`,
      unit: ['ref', 'refs'],
      empty: `Fetched ${remote}: already up to date.`,
      hint: 'See every branch with git_branches scope=remote.',
    });
  },
});

export const pullTool = tool({
  name: 'git_pull',
  title: 'Pull from a remote',
  description:
    'Fetch and integrate the upstream branch into the current branch: mode=ff-only (default) only fast-forwards; rebase or merge when histories diverged. ' +
    'Refuses while tracked files have uncommitted changes; if a rebase or merge conflicts it is aborted, leaving the branch as it was.',
  toolset: 'remote',
  access: 'write',
  openWorld: true,
  input: {
    repository: repositoryInput,
    remote: remoteInput,
    branch: z.string().max(250).optional().describe("Remote branch to pull (default: the current branch's upstream)"),
    mode: z.enum(['ff-only', 'rebase', 'merge']).default('ff-only').describe('How to integrate diverged histories'),
  },
  output: {
    repository: z.string(),
    branch: z.string(),
    from: z.string().optional().describe('Where the branch was'),
    to: z.string().describe('Where the branch is now'),
    new_commits: z.number().describe('Commits the branch gained'),
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const branch = await currentBranch(repo);
    if (!branch)
      throw new ToolError('HEAD is detached, so there is no branch to pull into.', {
        hint: 'Switch to a branch with git_checkout first.',
      });
    const dirty = await trackedChanges(repo);
    if (dirty.length) {
      throw new ToolError(
        `uncommitted changes to ${someOf(dirty)} could be lost or tangled in the pull, so nothing was pulled.`,
        {
          hint: 'Commit them (git_commit) or stash them (git_stash action=push) first.',
        },
      );
    }
    const upstream = await upstreamOf(repo);
    const remote = await chooseRemote(repo, args.remote);
    const source =
      args.branch !== undefined ? safeRefName(args.branch, 'branch') : upstream?.remote === remote ? upstream.branch : undefined;
    if (!source) {
      throw new ToolError(`the current branch ${branch} has no upstream on ${remote}.`, {
        argument: 'branch',
        hint: 'Pass the remote branch to pull, e.g. "main".',
      });
    }
    const pin = await pinRemote(ctx.services, repo, remote, 'fetch');
    const from = await headCommit(repo);
    const modeArgs =
      args.mode === 'ff-only' ? ['--ff-only'] : args.mode === 'rebase' ? ['--rebase'] : ['--no-rebase', '--no-edit'];
    try {
      await repo.run([...pin.args, 'pull', '--quiet', ...modeArgs, '--end-of-options', remote, source], {
        maxBytes: 64 * 1024,
        env: pin.env,
      });
    } catch (error) {
      if (error instanceof GitFailure) await recoverFromPull(repo, remote, args.mode, error);
      throw error;
    }
    const to = (await headCommit(repo)) ?? '';
    const gained = from ? Number((await repo.run(['rev-list', '--count', `${from}..${to}`], { maxBytes: 64 })).stdout.trim()) : 0;
    const text =
      from === to
        ? `${branch} is already up to date with ${remote}/${source}.`
        : `Pulled ${remote}/${source} into ${branch} (${args.mode}): ${from?.slice(0, 10) ?? 'nothing'} → ${to.slice(0, 10)}, ${gained} new commit${gained === 1 ? '' : 's'}.`;
    return { structured: { repository: repo.path, branch, ...(from ? { from } : {}), to, new_commits: gained }, text };
  },
});

/**
 * A conflicted rebase or merge is aborted so the branch is left as it was, and said so; what the
 * pull's state explains is thrown here, anything else goes on to the error table.
 */
async function recoverFromPull(repo: Repository, remote: string, mode: string, error: GitFailure): Promise<void> {
  const message = error.stderr;
  const conflicted = await conflictedFiles(repo);
  const rebasing = await repo.run(['rev-parse', '--verify', '--quiet', 'REBASE_HEAD'], { okCodes: [1, 128] });
  if (conflicted.length || rebasing.code === 0 || /CONFLICT/.test(message)) {
    await repo.run([mode === 'rebase' ? 'rebase' : 'merge', '--abort'], { okCodes: [1, 128] });
    throw new ToolError(
      `pulling conflicted${conflicted.length ? ` in ${someOf(conflicted)}` : ''}; the ${mode} was aborted and the branch is as it was.`,
      {
        hint: 'Resolve it by hand with the git CLI, or try the other mode (rebase or merge).',
      },
    );
  }
  if (/Not possible to fast-forward|not possible to fast-forward|Diverging branches/i.test(message)) {
    throw new ToolError('the local branch and the remote have diverged, so a fast-forward is impossible; nothing changed.', {
      argument: 'mode',
      hint: 'Pass mode=rebase to replay local commits on top, or mode=merge to make a merge commit.',
    });
  }
  if (/couldn't find remote ref/i.test(message)) {
    throw new ToolError(`${remote} has no such branch: ${lastLine(message)}.`, {
      argument: 'branch',
      hint: 'List remote branches with git_branches scope=remote after git_fetch.',
    });
  }
}

type PushResult = 'new branch' | 'fast-forward' | 'forced' | 'up to date';

export const pushTool = tool({
  name: 'git_push',
  title: 'Push to a remote',
  description:
    "Upload a local branch (default: the current one) to the same name on a remote; set_upstream=true makes it the branch's upstream. " +
    'Never forced unless the operator started the server with --allow-force-push, and then only with --force-with-lease.',
  toolset: 'remote',
  access: 'write',
  openWorld: true,
  input: {
    repository: repositoryInput,
    remote: remoteInput,
    branch: z.string().max(250).optional().describe('Local branch to push (default: the current branch)'),
    set_upstream: z.boolean().default(false).describe("Record the pushed branch as the local branch's upstream"),
    force: z
      .boolean()
      .default(false)
      .describe('Overwrite the remote branch with --force-with-lease (only if the operator allowed force-push)'),
  },
  output: {
    repository: z.string(),
    remote: z.string(),
    branch: z.string(),
    result: z.enum(['new branch', 'fast-forward', 'forced', 'up to date']),
    commit: z.string(),
    remote_messages: z.array(z.string()).optional().describe('What the remote said back (e.g. a link to open a pull request)'),
  },
  async handler(args, ctx) {
    if (args.force && !ctx.services.options.allowForcePush) {
      throw new ToolError('force-push is disabled on this server.', {
        argument: 'force',
        hint: 'Push without force (git_pull first if the remote moved on), or ask the operator to start the server with --allow-force-push.',
      });
    }
    const repo = await ctx.services.open(args.repository, ctx);
    const branch = args.branch !== undefined ? safeRefName(args.branch, 'branch') : await currentBranch(repo);
    if (!branch)
      throw new ToolError('is required while HEAD is detached.', { argument: 'branch', hint: 'Name the local branch to push.' });
    if (!(await refExists(repo, `refs/heads/${branch}`))) {
      throw new ToolError(`there is no local branch named "${branch}".`, {
        argument: 'branch',
        hint: 'List branches with git_branches.',
      });
    }
    const remote = await chooseRemote(repo, args.remote);
    const pin = await pinRemote(ctx.services, repo, remote, 'push');
    // A full refspec: the branch name can never be read as "+force" or as another ref.
    const refspec = `refs/heads/${branch}:refs/heads/${branch}`;
    const run = await repo.run(
      [
        ...pin.args,
        'push',
        '--porcelain',
        ...(args.set_upstream ? ['--set-upstream'] : []),
        ...(args.force ? ['--force-with-lease'] : []),
        '--end-of-options',
        remote,
        refspec,
      ],
      { okCodes: [1], maxBytes: 64 * 1024, env: pin.env },
    );
    const line = run.stdout.split('\n').find((l) => l.includes(`refs/heads/${branch}:`)) ?? '';
    const [flag = ''] = line;
    if (flag === '!' || run.code !== 0) {
      const reason = /\((.*)\)\s*$/.exec(line)?.[1] ?? lastLine(run.stderr);
      throw new ToolError(`the remote rejected the push (${reason}).`, {
        hint: /non-fast-forward|fetch first|stale info/.test(reason)
          ? 'The remote has commits this branch does not: git_pull first, then push again.'
          : "Check the remote's branch protection and your permissions.",
      });
    }
    const result = (
      flag === '*' ? 'new branch' : flag === '+' ? 'forced' : flag === '=' ? 'up to date' : 'fast-forward'
    ) as PushResult;
    const commit = (await repo.run(['rev-parse', `refs/heads/${branch}`], { maxBytes: 256 })).stdout.trim();
    const messages = remoteMessages(run.stderr);
    return {
      structured: {
        repository: repo.path,
        remote,
        branch,
        result,
        commit,
        ...(messages.length ? { remote_messages: messages } : {}),
      },
      text: `Pushed ${branch} to ${remote} (${result}) at ${commit.slice(0, 10)}.${messages.length ? `\nThe remote said:\n${messages.join('\n')}` : ''}`,
    };
  },
});

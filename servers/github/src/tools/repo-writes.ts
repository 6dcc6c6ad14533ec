import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { blobSha, bytesOf } from '../blob.js';
import { explainFailure } from '../errors.js';
import { short } from '../format.js';
import { tool } from '../kit.js';
import { pathInput, repoInput, target } from '../repo.js';

const branchInput = z.string().describe('Branch name');
const messageInput = z.string().describe('Commit message');
const contentInput = z.string().describe('The whole new file content (UTF-8 text)');

export const createBranch = tool({
  name: 'github_create_branch',
  title: 'Create a branch',
  description: 'A new branch at a ref (default: the default branch head).',
  toolset: 'repos',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    branch: branchInput,
    from: z.string().optional().describe('Branch, tag or SHA to start from'),
  },
  output: { branch: z.string(), sha: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const from =
      args.from ?? (await t.octokit.rest.repos.get({ owner: t.owner, repo: t.repo, request: t.request })).data.default_branch;
    const { data: sha } = await t.octokit.rest.repos.getCommit({
      owner: t.owner,
      repo: t.repo,
      ref: from,
      mediaType: { format: 'sha' },
      request: t.request,
    });
    const commit = String(sha).trim();
    await t.octokit.rest.git.createRef({
      owner: t.owner,
      repo: t.repo,
      ref: `refs/heads/${args.branch}`,
      sha: commit,
      request: t.request,
    });
    return {
      structured: { branch: args.branch, sha: commit },
      text: `Created branch ${args.branch} at ${short(commit)} (from ${from}).`,
    };
  },
});

export const writeFile = tool({
  name: 'github_write_file',
  title: 'Create or replace a file',
  description:
    'Commit one file. To replace one, pass its blob sha from github_get_file (refused if it changed). The stored file is read back to verify it.',
  toolset: 'repos',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    path: pathInput,
    content: contentInput,
    message: messageInput,
    branch: branchInput.optional().describe('Branch (default branch if omitted)'),
    sha: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'must be a 40-character blob sha')
      .optional()
      .describe('Blob sha of the file being replaced; omit to create'),
  },
  output: { path: z.string(), sha: z.string(), commit: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const path = args.path.replace(/^\/+|\/+$/g, '');
    const bytes = Buffer.from(args.content, 'utf8');
    const expected = blobSha(bytes);
    const { data } = await t.octokit.rest.repos.createOrUpdateFileContents({
      owner: t.owner,
      repo: t.repo,
      path,
      message: args.message,
      content: bytes.toString('base64'),
      ...(args.branch ? { branch: args.branch } : {}),
      ...(args.sha ? { sha: args.sha } : {}),
      request: t.request,
    });
    const commit = data.commit.sha ?? '';
    const stored = data.content?.sha;
    const where = `${path} on ${args.branch ?? 'the default branch'} (commit ${short(commit)})`;
    // The write happened; whether it holds what was sent is checked twice: the blob sha GitHub
    // reports, and the bytes read back at the new commit.
    if (stored !== expected) {
      throw new ToolError(
        `GitHub committed ${where}, but the stored file is not what was sent: blob ${stored ?? 'missing'}, expected ${expected} for ${bytes.length} bytes.`,
        { hint: 'Read the file with github_get_file at that commit and write it again.' },
      );
    }
    let back: Buffer;
    try {
      const res = await t.octokit.rest.repos.getContent({
        owner: t.owner,
        repo: t.repo,
        path,
        ref: commit,
        mediaType: { format: 'raw' },
        request: t.request,
      });
      back = bytesOf(res.data);
    } catch (error) {
      throw new ToolError(`GitHub committed ${where}, but reading it back to check it failed: ${explainFailure(error)}`, {
        hint: 'Check it with github_get_file before relying on it.',
      });
    }
    if (!back.equals(bytes)) {
      throw new ToolError(
        `GitHub committed ${where}, but the file read back differs from what was sent (${back.length} bytes read, ${bytes.length} sent).`,
        { hint: 'Read the file with github_get_file at that commit and write it again.' },
      );
    }
    return {
      structured: { path, sha: expected, commit },
      text: `${args.sha ? 'Replaced' : 'Created'} ${where}; blob ${expected}. Read back: ${bytes.length} bytes, identical.`,
    };
  },
});

export const deleteFile = tool({
  name: 'github_delete_file',
  title: 'Delete a file',
  description: 'Commit the deletion of a file, given its blob sha from github_get_file.',
  toolset: 'repos',
  access: 'destructive',
  openWorld: true,
  input: {
    repo: repoInput,
    path: pathInput,
    sha: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'must be a 40-character blob sha')
      .describe('Blob sha of the file'),
    message: messageInput,
    branch: branchInput.optional().describe('Branch (default branch if omitted)'),
  },
  output: { commit: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.repos.deleteFile({
      owner: t.owner,
      repo: t.repo,
      path: args.path.replace(/^\/+|\/+$/g, ''),
      sha: args.sha,
      message: args.message,
      ...(args.branch ? { branch: args.branch } : {}),
      request: t.request,
    });
    const commit = data.commit.sha ?? '';
    return { structured: { commit }, text: `Deleted ${args.path} (commit ${short(commit)}).` };
  },
});

export const pushFiles = tool({
  name: 'github_push_files',
  title: 'Commit several files at once',
  description:
    'One commit writing and/or deleting several files on an existing branch. Fast-forward only; verified before the branch moves.',
  toolset: 'repos',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    branch: branchInput,
    message: messageInput,
    files: z
      .array(z.object({ path: pathInput, content: contentInput }))
      .max(200)
      .default([])
      .describe('Files to create or replace'),
    delete: z.array(pathInput).default([]).describe('Paths to delete'),
    expected_head: z.string().optional().describe('Refuse unless the branch head is this SHA'),
  },
  output: { branch: z.string(), commit: z.string() },
  async handler(args, ctx) {
    if (args.files.length === 0 && args.delete.length === 0) {
      throw new ToolError('Nothing to commit: give files, delete, or both.', { argument: 'files' });
    }
    const t = await target(ctx, args.repo);
    const base = { owner: t.owner, repo: t.repo, request: t.request };
    const clean = (p: string) => p.replace(/^\/+|\/+$/g, '');
    const files = args.files.map((f) => ({ path: clean(f.path), bytes: Buffer.from(f.content, 'utf8') }));
    const deletions = args.delete.map(clean);
    const twice = [...files.map((f) => f.path), ...deletions].find((p, i, all) => all.indexOf(p) !== i);
    if (twice) throw new ToolError(`${twice} is named twice.`, { argument: 'files' });

    // 1. Where the branch is now, and what is in it.
    let head: string;
    try {
      head = (await t.octokit.rest.git.getRef({ ...base, ref: `heads/${args.branch}` })).data.object.sha;
    } catch (error) {
      if ((error as { status?: number }).status === 404) {
        throw new ToolError(`There is no branch ${args.branch} in ${t.full}.`, {
          argument: 'branch',
          hint: 'Create it first with github_create_branch.',
        });
      }
      throw error;
    }
    if (args.expected_head && !head.startsWith(args.expected_head)) {
      throw new ToolError(`${args.branch} is at ${head}, not ${args.expected_head}: it moved. Nothing was pushed.`, {
        argument: 'expected_head',
        hint: 'Look at what changed, then push again with the new head.',
      });
    }
    const baseTree = (await t.octokit.rest.git.getCommit({ ...base, commit_sha: head })).data.tree.sha;
    const existing = new Map(
      (await t.octokit.rest.git.getTree({ ...base, tree_sha: baseTree, recursive: 'true' })).data.tree.map((e) => [
        e.path ?? '',
        e,
      ]),
    );
    const missing = deletions.find((p) => existing.get(p)?.type !== 'blob');
    if (missing) throw new ToolError(`${missing} is not a file on ${args.branch}.`, { argument: 'delete' });

    const unchanged = `The branch ${args.branch} is unchanged at ${short(head)}; nothing was pushed.`;
    // 2. Tree and commit. Contents go inline in the tree (GitHub stores them as blobs): one write
    // instead of one per file, so fewer requests count against the limits.
    let commit: string;
    let tree: string;
    try {
      tree = (
        await t.octokit.rest.git.createTree({
          ...base,
          base_tree: baseTree,
          tree: [
            ...files.map((f) => ({
              path: f.path,
              mode: (existing.get(f.path)?.mode === '100755' ? '100755' : '100644') as '100644' | '100755',
              type: 'blob' as const,
              content: f.bytes.toString('utf8'),
            })),
            ...deletions.map((p) => ({ path: p, mode: '100644' as const, type: 'blob' as const, sha: null })),
          ],
        })
      ).data.sha;
    } catch (error) {
      throw new ToolError(`Creating the tree failed: ${explainFailure(error)} ${unchanged}`);
    }
    try {
      commit = (await t.octokit.rest.git.createCommit({ ...base, message: args.message, tree, parents: [head] })).data.sha;
    } catch (error) {
      throw new ToolError(`Creating the commit failed: ${explainFailure(error)} ${unchanged}`);
    }

    // 3. Verify the commit holds exactly what was sent before the branch points at it.
    try {
      const stored = new Map(
        (await t.octokit.rest.git.getTree({ ...base, tree_sha: tree, recursive: 'true' })).data.tree.map((e) => [
          e.path ?? '',
          e.sha,
        ]),
      );
      const wrong = files.find((f) => stored.get(f.path) !== blobSha(f.bytes));
      const kept = deletions.find((p) => stored.has(p));
      if (wrong || kept) {
        throw new ToolError(
          `GitHub's commit ${short(commit)} does not hold what was sent (${wrong ? `${wrong.path} differs` : `${kept} was not deleted`}). ${unchanged}`,
          { hint: 'Push again; if it happens again, commit the files one by one with github_write_file.' },
        );
      }
    } catch (error) {
      if (error instanceof ToolError) throw error;
      throw new ToolError(`Checking the new commit failed: ${explainFailure(error)} ${unchanged}`);
    }

    // 4. Move the branch: a fast-forward, never forced.
    try {
      await t.octokit.rest.git.updateRef({ ...base, ref: `heads/${args.branch}`, sha: commit, force: false });
    } catch (error) {
      const now = await t.octokit.rest.git
        .getRef({ ...base, ref: `heads/${args.branch}` })
        .then((r) => r.data.object.sha)
        .catch(() => undefined);
      if (now !== commit) {
        throw new ToolError(
          `Commit ${short(commit)} was made, but moving ${args.branch} to it failed: ${explainFailure(error)} The branch is at ${now ? short(now) : 'an unknown commit'}, without these changes.`,
          { hint: 'If the branch moved, look at what changed and push again; the commit is not on any branch.' },
        );
      }
    }
    const n = files.length + deletions.length;
    return {
      structured: { branch: args.branch, commit },
      text: `Pushed ${n} change${n === 1 ? '' : 's'} (${files.length} written, ${deletions.length} deleted) to ${args.branch}: ${short(head)} → ${short(commit)}. Contents verified.`,
    };
  },
});

export const forkRepo = tool({
  name: 'github_fork_repo',
  title: 'Fork a repository',
  description: 'Fork to you or an organization (it appears after a moment).',
  toolset: 'repos',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    organization: z.string().optional().describe('Organization to fork into (default: you)'),
    name: z.string().optional().describe('Name of the fork'),
  },
  output: { full_name: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const owner = args.organization ?? (await t.octokit.rest.users.getAuthenticated({ request: t.request })).data.login;
    ctx.services.policy.check(`${owner}/${args.name ?? t.repo}`, args.organization ? 'organization' : 'repo');
    const { data } = await t.octokit.rest.repos.createFork({
      owner: t.owner,
      repo: t.repo,
      ...(args.organization ? { organization: args.organization } : {}),
      ...(args.name ? { name: args.name } : {}),
      request: t.request,
    });
    return { structured: { full_name: data.full_name }, text: `Forked ${t.full} to ${data.full_name}.` };
  },
});

export const createRepo = tool({
  name: 'github_create_repo',
  title: 'Create a repository',
  description: 'A new repository for you or an organization, private by default.',
  toolset: 'repos',
  access: 'write',
  openWorld: true,
  input: {
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - only')
      .describe('Repository name'),
    organization: z.string().optional().describe('Owner organization (default: you)'),
    description: z.string().optional().describe('One-line description'),
    private: z.boolean().default(true).describe('Private (default true)'),
  },
  output: { full_name: z.string(), default_branch: z.string() },
  async handler(args, ctx) {
    const { octokit, request } = { octokit: await ctx.services.octokit.get(), request: { signal: ctx.signal } };
    const owner = args.organization ?? (await octokit.rest.users.getAuthenticated({ request })).data.login;
    ctx.services.policy.check(`${owner}/${args.name}`, 'name');
    const params = {
      name: args.name,
      private: args.private, // A first commit, so the repository has a default branch the other tools can use.
      auto_init: true,
      ...(args.description ? { description: args.description } : {}),
      request,
    };
    const { data } = args.organization
      ? await octokit.rest.repos.createInOrg({ org: args.organization, ...params })
      : await octokit.rest.repos.createForAuthenticatedUser(params);
    return {
      structured: { full_name: data.full_name, default_branch: data.default_branch },
      text: `Created ${data.private ? 'private' : 'public'} repository ${data.full_name} (default branch ${data.default_branch}).`,
    };
  },
});

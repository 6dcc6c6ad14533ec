import { readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { moreSchema, resolveInside, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { CallScope, GitServices, Repository } from '../client.js';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { exists, safeRefName, safeSingleRevision } from '../validate.js';
import { change, currentBranch, headCommit, refExists, resolveCommit } from '../worktree.js';

/**
 * Linked worktrees: more working folders of one repository, each on its own branch. A worktree is
 * contained like a repository: the folder one is added in, or removed from, must be inside an
 * allowed location (the configured repositories, the clone or init root, the client's MCP roots).
 */

const worktreeSchema = z.object({
  path: z.string(),
  commit: z.string().optional(),
  branch: z.string().optional().describe('Absent when detached'),
  detached: z.boolean().optional(),
  main: z.boolean().optional().describe('The main worktree (where the .git folder is)'),
  current: z.boolean().optional().describe('The worktree this call was made in'),
  locked: z.boolean().optional(),
  prunable: z.boolean().optional().describe('Its folder is gone; git worktree prune would forget it'),
});
type Worktree = z.infer<typeof worktreeSchema>;

/** Every worktree of the repository, the main one first (`git worktree list --porcelain -z`, git ≥ 2.36). */
export async function listWorktrees(repo: Repository): Promise<Worktree[]> {
  const worktrees: Worktree[] = [];
  let current: Worktree | undefined;
  await repo.run(['worktree', 'list', '--porcelain', '-z'], {
    separator: '\0',
    onRecord(field) {
      if (field === '') {
        current = undefined; // the end of one worktree's fields
        return undefined;
      }
      const space = field.indexOf(' ');
      const [key, value] = space === -1 ? [field, ''] : [field.slice(0, space), field.slice(space + 1)];
      if (key === 'worktree') {
        current = {
          path: value,
          ...(worktrees.length === 0 ? { main: true } : {}),
          ...(value === repo.path ? { current: true } : {}),
        };
        worktrees.push(current);
      } else if (current) {
        if (key === 'HEAD') current.commit = value;
        else if (key === 'branch') current.branch = value.replace(/^refs\/heads\//, '');
        else if (key === 'detached') current.detached = true;
        else if (key === 'locked') current.locked = true;
        else if (key === 'prunable') current.prunable = true;
      }
      return worktrees.length > 10_000 ? false : undefined;
    },
  });
  return worktrees;
}

export const worktreesTool = tool({
  name: 'git_worktrees',
  title: 'List worktrees',
  description:
    "The repository's worktrees (working folders that share its history), each with its branch and commit; the main one first.",
  toolset: 'workspace',
  access: 'read',
  input: { repository: repositoryInput },
  output: { repository: z.string(), worktrees: z.array(worktreeSchema), more: moreSchema },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    return ctx.page({
      key: 'worktrees',
      fields: { repository: repo.path },
      items: await listWorktrees(repo),
      line: (w) =>
        `${w.current ? '*' : ' '} ${w.path}  ${w.commit?.slice(0, 10) ?? ''}  ${w.branch ?? '(detached)'}` +
        [w.main && 'main worktree', w.locked && 'locked', w.prunable && 'prunable (folder gone)']
          .filter(Boolean)
          .map((f) => `  (${f})`)
          .join(''),
      unit: ['worktree', 'worktrees'],
    });
  },
});

/** A worktree folder argument: resolved (relative to the repository) and proved inside an allowed location. */
async function worktreeFolder(services: GitServices, repo: Repository, ctx: CallScope, value: string, mustExist: boolean) {
  if (value.includes('\0')) throw new ToolError('contains a NUL byte.', { argument: 'path' });
  return resolveInside(await services.allowedRoots(ctx), value, 'path', { mustExist, base: repo.path });
}

export const addWorktreeTool = tool({
  name: 'git_add_worktree',
  title: 'Add a worktree',
  description:
    'Make a new working folder of this repository at path (inside an allowed location; relative to the repository) to work on another branch side by side: ' +
    'an existing branch, a new branch (create_branch=true, from base), or a detached base. Then pass the folder as `repository` to the other tools.',
  toolset: 'workspace',
  access: 'write',
  input: {
    repository: repositoryInput,
    path: z.string().min(1).max(4096).describe('The new folder, e.g. "../project-feature" (it must not exist; its parent must)'),
    branch: z
      .string()
      .max(250)
      .optional()
      .describe('Branch to check out there (one not checked out elsewhere), or to create with create_branch'),
    create_branch: z.boolean().default(false).describe('Create branch at base'),
    base: z
      .string()
      .max(256)
      .optional()
      .describe('Commit to start from (default HEAD): for a new branch, or checked out detached without branch'),
  },
  output: {
    repository: z.string().describe('The new worktree: pass it as `repository`'),
    branch: z.string().nullable(),
    commit: z.string(),
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const target = await worktreeFolder(ctx.services, repo, ctx, args.path, false);
    if (await exists(target.path)) {
      const entries = await readdir(target.path).catch(() => undefined);
      if (entries === undefined || entries.length > 0) {
        throw new ToolError(`"${args.path}" already exists.`, {
          argument: 'path',
          hint: 'Give a folder that does not exist yet.',
        });
      }
    }
    const branch = args.branch !== undefined ? safeRefName(args.branch, 'branch') : undefined;
    if (args.create_branch && !branch) {
      throw new ToolError('is required with create_branch=true.', { argument: 'branch', hint: 'Name the new branch.' });
    }
    if (branch && !args.create_branch && args.base !== undefined) {
      throw new ToolError('cannot be combined with an existing branch.', {
        argument: 'base',
        hint: 'Leave base out to check out the branch as it is, or pass create_branch=true to start a new branch at base.',
      });
    }
    let command: string[];
    if (branch && !args.create_branch) {
      if (!(await refExists(repo, `refs/heads/${branch}`))) {
        throw new ToolError(`there is no local branch named "${branch}".`, {
          argument: 'branch',
          hint: 'Pass create_branch=true to create it, or list branches with git_branches.',
        });
      }
      command = ['worktree', 'add', '--quiet', '--end-of-options', target.path, branch];
    } else {
      const start = await resolveCommit(repo, args.base !== undefined ? safeSingleRevision(args.base, 'base') : 'HEAD');
      if (branch && (await refExists(repo, `refs/heads/${branch}`))) {
        throw new ToolError(`a branch named "${branch}" already exists.`, {
          argument: 'branch',
          hint: 'Leave create_branch out to check it out, or choose another name.',
        });
      }
      command = branch
        ? ['worktree', 'add', '--quiet', '-b', branch, '--end-of-options', target.path, start]
        : ['worktree', 'add', '--quiet', '--detach', '--end-of-options', target.path, start];
    }
    await change(repo, command);
    const added = await ctx.services.open(target.path, ctx);
    const data = { repository: added.path, branch: await currentBranch(added), commit: (await headCommit(added)) ?? '' };
    return {
      structured: data,
      text: `Added worktree ${added.path} ${data.branch ? `on branch ${data.branch}` : 'with a detached HEAD'} at ${data.commit.slice(0, 10)}.`,
    };
  },
});

export const removeWorktreeTool = tool({
  name: 'git_remove_worktree',
  title: 'Remove a worktree',
  description:
    'DESTRUCTIVE: delete a linked worktree folder (not the main one) and forget it; its branch and commits stay. ' +
    'Refuses if it has uncommitted changes or untracked files unless force=true, which discards them. Call it from another worktree.',
  toolset: 'workspace',
  access: 'destructive',
  input: {
    repository: repositoryInput,
    path: z.string().min(1).max(4096).describe('The worktree folder to remove (see git_worktrees)'),
    force: z.boolean().default(false).describe('Remove it even with uncommitted changes or untracked files, discarding them'),
  },
  output: { repository: z.string(), removed: z.string(), branch: z.string().optional().describe('Its branch, kept') },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const target = await worktreeFolder(ctx.services, repo, ctx, args.path, true);
    // git records a worktree's path as it was given when added: compare real paths.
    const worktrees = await Promise.all(
      (await listWorktrees(repo)).map(async (w) => ({ ...w, path: await realpath(w.path).catch(() => w.path) })),
    );
    const found = worktrees.find((w) => w.path === target.path);
    if (!found) {
      throw new ToolError(`"${args.path}" is not a worktree of this repository.`, {
        argument: 'path',
        hint: 'List them with git_worktrees.',
      });
    }
    if (found.main) throw new ToolError('is the main worktree, which is never removed.', { argument: 'path' });
    if (found.current || target.path === repo.path || repo.path.startsWith(target.path + path.sep)) {
      throw new ToolError('is the worktree this call runs in.', {
        argument: 'path',
        hint: 'Pass another worktree of the repository (the main one) as `repository`.',
      });
    }
    // One --force at most: git then still refuses a locked worktree.
    await change(repo, ['worktree', 'remove', ...(args.force ? ['--force'] : []), '--end-of-options', target.path]);
    return {
      structured: { repository: repo.path, removed: target.path, ...(found.branch ? { branch: found.branch } : {}) },
      text: `Removed worktree ${target.path}${found.branch ? `; branch ${found.branch} is kept` : ''}.`,
    };
  },
});

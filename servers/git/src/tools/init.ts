import { readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { resolveInside, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { initRoots, switches } from '../config.js';
import { runGit } from '../exec.js';
import { tool } from '../kit.js';
import { exists, safeRefName } from '../validate.js';

export const initTool = tool({
  name: 'git_init',
  title: 'Create a repository',
  description:
    "Create a new, empty git repository in a new (or empty) folder inside the operator's init root (or clone root); the other tools can then use it. Never anywhere else.",
  toolset: 'write',
  access: 'write',
  enabled: switches.git_init,
  enabledBy: 'the operator starts the server with --init-root <folder> (or --clone-root)',
  input: {
    path: z
      .string()
      .min(1)
      .max(4096)
      .describe('The folder: a name (or path) inside the init root, e.g. "new-service"; its parent must exist'),
    initial_branch: z.string().max(250).default('main').describe('Name of the first branch (default "main")'),
  },
  output: {
    repository: z.string().describe('Path of the new repository; pass it as `repository` to the other tools'),
    branch: z.string(),
  },
  async handler(args, ctx) {
    const roots = initRoots(ctx.services.options);
    if (roots.length === 0) {
      throw new ToolError('creating repositories is not enabled on this server.', {
        hint: 'The operator enables it with --init-root <folder>.',
      });
    }
    if (args.path.includes('\0')) throw new ToolError('contains a NUL byte.', { argument: 'path' });
    const base = await realpath(roots[0] as string).catch(() => roots[0] as string);
    const target = await resolveInside(roots, args.path, 'path', { mustExist: false, base });
    if (target.path === target.root) {
      throw new ToolError(`is the ${roots.length > 1 ? 'init or clone' : 'init'} root itself.`, {
        argument: 'path',
        hint: 'Name a new folder inside it, e.g. "new-service".',
      });
    }
    if (await exists(target.path)) {
      const entries = await readdir(target.path).catch(() => undefined);
      if (entries === undefined || entries.length > 0) {
        throw new ToolError(`"${args.path}" already exists and is not an empty folder.`, {
          argument: 'path',
          hint: 'Choose a new folder name.',
        });
      }
    }
    // Not inside a repository that is itself in the root (a clone): a repository in a repository
    // is nearly always a mistake, and its files would show up as untracked in the outer one.
    const outer = await ctx.services.topLevel(path.dirname(target.path), ctx.signal);
    if (outer !== undefined && (outer === target.root || outer.startsWith(target.root + path.sep))) {
      throw new ToolError(`would be inside the repository at ${outer}.`, {
        argument: 'path',
        hint: 'Choose a folder that is not inside another repository.',
      });
    }
    const branch = safeRefName(args.initial_branch, 'initial_branch');
    // An absolute path after "--": never read as an option.
    await runGit(['init', '--quiet', `--initial-branch=${branch}`, '--', target.path], {
      cwd: target.root,
      signal: ctx.signal,
      timeout: ctx.services.options.timeout,
      maxBytes: 64 * 1024,
    });
    const repo = await ctx.services.open(target.path, ctx);
    return {
      structured: { repository: repo.path, branch },
      text: `Created an empty repository at ${repo.path} (branch ${branch}). Add files, then git_add and git_commit.`,
    };
  },
});

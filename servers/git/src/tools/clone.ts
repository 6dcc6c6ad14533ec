import path from 'node:path';
import { resolveInside, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { switches } from '../config.js';
import { runGit } from '../exec.js';
import { tool } from '../kit.js';
import { pinClone } from '../remote.js';
import { checkCloneUrl, withoutCredentials } from '../url-policy.js';
import { exists, safeRefName } from '../validate.js';
import { currentBranch, headCommit } from '../worktree.js';

const FOLDER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

export const cloneTool = tool({
  name: 'git_clone',
  title: 'Clone a repository',
  description:
    "Clone a remote repository into a new folder of the operator's clone root; the clone can then be used by every other tool. " +
    'Accepts https://, ssh://, git:// and user@host:path URLs only (no local paths or file://). depth=1 makes a shallow clone.',
  toolset: 'remote',
  access: 'write',
  openWorld: true,
  enabled: switches.git_clone,
  input: {
    url: z.string().min(1).max(2048).describe('https://, ssh://, git:// or user@host:path URL of the repository'),
    directory: z
      .string()
      .max(100)
      .optional()
      .describe('Name of the new folder inside the clone root (default: the repository name from the URL)'),
    branch: z.string().max(250).optional().describe("Branch or tag to check out (default: the remote's default branch)"),
    depth: z.number().int().min(1).max(1_000_000).optional().describe('Only this many recent commits (a shallow clone)'),
  },
  output: {
    repository: z.string().describe('Path of the new clone; pass it as `repository` to the other tools'),
    url: z.string().describe('The URL cloned, without credentials'),
    branch: z.string().nullable(),
    commit: z.string(),
  },
  async handler(args, ctx) {
    const { options } = ctx.services;
    const root = options.cloneRoot;
    if (!root)
      throw new ToolError('cloning is not enabled on this server.', {
        hint: 'The operator enables it with --clone-root <folder>.',
      });
    const source = checkCloneUrl(args.url, 'url');
    const folder = args.directory ?? source.name;
    if (!FOLDER.test(folder)) {
      throw new ToolError(`"${folder}" is not a folder name clone may create.`, {
        argument: args.directory === undefined ? 'url' : 'directory',
        hint: 'Give directory: one folder name of letters, digits, ".", "_" and "-" (not starting with "." or "-").',
      });
    }
    const branch = args.branch !== undefined ? safeRefName(args.branch, 'branch') : undefined;
    const target = await resolveInside([root], path.join(path.resolve(root), folder), 'directory', { mustExist: false });
    // lstat: a file or a symbolic link of that name is in the way as much as a folder.
    if (await exists(target.path)) {
      throw new ToolError(`"${folder}" already exists in the clone root.`, {
        argument: 'directory',
        hint: 'Choose another directory name.',
      });
    }

    // Resolve the host, check every address, and pin git to them: before git connects anywhere.
    const pin = await pinClone(ctx.services, source.url, { cwd: target.root, signal: ctx.signal, timeout: options.timeout });
    const shownUrl = withoutCredentials(source.url);
    ctx.log.info('cloning', { url: shownUrl, into: target.path });
    // Each phase (counting, receiving, resolving…) goes 0–100%; the client sees the overall share.
    const phases = ['Counting objects', 'Compressing objects', 'Receiving objects', 'Resolving deltas', 'Updating files'];
    let reached = 0;
    const report = (phase: string, percent: number) => {
      const index = phases.findIndex((p) => phase.endsWith(p));
      // Progress only ever grows; phases not in the list are not reported.
      if (index === -1 || index * 100 + percent <= reached) return;
      reached = index * 100 + percent;
      void ctx.progress(reached, phases.length * 100, `${phase.replace(/^remote: /, '')} ${percent}%`);
    };
    await ctx.progress(0, phases.length * 100, `Cloning ${shownUrl}`);
    // A failure (a branch the remote lacks, an unreachable host) is explained by the error table.
    await runGit(
      [
        ...pin.args,
        'clone',
        '--progress',
        // A local path reached through the operator's insteadOf is still copied the git way.
        '--no-local',
        '--no-recurse-submodules',
        ...(branch ? [`--branch=${branch}`] : []),
        ...(args.depth ? [`--depth=${args.depth}`] : []),
        '--',
        source.url,
        target.path,
      ],
      {
        cwd: target.root,
        signal: ctx.signal,
        timeout: options.timeout,
        maxBytes: 64 * 1024,
        onProgress: report,
        env: pin.env,
      },
    );
    const repo = await ctx.services.open(target.path, ctx);
    const head = (await headCommit(repo)) ?? '';
    const current = await currentBranch(repo);
    return {
      structured: { repository: repo.path, url: shownUrl, branch: current, commit: head },
      text: `Cloned ${shownUrl} into ${repo.path}${current ? ` (branch ${current}` : ' ('}${head ? ` at ${head.slice(0, 10)})` : ', empty)'}.`,
    };
  },
});

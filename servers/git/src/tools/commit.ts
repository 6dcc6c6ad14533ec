import { moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { insideWorktree } from '../validate.js';
import { change, currentBranch, hasStaged } from '../worktree.js';

const stagedFile = z.object({
  path: z.string(),
  status: z.string().describe('A added, M modified, D deleted, R renamed, T type changed'),
});

export const addTool = tool({
  name: 'git_add',
  title: 'Stage changes',
  description:
    'Stage files for the next commit: the given paths (new, modified or deleted; a folder stages everything in it), or every change with all=true. Returns what is staged now.',
  toolset: 'write',
  access: 'write',
  idempotent: true,
  input: {
    repository: repositoryInput,
    paths: z
      .array(z.string().min(1).max(4096))
      .max(500)
      .optional()
      .describe('Files or folders to stage, relative to the repository'),
    all: z.boolean().default(false).describe('Stage every change, untracked files included (git add -A)'),
  },
  output: {
    repository: z.string(),
    staged: z.array(stagedFile).describe('Everything staged after this call'),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const paths = args.paths ?? [];
    if (!args.all && paths.length === 0) {
      throw new ToolError('is empty.', {
        argument: 'paths',
        hint: 'Name the files to stage, or pass all=true to stage every change.',
      });
    }
    if (args.all && paths.length) {
      throw new ToolError('cannot be combined with all=true.', { argument: 'paths', hint: 'Pass either paths or all=true.' });
    }
    for (const p of paths) if (p !== '.') await insideWorktree(repo.path, p.replace(/\/+$/, '') || p, 'paths');
    await change(repo, args.all ? ['add', '-A'] : ['add', '--', ...paths]);
    const { stdout } = await repo.run(['diff', '--cached', '--name-status', '-z', '--no-ext-diff', '-M'], {
      maxBytes: 2 * 1024 * 1024,
    });
    const staged = parseNameStatus(stdout);
    return ctx.page({
      key: 'staged',
      fields: { repository: repo.path },
      items: staged,
      ...(staged.length ? { head: `Staged now (${staged.length}):` } : {}),
      line: (f) => `${f.status} ${f.path}`,
      unit: ['file', 'files'],
      empty: 'Nothing is staged (the paths had no changes).',
      hint: 'See every change with git_diff staged=true stat_only=true.',
    });
  },
});

/** `--name-status -z`: status, then one path (two for renames and copies). */
export function parseNameStatus(raw: string): Array<{ path: string; status: string }> {
  const tokens = raw.split('\0');
  const files: Array<{ path: string; status: string }> = [];
  for (let i = 0; i < tokens.length - 1; ) {
    const status = (tokens[i] ?? '').charAt(0);
    if (status === 'R' || status === 'C') {
      files.push({ status, path: tokens[i + 2] ?? '' });
      i += 3;
    } else {
      files.push({ status, path: tokens[i + 1] ?? '' });
      i += 2;
    }
  }
  return files;
}

export const commitTool = tool({
  name: 'git_commit',
  title: 'Commit staged changes',
  description:
    'Record the staged changes as a new commit on the current branch (all=true first stages changes to tracked files). Refuses an empty commit. ' +
    'Hooks run; if the repository requires signed commits and signing fails, the commit is not made.',
  toolset: 'write',
  access: 'write',
  input: {
    repository: repositoryInput,
    message: z.string().max(20_000).describe('The commit message: a subject line, optionally a blank line and a body'),
    all: z
      .boolean()
      .default(false)
      .describe('Also stage modifications and deletions of tracked files first (git commit -a); new files still need git_add'),
  },
  output: {
    repository: z.string(),
    commit: z.string().describe("The new commit's hash"),
    branch: z.string().nullable().describe('The branch it was made on; null on a detached HEAD'),
    subject: z.string(),
    files_changed: z.number(),
    insertions: z.number(),
    deletions: z.number(),
    signed: z.boolean().describe('The repository asks for signed commits (commit.gpgSign) and the commit was signed'),
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const message = args.message.trim();
    if (!message) throw new ToolError('is empty.', { argument: 'message', hint: 'Describe the change in a subject line.' });
    if (/\0/.test(message)) throw new ToolError('contains a NUL byte.', { argument: 'message' });
    const trackedChanges = args.all && (await repo.run(['diff', '--quiet', '--no-ext-diff'], { okCodes: [1] })).code === 1;
    if (!trackedChanges && !(await hasStaged(repo))) {
      throw new ToolError('nothing to commit: no changes are staged, so the commit would be empty.', {
        hint: args.all
          ? 'Stage new files with git_add first.'
          : 'Stage changes with git_add first (or pass all=true for changes to tracked files).',
      });
    }
    // The message goes through stdin (never argv), and signing is left to the repository's own
    // configuration: there is no --no-gpg-sign anywhere, so a signing failure stops the commit.
    await change(repo, ['commit', '--quiet', ...(args.all ? ['--all'] : []), '--file=-'], { input: `${message}\n` });
    // One read of the new commit: "<hash>\x1f<subject>", then its --shortstat line.
    const shown = (
      await repo.run(['show', '--shortstat', '--format=%H%x1f%s', '--no-ext-diff', '--no-textconv', 'HEAD'], { maxBytes: 8192 })
    ).stdout;
    const newline = shown.indexOf('\n');
    const [hash = '', subject = ''] = shown.slice(0, newline === -1 ? undefined : newline).split('\x1f');
    const stat = newline === -1 ? '' : shown.slice(newline);
    const count = (pattern: RegExp) => Number(pattern.exec(stat)?.[1] ?? 0);
    const signConfig = await repo.run(['config', '--bool', '--get', 'commit.gpgsign'], { okCodes: [1] });
    const data = {
      repository: repo.path,
      commit: hash,
      branch: await currentBranch(repo),
      subject,
      files_changed: count(/(\d+) files? changed/),
      insertions: count(/(\d+) insertions?/),
      deletions: count(/(\d+) deletions?/),
      signed: signConfig.stdout.trim() === 'true',
    };
    return {
      structured: data,
      text: `Committed ${hash.slice(0, 10)} on ${data.branch ?? 'a detached HEAD'}${data.signed ? ' (signed)' : ''}: ${subject}\n${data.files_changed} files changed, +${data.insertions} −${data.deletions}`,
    };
  },
});

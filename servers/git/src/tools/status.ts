import { moreSchema, section } from '@patchbay/kit';
import * as z from 'zod';
import { loadSimpleGit } from '../exec.js';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';

const fileChange = z.object({
  path: z.string(),
  status: z.string().describe('M modified, A added, D deleted, R renamed, C copied, U conflicted'),
});

/** One line of the status: its text and its entry in its section's list. */
interface Entry {
  text: string;
  data: unknown;
}

export const statusTool = tool({
  name: 'git_status',
  title: 'Working tree status',
  description:
    'Current branch, its upstream and ahead/behind counts, and the staged, unstaged, untracked and conflicted files. Start here before diffing or committing.',
  toolset: 'repository',
  access: 'read',
  input: { repository: repositoryInput },
  output: {
    repository: z.string(),
    branch: z.string().nullable().describe('null when HEAD is detached'),
    upstream: z.string().nullable(),
    ahead: z.number(),
    behind: z.number(),
    staged: z.array(fileChange),
    unstaged: z.array(fileChange),
    untracked: z.array(z.string()),
    conflicted: z.array(z.string()),
    clean: z.boolean(),
    more: moreSchema,
  },
  async handler({ repository }, ctx) {
    // The first call loads simple-git (its status parser): while git finds the repository, not after.
    const [repo] = await Promise.all([ctx.services.open(repository, ctx), loadSimpleGit()]);
    const status = await repo.simple('status', (git) => git.status());
    const staged: Entry[] = [];
    const unstaged: Entry[] = [];
    for (const file of status.files) {
      if (status.conflicted.includes(file.path) || file.index === '?') continue;
      if (file.index.trim()) staged.push(change(file.path, file.index));
      if (file.working_dir.trim()) unstaged.push(change(file.path, file.working_dir));
    }
    const conflicted = status.conflicted.map(name);
    const untracked = status.not_added.map(name);
    const branch = status.detached ? null : status.current;
    // One budget, in order of importance: a huge untracked tree (an unignored node_modules, say)
    // must not crowd out the conflicts.
    const lines = (title: string, key: string, items: Entry[]) =>
      section({ key, title, items, line: (entry: Entry) => `  ${entry.text}`, data: (entry: Entry) => entry.data });
    return ctx.page({
      sections: [
        lines('Conflicted:', 'conflicted', conflicted),
        lines('Staged:', 'staged', staged),
        lines('Unstaged:', 'unstaged', unstaged),
        lines('Untracked:', 'untracked', untracked),
      ],
      fields: {
        repository: repo.path,
        branch,
        upstream: status.tracking,
        ahead: status.ahead,
        behind: status.behind,
        clean: status.isClean(),
      },
      head: `On ${branch ?? 'a detached HEAD'}${status.tracking ? ` tracking ${status.tracking} (ahead ${status.ahead}, behind ${status.behind})` : ''}`,
      ...(status.isClean() ? { tail: 'Working tree clean.' } : {}),
      unit: ['file', 'files'],
      hint: 'List changed files by folder with git_diff stat_only=true paths=[folder] (staged=true for the index).',
    });
  },
});

function change(path: string, status: string): Entry {
  return { text: `${status} ${path}`, data: { path, status } };
}

function name(path: string): Entry {
  return { text: path, data: path };
}

import { defineTool, type ToolContext } from '@patchbay/kit';
import * as z from 'zod';
import type { GitServices } from '../client.js';
import { repositoryInput } from '../inputs.js';

const fileChange = z.object({
  path: z.string(),
  status: z.string().describe('M modified, A added, D deleted, R renamed, C copied, U conflicted'),
});

export const statusTool = defineTool({
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
  },
  async handler({ repository }, ctx: ToolContext<GitServices>) {
    const repo = await ctx.services.open(repository, ctx);
    const status = await repo.git.status();
    const staged: Array<{ path: string; status: string }> = [];
    const unstaged: Array<{ path: string; status: string }> = [];
    for (const file of status.files) {
      if (status.conflicted.includes(file.path) || file.index === '?') continue;
      if (file.index.trim()) staged.push({ path: file.path, status: file.index });
      if (file.working_dir.trim()) unstaged.push({ path: file.path, status: file.working_dir });
    }
    const data = {
      repository: repo.path,
      branch: status.detached ? null : status.current,
      upstream: status.tracking,
      ahead: status.ahead,
      behind: status.behind,
      staged,
      unstaged,
      untracked: status.not_added,
      conflicted: status.conflicted,
      clean: status.isClean(),
    };
    const lines = [
      `On ${data.branch ?? 'a detached HEAD'}${data.upstream ? ` tracking ${data.upstream} (ahead ${data.ahead}, behind ${data.behind})` : ''}`,
    ];
    const section = (title: string, items: string[]) => {
      if (items.length) lines.push(`${title}:`, ...items.map((i) => `  ${i}`));
    };
    section(
      'Staged',
      staged.map((f) => `${f.status} ${f.path}`),
    );
    section(
      'Unstaged',
      unstaged.map((f) => `${f.status} ${f.path}`),
    );
    section('Untracked', data.untracked);
    section('Conflicted', data.conflicted);
    if (data.clean) lines.push('Working tree clean.');

    // A huge untracked tree (node_modules not ignored) must not blow the budget.
    const fitted = ctx.budget.take(data.untracked, { reserve: 2048 });
    if (fitted.omitted) {
      data.untracked = fitted.items;
      lines.push(`(${fitted.omitted} more untracked files not listed)`);
    }
    return { structured: data, text: lines.join('\n') };
  },
});

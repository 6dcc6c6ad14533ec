import { defineTool, jsonSize, more, moreLine, moreSchema, type ToolContext } from '@patchbay/kit';
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
    more: moreSchema,
  },
  async handler({ repository }, ctx: ToolContext<GitServices>) {
    const repo = await ctx.services.open(repository, ctx);
    const status = await repo.simple('status', (git) => git.status());
    const staged: Array<{ path: string; status: string }> = [];
    const unstaged: Array<{ path: string; status: string }> = [];
    for (const file of status.files) {
      if (status.conflicted.includes(file.path) || file.index === '?') continue;
      if (file.index.trim()) staged.push({ path: file.path, status: file.index });
      if (file.working_dir.trim()) unstaged.push({ path: file.path, status: file.working_dir });
    }
    // Lists are fitted to the budget in order of importance (a huge untracked tree, say an
    // unignored node_modules, must not crowd out the conflicts or blow the budget).
    const meter = ctx.budget.meter(1024);
    const fit = <T>(items: T[]): T[] => {
      const kept: T[] = [];
      for (const item of items) {
        if (!meter.fits(jsonSize(item) + 1)) break;
        kept.push(item);
      }
      return kept;
    };
    const conflicted = fit(status.conflicted);
    const keptStaged = fit(staged);
    const keptUnstaged = fit(unstaged);
    const untracked = fit(status.not_added);
    const omitted =
      status.conflicted.length +
      staged.length +
      unstaged.length +
      status.not_added.length -
      (conflicted.length + keptStaged.length + keptUnstaged.length + untracked.length);
    const moreInfo = more(
      omitted,
      'List changed files by folder with git_diff stat_only=true paths=[folder] (staged=true for the index).',
    );
    const data = {
      repository: repo.path,
      branch: status.detached ? null : status.current,
      upstream: status.tracking,
      ahead: status.ahead,
      behind: status.behind,
      staged: keptStaged,
      unstaged: keptUnstaged,
      untracked,
      conflicted,
      clean: status.isClean(),
      more: moreInfo,
    };
    const lines = [
      `On ${data.branch ?? 'a detached HEAD'}${data.upstream ? ` tracking ${data.upstream} (ahead ${data.ahead}, behind ${data.behind})` : ''}`,
    ];
    const section = (title: string, items: string[]) => {
      if (items.length) lines.push(`${title}:`, ...items.map((i) => `  ${i}`));
    };
    section('Conflicted', conflicted);
    section(
      'Staged',
      keptStaged.map((f) => `${f.status} ${f.path}`),
    );
    section(
      'Unstaged',
      keptUnstaged.map((f) => `${f.status} ${f.path}`),
    );
    section('Untracked', untracked);
    if (data.clean) lines.push('Working tree clean.');
    if (moreInfo) lines.push(moreLine(moreInfo, 'files').trimStart());
    return { structured: data, text: lines.join('\n') };
  },
});

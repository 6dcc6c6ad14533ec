import { defineTool, more, moreLine, moreSchema, type ToolContext } from '@patchbay/kit';
import * as z from 'zod';
import type { GitServices } from '../client.js';
import { GitFailure } from '../exec.js';
import { repositoryInput } from '../inputs.js';
import { safeArg, safePath, safeRevision } from '../validate.js';
import { headCommit } from '../worktree.js';

const FIELD = '\x1f';
const RECORD = '\x1e';

export const logTool = defineTool({
  name: 'git_log',
  title: 'Commit history',
  description:
    'Commits as one compact line each (short hash, date, author, subject), newest first. Filter by revision or range, path, author, message text and date. Use git_show for one commit in full.',
  toolset: 'repository',
  access: 'read',
  input: {
    repository: repositoryInput,
    revision: z.string().optional().describe('Branch, tag, commit or range like main..feature (default: HEAD)'),
    max_count: z.number().int().min(1).max(500).default(30).describe('Most commits to return (1–500)'),
    skip: z.number().int().min(0).max(10_000_000).default(0).describe('Commits to skip first, for paging'),
    path: z.string().optional().describe('Only commits touching this path (relative to the repository)'),
    author: z.string().optional().describe('Only commits whose author matches this text'),
    grep: z.string().optional().describe('Only commits whose message matches this regular expression'),
    since: z.string().optional().describe('Only commits after this date (ISO 8601, or "2 weeks ago")'),
    until: z.string().optional().describe('Only commits before this date'),
  },
  output: {
    repository: z.string(),
    commits: z.array(
      z.object({
        hash: z.string(),
        date: z.string(),
        author: z.string(),
        email: z.string(),
        subject: z.string(),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx: ToolContext<GitServices>) {
    const repo = await ctx.services.open(args.repository, ctx);
    const command = [
      'log',
      `--format=%H${FIELD}%aI${FIELD}%an${FIELD}%ae${FIELD}%s${RECORD}`,
      // One more than asked, to know whether there is a next page.
      `--max-count=${args.max_count + 1}`,
      `--skip=${args.skip}`,
    ];
    if (args.author) command.push(`--author=${safeArg(args.author, 'author', 'author')}`);
    if (args.grep) command.push('--extended-regexp', `--grep=${safeArg(args.grep, 'grep', 'pattern')}`);
    if (args.since) command.push(`--since=${safeArg(args.since, 'since', 'date')}`);
    if (args.until) command.push(`--until=${safeArg(args.until, 'until', 'date')}`);
    command.push('--end-of-options', args.revision ? safeRevision(args.revision, 'revision') : 'HEAD');
    if (args.path) command.push('--', safePath(args.path, 'path'));

    let raw = '';
    try {
      raw = (await repo.run(command)).stdout;
    } catch (error) {
      // A repository without commits has an empty history, not an error.
      if (!(error instanceof GitFailure) || args.revision || (await headCommit(repo)) !== undefined) throw error;
    }
    const all = raw
      .split(RECORD)
      .map((r) => r.trim())
      .filter(Boolean)
      .map((record) => {
        const [hash = '', date = '', author = '', email = '', subject = ''] = record.split(FIELD);
        return { hash, date, author, email, subject };
      });
    const hasNext = all.length > args.max_count;
    const page = all.slice(0, args.max_count);
    const fitted = ctx.budget.take(page);
    const shown = fitted.items;
    const nextSkip = args.skip + shown.length;
    const left = fitted.omitted + (hasNext ? 1 : 0);
    const moreInfo = more(left, `Call git_log again with skip=${nextSkip} for older commits.`);
    const text =
      shown.length === 0
        ? 'No commits match.'
        : shown.map((c) => `${c.hash.slice(0, 10)} ${c.date.slice(0, 10)} ${c.author}: ${c.subject}`).join('\n') +
          moreLine(moreInfo, 'commits');
    return { structured: { repository: repo.path, commits: shown, more: moreInfo }, text };
  },
});

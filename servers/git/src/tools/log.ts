import { cursorInput, limitInput, moreSchema } from '@patchbay/kit';
import * as z from 'zod';
import { CountAhead, LOOKAHEAD } from '../count-ahead.js';
import { GitFailure } from '../exec.js';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { safeArg, safePath, safeRevision } from '../validate.js';
import { headCommit } from '../worktree.js';

const FIELD = '\x1f';

const commitSchema = z.object({
  hash: z.string(),
  date: z.string(),
  author: z.string(),
  email: z.string(),
  subject: z.string(),
});
type Commit = z.infer<typeof commitSchema>;

export const logTool = tool({
  name: 'git_log',
  title: 'Commit history',
  description:
    'Commits as one compact line each (short hash, date, author, subject), newest first. Filter by revision or range, path, author, message text and date. Use git_show for one commit in full.',
  toolset: 'repository',
  access: 'read',
  input: {
    repository: repositoryInput,
    revision: z.string().optional().describe('Branch, tag, commit or range like main..feature (default: HEAD)'),
    max_count: limitInput(30, 500, 'commits'),
    skip: z.number().int().min(0).max(10_000_000).default(0).describe('Commits to skip first'),
    path: z.string().optional().describe('Only commits touching this path (relative to the repository)'),
    author: z.string().optional().describe('Only commits whose author matches this text'),
    grep: z.string().optional().describe('Only commits whose message matches this regular expression'),
    since: z.string().optional().describe('Only commits after this date (ISO 8601, or "2 weeks ago")'),
    until: z.string().optional().describe('Only commits before this date'),
    cursor: cursorInput,
  },
  output: {
    repository: z.string(),
    commits: z.array(commitSchema),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const command = [
      'log',
      '-z',
      `--format=%H${FIELD}%aI${FIELD}%an${FIELD}%ae${FIELD}%s`,
      // git stops by itself after the page and the commits counted past it (see CountAhead).
      `--max-count=${args.max_count + LOOKAHEAD}`,
      `--skip=${args.skip + ctx.position.offset}`,
    ];
    if (args.author) command.push(`--author=${safeArg(args.author, 'author', 'author')}`);
    if (args.grep) command.push('--extended-regexp', `--grep=${safeArg(args.grep, 'grep', 'pattern')}`);
    if (args.since) command.push(`--since=${safeArg(args.since, 'since', 'date')}`);
    if (args.until) command.push(`--until=${safeArg(args.until, 'until', 'date')}`);
    command.push('--end-of-options', args.revision ? safeRevision(args.revision, 'revision') : 'HEAD');
    if (args.path) command.push('--', safePath(args.path, 'path'));

    // The page's commits, then the ones after it only counted (see CountAhead).
    const commits: Commit[] = [];
    const after = new CountAhead();
    try {
      await repo.run(command, {
        separator: '\0',
        onRecord(record) {
          if (commits.length >= args.max_count) return after.add();
          const [hash = '', date = '', author = '', email = '', subject = ''] = record.split(FIELD);
          if (hash) commits.push({ hash, date, author, email, subject });
          return undefined;
        },
      });
    } catch (error) {
      // A repository without commits has an empty history, not an error.
      if (!(error instanceof GitFailure) || args.revision || (await headCommit(repo)) !== undefined) throw error;
    }
    return ctx.page({
      key: 'commits',
      fields: { repository: repo.path },
      items: commits,
      rest: after.rest,
      limit: { argument: 'max_count', value: args.max_count },
      line: (c) => `${c.hash.slice(0, 10)} ${c.date.slice(0, 10)} ${c.author}: ${c.subject}`,
      unit: ['commit', 'commits'],
      empty: 'No commits match.',
      hint: 'Or narrow it with path, author, grep, since or until.',
    });
  },
});

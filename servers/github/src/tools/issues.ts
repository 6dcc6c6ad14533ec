import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { compact, day, labelNames, line, login, minute, words } from '../format.js';
import { tool } from '../kit.js';
import {
  bodyInput,
  cursor,
  itemList,
  limit,
  moreOutput,
  numberedPage,
  numberInput,
  perPage,
  repoFromUrl,
  repoInput,
  target,
} from '../repo.js';
import { searchPage } from '../search.js';
import { countWithheld, Quoting, withheldNote } from '../trust.js';

const loginList = z.array(z.string()).max(20);

interface IssueLike {
  number: number;
  title: string;
  state: string;
  user?: { login?: string } | null;
  labels?: Array<string | { name?: string }>;
  comments?: number;
  updated_at?: string;
  pull_request?: unknown;
  draft?: boolean;
}

/** `#12 open Crash on empty input @hubot [bug] 3 comments 2024-05-01` */
function issueLine(i: IssueLike, title: string | undefined, repo?: string): string {
  const labels = labelNames(i.labels);
  return words(
    repo ? `${repo}#${i.number}` : `#${i.number}`,
    i.pull_request ? (i.draft ? 'draft PR' : 'PR') : undefined,
    i.state,
    title,
    login(i.user) && `@${login(i.user)}`,
    labels.length > 0 && `[${labels.join(', ')}]`,
    i.comments ? `${i.comments} comment${i.comments === 1 ? '' : 's'}` : undefined,
    day(i.updated_at),
  );
}

export const listIssues = tool({
  name: 'github_list_issues',
  title: 'List issues',
  description: 'Issues (not pull requests), one line each, filtered.',
  toolset: 'issues',
  access: 'read',
  openWorld: true,
  input: {
    repo: repoInput,
    state: z.enum(['open', 'closed', 'all']).default('open').describe('Default open'),
    labels: z.array(z.string()).optional().describe('All of these labels'),
    assignee: z.string().optional().describe('Login, "none" or "*"'),
    creator: z.string().optional().describe('Login'),
    milestone: z.string().optional().describe('Milestone number, "none" or "*"'),
    since: z.string().optional().describe('Updated after (ISO 8601)'),
    sort: z.enum(['created', 'updated', 'comments']).default('created').describe('Newest/most first'),
    limit: limit(30, 500, 'issues'),
    cursor,
  },
  output: { issues: itemList, more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const quoting = new Quoting(ctx, t.full);
    const reply = await ctx.paginate({
      key: 'issues',
      unit: ['issue', 'issues'],
      limit: { argument: 'limit', value: args.limit },
      empty: `No ${args.state === 'all' ? '' : `${args.state} `}issues match in ${t.full}.`,
      line: (i) => issueLine(i, quoting.line(i.title, login(i.user), 200)),
      data: (i) =>
        compact({
          number: i.number,
          title: quoting.line(i.title, login(i.user), 200),
          state: i.state,
          author: login(i.user),
          labels: labelNames(i.labels),
          comments: i.comments,
          updated: i.updated_at,
        }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const res = await t.octokit.rest.issues.listForRepo({
            owner: t.owner,
            repo: t.repo,
            state: args.state,
            ...(args.labels?.length ? { labels: args.labels.join(',') } : {}),
            ...(args.assignee ? { assignee: args.assignee } : {}),
            ...(args.creator ? { creator: args.creator } : {}),
            ...(args.milestone ? { milestone: args.milestone } : {}),
            ...(args.since ? { since: args.since } : {}),
            sort: args.sort,
            direction: 'desc',
            per_page: perPage(args.limit),
            page,
            request: t.request,
          });
          // GitHub lists pull requests as issues too; they have their own tool.
          const items = res.data.filter((i) => !i.pull_request);
          await quoting.learn(items.map((i) => login(i.user)));
          return { items, headers: res.headers };
        }),
    });
    reply.text += withheldNote(countWithheld(reply.structured.issues, 'title'));
    return reply;
  },
});

export const searchIssues = tool({
  name: 'github_search_issues',
  title: 'Search issues and pull requests',
  description: 'Search issues and pull requests in GitHub syntax (is:open label: author: repo:…).',
  toolset: 'issues',
  access: 'read',
  openWorld: true,
  input: {
    query: z.string().describe('Search query'),
    type: z.enum(['issue', 'pr']).default('issue').describe('Issues or pull requests'),
    sort: z.enum(['comments', 'reactions', 'created', 'updated']).optional().describe('Default: best match'),
    limit: limit(30, 300, 'results'),
    cursor,
  },
  output: { query: z.string(), results: itemList, more: moreOutput },
  async handler(args, ctx) {
    // GitHub's issue search needs one of is:issue / is:pull-request in the query.
    const query = /(^|\s)is:(issue|pr|pull-request)\b/.test(args.query) ? args.query : `${args.query} is:${args.type}`;
    return searchPage(ctx, {
      key: 'results',
      unit: ['result', 'results'],
      query,
      limit: args.limit,
      sort: args.sort,
      search: (octokit, params) => octokit.rest.search.issuesAndPullRequests(params),
      repoOf: (i) => repoFromUrl(i.repository_url),
      // Search spans repositories: lockdown cannot ask each one about each author here, so under
      // --lockdown titles are shown only through the per-repository tools.
      line: (i) =>
        issueLine(i, ctx.services.lockdown ? '[title: see github_get_issue]' : line(i.title, 200), repoFromUrl(i.repository_url)),
      data: (i) =>
        compact({
          repo: repoFromUrl(i.repository_url),
          number: i.number,
          kind: i.pull_request ? 'pr' : 'issue',
          title: ctx.services.lockdown ? undefined : line(i.title, 200),
          state: i.state,
          author: login(i.user),
          updated: i.updated_at,
        }),
    });
  },
});

export const getIssue = tool({
  name: 'github_get_issue',
  title: 'Get an issue',
  description: "An issue or a pull request's conversation: details, body, sub-issues, comments (paged).",
  toolset: 'issues',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput, number: numberInput, cursor },
  output: {
    number: z.number(),
    title: z.string(),
    state: z.string(),
    body: z.string().optional(),
    comments: itemList,
    more: moreOutput,
  },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data: i } = await t.octokit.rest.issues.get({
      owner: t.owner,
      repo: t.repo,
      issue_number: args.number,
      request: t.request,
    });
    const author = login(i.user);
    const quoting = await new Quoting(ctx, t.full).learn([author]);
    const title = quoting.line(i.title, author) ?? '';
    const first = ctx.position.offset === 0 && ctx.position.state === undefined;
    let head = `${t.full}#${i.number} (comments, continued)`;
    if (first) {
      const labels = labelNames(i.labels);
      const parts = [
        words(
          `${t.full}#${i.number}`,
          i.pull_request ? 'pull request' : 'issue',
          i.state,
          i.state_reason && `(${i.state_reason})`,
          '—',
          title,
        ),
        words(
          author && `by @${author}`,
          `opened ${minute(i.created_at)}`,
          `· updated ${minute(i.updated_at)}`,
          i.closed_at && `· closed ${minute(i.closed_at)}${i.closed_by ? ` by @${i.closed_by.login}` : ''}`,
        ),
        words(
          labels.length > 0 && `labels: ${labels.join(', ')}`,
          i.assignees?.length ? `· assignees: ${i.assignees.map((a) => `@${a.login}`).join(', ')}` : undefined,
          i.milestone && `· milestone: ${i.milestone.title} (#${i.milestone.number})`,
          i.locked && '· locked',
        ),
      ];
      const subs = (i as { sub_issues_summary?: { total: number; completed: number } }).sub_issues_summary;
      if (subs && subs.total > 0) {
        const { data: children } = await t.octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
          owner: t.owner,
          repo: t.repo,
          issue_number: i.number,
          per_page: 50,
          request: t.request,
        });
        const kids = children as Array<{ number: number; state: string; title: string; user?: { login?: string } | null }>;
        await quoting.learn(kids.map((k) => login(k.user)));
        parts.push(
          `sub-issues (${subs.completed}/${subs.total} done): ${kids.map((k) => words(`#${k.number}`, k.state, quoting.line(k.title, login(k.user), 80))).join('; ')}`,
        );
      }
      parts.push(quoting.fenced(i.body, author, `Body of #${i.number} by @${author ?? 'unknown'}`) ?? '(no description)');
      if (i.comments) parts.push(`Comments (${i.comments}):`);
      head = parts.filter(Boolean).join('\n');
    }
    const commentBodies = new Map<number, string | undefined>();
    const reply = await ctx.paginate({
      key: 'comments',
      fields: compact({
        number: i.number,
        title,
        state: i.state,
        body: first ? quoting.plain(i.body, author) : undefined,
      }),
      head,
      empty: 'No comments.',
      unit: ['comment', 'comments'],
      separator: '\n\n',
      line: (c) => {
        const who = login(c.user);
        return `@${who ?? 'unknown'} ${minute(c.created_at)} (comment ${c.id}):\n${quoting.fenced(c.body, who, `Comment ${c.id} by @${who ?? 'unknown'}`) ?? '(empty)'}`;
      },
      data: (c) => compact({ id: c.id, author: login(c.user), created: c.created_at, body: commentBodies.get(c.id) }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const res = await t.octokit.rest.issues.listComments({
            owner: t.owner,
            repo: t.repo,
            issue_number: args.number,
            per_page: 100,
            page,
            request: t.request,
          });
          await quoting.learn(res.data.map((c) => login(c.user)));
          for (const c of res.data) commentBodies.set(c.id, quoting.plain(c.body, login(c.user)));
          return { items: res.data, headers: res.headers };
        }),
    });
    const withheld = countWithheld(reply.structured.comments, 'body') + (first && !quoting.allows(author) ? 1 : 0);
    reply.text += withheldNote(withheld);
    return reply;
  },
});

export const createIssue = tool({
  name: 'github_create_issue',
  title: 'Create an issue',
  description: 'Open an issue with optional labels, assignees and milestone.',
  toolset: 'issues',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    title: z.string().describe('Title'),
    body: bodyInput.optional(),
    labels: z.array(z.string()).optional().describe('Label names'),
    assignees: loginList.optional().describe('Logins'),
    milestone: z.number().optional().describe('Milestone number'),
  },
  output: { number: z.number() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.issues.create({
      owner: t.owner,
      repo: t.repo,
      title: args.title,
      ...(args.body ? { body: args.body } : {}),
      ...(args.labels ? { labels: args.labels } : {}),
      ...(args.assignees ? { assignees: args.assignees } : {}),
      ...(args.milestone !== undefined ? { milestone: args.milestone } : {}),
      request: t.request,
    });
    return { structured: { number: data.number }, text: `Created ${t.full}#${data.number}: ${data.html_url}` };
  },
});

export const updateIssue = tool({
  name: 'github_update_issue',
  title: 'Update an issue',
  description:
    'Edit title, body, labels, assignees (lists replace), milestone; or reopen. Works on pull requests. To close: github_close_issue.',
  toolset: 'issues',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    number: numberInput,
    title: z.string().optional().describe('New title'),
    body: bodyInput.optional(),
    labels: z.array(z.string()).optional().describe('The full new set of labels'),
    assignees: loginList.optional().describe('The full new set of assignees'),
    milestone: z.number().nullable().optional().describe('Milestone number; null removes it'),
    reopen: z.boolean().optional().describe('Reopen a closed issue'),
  },
  output: { number: z.number(), state: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const changes = compact({
      title: args.title,
      body: args.body,
      labels: args.labels,
      assignees: args.assignees,
      state: args.reopen ? 'open' : undefined,
    }) as Record<string, unknown>;
    if (args.labels?.length === 0) changes.labels = [];
    if (args.assignees?.length === 0) changes.assignees = [];
    if (args.milestone !== undefined) changes.milestone = args.milestone;
    if (Object.keys(changes).length === 0) {
      throw new ToolError('Nothing to change: give at least one of title, body, labels, assignees, milestone, reopen.');
    }
    const { data } = await t.octokit.rest.issues.update({
      owner: t.owner,
      repo: t.repo,
      issue_number: args.number,
      ...changes,
      request: t.request,
    });
    return {
      structured: { number: data.number, state: data.state },
      text: `Updated ${t.full}#${data.number} (${Object.keys(changes).join(', ')}); it is ${data.state}.`,
    };
  },
});

export const closeIssue = tool({
  name: 'github_close_issue',
  title: 'Close an issue or pull request',
  description: 'Close an issue or pull request (not merged), optionally commenting first.',
  toolset: 'issues',
  access: 'destructive',
  openWorld: true,
  input: {
    repo: repoInput,
    number: numberInput,
    reason: z.enum(['completed', 'not_planned', 'duplicate']).default('completed').describe('Why (issues only)'),
    comment: bodyInput.optional().describe('Comment to add before closing'),
  },
  output: { number: z.number(), state: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    if (args.comment) {
      await t.octokit.rest.issues.createComment({
        owner: t.owner,
        repo: t.repo,
        issue_number: args.number,
        body: args.comment,
        request: t.request,
      });
    }
    const { data } = await t.octokit.rest.issues.update({
      owner: t.owner,
      repo: t.repo,
      issue_number: args.number,
      state: 'closed',
      state_reason: args.reason,
      request: t.request,
    });
    return {
      structured: { number: data.number, state: data.state },
      text: `Closed ${t.full}#${data.number} as ${args.reason}${args.comment ? ', with a comment' : ''}.`,
    };
  },
});

export const addComment = tool({
  name: 'github_add_comment',
  title: 'Comment on an issue or pull request',
  description: 'Comment on an issue or pull request (line comments: github_create_review).',
  toolset: 'issues',
  access: 'write',
  openWorld: true,
  input: { repo: repoInput, number: numberInput, body: bodyInput },
  output: { id: z.number() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.issues.createComment({
      owner: t.owner,
      repo: t.repo,
      issue_number: args.number,
      body: args.body,
      request: t.request,
    });
    return { structured: { id: data.id }, text: `Commented on ${t.full}#${args.number} (comment ${data.id}).` };
  },
});

export const addSubIssue = tool({
  name: 'github_add_sub_issue',
  title: 'Add a sub-issue',
  description: 'Make one issue of the repository a sub-issue of another.',
  toolset: 'issues',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    number: numberInput.describe('Parent issue number'),
    sub_issue: numberInput.describe('Child issue number'),
  },
  output: { parent: z.number(), sub_issue: z.number() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data: child } = await t.octokit.rest.issues.get({
      owner: t.owner,
      repo: t.repo,
      issue_number: args.sub_issue,
      request: t.request,
    });
    await t.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
      owner: t.owner,
      repo: t.repo,
      issue_number: args.number,
      sub_issue_id: child.id,
      request: t.request,
    });
    return {
      structured: { parent: args.number, sub_issue: args.sub_issue },
      text: `#${args.sub_issue} is now a sub-issue of ${t.full}#${args.number}.`,
    };
  },
});

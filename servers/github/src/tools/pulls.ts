import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { compact, day, login, minute, short, words } from '../format.js';
import { tool } from '../kit.js';
import { diffPage } from '../paging.js';
import {
  bodyInput,
  cursor,
  fields,
  itemList,
  limit,
  moreOutput,
  numberedPage,
  numberInput,
  perPage,
  repoInput,
  target,
  whole,
} from '../repo.js';
import { countWithheld, Quoting, withheldNote } from '../trust.js';

const prNumber = numberInput.describe('Pull request number');

export const listPullRequests = tool({
  name: 'github_list_pull_requests',
  title: 'List pull requests',
  description: 'Pull requests, one line each (number, state, title, author, head→base).',
  toolset: 'pull_requests',
  access: 'read',
  openWorld: true,
  input: {
    repo: repoInput,
    state: z.enum(['open', 'closed', 'all']).default('open').describe('Default open'),
    head: z.string().optional().describe('Head as owner:branch'),
    base: z.string().optional().describe('Base branch'),
    sort: z.enum(['created', 'updated']).default('created').describe('Newest first'),
    limit: limit(30, 500, 'pull requests'),
    cursor,
  },
  output: { pull_requests: itemList, more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const quoting = new Quoting(ctx, t.full);
    const reply = await ctx.paginate({
      key: 'pull_requests',
      unit: ['pull request', 'pull requests'],
      limit: { argument: 'limit', value: args.limit },
      empty: `No ${args.state === 'all' ? '' : `${args.state} `}pull requests match in ${t.full}.`,
      line: (p) =>
        words(
          `#${p.number}`,
          p.merged_at ? 'merged' : p.state,
          p.draft && 'draft',
          quoting.line(p.title, login(p.user), 200),
          login(p.user) && `@${login(p.user)}`,
          `${p.head.label}→${p.base.ref}`,
          day(p.updated_at),
        ),
      data: (p) =>
        compact({
          number: p.number,
          title: quoting.line(p.title, login(p.user), 200),
          state: p.merged_at ? 'merged' : p.state,
          draft: p.draft || undefined,
          author: login(p.user),
          head: p.head.label,
          base: p.base.ref,
          updated: p.updated_at,
        }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const res = await t.octokit.rest.pulls.list({
            owner: t.owner,
            repo: t.repo,
            state: args.state,
            ...(args.head ? { head: args.head } : {}),
            ...(args.base ? { base: args.base } : {}),
            sort: args.sort,
            direction: 'desc',
            per_page: perPage(args.limit),
            page,
            request: t.request,
          });
          await quoting.learn(res.data.map((p) => login(p.user)));
          return { items: res.data, headers: res.headers };
        }),
    });
    reply.text += withheldNote(countWithheld(reply.structured.pull_requests, 'title'));
    return reply;
  },
});

export const getPullRequest = tool({
  name: 'github_get_pull_request',
  title: 'Get a pull request',
  description: 'A pull request: state, head and base SHAs, mergeability, size, reviewers, body.',
  toolset: 'pull_requests',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput, number: prNumber },
  output: {
    number: z.number(),
    state: z.string(),
    head_sha: z.string(),
    base: z.string(),
    ...fields(
      'title',
      'draft',
      'author',
      'head',
      'mergeable',
      'commits',
      'changed_files',
      'additions',
      'deletions',
      'requested_reviewers',
      'body',
    ),
  },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data: p } = await t.octokit.rest.pulls.get({
      owner: t.owner,
      repo: t.repo,
      pull_number: args.number,
      request: t.request,
    });
    const author = login(p.user);
    const quoting = await new Quoting(ctx, t.full).learn([author]);
    const state = p.merged ? 'merged' : p.state;
    const reviewers = [
      ...(p.requested_reviewers ?? []).map((r) => `@${r.login}`),
      ...(p.requested_teams ?? []).map((r) => `team ${r.slug}`),
    ];
    const structured = compact({
      number: p.number,
      title: quoting.line(p.title, author),
      state,
      draft: p.draft || undefined,
      author,
      head: p.head.label,
      head_sha: p.head.sha,
      base: p.base.ref,
      mergeable: p.mergeable,
      commits: p.commits,
      changed_files: p.changed_files,
      additions: p.additions,
      deletions: p.deletions,
      requested_reviewers: reviewers.length ? reviewers : undefined,
      body: quoting.plain(p.body, author),
    });
    const text = [
      words(`${t.full}#${p.number}`, state, p.draft && '(draft)', '—', structured.title),
      words(
        author && `by @${author}`,
        `opened ${minute(p.created_at)}`,
        `· updated ${minute(p.updated_at)}`,
        p.merged_at && `· merged ${minute(p.merged_at)} by @${login(p.merged_by)}`,
      ),
      `${p.head.label} (${short(p.head.sha)}) → ${p.base.ref} (${short(p.base.sha)})`,
      words(
        `${p.commits} commits, ${p.changed_files} files, +${p.additions} -${p.deletions}`,
        p.mergeable === null || p.mergeable === undefined
          ? '· mergeability not computed yet'
          : `· mergeable: ${p.mergeable ? 'yes' : 'no'} (${p.mergeable_state})`,
      ),
      reviewers.length ? `review requested from ${reviewers.join(', ')}` : undefined,
      `${p.comments} comments, ${p.review_comments} review comments`,
      quoting.fenced(p.body, author, `Description of #${p.number} by @${author ?? 'unknown'}`) ?? '(no description)',
      withheldNote(quoting.allows(author) ? 0 : 1).trim() || undefined,
    ]
      .filter(Boolean)
      .join('\n');
    return { structured, text };
  },
});

export const listPrFiles = tool({
  name: 'github_list_pr_files',
  title: 'List a pull request’s files',
  description: 'Files a pull request changes, with +/- counts.',
  toolset: 'pull_requests',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput, number: prNumber, cursor },
  output: { files: itemList, more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    return ctx.paginate({
      key: 'files',
      unit: ['file', 'files'],
      line: (f) =>
        words(
          f.status,
          f.previous_filename ? `${f.previous_filename} → ${f.filename}` : f.filename,
          `+${f.additions} -${f.deletions}`,
        ),
      data: (f) =>
        compact({
          path: f.filename,
          status: f.status,
          additions: f.additions,
          deletions: f.deletions,
          previous: f.previous_filename,
        }),
      hint: 'github_get_pr_diff shows the changes.',
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const res = await t.octokit.rest.pulls.listFiles({
            owner: t.owner,
            repo: t.repo,
            pull_number: args.number,
            per_page: 100,
            page,
            request: t.request,
          });
          return { items: res.data, headers: res.headers };
        }),
    });
  },
});

export const getPrDiff = tool({
  name: 'github_get_pr_diff',
  title: 'Get a pull request’s diff',
  description: "A pull request's unified diff as raw text, whole files per page.",
  toolset: 'pull_requests',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput, number: prNumber, cursor },
  output: { number: z.number(), files: itemList, total_files: z.number(), more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.pulls.get({
      owner: t.owner,
      repo: t.repo,
      pull_number: args.number,
      mediaType: { format: 'diff' },
      request: t.request,
    });
    return diffPage(ctx, { diff: String(data), label: `Diff of ${t.full}#${args.number}`, fields: { number: args.number } });
  },
});

export const listReviews = tool({
  name: 'github_list_reviews',
  title: 'List reviews or review comments',
  description: "A pull request's reviews, or with comments=true its line comments.",
  toolset: 'pull_requests',
  access: 'read',
  openWorld: true,
  input: {
    repo: repoInput,
    number: prNumber,
    comments: z.boolean().default(false).describe('Line comments instead of reviews'),
    cursor,
  },
  output: { items: itemList, more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const quoting = new Quoting(ctx, t.full);
    const common = { owner: t.owner, repo: t.repo, pull_number: args.number, per_page: 100, request: t.request };
    const reply = args.comments
      ? await ctx.paginate({
          key: 'items',
          unit: ['comment', 'comments'],
          separator: '\n\n',
          empty: `${t.full}#${args.number} has no review comments.`,
          line: (c) =>
            [
              words(
                `${c.path}:${c.line ?? c.original_line ?? '?'}`,
                `@${login(c.user) ?? 'unknown'}`,
                minute(c.created_at),
                `(comment ${c.id}${c.in_reply_to_id ? `, reply to ${c.in_reply_to_id}` : ''})`,
              ),
              quoting.fenced(c.body, login(c.user), `Review comment ${c.id} by @${login(c.user) ?? 'unknown'}`),
            ]
              .filter(Boolean)
              .join('\n'),
          data: (c) =>
            compact({
              id: c.id,
              path: c.path,
              line: c.line ?? c.original_line,
              author: login(c.user),
              reply_to: c.in_reply_to_id,
              created: c.created_at,
              body: quoting.plain(c.body, login(c.user)),
            }),
          fetch: (token?: number) =>
            numberedPage(token, async (page) => {
              const res = await t.octokit.rest.pulls.listReviewComments({ ...common, page });
              await quoting.learn(res.data.map((c) => login(c.user)));
              return { items: res.data, headers: res.headers };
            }),
        })
      : await ctx.paginate({
          key: 'items',
          unit: ['review', 'reviews'],
          separator: '\n\n',
          empty: `${t.full}#${args.number} has no reviews.`,
          line: (r) =>
            [
              words(
                `@${login(r.user) ?? 'unknown'}`,
                r.state,
                r.commit_id && `at ${short(r.commit_id)}`,
                minute(r.submitted_at),
                `(review ${r.id})`,
              ),
              quoting.fenced(r.body, login(r.user), `Review ${r.id} by @${login(r.user) ?? 'unknown'}`),
            ]
              .filter(Boolean)
              .join('\n'),
          data: (r) =>
            compact({
              id: r.id,
              author: login(r.user),
              state: r.state,
              commit: r.commit_id,
              submitted: r.submitted_at,
              body: quoting.plain(r.body, login(r.user)),
            }),
          fetch: (token?: number) =>
            numberedPage(token, async (page) => {
              const res = await t.octokit.rest.pulls.listReviews({ ...common, page });
              await quoting.learn(res.data.map((r) => login(r.user)));
              return { items: res.data, headers: res.headers };
            }),
        });
    reply.text += withheldNote(countWithheld(reply.structured.items, 'body'));
    return reply;
  },
});

export const getChecks = tool({
  name: 'github_get_checks',
  title: 'Get check and status results',
  description: "CI of a commit or a pull request's head: check runs and statuses, with a verdict.",
  toolset: 'pull_requests',
  access: 'read',
  openWorld: true,
  input: {
    repo: repoInput,
    ref: z.string().optional().describe('SHA, branch or tag'),
    number: prNumber.optional().describe('Or a pull request number (its head)'),
  },
  output: { sha: z.string(), state: z.string(), checks: itemList, statuses: itemList },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    if (!args.ref && !args.number) throw new ToolError('Give ref or number.', { argument: 'ref' });
    const ref =
      args.ref ??
      (await t.octokit.rest.pulls.get({ owner: t.owner, repo: t.repo, pull_number: args.number as number, request: t.request }))
        .data.head.sha;
    const [runs, combined] = await Promise.all([
      t.octokit.rest.checks.listForRef({ owner: t.owner, repo: t.repo, ref, per_page: 100, request: t.request }),
      t.octokit.rest.repos.getCombinedStatusForRef({ owner: t.owner, repo: t.repo, ref, per_page: 100, request: t.request }),
    ]);
    const checks = runs.data.check_runs.map((r) =>
      compact({
        name: r.name,
        status: r.status,
        conclusion: r.conclusion,
        title: r.output?.title ?? undefined,
        completed: r.completed_at,
      }),
    );
    const statuses = combined.data.statuses.map((s) =>
      compact({ context: s.context, state: s.state, description: s.description }),
    );
    const failing = checks.filter((c) => ['failure', 'timed_out', 'cancelled', 'action_required'].includes(String(c.conclusion)));
    const pending = checks.filter((c) => c.status !== 'completed');
    const statusBad = statuses.filter((s) => s.state === 'failure' || s.state === 'error');
    const statusPending = statuses.filter((s) => s.state === 'pending');
    const state =
      failing.length || statusBad.length
        ? 'failure'
        : pending.length || statusPending.length
          ? 'pending'
          : checks.length || statuses.length
            ? 'success'
            : 'none';
    const lines = [
      `${t.full}@${short(combined.data.sha)}: ${state} — ${checks.length} check runs (${failing.length} failing, ${pending.length} pending), ${statuses.length} statuses`,
      ...checks.map((c) => words('check', c.name, c.status === 'completed' ? c.conclusion : c.status, c.title && `— ${c.title}`)),
      ...statuses.map((s) => words('status', s.context, s.state, s.description && `— ${s.description}`)),
    ];
    if (runs.data.total_count > checks.length) lines.push(`(${runs.data.total_count - checks.length} more check runs not shown)`);
    return { structured: { sha: combined.data.sha, state, checks, statuses }, text: lines.join('\n') };
  },
});

export const createPullRequest = tool({
  name: 'github_create_pull_request',
  title: 'Open a pull request',
  description: 'Open a pull request from head into base.',
  toolset: 'pull_requests',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    title: z.string().describe('Title'),
    head: z.string().describe('Branch with the changes (owner:branch from a fork)'),
    base: z.string().describe('Branch to merge into'),
    body: bodyInput.optional(),
    draft: z.boolean().optional().describe('Open as a draft'),
  },
  output: { number: z.number() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.pulls.create({
      owner: t.owner,
      repo: t.repo,
      title: args.title,
      head: args.head,
      base: args.base,
      ...(args.body ? { body: args.body } : {}),
      ...(args.draft !== undefined ? { draft: args.draft } : {}),
      request: t.request,
    });
    return {
      structured: { number: data.number },
      text: `Opened ${t.full}#${data.number} (${args.head} → ${args.base}): ${data.html_url}`,
    };
  },
});

export const updatePullRequest = tool({
  name: 'github_update_pull_request',
  title: 'Update a pull request',
  description: 'Edit title, body, base, or reopen. To close: github_close_issue; to merge: github_merge_pull_request.',
  toolset: 'pull_requests',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    number: prNumber,
    title: z.string().optional().describe('New title'),
    body: bodyInput.optional(),
    base: z.string().optional().describe('New base branch'),
    reopen: z.boolean().optional().describe('Reopen a closed pull request'),
  },
  output: { number: z.number(), state: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const changes = compact({
      title: args.title,
      body: args.body,
      base: args.base,
      state: args.reopen ? ('open' as const) : undefined,
    });
    if (Object.keys(changes).length === 0) {
      throw new ToolError('Nothing to change: give at least one of title, body, base, reopen.');
    }
    const { data } = await t.octokit.rest.pulls.update({
      owner: t.owner,
      repo: t.repo,
      pull_number: args.number,
      ...changes,
      request: t.request,
    });
    return {
      structured: { number: data.number, state: data.state },
      text: `Updated ${t.full}#${data.number} (${Object.keys(changes).join(', ')}); it is ${data.state}.`,
    };
  },
});

export const mergePullRequest = tool({
  name: 'github_merge_pull_request',
  title: 'Merge a pull request',
  description: 'Merge, squash or rebase a pull request, only if its head is still the sha you reviewed.',
  toolset: 'pull_requests',
  access: 'destructive',
  openWorld: true,
  input: {
    repo: repoInput,
    number: prNumber,
    sha: z
      .string()
      .regex(/^[0-9a-f]{40}$/, 'must be the full 40-character head sha')
      .describe('Head sha you reviewed (github_get_pull_request)'),
    method: z.enum(['merge', 'squash', 'rebase']).default('merge').describe('Default merge'),
    title: z.string().optional().describe('Commit title'),
    message: z.string().optional().describe('Commit message'),
  },
  output: { merged: z.boolean(), sha: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.pulls.merge({
      owner: t.owner,
      repo: t.repo,
      pull_number: args.number,
      sha: args.sha,
      merge_method: args.method,
      ...(args.title ? { commit_title: args.title } : {}),
      ...(args.message ? { commit_message: args.message } : {}),
      request: t.request,
    });
    return {
      structured: { merged: data.merged, sha: data.sha },
      text: data.merged ? `Merged ${t.full}#${args.number} (${args.method}): ${short(data.sha)}.` : `Not merged: ${data.message}`,
    };
  },
});

export const requestReviewers = tool({
  name: 'github_request_reviewers',
  title: 'Request reviewers',
  description: 'Ask people or teams to review a pull request.',
  toolset: 'pull_requests',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    number: prNumber,
    reviewers: z.array(z.string()).default([]).describe('Logins'),
    teams: z.array(z.string()).default([]).describe('Team slugs'),
  },
  output: { requested: z.array(z.string()) },
  async handler(args, ctx) {
    if (args.reviewers.length === 0 && args.teams.length === 0)
      throw new ToolError('Name at least one reviewer or team.', { argument: 'reviewers' });
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.pulls.requestReviewers({
      owner: t.owner,
      repo: t.repo,
      pull_number: args.number,
      reviewers: args.reviewers,
      team_reviewers: args.teams,
      request: t.request,
    });
    const requested = [
      ...(data.requested_reviewers ?? []).map((r) => r.login),
      ...(data.requested_teams ?? []).map((r) => `team ${r.slug}`),
    ];
    return {
      structured: { requested },
      text: `Review of ${t.full}#${args.number} requested from ${requested.join(', ') || 'nobody'}.`,
    };
  },
});

export const createReview = tool({
  name: 'github_create_review',
  title: 'Review a pull request',
  description: 'A review with line comments. Without event it stays pending for github_submit_review.',
  toolset: 'pull_requests',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    number: prNumber,
    event: z.enum(['APPROVE', 'REQUEST_CHANGES', 'COMMENT']).optional().describe('Verdict; omit for a pending review'),
    body: bodyInput.optional(),
    sha: z.string().optional().describe('Commit reviewed (default: head)'),
    comments: z
      .array(
        z.object({
          path: z.string().describe('File path'),
          line: whole().describe('Line in the diff’s new (RIGHT) or old (LEFT) file'),
          side: z.enum(['LEFT', 'RIGHT']).default('RIGHT').describe('LEFT for a deleted line'),
          start_line: whole().optional().describe('First line of a multi-line comment'),
          body: bodyInput,
        }),
      )
      .max(100)
      .default([])
      .describe('Line comments'),
  },
  output: { id: z.number(), state: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.pulls.createReview({
      owner: t.owner,
      repo: t.repo,
      pull_number: args.number,
      ...(args.event ? { event: args.event } : {}),
      ...(args.body ? { body: args.body } : {}),
      ...(args.sha ? { commit_id: args.sha } : {}),
      comments: args.comments.map((c) => ({
        path: c.path,
        line: c.line,
        side: c.side,
        body: c.body,
        ...(c.start_line ? { start_line: c.start_line, start_side: c.side } : {}),
      })),
      request: t.request,
    });
    return {
      structured: { id: data.id, state: data.state },
      text: `Review ${data.id} on ${t.full}#${args.number}: ${data.state}${args.comments.length ? `, ${args.comments.length} line comments` : ''}.`,
    };
  },
});

export const submitReview = tool({
  name: 'github_submit_review',
  title: 'Submit a pending review',
  description: 'Submit a pending review with its verdict.',
  toolset: 'pull_requests',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    number: prNumber,
    review_id: z.number().describe('Pending review id'),
    event: z.enum(['APPROVE', 'REQUEST_CHANGES', 'COMMENT']).describe('Verdict'),
    body: bodyInput.optional(),
  },
  output: { id: z.number(), state: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.pulls.submitReview({
      owner: t.owner,
      repo: t.repo,
      pull_number: args.number,
      review_id: args.review_id,
      event: args.event,
      ...(args.body ? { body: args.body } : {}),
      request: t.request,
    });
    return {
      structured: { id: data.id, state: data.state },
      text: `Review ${data.id} on ${t.full}#${args.number} submitted: ${data.state}.`,
    };
  },
});

export const updatePrBranch = tool({
  name: 'github_update_pr_branch',
  title: 'Update a pull request branch',
  description: "Merge the base branch into a pull request's branch.",
  toolset: 'pull_requests',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    number: prNumber,
    expected_head_sha: z.string().optional().describe('Refuse unless the head is this sha'),
  },
  output: { message: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.pulls.updateBranch({
      owner: t.owner,
      repo: t.repo,
      pull_number: args.number,
      ...(args.expected_head_sha ? { expected_head_sha: args.expected_head_sha } : {}),
      request: t.request,
    });
    return {
      structured: { message: data.message ?? 'Updating' },
      text: `${t.full}#${args.number}: ${data.message ?? 'updating the branch'}.`,
    };
  },
});

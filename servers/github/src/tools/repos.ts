import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { isBinary, size } from '../blob.js';
import { INLINE_LIMIT, readContents, readRaw, resourceLink } from '../files.js';
import { compact, day, fencedBody, line, login, short, words } from '../format.js';
import { tool } from '../kit.js';
import { diffPage, fencedTextPage } from '../paging.js';
import {
  cursor,
  fields,
  itemList,
  limit,
  moreOutput,
  numberedPage,
  pathInput,
  perPage,
  refInput,
  repoInput,
  target,
  whole,
} from '../repo.js';
import { searchPage } from '../search.js';

export const getRepo = tool({
  name: 'github_get_repo',
  title: 'Get a repository',
  description: 'A repository: description, visibility, default branch, language, topics, counts, your permission.',
  toolset: 'repos',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput },
  output: {
    full_name: z.string(),
    default_branch: z.string(),
    private: z.boolean(),
    ...fields(
      'description',
      'fork',
      'parent',
      'archived',
      'language',
      'topics',
      'stars',
      'forks',
      'open_issues',
      'pushed',
      'permission',
    ),
  },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data: r } = await t.octokit.rest.repos.get({ owner: t.owner, repo: t.repo, request: t.request });
    const permission = r.permissions
      ? r.permissions.admin
        ? 'admin'
        : r.permissions.push
          ? 'write'
          : r.permissions.triage
            ? 'triage'
            : 'read'
      : undefined;
    const structured = compact({
      full_name: r.full_name,
      description: line(r.description),
      private: r.private,
      fork: r.fork || undefined,
      parent: r.parent?.full_name,
      archived: r.archived || undefined,
      default_branch: r.default_branch,
      language: r.language,
      topics: r.topics,
      stars: r.stargazers_count,
      forks: r.forks_count,
      open_issues: r.open_issues_count,
      pushed: day(r.pushed_at),
      permission,
    });
    const text = [
      words(
        r.full_name,
        r.private ? '(private)' : '(public)',
        r.archived && 'archived',
        r.fork && `fork of ${r.parent?.full_name ?? '?'}`,
      ),
      structured.description,
      words(
        `default branch ${r.default_branch}`,
        r.language && `· ${r.language}`,
        `· ${r.stargazers_count} stars · ${r.forks_count} forks · ${r.open_issues_count} open issues and PRs`,
      ),
      r.topics?.length ? `topics: ${r.topics.join(', ')}` : undefined,
      words(structured.pushed && `last push ${structured.pushed}`, permission && `· your permission: ${permission}`),
    ]
      .filter(Boolean)
      .join('\n');
    return { structured, text };
  },
});

export const getFile = tool({
  name: 'github_get_file',
  title: 'Read a file or directory',
  description:
    "A file at a ref (or lines start_line–end_line), or a directory's entries. Gives the blob sha github_write_file needs. Binary or over 1 MB: a resource link unless lines are asked.",
  toolset: 'repos',
  access: 'read',
  openWorld: true,
  input: {
    repo: repoInput,
    path: pathInput.default(''),
    ref: refInput,
    start_line: whole().optional().describe('First line to return'),
    end_line: whole().optional().describe('Last line to return'),
    cursor,
  },
  output: {
    path: z.string(),
    sha: z.string().optional(),
    size: z.number().optional(),
    text: z.string().optional(),
    start_line: z.number().optional(),
    end_line: z.number().optional(),
    entries: itemList.optional(),
    more: moreOutput,
  },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    if (args.start_line && args.end_line && args.end_line < args.start_line) {
      throw new ToolError(`is before start_line (${args.start_line}).`, { argument: 'end_line' });
    }
    const ranged = args.start_line !== undefined || args.end_line !== undefined;
    const contents = await readContents(t, args.path, args.ref, ranged);
    const where = `${t.full}:${args.path || '/'}${args.ref ? `@${args.ref}` : ''}`;
    if (contents.kind === 'dir') {
      return ctx.page({
        key: 'entries',
        items: contents.entries.slice(ctx.position.offset),
        fields: { path: args.path },
        head: `${where} (directory, ${contents.entries.length} entries)`,
        empty: `${where} is an empty directory.`,
        unit: ['entry', 'entries'],
        line: (e) =>
          e.type === 'dir' ? `${e.name}/` : e.type === 'file' ? `${e.name} ${size(e.size)}` : `${e.name} (${e.type})`,
        data: (e) => ({ name: e.name, type: e.type, ...(e.type === 'file' ? { size: e.size } : {}) }),
      });
    }
    if (contents.kind === 'other') {
      const what = contents.target ? `${contents.type} to ${contents.target}` : contents.type;
      return { structured: { path: contents.path }, text: `${where} is a ${what}.` };
    }
    const meta = { path: contents.path, sha: contents.sha, size: contents.size };
    const metaLine = `${where} (blob ${contents.sha}, ${size(contents.size)})`;
    let bytes = contents.bytes;
    if (!bytes && contents.size > INLINE_LIMIT && !ranged) {
      return {
        structured: meta,
        text: `${metaLine}: too big to show whole (over 1 MB). Ask for a line range with start_line/end_line, or read the linked resource.`,
        content: [resourceLink(t.full, contents.path, args.ref, contents.size)],
      };
    }
    bytes ??= await readRaw(t, contents.path, args.ref);
    if (isBinary(bytes)) {
      return {
        structured: meta,
        text: `${metaLine}: binary, not shown. The linked resource has its bytes.`,
        content: [resourceLink(t.full, contents.path, args.ref, contents.size)],
      };
    }
    let text = bytes.toString('utf8');
    const lines = text.split('\n');
    const total = lines.length - (text.endsWith('\n') ? 1 : 0);
    let first = 1;
    if (ranged) {
      first = args.start_line ?? 1;
      const last = Math.min(args.end_line ?? total, total);
      if (first > total) {
        throw new ToolError(`is past the end of the file (${total} lines).`, { argument: 'start_line' });
      }
      text = `${lines.slice(first - 1, last).join('\n')}\n`;
    }
    return fencedTextPage(ctx, {
      text,
      label: `${metaLine}, ${ranged ? `lines ${first}–${Math.min(args.end_line ?? total, total)} of ${total}` : `${total} lines`}`,
      firstLine: first,
      fields: meta,
      hint: 'Or ask for a line range.',
    });
  },
});

export const listTree = tool({
  name: 'github_list_tree',
  title: 'List files',
  description: 'All files under a path at a ref, recursively, with sizes.',
  toolset: 'repos',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput, ref: refInput, path: pathInput.optional(), cursor },
  output: { ref: z.string(), entries: itemList, more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const ref =
      args.ref ?? (await t.octokit.rest.repos.get({ owner: t.owner, repo: t.repo, request: t.request })).data.default_branch;
    const { data } = await t.octokit.rest.git.getTree({
      owner: t.owner,
      repo: t.repo,
      tree_sha: ref,
      recursive: 'true',
      request: t.request,
    });
    const prefix = args.path ? `${args.path.replace(/^\/+|\/+$/g, '')}/` : '';
    const entries = data.tree.filter((e) => (e.path ?? '').startsWith(prefix));
    return ctx.page({
      key: 'entries',
      items: entries.slice(ctx.position.offset),
      fields: { ref },
      head: `${t.full}@${ref}${prefix ? ` under ${prefix}` : ''}: ${entries.length} entries${data.truncated ? ' (GitHub truncated the tree: narrow with path)' : ''}`,
      unit: ['entry', 'entries'],
      line: (e) =>
        e.type === 'tree' ? `${e.path}/` : e.type === 'commit' ? `${e.path} (submodule)` : `${e.path} ${size(e.size ?? 0)}`,
      data: (e) => compact({ path: e.path, type: e.type === 'tree' ? 'dir' : e.type === 'blob' ? 'file' : e.type, size: e.size }),
      hint: 'Or narrow with path.',
    });
  },
});

export const listRefs = tool({
  name: 'github_list_refs',
  title: 'List branches or tags',
  description: 'Branches (protected ones marked) or tags, each with its commit.',
  toolset: 'repos',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput, tags: z.boolean().default(false).describe('Tags instead of branches'), cursor },
  output: { refs: itemList, more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const unit = args.tags ? (['tag', 'tags'] as const) : (['branch', 'branches'] as const);
    return ctx.paginate({
      key: 'refs',
      unit,
      empty: `${t.full} has no ${unit[1]}.`,
      line: (r: Ref) => words(r.name, short(r.commit.sha), r.protected && '(protected)'),
      data: (r: Ref) => compact({ name: r.name, sha: r.commit.sha, protected: r.protected || undefined }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const params = { owner: t.owner, repo: t.repo, per_page: 100, page, request: t.request };
          const res = args.tags ? await t.octokit.rest.repos.listTags(params) : await t.octokit.rest.repos.listBranches(params);
          return { items: res.data as Ref[], headers: res.headers };
        }),
    });
  },
});

interface Ref {
  name: string;
  commit: { sha: string };
  protected?: boolean;
}

export const listCommits = tool({
  name: 'github_list_commits',
  title: 'List commits',
  description: 'Commits, newest first, one line each. Filter by ref, path, author, since.',
  toolset: 'repos',
  access: 'read',
  openWorld: true,
  input: {
    repo: repoInput,
    ref: refInput,
    path: pathInput.optional().describe('Only commits touching this path'),
    author: z.string().optional().describe('Login or email'),
    since: z.string().optional().describe('ISO 8601 date'),
    limit: limit(30, 500, 'commits'),
    cursor,
  },
  output: { commits: itemList, more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    return ctx.paginate({
      key: 'commits',
      unit: ['commit', 'commits'],
      limit: { argument: 'limit', value: args.limit },
      line: (c) =>
        words(
          short(c.sha),
          day(c.commit.author?.date),
          login(c.author) ? `@${login(c.author)}` : c.commit.author?.name,
          line(c.commit.message.split('\n')[0], 200),
        ),
      data: (c) =>
        compact({
          sha: c.sha,
          date: c.commit.author?.date,
          author: login(c.author) ?? c.commit.author?.name,
          subject: line(c.commit.message.split('\n')[0], 200),
        }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const res = await t.octokit.rest.repos.listCommits({
            owner: t.owner,
            repo: t.repo,
            ...(args.ref ? { sha: args.ref } : {}),
            ...(args.path ? { path: args.path } : {}),
            ...(args.author ? { author: args.author } : {}),
            ...(args.since ? { since: args.since } : {}),
            per_page: perPage(args.limit),
            page,
            request: t.request,
          });
          return { items: res.data, headers: res.headers };
        }),
    });
  },
});

export const getCommit = tool({
  name: 'github_get_commit',
  title: 'Get a commit',
  description: 'A commit: message, author, parents, changed files (paged); diff=true for its unified diff.',
  toolset: 'repos',
  access: 'read',
  openWorld: true,
  input: {
    repo: repoInput,
    ref: z.string().describe('Commit SHA, branch or tag'),
    diff: z.boolean().default(false).describe('Unified diff instead of the file list'),
    cursor,
  },
  output: { sha: z.string(), files: itemList, total_files: z.number().optional(), more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data: c } = await t.octokit.rest.repos.getCommit({
      owner: t.owner,
      repo: t.repo,
      ref: args.ref,
      per_page: 1,
      request: t.request,
    });
    const subject = `commit ${c.sha} in ${t.full}`;
    if (args.diff) {
      const { data } = await t.octokit.rest.repos.getCommit({
        owner: t.owner,
        repo: t.repo,
        ref: c.sha,
        mediaType: { format: 'diff' },
        request: t.request,
      });
      return diffPage(ctx, { diff: String(data), label: `Diff of ${subject}`, fields: { sha: c.sha } });
    }
    const author = login(c.author) ?? c.commit.author?.name;
    const head =
      ctx.position.offset === 0 && ctx.position.state === undefined
        ? [
            words(subject, `by ${author}`, c.commit.author?.date && `on ${c.commit.author.date}`),
            `parents: ${c.parents.map((p) => short(p.sha)).join(', ') || 'none'}${c.stats ? ` · +${c.stats.additions} -${c.stats.deletions}` : ''}`,
            fencedMessage(c.commit.message, `Message of ${short(c.sha)}`),
          ].join('\n')
        : `Files of ${subject} (continued)`;
    return ctx.paginate({
      key: 'files',
      fields: { sha: c.sha },
      head,
      unit: ['file', 'files'],
      line: (f) =>
        words(
          statusLetter(f.status),
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
      hint: 'diff=true shows the changes themselves.',
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const res = await t.octokit.rest.repos.getCommit({
            owner: t.owner,
            repo: t.repo,
            ref: c.sha,
            page,
            request: t.request,
          });
          return { items: res.data.files ?? [], headers: res.headers };
        }),
    });
  },
});

export const compare = tool({
  name: 'github_compare',
  title: 'Compare two refs',
  description: 'Unified diff of base...head (from their merge base), whole files per page.',
  toolset: 'repos',
  access: 'read',
  openWorld: true,
  input: {
    repo: repoInput,
    base: z.string().describe('Base branch, tag or SHA'),
    head: z.string().describe('Head branch, tag or SHA (owner:branch for a fork)'),
    cursor,
  },
  output: { base: z.string(), head: z.string(), files: itemList, total_files: z.number(), more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.repos.compareCommitsWithBasehead({
      owner: t.owner,
      repo: t.repo,
      basehead: `${args.base}...${args.head}`,
      mediaType: { format: 'diff' },
      request: t.request,
    });
    return diffPage(ctx, {
      diff: String(data),
      label: `Diff of ${t.full} ${args.base}...${args.head}`,
      fields: { base: args.base, head: args.head },
    });
  },
});

export const searchCode = tool({
  name: 'github_search_code',
  title: 'Search code',
  description: 'Files matching a code search (GitHub syntax: words, repo:, path:, language:).',
  toolset: 'repos',
  access: 'read',
  openWorld: true,
  input: {
    query: z.string().describe('Search query'),
    cursor,
  },
  output: { query: z.string(), files: itemList, more: moreOutput },
  async handler(args, ctx) {
    return searchPage(ctx, {
      key: 'files',
      unit: ['file', 'files'],
      query: args.query,
      search: (octokit, params) => octokit.rest.search.code(params),
      repoOf: (f) => f.repository.full_name,
      line: (f) => `${f.repository.full_name}:${f.path}`,
      data: (f) => ({ repo: f.repository.full_name, path: f.path, sha: f.sha }),
    });
  },
});

function statusLetter(status: string): string {
  return (
    (
      { added: 'A', removed: 'D', modified: 'M', renamed: 'R', copied: 'C', changed: 'T', unchanged: '=' } as Record<
        string,
        string
      >
    )[status] ?? status
  );
}

function fencedMessage(message: string, label: string): string {
  // Commit messages are written by whoever made the commit: data, not instructions.
  return fencedBody(message, label) ?? '(no message)';
}

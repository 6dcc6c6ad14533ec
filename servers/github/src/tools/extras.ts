/** The small opt-in toolsets: releases, notifications, gists, labels. */
import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { compact, day, fencedBody, line, login, minute, words } from '../format.js';
import { tool } from '../kit.js';
import {
  bodyInput,
  checkReached,
  client,
  cursor,
  fields,
  itemList,
  limit,
  moreOutput,
  numberedPage,
  perPage,
  repoInput,
  target,
} from '../repo.js';
import { Quoting } from '../trust.js';

// ---- releases ------------------------------------------------------------------------------

export const listReleases = tool({
  name: 'github_list_releases',
  title: 'List releases',
  description: 'Releases newest first: tag, name, draft/prerelease, date.',
  toolset: 'releases',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput, limit: limit(30, 300, 'releases'), cursor },
  output: { releases: itemList, more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    return ctx.paginate({
      key: 'releases',
      unit: ['release', 'releases'],
      limit: { argument: 'limit', value: args.limit },
      line: (r) =>
        words(
          r.tag_name,
          r.name !== r.tag_name && line(r.name, 100),
          r.draft && 'draft',
          r.prerelease && 'prerelease',
          day(r.published_at ?? r.created_at),
        ),
      data: (r) =>
        compact({
          id: r.id,
          tag: r.tag_name,
          name: line(r.name, 100),
          draft: r.draft || undefined,
          prerelease: r.prerelease || undefined,
          published: r.published_at,
        }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const res = await t.octokit.rest.repos.listReleases({
            owner: t.owner,
            repo: t.repo,
            per_page: perPage(args.limit),
            page,
            request: t.request,
          });
          return { items: res.data, headers: res.headers };
        }),
    });
  },
});

export const getRelease = tool({
  name: 'github_get_release',
  title: 'Get a release',
  description: 'One release by tag (default: the latest): notes and assets.',
  toolset: 'releases',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput, tag: z.string().optional().describe('Tag (default: latest release)') },
  output: { tag: z.string(), assets: itemList, ...fields('name', 'author', 'published', 'body') },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data: r } = args.tag
      ? await t.octokit.rest.repos.getReleaseByTag({ owner: t.owner, repo: t.repo, tag: args.tag, request: t.request })
      : await t.octokit.rest.repos.getLatestRelease({ owner: t.owner, repo: t.repo, request: t.request });
    const author = login(r.author);
    const quoting = await new Quoting(ctx, t.full).learn([author]);
    const assets = r.assets.map((a) => ({ name: a.name, size: a.size, downloads: a.download_count }));
    return {
      structured: {
        ...compact({
          tag: r.tag_name,
          name: line(r.name, 100),
          author,
          published: r.published_at,
          body: quoting.plain(r.body, author),
        }),
        assets,
      },
      text: [
        words(
          `${t.full} ${r.tag_name}`,
          line(r.name, 100) && `— ${line(r.name, 100)}`,
          r.draft && '(draft)',
          r.prerelease && '(prerelease)',
        ),
        words(
          author && `by @${author}`,
          r.published_at && `published ${minute(r.published_at)}`,
          `· target ${r.target_commitish}`,
        ),
        quoting.fenced(r.body, author, `Notes of ${r.tag_name}`) ?? '(no notes)',
        assets.length
          ? `Assets: ${assets.map((a) => `${a.name} (${a.size} B, ${a.downloads} downloads)`).join(', ')}`
          : 'No assets.',
      ].join('\n'),
    };
  },
});

export const createRelease = tool({
  name: 'github_create_release',
  title: 'Create a release',
  description: 'Publish (or draft) a release for a tag, creating the tag at target if it does not exist.',
  toolset: 'releases',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    tag: z.string().describe('Tag name'),
    target: z.string().optional().describe('Branch or SHA for a new tag'),
    name: z.string().optional().describe('Title (default: the tag)'),
    body: bodyInput.optional(),
    draft: z.boolean().optional().describe('Save as a draft'),
    prerelease: z.boolean().optional().describe('Mark as a prerelease'),
  },
  output: { id: z.number(), tag: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.repos.createRelease({
      owner: t.owner,
      repo: t.repo,
      tag_name: args.tag,
      ...(args.target ? { target_commitish: args.target } : {}),
      ...(args.name ? { name: args.name } : {}),
      ...(args.body ? { body: args.body } : {}),
      ...(args.draft !== undefined ? { draft: args.draft } : {}),
      ...(args.prerelease !== undefined ? { prerelease: args.prerelease } : {}),
      request: t.request,
    });
    return {
      structured: { id: data.id, tag: data.tag_name },
      text: `${data.draft ? 'Drafted' : 'Published'} release ${data.tag_name} of ${t.full}.`,
    };
  },
});

// ---- notifications -------------------------------------------------------------------------

export const listNotifications = tool({
  name: 'github_list_notifications',
  title: 'List notifications',
  description: 'Your notification threads, newest first: thread id, repository, reason, subject.',
  toolset: 'notifications',
  access: 'read',
  openWorld: true,
  input: {
    all: z.boolean().default(false).describe('Include read ones'),
    participating: z.boolean().default(false).describe('Only where you participate or are mentioned'),
    since: z.string().optional().describe('Updated after (ISO 8601)'),
    limit: limit(30, 300, 'notifications'),
    cursor,
  },
  output: { notifications: itemList, more: moreOutput },
  async handler(args, ctx) {
    const { octokit, request } = await client(ctx);
    const policy = ctx.services.policy;
    // Subjects are titles written by others; under lockdown they are left to the per-repository tools.
    const title = (s: string) => (ctx.services.lockdown ? undefined : line(s, 200));
    return ctx.paginate({
      key: 'notifications',
      unit: ['notification', 'notifications'],
      limit: { argument: 'limit', value: args.limit },
      empty: 'No notifications.',
      line: (n) =>
        words(
          n.id,
          n.unread ? 'unread' : 'read',
          n.repository.full_name,
          n.reason,
          n.subject.type,
          numberOf(n.subject.url),
          title(n.subject.title),
          day(n.updated_at),
        ),
      data: (n) =>
        compact({
          id: n.id,
          repo: n.repository.full_name,
          unread: n.unread,
          reason: n.reason,
          type: n.subject.type,
          number: numberOf(n.subject.url),
          title: title(n.subject.title),
          updated: n.updated_at,
        }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const res = await octokit.rest.activity.listNotificationsForAuthenticatedUser({
            all: args.all,
            participating: args.participating,
            ...(args.since ? { since: args.since } : {}),
            per_page: perPage(args.limit),
            page,
            request,
          });
          return {
            items: res.data.filter((n) => policy.allows(n.repository.full_name)),
            headers: res.headers,
          };
        }),
    });
  },
});

function numberOf(url: string | null | undefined): string | undefined {
  const match = /\/(issues|pulls)\/(\d+)$/.exec(url ?? '');
  return match ? `#${match[2]}` : undefined;
}

export const markNotificationsRead = tool({
  name: 'github_mark_notifications_read',
  title: 'Mark notifications read',
  description: 'Mark one thread read, or all notifications up to a time.',
  toolset: 'notifications',
  access: 'write',
  openWorld: true,
  input: {
    thread_id: z.string().optional().describe('One thread (github_list_notifications); omit for all'),
    last_read_at: z.string().optional().describe('With no thread: mark those updated before this (ISO 8601; default now)'),
  },
  output: { marked: z.string() },
  async handler(args, ctx) {
    const { octokit, request } = await client(ctx);
    if (args.thread_id) {
      if (ctx.services.policy.restricted) {
        const { data } = await octokit.rest.activity.getThread({ thread_id: Number(args.thread_id), request });
        checkReached(ctx, data.repository.full_name, `Thread ${args.thread_id}`);
      }
      await octokit.rest.activity.markThreadAsRead({ thread_id: Number(args.thread_id), request });
      return { structured: { marked: args.thread_id }, text: `Marked thread ${args.thread_id} read.` };
    }
    if (ctx.services.policy.restricted) {
      throw new ToolError('Marking every notification read would reach repositories outside --repos; mark threads one by one.', {
        argument: 'thread_id',
      });
    }
    await octokit.rest.activity.markNotificationsAsRead({
      ...(args.last_read_at ? { last_read_at: args.last_read_at } : {}),
      request,
    });
    return {
      structured: { marked: 'all' },
      text: `Marked all notifications${args.last_read_at ? ` before ${args.last_read_at}` : ''} read.`,
    };
  },
});

// ---- gists ---------------------------------------------------------------------------------

export const listGists = tool({
  name: 'github_list_gists',
  title: 'List gists',
  description: 'Your gists (or a user’s public ones): id, description, files.',
  toolset: 'gists',
  access: 'read',
  openWorld: true,
  input: { username: z.string().optional().describe('Another user (default: you)'), limit: limit(30, 300, 'gists'), cursor },
  output: { gists: itemList, more: moreOutput },
  async handler(args, ctx) {
    const { octokit, request } = await client(ctx);
    return ctx.paginate({
      key: 'gists',
      unit: ['gist', 'gists'],
      limit: { argument: 'limit', value: args.limit },
      line: (g) =>
        words(
          g.id,
          g.public ? 'public' : 'secret',
          Object.keys(g.files).join(', '),
          line(g.description, 120) && `— ${line(g.description, 120)}`,
          day(g.updated_at),
        ),
      data: (g) =>
        compact({
          id: g.id,
          public: g.public,
          files: Object.keys(g.files),
          description: line(g.description, 120),
          updated: g.updated_at,
        }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const params = { per_page: perPage(args.limit), page, request };
          const res = args.username
            ? await octokit.rest.gists.listForUser({ username: args.username, ...params })
            : await octokit.rest.gists.list(params);
          return { items: res.data, headers: res.headers };
        }),
    });
  },
});

export const getGist = tool({
  name: 'github_get_gist',
  title: 'Get a gist',
  description: 'A gist’s files and their contents.',
  toolset: 'gists',
  access: 'read',
  openWorld: true,
  input: { gist_id: z.string().describe('Gist id') },
  output: { id: z.string(), files: itemList },
  async handler(args, ctx) {
    const { octokit, request } = await client(ctx);
    const { data: g } = await octokit.rest.gists.get({ gist_id: args.gist_id, request });
    const owner = login(g.owner);
    const files = Object.values(g.files ?? {}).filter((f): f is NonNullable<typeof f> => Boolean(f));
    const budget = ctx.budget.bytes - 1024;
    let used = 0;
    const parts = [
      words(
        `gist ${g.id}`,
        g.public ? 'public' : 'secret',
        owner && `by @${owner}`,
        line(g.description, 200) && `— ${line(g.description, 200)}`,
      ),
    ];
    for (const f of files) {
      const content = f.content ?? '';
      if (used + content.length > budget || f.truncated) {
        parts.push(
          `${f.filename}: ${f.size} bytes, not shown (too big for one result${f.truncated ? '; GitHub truncated it' : ''}).`,
        );
        continue;
      }
      used += content.length;
      parts.push(fencedBody(content, `${f.filename} by @${owner ?? 'unknown'}`) ?? `${f.filename}: empty`);
    }
    return {
      structured: {
        id: g.id ?? args.gist_id,
        files: files.map((f) => compact({ name: f.filename, language: f.language, size: f.size })),
      },
      text: parts.join('\n'),
    };
  },
});

const gistFiles = z.record(z.string(), z.string()).describe('File name → content');

export const createGist = tool({
  name: 'github_create_gist',
  title: 'Create a gist',
  description: 'A new gist; secret unless public=true.',
  toolset: 'gists',
  access: 'write',
  openWorld: true,
  input: {
    files: gistFiles,
    description: z.string().optional().describe('Description'),
    public: z.boolean().default(false).describe('Public (default secret)'),
  },
  output: { id: z.string() },
  async handler(args, ctx) {
    if (Object.keys(args.files).length === 0) throw new ToolError('Give at least one file.', { argument: 'files' });
    const { octokit, request } = await client(ctx);
    const { data } = await octokit.rest.gists.create({
      files: Object.fromEntries(Object.entries(args.files).map(([name, content]) => [name, { content }])),
      public: args.public,
      ...(args.description ? { description: args.description } : {}),
      request,
    });
    return {
      structured: { id: data.id ?? '' },
      text: `Created ${args.public ? 'public' : 'secret'} gist ${data.id}: ${data.html_url}`,
    };
  },
});

export const updateGist = tool({
  name: 'github_update_gist',
  title: 'Update a gist',
  description: 'Replace files of a gist (content "" deletes one) or its description.',
  toolset: 'gists',
  access: 'write',
  openWorld: true,
  input: {
    gist_id: z.string().describe('Gist id'),
    files: gistFiles.optional(),
    description: z.string().optional().describe('New description'),
  },
  output: { id: z.string() },
  async handler(args, ctx) {
    const { octokit, request } = await client(ctx);
    const files = args.files
      ? Object.fromEntries(Object.entries(args.files).map(([name, content]) => [name, content === '' ? null : { content }]))
      : undefined;
    const { data } = await octokit.rest.gists.update({
      gist_id: args.gist_id,
      ...(files ? { files: files as never } : {}),
      ...(args.description !== undefined ? { description: args.description } : {}),
      request,
    });
    return { structured: { id: data.id ?? args.gist_id }, text: `Updated gist ${data.id}.` };
  },
});

// ---- labels --------------------------------------------------------------------------------

export const listLabels = tool({
  name: 'github_list_labels',
  title: 'List labels',
  description: 'Labels of a repository: name, color, description.',
  toolset: 'labels',
  access: 'read',
  openWorld: true,
  input: { repo: repoInput, cursor },
  output: { labels: itemList, more: moreOutput },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    return ctx.paginate({
      key: 'labels',
      unit: ['label', 'labels'],
      line: (l) => words(line(l.name, 100), `#${l.color}`, line(l.description, 160) && `— ${line(l.description, 160)}`),
      data: (l) => compact({ name: line(l.name, 100), color: l.color, description: line(l.description, 160) }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const res = await t.octokit.rest.issues.listLabelsForRepo({
            owner: t.owner,
            repo: t.repo,
            per_page: 100,
            page,
            request: t.request,
          });
          return { items: res.data, headers: res.headers };
        }),
    });
  },
});

export const createLabel = tool({
  name: 'github_create_label',
  title: 'Create a label',
  description: 'A new label for a repository.',
  toolset: 'labels',
  access: 'write',
  openWorld: true,
  input: {
    repo: repoInput,
    name: z.string().min(1).max(50).describe('Label name'),
    color: z
      .string()
      .regex(/^[0-9a-fA-F]{6}$/, 'six hex digits, no #')
      .describe('Hex color like d73a4a'),
    description: z.string().optional().describe('One line'),
  },
  output: { name: z.string() },
  async handler(args, ctx) {
    const t = await target(ctx, args.repo);
    const { data } = await t.octokit.rest.issues.createLabel({
      owner: t.owner,
      repo: t.repo,
      name: args.name,
      color: args.color,
      ...(args.description ? { description: args.description } : {}),
      request: t.request,
    });
    return { structured: { name: data.name }, text: `Created label ${data.name} in ${t.full}.` };
  },
});

/** Releases, notifications and gists. */
import type { Route } from '../../core/emulator.js';
import { emptyResponse, jsonResponse, type SandboxRequest, type SandboxResponse } from '../../core/http.js';
import { type Ctx, gist, release, thread } from '../serialize.js';
import type { GitHubState, Repo } from '../state.js';
import { languageOf } from '../state.js';
import {
  ctxOf,
  flag,
  ghError,
  isRepo,
  notFound,
  pagedJson,
  readableRepo,
  requireUser,
  sortBy,
  validationFailed,
  writableRepo,
} from '../wire.js';

type R = Route<GitHubState>;

function read(handler: (req: SandboxRequest, c: Ctx, r: Repo) => SandboxResponse): R['handler'] {
  return (req, ctx) => {
    const r = readableRepo(req, ctx.state);
    return isRepo(r) ? handler(req, ctxOf(req, ctx), r) : r;
  };
}

function visibleReleases(c: Ctx, r: Repo) {
  const push = c.login !== null && c.state.canPush(c.login, r);
  return sortBy(
    r.releases.filter((rl) => push || !rl.draft),
    (rl) => rl.id,
    'desc',
  );
}

function user(handler: (req: SandboxRequest, c: Ctx, login: string) => SandboxResponse): R['handler'] {
  return (req, ctx) => {
    const login = requireUser(req, ctx.state);
    return typeof login === 'string' ? handler(req, ctxOf(req, ctx), login) : login;
  };
}

export const releaseRoutes: R[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/releases',
    operation: 'repos/list-releases',
    handler: read((req, c, r) => pagedJson(req, visibleReleases(c, r), (rl) => release(c, r, rl))),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/releases/latest',
    operation: 'repos/get-latest-release',
    handler: read((_req, c, r) => {
      const latest = visibleReleases(c, r).find((rl) => !rl.draft && !rl.prerelease);
      return latest ? jsonResponse(200, release(c, r, latest)) : notFound();
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/releases/tags/{tag}',
    operation: 'repos/get-release-by-tag',
    handler: read((req, c, r) => {
      const rl = visibleReleases(c, r).find((x) => x.tag_name === req.params['tag']);
      return rl ? jsonResponse(200, release(c, r, rl)) : notFound();
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/releases/{release_id}',
    operation: 'repos/get-release',
    handler: read((req, c, r) => {
      const rl = visibleReleases(c, r).find((x) => x.id === Number(req.params['release_id']));
      return rl ? jsonResponse(200, release(c, r, rl)) : notFound();
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/releases',
    operation: 'repos/create-release',
    handler: (req, ctx) => {
      const r = writableRepo(req, ctx.state);
      if (!isRepo(r)) return r;
      const c = ctxOf(req, ctx);
      const body =
        req.json<{
          tag_name?: unknown;
          target_commitish?: unknown;
          name?: unknown;
          body?: unknown;
          draft?: unknown;
          prerelease?: unknown;
        }>() ?? {};
      if (typeof body.tag_name !== 'string' || body.tag_name === '')
        return validationFailed([{ resource: 'Release', field: 'tag_name', code: 'missing_field' }]);
      if (r.releases.some((x) => x.tag_name === body.tag_name))
        return validationFailed([{ resource: 'Release', field: 'tag_name', code: 'already_exists' }]);
      const target = typeof body.target_commitish === 'string' ? body.target_commitish : r.default_branch;
      if (!r.refs.has(`refs/tags/${body.tag_name}`) && !c.state.resolveRef(r, target))
        return validationFailed([{ resource: 'Release', field: 'target_commitish', code: 'invalid', value: target }]);
      const rl = c.state.addRelease(r, {
        tag: body.tag_name,
        target,
        ...(typeof body.name === 'string' ? { name: body.name } : {}),
        ...(typeof body.body === 'string' ? { body: body.body } : {}),
        draft: body.draft === true,
        prerelease: body.prerelease === true,
      });
      rl.author = c.login!;
      return jsonResponse(201, release(c, r, rl), { location: `${c.url}/repos/${r.owner}/${r.name}/releases/${rl.id}` });
    },
  },
  {
    method: 'GET',
    path: '/notifications',
    operation: 'activity/list-notifications-for-authenticated-user',
    handler: user((req, c, login) => {
      const all = flag(req, 'all');
      const since = req.query.get('since');
      const before = req.query.get('before');
      const participating = flag(req, 'participating');
      const threads = c.state.threads.filter(
        (t) =>
          t.login.toLowerCase() === login.toLowerCase() &&
          (all || t.unread) &&
          (!participating || ['author', 'comment', 'mention', 'review_requested', 'assign', 'state_change'].includes(t.reason)) &&
          (!since || Date.parse(t.updated_at) >= Date.parse(since)) &&
          (!before || Date.parse(t.updated_at) < Date.parse(before)) &&
          c.state.canRead(login, c.state.repo(t.repo)!),
      );
      return pagedJson(
        req,
        sortBy(threads, (t) => t.updated_at, 'desc'),
        (t) => thread(c, t),
        { perPage: 50, max: 50 },
      );
    }),
  },
  {
    method: 'GET',
    path: '/notifications/threads/{thread_id}',
    operation: 'activity/get-thread',
    handler: user((req, c, login) => {
      const t = c.state.threads.find((x) => x.id === req.params['thread_id'] && x.login.toLowerCase() === login.toLowerCase());
      return t ? jsonResponse(200, thread(c, t)) : ghError(403, 'Forbidden');
    }),
  },
  {
    method: 'PATCH',
    path: '/notifications/threads/{thread_id}',
    operation: 'activity/mark-thread-as-read',
    handler: user((req, c, login) => {
      const t = c.state.threads.find((x) => x.id === req.params['thread_id'] && x.login.toLowerCase() === login.toLowerCase());
      if (!t) return ghError(403, 'Forbidden');
      t.unread = false;
      t.last_read_at = c.state.now();
      return emptyResponse(205);
    }),
  },
  {
    method: 'PUT',
    path: '/notifications',
    operation: 'activity/mark-notifications-as-read',
    handler: user((req, c, login) => {
      const body = req.json<{ last_read_at?: string; read?: boolean }>() ?? {};
      const cutoff = body.last_read_at ? Date.parse(body.last_read_at) : Date.now();
      const now = c.state.now();
      for (const t of c.state.threads)
        if (t.login.toLowerCase() === login.toLowerCase() && Date.parse(t.updated_at) <= cutoff && body.read !== false) {
          t.unread = false;
          t.last_read_at = now;
        }
      return emptyResponse(205);
    }),
  },
  {
    method: 'GET',
    path: '/gists',
    operation: 'gists/list',
    handler: user((req, c, login) => {
      const since = req.query.get('since');
      const gists = [...c.state.gists.values()].filter(
        (g) => g.owner.toLowerCase() === login.toLowerCase() && (!since || Date.parse(g.updated_at) >= Date.parse(since)),
      );
      return pagedJson(
        req,
        sortBy(
          sortBy(gists, (g) => g.id, 'desc'),
          (g) => g.updated_at,
          'desc',
        ),
        (g) => gist(c, g, false),
      );
    }),
  },
  {
    method: 'GET',
    path: '/gists/{gist_id}',
    operation: 'gists/get',
    handler: (req, ctx) => {
      const g = ctx.state.gists.get(req.params['gist_id']!);
      return g ? jsonResponse(200, gist(ctxOf(req, ctx), g, true)) : notFound();
    },
  },
  {
    method: 'POST',
    path: '/gists',
    operation: 'gists/create',
    handler: user((req, c, login) => {
      const caller = c.state.tokens.get([...c.state.tokens.entries()].find(([, t]) => t.login === login)?.[0] ?? '');
      if (caller && !caller.scopes.includes('gist')) return ghError(404, 'Not Found', { 'x-accepted-oauth-scopes': 'gist' });
      const body = req.json<{ description?: unknown; public?: unknown; files?: Record<string, { content?: unknown }> }>() ?? {};
      const files = body.files && typeof body.files === 'object' ? Object.entries(body.files) : [];
      if (files.length === 0) return validationFailed([{ resource: 'Gist', field: 'files', code: 'missing_field' }]);
      for (const [name, f] of files)
        if (typeof f?.content !== 'string' || f.content === '')
          return validationFailed([{ resource: 'Gist', field: `files.${name}.content`, code: 'missing_field' }]);
      const g = c.state.addGist(login, {
        files: Object.fromEntries(files.map(([name, f]) => [name, f.content as string])),
        ...(typeof body.description === 'string' ? { description: body.description } : {}),
        public: body.public === true || body.public === 'true',
      });
      return jsonResponse(201, gist(c, g, true), { location: `${c.url}/gists/${g.id}` });
    }),
  },
  {
    method: 'PATCH',
    path: '/gists/{gist_id}',
    operation: 'gists/update',
    handler: user((req, c, login) => {
      const g = c.state.gists.get(req.params['gist_id']!);
      if (!g || g.owner.toLowerCase() !== login.toLowerCase()) return notFound();
      const body =
        req.json<{ description?: unknown; files?: Record<string, { content?: string; filename?: string } | null> }>() ?? {};
      if (typeof body.description === 'string') g.description = body.description;
      for (const [name, change] of Object.entries(body.files ?? {})) {
        if (change === null) g.files.delete(name);
        else {
          const filename = change.filename ?? name;
          const content = change.content ?? g.files.get(name)?.content ?? '';
          g.files.delete(name);
          g.files.set(filename, { filename, content, language: languageOf(filename) });
        }
      }
      g.updated_at = c.state.now();
      return jsonResponse(200, gist(c, g, true));
    }),
  },
];

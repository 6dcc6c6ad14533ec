/** The authenticated user, other accounts, the rate-limit status, and creating repositories. */
import type { Route } from '../../core/emulator.js';
import { jsonResponse } from '../../core/http.js';
import { fullRepository, privateUser, publicUser, repository } from '../serialize.js';
import type { GitHubState, Repo } from '../state.js';
import { callerOf, ctxOf, ghError, notFound, pagedJson, rateView, requireUser, sortBy, validationFailed } from '../wire.js';

type R = Route<GitHubState>;

function createRepo(state: GitHubState, owner: string, body: Record<string, unknown> | undefined) {
  const name = body?.['name'];
  if (typeof name !== 'string' || name === '')
    return validationFailed([{ resource: 'Repository', field: 'name', code: 'missing_field' }]);
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    return validationFailed(
      [{ resource: 'Repository', field: 'name', code: 'invalid', value: name }],
      'Repository creation failed.',
    );
  if (state.repo(`${owner}/${name}`))
    return validationFailed(
      [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' }],
      'Repository creation failed.',
    );
  const repo = state.addRepo(`${owner}/${name}`, {
    private: body?.['private'] === true || body?.['visibility'] === 'private',
    description: typeof body?.['description'] === 'string' ? body['description'] : null,
    homepage: typeof body?.['homepage'] === 'string' ? body['homepage'] : null,
  });
  if (body?.['auto_init'] === true)
    state.commit(repo, repo.default_branch, { message: 'Initial commit', files: { 'README.md': `# ${name}\n` } });
  return repo;
}

export const userRoutes: R[] = [
  {
    method: 'GET',
    path: '/user',
    operation: 'users/get-authenticated',
    handler: (req, ctx) => {
      const login = requireUser(req, ctx.state);
      if (typeof login !== 'string') return login;
      return jsonResponse(200, privateUser(ctxOf(req, ctx), ctx.state.account(login)!));
    },
  },
  {
    method: 'GET',
    path: '/users/{username}',
    operation: 'users/get-by-username',
    handler: (req, ctx) => {
      const account = ctx.state.account(req.params['username']!);
      return account ? jsonResponse(200, publicUser(ctxOf(req, ctx), account)) : notFound();
    },
  },
  {
    method: 'GET',
    path: '/rate_limit',
    operation: 'rate-limit/get',
    handler: (req, ctx) => {
      const caller = callerOf(req, ctx.state);
      const identity = caller.kind === 'token' ? caller.login : 'anonymous';
      const view = (r: 'core' | 'search' | 'code_search') => {
        const v = rateView(ctx.state, identity, r);
        return { limit: v.limit, used: v.used, remaining: v.remaining, reset: v.reset };
      };
      const core = view('core');
      return jsonResponse(200, { resources: { core, search: view('search'), code_search: view('code_search') }, rate: core });
    },
  },
  {
    method: 'GET',
    path: '/user/repos',
    operation: 'repos/list-for-authenticated-user',
    handler: (req, ctx) => {
      const login = requireUser(req, ctx.state);
      if (typeof login !== 'string') return login;
      const c = ctxOf(req, ctx);
      const visibility = req.query.get('visibility') ?? 'all';
      const repos = [...ctx.state.repos.values()].filter(
        (r) => ctx.state.canPush(login, r) && (visibility === 'all' || (visibility === 'private') === r.private),
      );
      const sort = req.query.get('sort') ?? 'full_name';
      const key = (r: Repo) =>
        sort === 'full_name'
          ? `${r.owner}/${r.name}`.toLowerCase()
          : sort === 'created'
            ? r.created_at
            : sort === 'pushed'
              ? r.pushed_at
              : r.updated_at;
      const direction = (req.query.get('direction') ?? (sort === 'full_name' ? 'asc' : 'desc')) as 'asc' | 'desc';
      return pagedJson(req, sortBy(repos, key, direction), (r) => repository(c, r));
    },
  },
  {
    method: 'POST',
    path: '/user/repos',
    operation: 'repos/create-for-authenticated-user',
    handler: (req, ctx) => {
      const login = requireUser(req, ctx.state);
      if (typeof login !== 'string') return login;
      const created = createRepo(ctx.state, login, req.json());
      return 'git' in created
        ? jsonResponse(201, fullRepository(ctxOf(req, ctx), created), {
            location: `${ctx.url}/repos/${created.owner}/${created.name}`,
          })
        : created;
    },
  },
  {
    method: 'POST',
    path: '/orgs/{org}/repos',
    operation: 'repos/create-in-org',
    handler: (req, ctx) => {
      const login = requireUser(req, ctx.state);
      if (typeof login !== 'string') return login;
      const org = ctx.state.account(req.params['org']!);
      if (org?.type !== 'Organization') return notFound();
      if (!org.members.has(login.toLowerCase()))
        return ghError(403, 'You need admin access to the organization before adding a repository to it.');
      const created = createRepo(ctx.state, org.login, req.json());
      return 'git' in created
        ? jsonResponse(201, fullRepository(ctxOf(req, ctx), created), {
            location: `${ctx.url}/repos/${created.owner}/${created.name}`,
          })
        : created;
    },
  },
];

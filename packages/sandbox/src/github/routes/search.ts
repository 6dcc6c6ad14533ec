/**
 * Search: repositories, issues and pull requests, users, code. The query language is GitHub's:
 * free words plus `qualifier:value` terms (quoted values allowed, `-qualifier:` negates). The
 * qualifiers each endpoint understands are listed below; an unknown one matches nothing, as on
 * GitHub. Results are capped at 1000 and paged like every list.
 */
import type { Route } from '../../core/emulator.js';
import { jsonResponse, type SandboxRequest, type SandboxResponse } from '../../core/http.js';
import { isBinary } from '../git.js';
import { type Ctx, issue, minimalRepository, repository, simpleUser } from '../serialize.js';
import type { GitHubState, Issue, Repo } from '../state.js';
import { ctxOf, ghError, paginate, requireUser, sortBy, validationFailed } from '../wire.js';

type R = Route<GitHubState>;

interface Term {
  key: string | null;
  value: string;
  negated: boolean;
}

/** Splits a search query into words and qualifiers. */
export function parseQuery(q: string): Term[] {
  const out: Term[] = [];
  const re = /(-)?(?:([a-zA-Z_-]+):)?(?:"([^"]*)"|(\S+))/g;
  for (let m = re.exec(q); m; m = re.exec(q)) {
    const value = m[3] ?? m[4] ?? '';
    if (!m[2] && /^(AND|OR|NOT)$/.test(value)) continue;
    out.push({ key: m[2]?.toLowerCase() ?? null, value, negated: m[1] === '-' });
  }
  return out;
}

function textMatch(haystack: string, words: Term[]): boolean {
  const h = haystack.toLowerCase();
  return words.every((w) => h.includes(w.value.toLowerCase()) !== w.negated);
}

function results<T>(
  req: SandboxRequest,
  items: T[],
  render: (item: T) => unknown,
  extra: Record<string, unknown> = {},
): SandboxResponse {
  const page = paginate(req, items, { cap: 1000 });
  return jsonResponse(
    200,
    { total_count: items.length, incomplete_results: false, items: page.items.map(render), ...extra },
    page.headers,
  );
}

function missingQuery(): SandboxResponse {
  return validationFailed([{ resource: 'Search', field: 'q', code: 'missing' }]);
}

function visibleRepos(c: Ctx): Repo[] {
  return [...c.state.repos.values()].filter((r) => c.state.canRead(c.login, r));
}

function compare(actual: number, value: string): boolean {
  const m = /^(>=|<=|>|<)?(\d+)$/.exec(value);
  if (!m) return false;
  const n = Number(m[2]);
  return m[1] === '>'
    ? actual > n
    : m[1] === '>='
      ? actual >= n
      : m[1] === '<'
        ? actual < n
        : m[1] === '<='
          ? actual <= n
          : actual === n;
}

function searchRepositories(req: SandboxRequest, c: Ctx): SandboxResponse {
  const q = req.query.get('q');
  if (!q) return missingQuery();
  const terms = parseQuery(q);
  const words = terms.filter((t) => t.key === null);
  const matches = visibleRepos(c).filter(
    (r) =>
      terms.every((t) => {
        if (t.key === null) return true;
        const v = t.value.toLowerCase();
        const hit = (() => {
          switch (t.key) {
            case 'user':
            case 'org':
            case 'owner':
              return r.owner.toLowerCase() === v;
            case 'repo':
              return `${r.owner}/${r.name}`.toLowerCase() === v;
            case 'language':
              return r.language?.toLowerCase() === v;
            case 'topic':
              return r.topics.includes(v);
            case 'is':
              return v === 'public' ? !r.private : v === 'private' ? r.private : v === 'fork' ? r.fork : false;
            case 'fork':
              return v === 'true' || v === 'only' ? (v === 'only' ? r.fork : true) : !r.fork;
            case 'archived':
              return r.archived === (v === 'true');
            case 'stars':
              return compare(r.stargazers, v);
            case 'in':
              return true;
            default:
              return false;
          }
        })();
        return hit !== t.negated;
      }) &&
      (terms.some((t) => t.key === 'fork') || !r.fork || words.length === 0) &&
      textMatch(`${r.name} ${r.description ?? ''} ${r.topics.join(' ')}`, words),
  );
  const sort = req.query.get('sort');
  const order = (req.query.get('order') ?? 'desc') as 'asc' | 'desc';
  const sorted =
    sort === 'stars'
      ? sortBy(matches, (r) => r.stargazers, order)
      : sort === 'updated'
        ? sortBy(matches, (r) => r.updated_at, order)
        : sortBy(matches, (r) => r.stargazers, 'desc');
  return results(req, sorted, (r) => ({ ...repository(c, r), score: 1 }));
}

function searchIssues(req: SandboxRequest, c: Ctx): SandboxResponse {
  const q = req.query.get('q');
  if (!q) return missingQuery();
  const terms = parseQuery(q);
  const kinds = terms.filter(
    (t) => (t.key === 'is' || t.key === 'type') && ['issue', 'pr', 'pull-request'].includes(t.value.toLowerCase()),
  );
  if (kinds.length === 0)
    return validationFailed(
      [
        {
          resource: 'Search',
          field: 'q',
          code: 'invalid',
          message: "Query must include 'is:issue' or 'is:pull-request'",
        } as never,
      ],
      "Query must include 'is:issue' or 'is:pull-request'",
    );
  const words = terms.filter((t) => t.key === null);
  const items: { r: Repo; i: Issue }[] = [];
  for (const r of visibleRepos(c))
    for (const i of r.issues.values()) {
      const ok = terms.every((t) => {
        if (t.key === null) return true;
        const v = t.value.toLowerCase();
        const hit = (() => {
          switch (t.key) {
            case 'is':
            case 'type':
              return v === 'issue'
                ? !i.pull
                : v === 'pr' || v === 'pull-request'
                  ? Boolean(i.pull)
                  : v === 'open' || v === 'closed'
                    ? i.state === v
                    : v === 'merged'
                      ? Boolean(i.pull?.merged)
                      : v === 'draft'
                        ? Boolean(i.pull?.draft)
                        : v === 'public'
                          ? !r.private
                          : v === 'private'
                            ? r.private
                            : false;
            case 'state':
              return i.state === v;
            case 'repo':
              return `${r.owner}/${r.name}`.toLowerCase() === v;
            case 'user':
            case 'org':
            case 'owner':
              return r.owner.toLowerCase() === v;
            case 'author':
              return i.user.toLowerCase() === v;
            case 'assignee':
              return i.assignees.some((a) => a.toLowerCase() === v);
            case 'label':
              return i.labels.some((l) => l.toLowerCase() === v);
            case 'milestone':
              return i.milestone !== null && r.milestones.get(i.milestone)?.title.toLowerCase() === v;
            case 'no':
              return v === 'label'
                ? i.labels.length === 0
                : v === 'assignee'
                  ? i.assignees.length === 0
                  : v === 'milestone'
                    ? i.milestone === null
                    : false;
            case 'mentions':
              return (i.body ?? '').toLowerCase().includes(`@${v}`);
            case 'review-requested':
              return Boolean(i.pull?.requested_reviewers.some((x) => x.toLowerCase() === v));
            case 'in':
              return true;
            case 'comments':
              return compare(i.comments.length, v);
            default:
              return false;
          }
        })();
        return hit !== t.negated;
      });
      if (ok && textMatch(`${i.title} ${i.body ?? ''}`, words)) items.push({ r, i });
    }
  const sort = req.query.get('sort');
  const order = (req.query.get('order') ?? 'desc') as 'asc' | 'desc';
  const key = (x: { i: Issue }) =>
    sort === 'comments' ? x.i.comments.length : sort === 'updated' ? x.i.updated_at : x.i.created_at;
  // Search results leave out an empty body rather than sending null (the description types it as a string).
  const render = ({ r, i }: { r: Repo; i: Issue }) => {
    const item: Record<string, unknown> = { ...issue(c, r, i), score: 1 };
    if (item['body'] === null) delete item['body'];
    return item;
  };
  // This emulator's search is always lexical (GitHub's semantic search is not emulated).
  return results(req, sortBy(items, key, sort ? order : 'desc'), render, { search_type: 'lexical' });
}

function searchUsers(req: SandboxRequest, c: Ctx): SandboxResponse {
  const q = req.query.get('q');
  if (!q) return missingQuery();
  const terms = parseQuery(q);
  const words = terms.filter((t) => t.key === null);
  const accounts = [...c.state.accounts.values()].filter(
    (a) =>
      terms.every((t) => {
        if (t.key === null || t.key === 'in') return true;
        const v = t.value.toLowerCase();
        const hit =
          t.key === 'type'
            ? a.type.toLowerCase() === (v === 'org' ? 'organization' : v)
            : t.key === 'location'
              ? a.location?.toLowerCase().includes(v) === true
              : t.key === 'user' || t.key === 'org'
                ? a.login.toLowerCase() === v
                : false;
        return hit !== t.negated;
      }) && textMatch(`${a.login} ${a.name ?? ''} ${a.email ?? ''}`, words),
  );
  return results(
    req,
    sortBy(accounts, (a) => a.login.toLowerCase(), 'asc'),
    (a) => ({ ...simpleUser(c, a.login), score: 1 }),
  );
}

function searchCode(req: SandboxRequest, c: Ctx): SandboxResponse {
  const q = req.query.get('q');
  if (!q) return missingQuery();
  const terms = parseQuery(q);
  const words = terms.filter((t) => t.key === null);
  if (words.length === 0)
    return validationFailed([
      { resource: 'Search', field: 'q', code: 'invalid', message: 'Must include at least one search term.' } as never,
    ]);
  const items: Record<string, unknown>[] = [];
  for (const r of visibleRepos(c)) {
    if (r.fork) continue;
    const head = c.state.branchSha(r, r.default_branch);
    if (!head) continue;
    const scoped = terms.every((t) => {
      const v = t.value.toLowerCase();
      if (t.key === 'repo') return (`${r.owner}/${r.name}`.toLowerCase() === v) !== t.negated;
      if (t.key === 'user' || t.key === 'org' || t.key === 'owner') return (r.owner.toLowerCase() === v) !== t.negated;
      return true;
    });
    if (!scoped) continue;
    for (const [path, entry] of r.git.flatten(r.git.commits.get(head)!.tree)) {
      const bytes = r.git.blobs.get(entry.sha)!;
      // GitHub indexes files under 384 KB and no binaries.
      if (bytes.length > 384 * 1024 || isBinary(bytes)) continue;
      const fileOk = terms.every((t) => {
        const v = t.value.toLowerCase();
        const hit =
          t.key === 'path'
            ? path.toLowerCase().startsWith(v.replace(/^\//, '')) || path.toLowerCase().includes(v)
            : t.key === 'extension'
              ? path.toLowerCase().endsWith(`.${v}`)
              : t.key === 'filename'
                ? (path.split('/').pop() ?? '').toLowerCase() === v
                : t.key === 'language'
                  ? (path.split('.').pop() ?? '') ===
                    ({ typescript: 'ts', javascript: 'js', markdown: 'md', python: 'py' } as Record<string, string>)[v]
                  : true;
        return t.key === null || t.key === 'repo' || t.key === 'user' || t.key === 'org' || t.key === 'owner' || t.key === 'in'
          ? true
          : hit !== t.negated;
      });
      if (!fileOk || !textMatch(bytes.toString('utf8'), words)) continue;
      const encoded = path.split('/').map(encodeURIComponent).join('/');
      items.push({
        name: path.split('/').pop(),
        path,
        sha: entry.sha,
        url: `${c.url}/repos/${r.owner}/${r.name}/contents/${encoded}?ref=${head}`,
        git_url: `${c.url}/repos/${r.owner}/${r.name}/git/blobs/${entry.sha}`,
        html_url: `${c.url}/${r.owner}/${r.name}/blob/${head}/${encoded}`,
        repository: minimalRepository(c, r),
        score: 1,
      });
    }
  }
  return results(req, items, (x) => x);
}

export const searchRoutes: R[] = [
  {
    method: 'GET',
    path: '/search/repositories',
    operation: 'search/repos',
    handler: (req, ctx) => searchRepositories(req, ctxOf(req, ctx)),
  },
  {
    method: 'GET',
    path: '/search/issues',
    operation: 'search/issues-and-pull-requests',
    handler: (req, ctx) => searchIssues(req, ctxOf(req, ctx)),
  },
  { method: 'GET', path: '/search/users', operation: 'search/users', handler: (req, ctx) => searchUsers(req, ctxOf(req, ctx)) },
  {
    method: 'GET',
    path: '/search/code',
    operation: 'search/code',
    handler: (req, ctx) => {
      // Code search needs a signed-in user on GitHub.
      const login = requireUser(req, ctx.state);
      if (typeof login !== 'string') return ghError(401, 'Requires authentication');
      return searchCode(req, ctxOf(req, ctx));
    },
  },
];

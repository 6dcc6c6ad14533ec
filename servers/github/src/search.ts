import type { ToolContext, ToolReply } from '@patchbay/kit';
import type { GitHubServices, Octokit } from './client.js';
import { client, hasNext, pageNumber, perPage } from './repo.js';

type Ctx = ToolContext<GitHubServices>;

interface SearchParams {
  [key: string]: unknown;
  q: string;
  per_page: number;
  page: number;
  sort?: never;
  order?: 'asc' | 'desc';
  request: { signal: AbortSignal };
}

export interface SearchSpec<T> {
  key: string;
  unit: readonly [string, string];
  query: string;
  /** The caller's `limit`, when the tool has one. */
  limit?: number | undefined;
  sort?: string | undefined;
  order?: 'asc' | 'desc' | undefined;
  search: (
    octokit: Octokit,
    params: SearchParams,
  ) => Promise<{ data: { total_count: number; items: T[] }; headers: { link?: string | undefined } }>;
  /** The repository an item belongs to, for `--repos` (undefined: not a repository's content). */
  repoOf?: (item: T) => string | undefined;
  line: (item: T) => string;
  data: (item: T) => unknown;
  head?: string;
}

const SCOPED = /(^|\s)-?(repo|org|user|owner):/i;

/**
 * A GitHub search, paged across GitHub's pages. Under `--repos` the query is narrowed to the one
 * allowed repository or owner when there is exactly one (so results are not spent on others),
 * and every result outside the list is left out — whatever the query says — with a count.
 */
// biome-ignore lint/suspicious/noExplicitAny: the structured form is checked against the output schema by the kit
export async function searchPage<T>(ctx: Ctx, spec: SearchSpec<T>): Promise<ToolReply<any>> {
  const { octokit, request } = await client(ctx);
  const policy = ctx.services.policy;
  let q = spec.query;
  if (spec.repoOf && policy.restricted && policy.patterns.length === 1 && !SCOPED.test(q)) {
    const [owner, name] = (policy.patterns[0] as string).split('/');
    q = `${q} ${name === '*' ? `user:${owner}` : `repo:${owner}/${name}`}`;
  }
  let dropped = 0;
  const reply = await ctx.paginate({
    key: spec.key,
    unit: spec.unit,
    ...(spec.limit !== undefined ? { limit: { argument: 'limit', value: spec.limit } } : {}),
    ...(spec.head ? { head: spec.head } : {}),
    empty: `Nothing matches ${q}.`,
    line: spec.line,
    data: spec.data,
    fields: { query: q },
    fetch: async (token?: number) => {
      const page = pageNumber(token);
      const res = await spec.search(octokit, {
        q,
        per_page: perPage(spec.limit ?? 100),
        page,
        ...(spec.sort ? { sort: spec.sort as never } : {}),
        ...(spec.order ? { order: spec.order } : {}),
        request,
      });
      const items = res.data.items.filter((item) => {
        const repo = spec.repoOf?.(item);
        const ok = repo === undefined || !spec.repoOf || policy.allows(repo);
        if (!ok) dropped++;
        return ok;
      });
      return {
        items,
        next: hasNext(res.headers) ? page + 1 : undefined,
        // Exact only while nothing is filtered out.
        total: policy.restricted ? undefined : res.data.total_count,
      };
    },
  });
  if (dropped > 0) {
    reply.text += `\n(${dropped} result${dropped === 1 ? '' : 's'} outside the allowed repositories left out.)`;
  }
  return reply;
}

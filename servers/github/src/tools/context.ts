import * as z from 'zod';
import { compact, line, words } from '../format.js';
import { tool } from '../kit.js';
import { client, cursor, fields, itemList, limit, moreOutput, numberedPage } from '../repo.js';
import { searchPage } from '../search.js';
import { describeRate, tokenInfo } from '../token.js';

export const getMe = tool({
  name: 'github_get_me',
  title: 'Who am I',
  description: "Who you are, what the token may do, rate limits, and this server's restrictions. Start here.",
  toolset: 'context',
  access: 'read',
  openWorld: true,
  input: {},
  output: {
    login: z.string(),
    scopes: z.array(z.string()).optional(),
    rate: z.looseObject({}),
    ...fields('name', 'type', 'allows', 'api', 'restrictions'),
  },
  async handler(_args, ctx) {
    const me = await tokenInfo(ctx.services, ctx.signal);
    const { scopes, allows } = me;
    const { core, search } = me.rate;
    const { options, policy } = ctx.services;
    const restrictions = [
      policy.restricted ? `only repositories ${policy.patterns.join(', ')} (--repos)` : undefined,
      options.lockdown ? 'lockdown: text by authors without push access to a public repository is withheld' : undefined,
    ].filter((x): x is string => Boolean(x));
    const structured = compact({
      login: me.login,
      name: me.name,
      type: me.type,
      scopes,
      allows,
      rate: compact({ core, search }),
      api: me.api,
      restrictions,
    });
    const text = [
      words(me.login, me.name && `(${line(me.name, 100)})`, `· ${me.type}`, `· ${me.api}`),
      scopes ? `Token scopes: ${scopes.join(', ') || 'none'}` : 'Token: fine-grained, app or Actions token (no classic scopes).',
      ...allows.map((a) => `- ${a}`),
      `Rate limit: ${[describeRate('core', core), describeRate('search', search)].filter(Boolean).join('; ')}`,
      ...restrictions.map((r) => `Restriction: ${r}`),
    ].join('\n');
    return { structured, text };
  },
});

export const getUser = tool({
  name: 'github_get_user',
  title: 'Get a user',
  description: 'A user’s or organization’s public profile.',
  toolset: 'users',
  access: 'read',
  openWorld: true,
  input: { username: z.string().describe('Login') },
  output: {
    login: z.string(),
    type: z.string(),
    ...fields('name', 'company', 'location', 'bio', 'blog', 'public_repos', 'followers', 'created'),
  },
  async handler(args, ctx) {
    const { octokit, request } = await client(ctx);
    const { data: u } = await octokit.rest.users.getByUsername({ username: args.username, request });
    const structured = compact({
      login: u.login,
      type: u.type,
      name: line(u.name, 100),
      company: line(u.company, 100),
      location: line(u.location, 100),
      bio: line(u.bio, 300),
      blog: u.blog || undefined,
      public_repos: u.public_repos,
      followers: u.followers,
      created: u.created_at,
    });
    const text = [
      words(u.login, structured.name && `(${structured.name})`, `· ${u.type}`, `· joined ${u.created_at.slice(0, 10)}`),
      [structured.company, structured.location, structured.blog].filter(Boolean).join(' · '),
      structured.bio && `Bio (written by them): ${structured.bio}`,
      `${u.public_repos} public repositories, ${u.followers} followers`,
    ]
      .filter(Boolean)
      .join('\n');
    return { structured, text };
  },
});

export const searchUsers = tool({
  name: 'github_search_users',
  title: 'Search users',
  description: 'Users and organizations by GitHub search syntax (words, type:org, location:, followers:>10).',
  toolset: 'search',
  access: 'read',
  openWorld: true,
  input: { query: z.string().describe('Search query'), cursor },
  output: { query: z.string(), users: itemList, more: moreOutput },
  async handler(args, ctx) {
    return searchPage(ctx, {
      key: 'users',
      unit: ['user', 'users'],
      query: args.query,
      search: (octokit, params) => octokit.rest.search.users(params),
      line: (u) => `${u.login} (${u.type})`,
      data: (u) => ({ login: u.login, type: u.type }),
    });
  },
});

export const searchRepositories = tool({
  name: 'github_search_repositories',
  title: 'Search repositories',
  description: 'Repositories by GitHub search syntax (words, user:, org:, language:, topic:, stars:>100), one line each.',
  toolset: 'search',
  access: 'read',
  openWorld: true,
  input: {
    query: z.string().describe('Search query'),
    sort: z.enum(['stars', 'forks', 'updated']).optional().describe('Default: best match'),
    order: z.enum(['asc', 'desc']).optional().describe('Default desc'),
    limit: limit(30, 300, 'repositories'),
    cursor,
  },
  output: { query: z.string(), repositories: itemList, more: moreOutput },
  async handler(args, ctx) {
    return searchPage(ctx, {
      key: 'repositories',
      unit: ['repository', 'repositories'],
      query: args.query,
      limit: args.limit,
      sort: args.sort,
      order: args.order,
      search: (octokit, params) => octokit.rest.search.repos(params),
      repoOf: (r) => r.full_name,
      line: (r) =>
        words(
          r.full_name,
          r.private && '(private)',
          `★${r.stargazers_count}`,
          r.language,
          line(r.description, 160) && `— ${line(r.description, 160)}`,
        ),
      data: (r) =>
        compact({
          full_name: r.full_name,
          private: r.private,
          stars: r.stargazers_count,
          language: r.language,
          description: line(r.description, 160),
        }),
    });
  },
});

export const listMyRepos = tool({
  name: 'github_list_my_repos',
  title: 'List your repositories',
  description: 'Repositories you own, collaborate on or reach through an organization, recently pushed first.',
  toolset: 'search',
  access: 'read',
  openWorld: true,
  input: {
    affiliation: z.string().optional().describe('owner, collaborator, organization_member (comma-separated)'),
    cursor,
  },
  output: { repositories: itemList, more: moreOutput },
  async handler(args, ctx) {
    const { octokit, request } = await client(ctx);
    const policy = ctx.services.policy;
    return ctx.paginate({
      key: 'repositories',
      unit: ['repository', 'repositories'],
      line: (r) =>
        words(r.full_name, r.private && '(private)', r.permissions?.push ? 'write' : 'read', r.pushed_at?.slice(0, 10)),
      data: (r) => compact({ full_name: r.full_name, private: r.private, push: r.permissions?.push, pushed: r.pushed_at }),
      fetch: (token?: number) =>
        numberedPage(token, async (page) => {
          const res = await octokit.rest.repos.listForAuthenticatedUser({
            sort: 'pushed',
            ...(args.affiliation ? { affiliation: args.affiliation } : {}),
            per_page: 100,
            page,
            request,
          });
          return { items: res.data.filter((r) => policy.allows(r.full_name)), headers: res.headers };
        }),
    });
  },
});

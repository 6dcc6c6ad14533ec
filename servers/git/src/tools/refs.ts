import { cursorInput, limitInput, moreSchema } from '@patchbay/kit';
import * as z from 'zod';
import type { Repository } from '../client.js';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';

/** Read refs with for-each-ref, one record per line, fields split by U+001F. */
async function forEachRef(
  repo: Repository,
  fields: string[],
  patterns: string[],
  sort: string,
  limit: number,
): Promise<string[][]> {
  const rows: string[][] = [];
  await repo.run(['for-each-ref', `--sort=${sort}`, `--format=${fields.join('%1f')}`, '--end-of-options', ...patterns], {
    separator: '\n',
    onRecord(line) {
      if (line) rows.push(line.split('\x1f'));
      return rows.length >= limit ? false : undefined;
    },
  });
  return rows;
}

/** At most this many refs are read before filtering; enough for any real repository's page. */
const READ_LIMIT = 50_000;

const filterInput = z.string().max(200).optional().describe('Only names containing this text (case-insensitive)');

const branchSchema = z.object({
  name: z.string().describe('"main", or "origin/main" when remote'),
  remote: z.boolean().optional(),
  current: z.boolean().optional(),
  commit: z.string(),
  upstream: z.string().optional(),
  ahead: z.number().optional().describe('Commits not on the upstream'),
  behind: z.number().optional().describe('Upstream commits not here'),
  upstream_gone: z.boolean().optional(),
  date: z.string().describe('Last commit date'),
  subject: z.string().describe('Last commit subject'),
});
type Branch = z.infer<typeof branchSchema>;

export const branchesTool = tool({
  name: 'git_branches',
  title: 'List branches',
  description:
    'Branches, most recently committed first, the current one marked, each with its upstream and ahead/behind counts and last commit. scope picks local, remote-tracking or all.',
  toolset: 'repository',
  access: 'read',
  input: {
    repository: repositoryInput,
    scope: z.enum(['local', 'remote', 'all']).default('local').describe('local branches, remote-tracking branches, or both'),
    contains: filterInput,
    max_count: limitInput(100, 1000, 'branches'),
    cursor: cursorInput,
  },
  output: {
    repository: z.string(),
    current: z.string().nullable().describe('null when HEAD is detached'),
    branches: z.array(branchSchema),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const patterns =
      args.scope === 'local' ? ['refs/heads'] : args.scope === 'remote' ? ['refs/remotes'] : ['refs/heads', 'refs/remotes'];
    const rows = await forEachRef(
      repo,
      [
        '%(HEAD)',
        '%(refname)',
        '%(refname:short)',
        '%(objectname)',
        '%(upstream:short)',
        '%(upstream:track,nobracket)',
        '%(committerdate:iso-strict)',
        '%(contents:subject)',
        '%(symref)',
      ],
      patterns,
      '-committerdate',
      READ_LIMIT,
    );
    const needle = args.contains?.toLowerCase();
    const all: Branch[] = [];
    let current: string | null = null;
    for (const [
      head = '',
      ref = '',
      short = '',
      commit = '',
      upstream = '',
      track = '',
      date = '',
      subject = '',
      symref = '',
    ] of rows) {
      if (symref) continue; // origin/HEAD is a pointer, not a branch
      if (head === '*') current = short;
      if (needle && !short.toLowerCase().includes(needle)) continue;
      const ahead = /ahead (\d+)/.exec(track)?.[1];
      const behind = /behind (\d+)/.exec(track)?.[1];
      all.push({
        name: short,
        ...(ref.startsWith('refs/remotes/') ? { remote: true } : {}),
        ...(head === '*' ? { current: true } : {}),
        commit,
        ...(upstream ? { upstream } : {}),
        ...(upstream && track !== 'gone' ? { ahead: Number(ahead ?? 0), behind: Number(behind ?? 0) } : {}),
        ...(track === 'gone' ? { upstream_gone: true } : {}),
        date,
        subject,
      });
    }
    return ctx.page({
      key: 'branches',
      fields: { repository: repo.path, current },
      items: all.slice(ctx.position.offset),
      limit: { argument: 'max_count', value: args.max_count },
      line: (b) => {
        const track = b.upstream
          ? ` [${b.upstream}${b.upstream_gone ? ': gone' : b.ahead || b.behind ? `: ahead ${b.ahead}, behind ${b.behind}` : ''}]`
          : '';
        return `${b.current ? '*' : ' '} ${b.name} ${b.commit.slice(0, 10)}${track} ${b.date.slice(0, 10)} ${b.subject}`;
      },
      unit: ['branch', 'branches'],
      empty: 'No branches match.',
      hint: 'Or narrow it with contains.',
    });
  },
});

const tagSchema = z.object({
  name: z.string(),
  commit: z.string(),
  annotated: z.boolean(),
  date: z.string(),
  subject: z.string().describe('Tag message (annotated) or commit subject'),
});

export const tagsTool = tool({
  name: 'git_tags',
  title: 'List tags',
  description: 'Tags, newest first, with the commit each points at, whether it is annotated, its date and message subject.',
  toolset: 'repository',
  access: 'read',
  input: { repository: repositoryInput, contains: filterInput, max_count: limitInput(100, 1000, 'tags'), cursor: cursorInput },
  output: { repository: z.string(), tags: z.array(tagSchema), more: moreSchema },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const rows = await forEachRef(
      repo,
      [
        '%(refname:short)',
        '%(objecttype)',
        '%(objectname)',
        '%(*objectname)',
        '%(creatordate:iso-strict)',
        '%(contents:subject)',
      ],
      ['refs/tags'],
      '-creatordate',
      READ_LIMIT,
    );
    const needle = args.contains?.toLowerCase();
    const all = rows
      .filter(([name = '']) => !needle || name.toLowerCase().includes(needle))
      .map(([name = '', type = '', object = '', peeled = '', date = '', subject = '']) => ({
        name,
        commit: peeled || object,
        annotated: type === 'tag',
        date,
        subject,
      }));
    return ctx.page({
      key: 'tags',
      fields: { repository: repo.path },
      items: all.slice(ctx.position.offset),
      limit: { argument: 'max_count', value: args.max_count },
      line: (t) => `${t.name} ${t.commit.slice(0, 10)} ${t.date.slice(0, 10)}${t.annotated ? '' : ' (lightweight)'} ${t.subject}`,
      unit: ['tag', 'tags'],
      empty: 'No tags.',
      hint: 'Or narrow it with contains.',
    });
  },
});

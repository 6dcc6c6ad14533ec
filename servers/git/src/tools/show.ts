import { cursorInput, formatBytes, jsonSize, more, moreLine, moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { isBinary, lookupPath, readBytes, readLines } from '../blob.js';
import type { Repository } from '../client.js';
import { diffFileSchema, diffPage, emptyTree } from '../diff.js';
import { pathsInput, repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { safePath, safePaths, safeSingleRevision } from '../validate.js';

const FIELD = '\x1f';
const BODY_LIMIT = 4000;

const commitSchema = z.object({
  hash: z.string(),
  parents: z.array(z.string()),
  author: z.string(),
  email: z.string(),
  date: z.string(),
  subject: z.string(),
  body: z.string().optional().describe('Message after the subject (cut at 4000 chars)'),
});

const fileSchema = z.object({
  path: z.string(),
  revision: z.string(),
  size: z.number(),
  binary: z.boolean(),
  symlink_to: z.string().optional().describe('Symbolic link target (never read)'),
  content: z.string().optional().describe('Lines start_line..end_line'),
  start_line: z.number().optional(),
  end_line: z.number().optional(),
  total_lines: z.number().optional(),
});

export const showTool = tool({
  name: 'git_show',
  title: 'Show a commit or a file at a revision',
  description:
    'Without path: one commit — hash, author, date, full message, then its changes (against the first parent) paged by file like git_diff. ' +
    "With path: that file's text at the revision, from start_line while it fits the output budget; binary files are described, not dumped.",
  toolset: 'repository',
  access: 'read',
  input: {
    repository: repositoryInput,
    revision: z.string().max(256).default('HEAD').describe('Commit, branch or tag (default HEAD)'),
    path: z.string().max(4096).optional().describe('Show this file at the revision instead of the commit'),
    start_line: z.number().int().min(1).max(100_000_000).default(1).describe('With path: first line to show'),
    paths: pathsInput('Without path: only the changes to these files or folders'),
    context_lines: z.number().int().min(0).max(100).default(3).describe('Without path: unchanged lines around each change'),
    stat_only: z.boolean().default(false).describe('Without path: list changed files with +/− counts, no patches'),
    cursor: cursorInput,
  },
  output: {
    repository: z.string(),
    commit: commitSchema.optional(),
    compared_with: z.string().optional(),
    totals: z.object({ files: z.number(), additions: z.number(), deletions: z.number() }).optional(),
    files: z.array(diffFileSchema).optional(),
    file: fileSchema.optional(),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const revision = safeSingleRevision(args.revision, 'revision');
    if (args.path !== undefined) return showFile(repo, revision, safePath(args.path, 'path'), args.start_line, ctx.budget.bytes);

    const commit = await readCommit(repo, revision);
    const [parent] = commit.parents;
    const against = parent ?? (await emptyTree(repo));
    const compared_with = parent
      ? `${commit.parents.length > 1 ? 'first parent' : 'parent'} ${parent.slice(0, 10)}`
      : 'nothing (root commit)';
    const header = args.cursor
      ? `commit ${commit.hash} (continued): ${commit.subject}`
      : [
          `commit ${commit.hash}`,
          ...(commit.parents.length > 1
            ? [`Merge: ${commit.parents.map((p) => p.slice(0, 10)).join(' ')} (changes shown against the first parent)`]
            : []),
          `Author: ${commit.author} <${commit.email}>`,
          `Date:   ${commit.date}`,
          '',
          ...`${commit.subject}${commit.body ? `\n\n${commit.body}` : ''}`.split('\n').map((l) => `    ${l}`),
          '',
        ].join('\n');
    const page = await diffPage(
      repo,
      {
        flags: [],
        revisions: [against, commit.hash],
        paths: safePaths(args.paths, 'paths'),
        context: args.context_lines,
        statOnly: args.stat_only,
        heading: `${header}\n`,
      },
      ctx.position,
      ctx.budget.bytes,
    );
    return ctx.page({ ...page, fields: { repository: repo.path, commit, compared_with, ...page.fields } });
  },
});

async function readCommit(repo: Repository, revision: string): Promise<z.infer<typeof commitSchema>> {
  const raw = (
    await repo.run(
      [
        'log',
        '-1',
        `--format=%H${FIELD}%P${FIELD}%an${FIELD}%ae${FIELD}%aI${FIELD}%B`,
        '--end-of-options',
        `${revision}^{commit}`,
        '--',
      ],
      {
        maxBytes: 64 * 1024,
      },
    )
  ).stdout;
  const [hash = '', parents = '', author = '', email = '', date = '', message = ''] = raw.split(FIELD);
  const [subject = '', ...rest] = message.trim().split('\n');
  let body = rest.join('\n').trim();
  if (body.length > BODY_LIMIT) body = `${body.slice(0, BODY_LIMIT)}…`;
  return {
    hash,
    parents: parents.split(' ').filter(Boolean),
    author,
    email,
    date,
    subject,
    ...(body ? { body } : {}),
  };
}

/**
 * A file at a revision: one value (a window of its lines), not a list, so it is cut here, to what
 * the rest of the reply leaves of the budget, and continued by start_line.
 */
async function showFile(repo: Repository, revision: string, path: string, startLine: number, budget: number) {
  const entry = await lookupPath(repo, revision, path);
  const base = { path, revision, size: entry.size };
  const reply = (file: z.infer<typeof fileSchema>, text: string, moreInfo?: ReturnType<typeof more>) => ({
    structured: { repository: repo.path, file, more: moreInfo },
    text,
  });
  if (entry.type === 'tree') {
    return reply({ ...base, binary: false }, `${path} is a folder at ${revision}. List it with git_files (path="${path}").`);
  }
  if (entry.type === 'commit') {
    return reply({ ...base, binary: false }, `${path} is a submodule, at commit ${entry.oid} in ${revision}.`);
  }
  if (entry.mode === '120000') {
    const target = (await readBytes(repo, entry.oid, 4096)).toString('utf8');
    return reply(
      { ...base, binary: false, symlink_to: target },
      `${path} at ${revision} is a symbolic link to ${target} (not followed).`,
    );
  }
  if (await isBinary(repo, entry.oid)) {
    return reply(
      { ...base, binary: true },
      `${path} at ${revision} is a binary file of ${formatBytes(entry.size)}; its content is not shown.`,
    );
  }
  const longestHint = `Line ${startLine} is longer than the output budget and was cut; call git_show again with start_line=${startLine + 1} for the lines after it.`;
  const around = jsonSize({
    repository: repo.path,
    file: { ...base, binary: false, content: '', start_line: startLine, end_line: 1e8, total_lines: 1e8 },
    more: { omitted: 1e8, hint: longestHint },
  });
  const window = await readLines(repo, entry, startLine, budget - around);
  const { line_cut, ...lines } = window;
  const total = window.total_lines;
  if (startLine > Math.max(total, 1)) {
    throw new ToolError(`is past the end of ${path} at ${revision}, which has ${total} lines.`, { argument: 'start_line' });
  }
  const moreInfo = line_cut
    ? more(
        Math.max(total - startLine, 0),
        `Line ${startLine} is longer than the output budget and was cut; call git_show again with start_line=${startLine + 1} for the lines after it.`,
      )
    : more(total - window.end_line, `Call git_show again with start_line=${window.end_line + 1} for the rest.`);
  const heading = `${path} at ${revision}: lines ${window.start_line}–${window.end_line} of ${total} (${formatBytes(entry.size)})`;
  return reply({ ...base, binary: false, ...lines }, `${heading}\n${window.content}${moreLine(moreInfo, 'lines')}`, moreInfo);
}

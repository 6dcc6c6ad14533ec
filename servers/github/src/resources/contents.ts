import { type ReadContext, type ResourceContents, sanitizeUntrusted, ToolError } from '@patchbay/kit';
import { isBinary } from '../blob.js';
import type { GitHubServices } from '../client.js';
import { readContents, readRaw } from '../files.js';
import { template } from '../kit.js';
import { type Target, target } from '../repo.js';

/**
 * Files as resources: `repo://{owner}/{repo}/contents/{path}` at the default branch, and
 * `repo://{owner}/{repo}/ref/{ref}/contents/{path}` at a branch, tag or commit (a ref with "/" is
 * written %2F) — the URIs GitHub's own server uses. GitHub writes the template `contents{/path*}`;
 * here it is `contents/{+path}`, because the MCP SDK matches `{/path*}` as one path segment (no
 * "/" inside), and a file path has several. `--repos` applies as to every tool. A directory reads as its listing, a text file
 * as its text (invisible characters shown as <U+XXXX>, cut to the output budget), a binary file as
 * bytes (up to 5 MB). Completion offers owners, repositories, refs and paths.
 */

const MAX_BLOB = 5 * 1024 * 1024;

const TYPES: Record<string, string> = {
  md: 'text/markdown',
  json: 'application/json',
  js: 'text/javascript',
  ts: 'text/x-typescript',
  yml: 'application/yaml',
  yaml: 'application/yaml',
  csv: 'text/csv',
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
};

function decode(value: string | undefined, argument: string): string {
  try {
    return decodeURIComponent(value ?? '');
  } catch {
    throw new ToolError(`"${value}" is not validly percent-encoded.`, { argument });
  }
}

async function read(uri: URL, variables: Record<string, string>, ctx: ReadContext<GitHubServices>): Promise<ResourceContents[]> {
  const owner = decode(variables.owner, 'owner');
  const repo = decode(variables.repo, 'repo');
  const ref = variables.ref !== undefined ? decode(variables.ref, 'ref') : undefined;
  const path = (variables.path ?? '')
    .split('/')
    .filter(Boolean)
    .map((s) => decode(s, 'path'))
    .join('/');
  const t = await target(ctx, `${owner}/${repo}`);
  const contents = await readContents(t, path, ref);
  if (contents.kind === 'dir') {
    const lines = contents.entries.map((e) => (e.type === 'dir' ? `${e.path}/` : e.path));
    return [
      { uri: uri.href, mimeType: 'text/plain', text: `${t.full}:${path || '/'}${ref ? `@${ref}` : ''}\n${lines.join('\n')}` },
    ];
  }
  if (contents.kind === 'other') return [{ uri: uri.href, mimeType: 'text/plain', text: `${path} is a ${contents.type}.` }];
  const bytes = contents.bytes ?? (await readRaw(t, contents.path, ref));
  const mimeType = TYPES[path.split('.').pop()?.toLowerCase() ?? ''];
  if (isBinary(bytes)) {
    if (bytes.length > MAX_BLOB) {
      throw new ToolError(`${path} is ${bytes.length} bytes of binary data, more than a resource read returns (5 MB).`, {
        argument: 'path',
      });
    }
    return [{ uri: uri.href, mimeType: mimeType ?? 'application/octet-stream', blob: bytes.toString('base64') }];
  }
  const text = sanitizeUntrusted(bytes.toString('utf8'), { code: true }).text;
  return [{ uri: uri.href, mimeType: mimeType ?? 'text/plain', text }];
}

/** Owners and repositories to complete: the --repos list, else what the token can reach. */
async function knownRepos(services: GitHubServices): Promise<string[]> {
  const exact = services.policy.patterns.filter((p) => !p.endsWith('/*'));
  if (services.policy.restricted && exact.length === services.policy.patterns.length) return exact;
  const octokit = await services.octokit.get();
  const { data } = await octokit.rest.repos.listForAuthenticatedUser({ sort: 'pushed', per_page: 100 });
  return data.map((r) => r.full_name).filter((r) => services.policy.allows(r));
}

async function completePath(value: string, context: Record<string, string>, services: GitHubServices): Promise<string[]> {
  const owner = context.owner;
  const repo = context.repo;
  if (!owner || !repo) return [];
  const t: Target = await target({ services, signal: AbortSignal.timeout(10_000) }, `${owner}/${repo}`);
  const dir = value.includes('/') ? value.slice(0, value.lastIndexOf('/')) : '';
  const ref = context.ref ? decode(context.ref, 'ref') : undefined;
  const contents = await readContents(t, dir, ref);
  if (contents.kind !== 'dir') return [];
  return contents.entries
    .map((e) => (e.type === 'dir' ? `${e.path}/` : e.path))
    .filter((p) => p.startsWith(value))
    .slice(0, 100);
}

const complete = {
  owner: async (value: string, _context: Record<string, string>, services: GitHubServices) =>
    [...new Set((await knownRepos(services)).map((r) => r.split('/')[0] as string))].filter((o) => o.startsWith(value)),
  repo: async (value: string, context: Record<string, string>, services: GitHubServices) =>
    (await knownRepos(services))
      .filter((r) => !context.owner || r.toLowerCase().startsWith(`${context.owner.toLowerCase()}/`))
      .map((r) => r.split('/')[1] as string)
      .filter((name) => name.startsWith(value)),
  path: completePath,
};

export const contentsResource = template({
  name: 'github_file',
  title: 'File in a repository',
  description: 'A file or directory at the default branch: repo://{owner}/{repo}/contents/{path}.',
  uriTemplate: 'repo://{owner}/{repo}/contents/{+path}',
  complete,
  read,
});

export const contentsAtRefResource = template({
  name: 'github_file_at_ref',
  title: 'File at a ref',
  description:
    'A file or directory at a branch, tag or commit: repo://{owner}/{repo}/ref/{ref}/contents/{path}; a ref with "/" is written %2F.',
  uriTemplate: 'repo://{owner}/{repo}/ref/{ref}/contents/{+path}',
  complete: {
    ...complete,
    ref: async (value: string, context: Record<string, string>, services: GitHubServices) => {
      if (!context.owner || !context.repo) return [];
      const t = await target({ services, signal: AbortSignal.timeout(10_000) }, `${context.owner}/${context.repo}`);
      const { data } = await t.octokit.rest.repos.listBranches({
        owner: t.owner,
        repo: t.repo,
        per_page: 100,
        request: t.request,
      });
      return data.map((b) => encodeURIComponent(b.name)).filter((b) => b.startsWith(encodeURIComponent(value)));
    },
  },
  read,
});

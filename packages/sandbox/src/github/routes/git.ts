/** The git data API: blobs, trees, commits and refs — the path a multi-file commit takes. */
import type { Route } from '../../core/emulator.js';
import { emptyResponse, jsonResponse, type SandboxRequest, type SandboxResponse } from '../../core/http.js';
import type { FlatEntry, Mode } from '../git.js';
import { type Ctx, gitCommit, gitRef, gitTree } from '../serialize.js';
import type { GitHubState, Repo } from '../state.js';
import {
  ctxOf,
  flag,
  isRepo,
  notFound,
  rawResponse,
  readableRepo,
  unprocessable,
  validationFailed,
  wants,
  writableRepo,
} from '../wire.js';

type R = Route<GitHubState>;

const SHA = /^[0-9a-f]{40}$/;

function read(handler: (req: SandboxRequest, c: Ctx, r: Repo) => SandboxResponse): R['handler'] {
  return (req, ctx) => {
    const r = readableRepo(req, ctx.state);
    return isRepo(r) ? handler(req, ctxOf(req, ctx), r) : r;
  };
}

function write(handler: (req: SandboxRequest, c: Ctx, r: Repo) => SandboxResponse): R['handler'] {
  return (req, ctx) => {
    const r = writableRepo(req, ctx.state);
    return isRepo(r) ? handler(req, ctxOf(req, ctx), r) : r;
  };
}

interface TreeItem {
  path?: unknown;
  mode?: unknown;
  type?: unknown;
  sha?: unknown;
  content?: unknown;
}

function createTree(req: SandboxRequest, c: Ctx, r: Repo): SandboxResponse {
  const body = req.json<{ tree?: TreeItem[]; base_tree?: string }>();
  if (!Array.isArray(body?.tree))
    return validationFailed([{ resource: 'Tree', field: 'tree', code: 'missing_field' }], 'Invalid tree info');
  let files = new Map<string, FlatEntry>();
  if (body.base_tree !== undefined) {
    if (!r.git.trees.has(body.base_tree)) return unprocessable(`base_tree ${body.base_tree} is not a valid tree`);
    files = r.git.flatten(body.base_tree);
  }
  for (const [index, item] of body.tree.entries()) {
    if (typeof item.path !== 'string' || item.path === '' || item.path.startsWith('/'))
      return validationFailed(
        [{ resource: 'Tree', field: 'path', code: 'invalid', index } as never],
        `tree.path is invalid at index ${index}`,
      );
    const mode = item.mode as Mode;
    if (!['100644', '100755', '040000', '120000', '160000'].includes(String(item.mode)))
      return unprocessable(`tree.mode contains a malformed mode at index ${index}`);
    if (item.type === 'tree') {
      if (typeof item.sha !== 'string' || !r.git.trees.has(item.sha))
        return unprocessable(`tree.sha ${String(item.sha)} is not a valid tree`);
      for (const [sub, entry] of r.git.flatten(item.sha)) files.set(`${item.path}/${sub}`, entry);
      continue;
    }
    if (item.sha === null) {
      // A null sha deletes the path (and everything under it).
      for (const key of [...files.keys()]) if (key === item.path || key.startsWith(`${item.path}/`)) files.delete(key);
      continue;
    }
    if (typeof item.content === 'string') {
      files.set(item.path, { sha: r.git.putBlob(item.content), mode });
      continue;
    }
    if (typeof item.sha !== 'string' || !r.git.blobs.has(item.sha))
      return unprocessable(`tree.sha ${String(item.sha)} is not a valid blob`);
    files.set(item.path, { sha: item.sha, mode });
  }
  const sha = r.git.buildTree(files);
  return jsonResponse(201, gitTree(c, r, sha, false), { location: `${c.url}/repos/${r.owner}/${r.name}/git/trees/${sha}` });
}

function createCommit(req: SandboxRequest, c: Ctx, r: Repo): SandboxResponse {
  const body =
    req.json<{
      message?: unknown;
      tree?: unknown;
      parents?: unknown;
      author?: { name?: string; email?: string; date?: string };
    }>() ?? {};
  if (typeof body.message !== 'string')
    return validationFailed([{ resource: 'Commit', field: 'message', code: 'missing_field' }]);
  if (typeof body.tree !== 'string' || !r.git.trees.has(body.tree)) return unprocessable('Tree SHA does not exist');
  const parents = Array.isArray(body.parents) ? body.parents : [];
  for (const p of parents)
    if (typeof p !== 'string' || !r.git.commits.has(p))
      return unprocessable('Parent SHA does not exist or is not a commit object');
  const sig = c.state.signature(c.login!);
  const author =
    body.author?.name && body.author.email
      ? { name: body.author.name, email: body.author.email, date: body.author.date ?? sig.date }
      : sig;
  const created = r.git.putCommit({
    tree: body.tree,
    parents: parents as string[],
    author,
    committer: sig,
    message: body.message,
  });
  return jsonResponse(201, gitCommit(c, r, created), {
    location: `${c.url}/repos/${r.owner}/${r.name}/git/commits/${created.sha}`,
  });
}

function fullRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/${ref}`;
}

export const gitRoutes: R[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/blobs/{file_sha}',
    operation: 'git/get-blob',
    handler: read((req, c, r) => {
      const sha = req.params['file_sha']!;
      const bytes = r.git.blobs.get(sha);
      if (!bytes) return notFound();
      if (wants(req, 'raw')) return rawResponse(bytes);
      return jsonResponse(200, {
        sha,
        node_id: Buffer.from(`0:Blob${sha.slice(0, 12)}`).toString('base64'),
        size: bytes.length,
        url: `${c.url}/repos/${r.owner}/${r.name}/git/blobs/${sha}`,
        content: bytes.toString('base64'),
        encoding: 'base64',
      });
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/blobs',
    operation: 'git/create-blob',
    handler: write((req, c, r) => {
      const body = req.json<{ content?: unknown; encoding?: unknown }>() ?? {};
      if (typeof body.content !== 'string')
        return validationFailed([{ resource: 'Blob', field: 'content', code: 'missing_field' }]);
      const encoding = body.encoding ?? 'utf-8';
      if (encoding !== 'utf-8' && encoding !== 'base64')
        return validationFailed([{ resource: 'Blob', field: 'encoding', code: 'invalid', value: String(encoding) }]);
      const sha = r.git.putBlob(encoding === 'base64' ? Buffer.from(body.content, 'base64') : Buffer.from(body.content, 'utf8'));
      const url = `${c.url}/repos/${r.owner}/${r.name}/git/blobs/${sha}`;
      return jsonResponse(201, { url, sha }, { location: url });
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/trees/{tree_sha+}',
    operation: 'git/get-tree',
    handler: read((req, c, r) => {
      const ref = req.params['tree_sha']!;
      let sha = r.git.trees.has(ref) ? ref : undefined;
      if (!sha) {
        const commitSha = c.state.resolveRef(r, ref);
        sha = commitSha ? r.git.commits.get(commitSha)?.tree : undefined;
      }
      if (!sha) return notFound();
      return jsonResponse(200, gitTree(c, r, sha, flag(req, 'recursive')));
    }),
  },
  { method: 'POST', path: '/repos/{owner}/{repo}/git/trees', operation: 'git/create-tree', handler: write(createTree) },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
    operation: 'git/get-commit',
    handler: read((req, c, r) => {
      const co = r.git.commits.get(req.params['commit_sha']!);
      return co ? jsonResponse(200, gitCommit(c, r, co)) : notFound();
    }),
  },
  { method: 'POST', path: '/repos/{owner}/{repo}/git/commits', operation: 'git/create-commit', handler: write(createCommit) },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/ref/{ref+}',
    operation: 'git/get-ref',
    handler: read((req, c, r) => {
      const ref = fullRef(req.params['ref']!);
      const sha = r.refs.get(ref);
      return sha ? jsonResponse(200, gitRef(c, r, ref, sha)) : notFound();
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/matching-refs/{ref*}',
    operation: 'git/list-matching-refs',
    handler: read((req, c, r) => {
      const prefix = fullRef(req.params['ref'] ?? '');
      const refs = [...r.refs].filter(([ref]) => ref.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1));
      return jsonResponse(
        200,
        refs.map(([ref, sha]) => gitRef(c, r, ref, sha)),
      );
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/git/refs',
    operation: 'git/create-ref',
    handler: write((req, c, r) => {
      const body = req.json<{ ref?: unknown; sha?: unknown }>() ?? {};
      if (typeof body.ref !== 'string' || !/^refs\/[^/]+\/.+/.test(body.ref))
        return unprocessable("Reference name must start with 'refs/' and have at least two slashes.");
      if (typeof body.sha !== 'string' || !SHA.test(body.sha) || !r.git.commits.has(body.sha))
        return unprocessable('Object does not exist');
      if (r.refs.has(body.ref)) return unprocessable('Reference already exists');
      r.refs.set(body.ref, body.sha);
      const url = `${c.url}/repos/${r.owner}/${r.name}/git/${body.ref}`;
      return jsonResponse(201, gitRef(c, r, body.ref, body.sha), { location: url });
    }),
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/git/refs/{ref+}',
    operation: 'git/update-ref',
    handler: write((req, c, r) => {
      const ref = fullRef(req.params['ref']!);
      const body = req.json<{ sha?: unknown; force?: unknown }>() ?? {};
      const current = r.refs.get(ref);
      if (!current) return unprocessable('Reference does not exist');
      if (typeof body.sha !== 'string' || !r.git.commits.has(body.sha)) return unprocessable('Object does not exist');
      // Without force, only a fast-forward: the new commit must contain the current one.
      if (body.force !== true && !r.git.isAncestor(current, body.sha)) return unprocessable('Update is not a fast forward');
      r.refs.set(ref, body.sha);
      r.pushed_at = c.state.now();
      return jsonResponse(200, gitRef(c, r, ref, body.sha));
    }),
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/git/refs/{ref+}',
    operation: 'git/delete-ref',
    handler: write((req, _c, r) => {
      const ref = fullRef(req.params['ref']!);
      if (!r.refs.has(ref)) return unprocessable('Reference does not exist');
      if (ref === `refs/heads/${r.default_branch}`) return unprocessable('Cannot delete the default branch');
      r.refs.delete(ref);
      return emptyResponse(204);
    }),
  },
];

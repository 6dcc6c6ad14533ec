/** Repositories: get, fork, branches, tags, contents (read and write), commits, compare. */
import type { Route } from '../../core/emulator.js';
import { jsonResponse, type SandboxRequest, type SandboxResponse, textResponse } from '../../core/http.js';
import { diffTrees, renderDiff } from '../diff.js';
import { GitStore, isBinary } from '../git.js';
import {
  branchWithProtection,
  type Ctx,
  commit,
  diffEntry,
  fullRepository,
  gitCommit,
  shortBranch,
  simpleUser,
  tag,
} from '../serialize.js';
import type { GitHubState, Repo } from '../state.js';
import {
  ctxOf,
  flag,
  ghError,
  isRepo,
  mediaHeader,
  notFound,
  pagedJson,
  paginate,
  rawResponse,
  readableRepo,
  requireUser,
  unprocessable,
  validationFailed,
  wants,
  writableRepo,
} from '../wire.js';

type R = Route<GitHubState>;

/** Files above 1 MB come back from the contents API without content (`encoding: none`), as on GitHub. */
export const CONTENTS_INLINE_LIMIT = 1024 * 1024;

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function contentEntry(c: Ctx, r: Repo, ref: string, path: string, entry: { type: 'blob' | 'tree'; sha: string }, size: number) {
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  const self = `${u}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
  const git = `${u}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${entry.sha}`;
  const html = `${c.url}/${r.owner}/${r.name}/${entry.type === 'tree' ? 'tree' : 'blob'}/${ref}/${encodePath(path)}`;
  return {
    type: entry.type === 'tree' ? 'dir' : 'file',
    size,
    name: path.split('/').pop() ?? path,
    path,
    sha: entry.sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url:
      entry.type === 'tree' ? null : `${c.url}/_raw/${r.owner}/${r.name}/${encodeURIComponent(ref)}/${encodePath(path)}`,
    _links: { self, git, html },
  };
}

/** base64 wrapped at 60 columns with a trailing newline, as GitHub sends file content. */
function wrappedBase64(bytes: Buffer): string {
  const b64 = bytes.toString('base64');
  return b64 === '' ? '' : `${b64.match(/.{1,60}/g)!.join('\n')}\n`;
}

function resolveOr404(state: GitHubState, r: Repo, ref: string): string | SandboxResponse {
  return state.resolveRef(r, ref) ?? ghError(404, `No commit found for the ref ${ref}`);
}

function getContent(req: SandboxRequest, c: Ctx, r: Repo): SandboxResponse {
  const path = (req.params['path'] ?? '').replace(/^\/+|\/+$/g, '');
  const ref = req.query.get('ref') ?? r.default_branch;
  if (r.refs.size === 0) return ghError(404, 'This repository is empty.');
  const sha = resolveOr404(c.state, r, ref);
  if (typeof sha !== 'string') return sha;
  const entry = r.git.resolve(r.git.commits.get(sha)!.tree, path);
  if (!entry) return notFound();
  if (entry.type === 'blob') {
    const bytes = r.git.blobs.get(entry.sha)!;
    if (wants(req, 'raw')) return rawResponse(bytes);
    const base = contentEntry(c, r, ref, path, entry, bytes.length);
    const inline = bytes.length <= CONTENTS_INLINE_LIMIT;
    return jsonResponse(200, { ...base, content: inline ? wrappedBase64(bytes) : '', encoding: inline ? 'base64' : 'none' });
  }
  const entries = (r.git.trees.get(entry.sha) ?? []).map((e) => {
    const p = path ? `${path}/${e.name}` : e.name;
    return contentEntry(c, r, ref, p, e, e.type === 'blob' ? (r.git.blobs.get(e.sha)?.length ?? 0) : 0);
  });
  if (wants(req, 'object'))
    return jsonResponse(200, { ...contentEntry(c, r, ref, path, entry, 0), entries }, mediaHeader('object'));
  return jsonResponse(200, entries);
}

interface FileWrite {
  message?: unknown;
  content?: unknown;
  sha?: unknown;
  branch?: unknown;
  committer?: { name?: string; email?: string };
  author?: { name?: string; email?: string };
}

/** PUT and DELETE contents: a commit on the branch, guarded by the blob sha the client last saw. */
function writeContent(req: SandboxRequest, c: Ctx, r: Repo, login: string, remove: boolean): SandboxResponse {
  const path = (req.params['path'] ?? '').replace(/^\/+|\/+$/g, '');
  const body = req.json<FileWrite>() ?? {};
  if (typeof body.message !== 'string')
    return validationFailed(
      [{ resource: 'Commit', field: 'message', code: 'missing_field' }],
      'Invalid request.\n\n"message" wasn\'t supplied.',
    );
  if (!remove && typeof body.content !== 'string') return unprocessable('Invalid request.\n\n"content" wasn\'t supplied.');
  if (!remove && !/^[A-Za-z0-9+/=\s]*$/.test(body.content as string)) return unprocessable('content is not valid Base64');
  const branch = typeof body.branch === 'string' ? body.branch : r.default_branch;
  const head = c.state.branchSha(r, branch);
  if (!head && r.refs.size > 0) return ghError(404, `Branch ${branch} not found`);
  const existing = head ? r.git.resolve(r.git.commits.get(head)!.tree, path) : undefined;
  if (existing?.type === 'tree') return unprocessable(`${path} is a directory`);
  if (remove) {
    if (!existing) return notFound();
    if (typeof body.sha !== 'string') return unprocessable('Invalid request.\n\n"sha" wasn\'t supplied.');
  }
  if (existing && body.sha === undefined) return unprocessable('Invalid request.\n\n"sha" wasn\'t supplied.');
  if (existing && body.sha !== existing.sha) return ghError(409, `${path} does not match ${String(body.sha)}`);
  if (!existing && typeof body.sha === 'string' && !remove) return ghError(409, `${path} does not match ${body.sha}`);
  const sig = c.state.signature(login);
  const author = body.author?.name && body.author.email ? { ...sig, name: body.author.name, email: body.author.email } : sig;
  const committer =
    body.committer?.name && body.committer.email ? { ...sig, name: body.committer.name, email: body.committer.email } : sig;
  const tree = r.git.applyChanges(head ? r.git.commits.get(head)!.tree : null, {
    [path]: remove ? null : Buffer.from(body.content as string, 'base64'),
  });
  const created = r.git.putCommit({ tree, parents: head ? [head] : [], author, committer, message: body.message });
  r.refs.set(`refs/heads/${branch}`, created.sha);
  r.pushed_at = committer.date;
  r.updated_at = committer.date;
  const entry = remove ? undefined : r.git.resolve(tree, path)!;
  const content = entry
    ? (() => {
        const { _links, ...rest } = contentEntry(c, r, branch, path, entry, r.git.blobs.get(entry.sha)!.length);
        return { ...rest, _links };
      })()
    : null;
  return jsonResponse(remove ? 200 : existing ? 200 : 201, { content, commit: gitCommit(c, r, created) });
}

function commitsFor(req: SandboxRequest, c: Ctx, r: Repo): SandboxResponse {
  if (r.refs.size === 0) return ghError(409, 'Git Repository is empty.');
  const start = resolveOr404(c.state, r, req.query.get('sha') ?? r.default_branch);
  if (typeof start !== 'string') return start;
  const path = req.query.get('path');
  const author = req.query.get('author')?.toLowerCase();
  const since = req.query.get('since');
  const until = req.query.get('until');
  const commits = r.git.history(start).filter((co) => {
    if (since && Date.parse(co.committer.date) < Date.parse(since)) return false;
    if (until && Date.parse(co.committer.date) > Date.parse(until)) return false;
    if (author) {
      const a = c.state.account(author);
      if (
        co.author.email.toLowerCase() !== author &&
        co.author.email !== a?.email &&
        co.author.email !== `${a?.login}@users.noreply.sandbox.test`
      )
        return false;
    }
    if (path) {
      const here = r.git.resolve(co.tree, path)?.sha;
      const parent = co.parents[0] ? r.git.resolve(r.git.commits.get(co.parents[0])!.tree, path)?.sha : undefined;
      if (here === parent) return false;
    }
    return true;
  });
  return pagedJson(req, commits, (co) => commit(c, r, co));
}

function getCommit(req: SandboxRequest, c: Ctx, r: Repo): SandboxResponse {
  const sha = c.state.resolveRef(r, req.params['ref']!);
  if (!sha) return unprocessable(`No commit found for SHA: ${req.params['ref']}`);
  const co = r.git.commits.get(sha)!;
  const parentTree = co.parents[0] ? r.git.commits.get(co.parents[0])!.tree : null;
  const files = diffTrees(r.git, parentTree, co.tree);
  if (wants(req, 'diff') || wants(req, 'patch')) {
    const before = parentTree ? r.git.flatten(parentTree) : new Map();
    return textResponse(
      200,
      renderDiff(r.git, files, before, r.git.flatten(co.tree)),
      'application/vnd.github.diff; charset=utf-8',
      mediaHeader('diff'),
    );
  }
  if (wants(req, 'sha')) return textResponse(200, sha, 'text/plain; charset=utf-8', mediaHeader('sha'));
  // Files are paged (up to 300 per page) with the usual Link header.
  const page = paginate(req, files, { perPage: 300, max: 300 });
  return jsonResponse(200, commit(c, r, co, page.items), page.headers);
}

function compare(req: SandboxRequest, c: Ctx, r: Repo): SandboxResponse {
  const basehead = req.params['basehead'] ?? '';
  const parts = basehead.split('...');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return notFound();
  const [baseRef, headRefRaw] = parts as [string, string];
  // `user:branch` names a branch in a fork.
  let headRepo = r;
  let headRef = headRefRaw;
  if (headRefRaw.includes(':')) {
    const [owner, ref] = headRefRaw.split(':', 2) as [string, string];
    const fork = [...c.state.repos.values()].find(
      (x) =>
        x.owner.toLowerCase() === owner.toLowerCase() &&
        (x === r || x.parent === `${r.owner}/${r.name}` || `${x.owner}/${x.name}` === r.parent),
    );
    if (!fork) return notFound();
    headRepo = fork;
    headRef = ref;
  }
  const base = c.state.resolveRef(r, baseRef);
  const head = c.state.resolveRef(headRepo, headRef);
  if (!base || !head) return notFound();
  const git = headRepo.git.commits.has(base) ? headRepo.git : r.git;
  const mergeBase = git.mergeBase(base, head);
  if (!mergeBase) return notFound();
  const baseAnc = git.ancestors(base);
  const headAnc = git.ancestors(head);
  const ahead = git
    .history(head)
    .filter((x) => !baseAnc.has(x.sha))
    .reverse();
  const behind = [...baseAnc].filter((x) => !headAnc.has(x)).length;
  const files = diffTrees(git, git.commits.get(mergeBase)!.tree, git.commits.get(head)!.tree);
  if (wants(req, 'diff') || wants(req, 'patch')) {
    const before = git.flatten(git.commits.get(mergeBase)!.tree);
    return textResponse(
      200,
      renderDiff(git, files, before, git.flatten(git.commits.get(head)!.tree)),
      'application/vnd.github.diff; charset=utf-8',
      mediaHeader('diff'),
    );
  }
  const status =
    ahead.length === 0 && behind === 0 ? 'identical' : ahead.length === 0 ? 'behind' : behind === 0 ? 'ahead' : 'diverged';
  const page = paginate(req, ahead, { perPage: 250, max: 250 });
  const html = `${c.url}/${r.owner}/${r.name}/compare/${basehead}`;
  return jsonResponse(
    200,
    {
      url: `${c.url}/repos/${r.owner}/${r.name}/compare/${basehead}`,
      html_url: html,
      permalink_url: `${c.url}/${r.owner}/${r.name}/compare/${r.owner}:${base.slice(0, 7)}...${headRepo.owner}:${head.slice(0, 7)}`,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      base_commit: commit(c, r, git.commits.get(base)!),
      merge_base_commit: commit(c, r, git.commits.get(mergeBase)!),
      status,
      ahead_by: ahead.length,
      behind_by: behind,
      total_commits: ahead.length,
      commits: page.items.map((co) => commit(c, headRepo, co)),
      files: files.slice(0, 300).map((f) => diffEntry(c, headRepo, head, f)),
    },
    page.headers,
  );
}

function withRepo(handler: (req: SandboxRequest, c: Ctx, r: Repo) => SandboxResponse): R['handler'] {
  return (req, ctx) => {
    const r = readableRepo(req, ctx.state);
    return isRepo(r) ? handler(req, ctxOf(req, ctx), r) : r;
  };
}

export const repoRoutes: R[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}',
    operation: 'repos/get',
    handler: withRepo((_req, c, r) => jsonResponse(200, fullRepository(c, r))),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/forks',
    operation: 'repos/create-fork',
    handler: (req, ctx) => {
      const login = requireUser(req, ctx.state);
      if (typeof login !== 'string') return login;
      const source = readableRepo(req, ctx.state);
      if (!isRepo(source)) return source;
      const body = req.json<{ organization?: string; name?: string; default_branch_only?: boolean }>() ?? {};
      const owner = body.organization ?? login;
      const ownerAccount = ctx.state.account(owner);
      if (!ownerAccount) return validationFailed([{ resource: 'Fork', field: 'organization', code: 'invalid', value: owner }]);
      if (ownerAccount.type === 'Organization' && !ownerAccount.members.has(login.toLowerCase()))
        return ghError(403, 'You must be a member of the organization to fork into it.');
      const name = body.name ?? source.name;
      const existing = ctx.state.repo(`${owner}/${name}`);
      const c = ctxOf(req, ctx);
      // Forking again returns the existing fork, as GitHub does.
      if (existing?.parent === `${source.owner}/${source.name}`) return jsonResponse(202, fullRepository(c, existing));
      if (existing) return validationFailed([{ resource: 'Repository', field: 'name', code: 'already_exists', value: name }]);
      const fork = ctx.state.addRepo(`${owner}/${name}`, {
        private: source.private,
        description: source.description,
        default_branch: source.default_branch,
        language: source.language,
      });
      fork.fork = true;
      fork.parent = `${source.owner}/${source.name}`;
      fork.git = new GitStore(source.git);
      for (const [ref, sha] of source.refs)
        if (!body.default_branch_only || ref === `refs/heads/${source.default_branch}` || ref.startsWith('refs/tags/'))
          fork.refs.set(ref, sha);
      return jsonResponse(202, fullRepository(c, fork));
    },
  },
  {
    // What lockdown-style checks ask: may this author push here? (admin for the owner, write for
    // collaborators and organisation members, read for anyone else on a public repository).
    method: 'GET',
    path: '/repos/{owner}/{repo}/collaborators/{username}/permission',
    operation: 'repos/get-collaborator-permission-level',
    handler: withRepo((req, c, r) => {
      const account = c.state.account(req.params['username']!);
      if (!account) return notFound();
      const permission =
        account.login.toLowerCase() === r.owner.toLowerCase()
          ? 'admin'
          : c.state.canPush(account.login, r)
            ? 'write'
            : r.private
              ? 'none'
              : 'read';
      const user = {
        ...simpleUser(c, account.login),
        role_name: permission,
        permissions: {
          admin: permission === 'admin',
          maintain: permission === 'admin',
          push: permission !== 'read' && permission !== 'none',
          triage: permission !== 'read' && permission !== 'none',
          pull: permission !== 'none',
        },
      };
      return jsonResponse(200, { permission, role_name: permission, user });
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/branches',
    operation: 'repos/list-branches',
    handler: withRepo((req, c, r) => {
      const only = req.query.get('protected');
      const branches = [...r.refs]
        .filter(([ref]) => ref.startsWith('refs/heads/'))
        .map(([ref, sha]) => ({ name: ref.slice('refs/heads/'.length), sha }))
        .filter((b) => only === null || (b.name === r.default_branch) === flag(req, 'protected'))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      return pagedJson(req, branches, (b) => shortBranch(c, r, b.name, b.sha));
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/branches/{branch+}',
    operation: 'repos/get-branch',
    handler: withRepo((req, c, r) => {
      const sha = c.state.branchSha(r, req.params['branch']!);
      return sha ? jsonResponse(200, branchWithProtection(c, r, req.params['branch']!, sha)) : ghError(404, 'Branch not found');
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/tags',
    operation: 'repos/list-tags',
    handler: withRepo((req, c, r) => {
      const tags = [...r.refs]
        .filter(([ref]) => ref.startsWith('refs/tags/'))
        .map(([ref, sha]) => ({ name: ref.slice('refs/tags/'.length), sha }))
        .sort(
          (a, b) =>
            Date.parse(r.git.commits.get(b.sha)?.committer.date ?? '') -
              Date.parse(r.git.commits.get(a.sha)?.committer.date ?? '') || (a.name < b.name ? 1 : -1),
        );
      return pagedJson(req, tags, (t) => tag(c, r, t.name, t.sha));
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/contents/{path*}',
    operation: 'repos/get-content',
    handler: withRepo(getContent),
  },
  {
    method: 'PUT',
    path: '/repos/{owner}/{repo}/contents/{path+}',
    operation: 'repos/create-or-update-file-contents',
    handler: (req, ctx) => {
      const r = writableRepo(req, ctx.state);
      if (!isRepo(r)) return r;
      return writeContent(req, ctxOf(req, ctx), r, ctxOf(req, ctx).login!, false);
    },
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/contents/{path+}',
    operation: 'repos/delete-file',
    handler: (req, ctx) => {
      const r = writableRepo(req, ctx.state);
      if (!isRepo(r)) return r;
      return writeContent(req, ctxOf(req, ctx), r, ctxOf(req, ctx).login!, true);
    },
  },
  { method: 'GET', path: '/repos/{owner}/{repo}/commits', operation: 'repos/list-commits', handler: withRepo(commitsFor) },
  { method: 'GET', path: '/repos/{owner}/{repo}/commits/{ref+}', operation: 'repos/get-commit', handler: withRepo(getCommit) },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/compare/{basehead+}',
    operation: 'repos/compare-commits-with-basehead',
    handler: withRepo(compare),
  },
  {
    // What `download_url` points at (raw.githubusercontent.com on GitHub): the bytes, no JSON.
    method: 'GET',
    path: '/_raw/{owner}/{repo}/{ref}/{path+}',
    operation: 'sandbox/raw-download',
    handler: withRepo((req, c, r) => {
      const sha = c.state.resolveRef(r, req.params['ref']!);
      const entry = sha ? r.git.resolve(r.git.commits.get(sha)!.tree, req.params['path']!) : undefined;
      if (entry?.type !== 'blob') return textResponse(404, '404: Not Found');
      const bytes = r.git.blobs.get(entry.sha)!;
      return textResponse(200, bytes, isBinary(bytes) ? 'application/octet-stream' : 'text/plain; charset=utf-8');
    }),
  },
];

/** Pull requests: list, create, get (JSON or diff), update, files, reviews, review comments, reviewers, merge, update-branch; checks and statuses. */
import type { Route } from '../../core/emulator.js';
import { jsonResponse, type SandboxRequest, type SandboxResponse, textResponse } from '../../core/http.js';
import { renderDiff } from '../diff.js';
import {
  type Ctx,
  checkRun,
  commit,
  commitStatus,
  diffEntry,
  mergeability,
  minimalRepository,
  pullChanges,
  pullRequest,
  pullRequestSimple,
  review,
  reviewComment,
  simpleUser,
} from '../serialize.js';
import type { GitHubState, Issue, Repo, Review } from '../state.js';
import {
  ctxOf,
  ghError,
  isRepo,
  mediaHeader,
  notFound,
  pagedJson,
  paginate,
  readableRepo,
  requireUser,
  sortBy,
  unprocessable,
  validationFailed,
  wants,
  writableRepo,
} from '../wire.js';

type R = Route<GitHubState>;

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

function participate(handler: (req: SandboxRequest, c: Ctx, r: Repo, login: string) => SandboxResponse): R['handler'] {
  return (req, ctx) => {
    const login = requireUser(req, ctx.state);
    if (typeof login !== 'string') return login;
    const r = readableRepo(req, ctx.state);
    return isRepo(r) ? handler(req, ctxOf(req, ctx), r, login) : r;
  };
}

function pullOf(req: SandboxRequest, r: Repo): Issue | undefined {
  const i = r.issues.get(Number(req.params['pull_number']));
  return i?.pull ? i : undefined;
}

function withPull(
  handler: (req: SandboxRequest, c: Ctx, r: Repo, i: Issue) => SandboxResponse,
): (req: SandboxRequest, c: Ctx, r: Repo) => SandboxResponse {
  return (req, c, r) => {
    const i = pullOf(req, r);
    return i ? handler(req, c, r, i) : notFound();
  };
}

function pullDiff(c: Ctx, r: Repo, i: Issue): string {
  const changes = pullChanges(c, r, i);
  const headRepo = c.state.repo(i.pull!.head.repo) ?? r;
  const git = headRepo.git;
  const before = git.commits.get(changes.base) ? git.flatten(git.commits.get(changes.base)!.tree) : new Map();
  return renderDiff(git, changes.files, before, git.flatten(git.commits.get(changes.head)!.tree));
}

/** Where a line of a file sits in the pull request's diff: the hunk text up to it, for `diff_hunk`. */
function hunkFor(c: Ctx, r: Repo, i: Issue, path: string, line: number): string | undefined {
  const file = pullChanges(c, r, i).files.find((f) => f.filename === path);
  if (!file?.patch) return undefined;
  const lines = file.patch.split('\n');
  let newLine = 0;
  const out: string[] = [];
  for (const l of lines) {
    out.push(l);
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(l);
    if (header) {
      newLine = Number(header[1]) - 1;
      continue;
    }
    if (!l.startsWith('-')) newLine++;
    if (newLine === line) return out.join('\n');
  }
  return undefined;
}

interface ReviewCommentInput {
  path?: unknown;
  line?: unknown;
  position?: unknown;
  side?: unknown;
  body?: unknown;
}

function addReviewComment(
  c: Ctx,
  r: Repo,
  i: Issue,
  login: string,
  reviewId: number,
  input: ReviewCommentInput,
  commitId: string,
): SandboxResponse | ReturnType<typeof Object> {
  if (typeof input.body !== 'string' || input.body === '')
    return validationFailed([{ resource: 'PullRequestReviewComment', field: 'body', code: 'missing_field' }]);
  if (typeof input.path !== 'string')
    return validationFailed([{ resource: 'PullRequestReviewComment', field: 'path', code: 'missing_field' }]);
  const line = Number(input.line ?? input.position);
  const hunk = Number.isInteger(line) ? hunkFor(c, r, i, input.path, line) : undefined;
  if (!hunk)
    return validationFailed(
      [
        {
          resource: 'PullRequestReviewComment',
          field: 'pull_request_review_thread.line',
          code: 'custom',
          message: 'could not be resolved',
        } as never,
      ],
      'Unprocessable Entity',
    );
  const now = c.state.now();
  const rc = {
    id: c.state.ids.reviewComment.next(),
    review_id: reviewId,
    user: login,
    body: input.body,
    path: input.path,
    line,
    side: input.side === 'LEFT' ? ('LEFT' as const) : ('RIGHT' as const),
    commit_id: commitId,
    diff_hunk: hunk,
    created_at: now,
    updated_at: now,
  };
  i.pull!.review_comments.push(rc);
  return rc;
}

const REVIEW_EVENTS: Record<string, Review['state']> = {
  APPROVE: 'APPROVED',
  REQUEST_CHANGES: 'CHANGES_REQUESTED',
  COMMENT: 'COMMENTED',
};

function submitState(c: Ctx, i: Issue, login: string, event: unknown, body: unknown): Review['state'] | SandboxResponse {
  const state = REVIEW_EVENTS[String(event)];
  if (!state) return validationFailed([{ resource: 'PullRequestReview', field: 'event', code: 'invalid', value: String(event) }]);
  if (i.user.toLowerCase() === login.toLowerCase() && state !== 'COMMENTED')
    return unprocessable(
      state === 'APPROVED' ? 'Can not approve your own pull request' : 'Can not request changes on your own pull request',
    );
  if (state !== 'APPROVED' && (typeof body !== 'string' || body === '') && state === 'CHANGES_REQUESTED')
    return unprocessable('Review body is required for REQUEST_CHANGES');
  void c;
  return state;
}

function merge(req: SandboxRequest, c: Ctx, r: Repo, i: Issue, login: string): SandboxResponse {
  const p = i.pull!;
  const body = req.json<{ commit_title?: string; commit_message?: string; sha?: string; merge_method?: string }>() ?? {};
  const method = body.merge_method ?? 'merge';
  if (!['merge', 'squash', 'rebase'].includes(method))
    return validationFailed([{ resource: 'PullRequest', field: 'merge_method', code: 'invalid', value: method }]);
  if (p.merged || i.state === 'closed') return ghError(405, 'Pull Request is not mergeable');
  const head = c.state.pullHeadSha(r, i);
  if (body.sha !== undefined && body.sha !== head)
    return ghError(409, 'Head branch was modified. Review and try the merge again.');
  const m = mergeability(c, r, i);
  if (!m.mergeable) return ghError(405, 'Pull Request is not mergeable');
  if (p.draft) return ghError(405, 'Pull Request is still a draft');
  const headRepo = c.state.repo(p.head.repo) ?? r;
  // Objects of a fork's head must be reachable from the base repository to merge them.
  if (headRepo !== r)
    for (const [map, from] of [
      [r.git.blobs, headRepo.git.blobs],
      [r.git.trees, headRepo.git.trees],
      [r.git.commits, headRepo.git.commits],
    ] as const)
      for (const [k, v] of from) (map as Map<string, unknown>).set(k, v);
  const git = r.git;
  const base = c.state.branchSha(r, p.base.ref)!;
  const mb = git.mergeBase(base, head)!;
  const merged = git.mergeTrees(git.commits.get(mb)!.tree, git.commits.get(base)!.tree, git.commits.get(head)!.tree);
  if ('conflicts' in merged) return ghError(405, 'Pull Request is not mergeable');
  const sig = c.state.signature(login);
  const title =
    body.commit_title ??
    (method === 'merge' ? `Merge pull request #${i.number} from ${headRepo.owner}/${p.head.ref}` : `${i.title} (#${i.number})`);
  const message = body.commit_message ? `${title}\n\n${body.commit_message}` : title;
  let tip: string;
  if (method === 'merge') {
    tip = git.putCommit({ tree: merged.tree, parents: [base, head], author: sig, committer: sig, message }).sha;
  } else if (method === 'squash') {
    tip = git.putCommit({ tree: merged.tree, parents: [base], author: sig, committer: sig, message }).sha;
  } else {
    // Rebase: replay each commit of the pull request on the base, one new commit each.
    tip = base;
    const inBase = git.ancestors(mb);
    for (const co of git
      .history(head)
      .filter((x) => !inBase.has(x.sha))
      .reverse()) {
      const parentTree = co.parents[0] ? git.commits.get(co.parents[0])!.tree : null;
      const step = git.mergeTrees(parentTree ?? git.commits.get(mb)!.tree, git.commits.get(tip)!.tree, co.tree);
      if ('conflicts' in step) return ghError(405, 'This branch can’t be rebased');
      tip = git.putCommit({ tree: step.tree, parents: [tip], author: co.author, committer: sig, message: co.message }).sha;
    }
  }
  r.refs.set(`refs/heads/${p.base.ref}`, tip);
  const now = c.state.now();
  Object.assign(p, { merged: true, merged_at: now, merged_by: login, merge_commit_sha: tip });
  p.head.sha = head;
  p.base.sha = base;
  Object.assign(i, { state: 'closed', closed_at: now, closed_by: login, updated_at: now });
  r.pushed_at = now;
  return jsonResponse(200, { sha: tip, merged: true, message: 'Pull Request successfully merged' });
}

export const pullRoutes: R[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls',
    operation: 'pulls/list',
    handler: read((req, c, r) => {
      const q = req.query;
      const state = q.get('state') ?? 'open';
      if (!['open', 'closed', 'all'].includes(state))
        return validationFailed([{ resource: 'PullRequest', field: 'state', code: 'invalid', value: state }]);
      const head = q.get('head');
      const base = q.get('base');
      const sort = q.get('sort') ?? 'created';
      const direction = (q.get('direction') ?? (sort === 'created' ? 'desc' : 'desc')) as 'asc' | 'desc';
      const pulls = [...r.issues.values()].filter((i) => {
        if (!i.pull || (state !== 'all' && i.state !== state)) return false;
        if (base && i.pull.base.ref !== base) return false;
        if (head) {
          const [owner, ref] = head.includes(':') ? head.split(':', 2) : [r.owner, head];
          if (i.pull.head.ref !== ref || c.state.repo(i.pull.head.repo)?.owner.toLowerCase() !== owner!.toLowerCase())
            return false;
        }
        return true;
      });
      const key = (i: Issue) => (sort === 'updated' ? i.updated_at : sort === 'popularity' ? i.comments.length : i.created_at);
      return pagedJson(
        req,
        sortBy(
          sortBy(pulls, (i) => i.number, direction),
          key,
          direction,
        ),
        (i) => pullRequestSimple(c, r, i),
      );
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls',
    operation: 'pulls/create',
    handler: participate((req, c, r, login) => {
      const body =
        req.json<{
          title?: unknown;
          head?: unknown;
          base?: unknown;
          body?: unknown;
          draft?: unknown;
          maintainer_can_modify?: unknown;
        }>() ?? {};
      const errors = [];
      if (typeof body.head !== 'string') errors.push({ resource: 'PullRequest', field: 'head', code: 'missing_field' as const });
      if (typeof body.base !== 'string') errors.push({ resource: 'PullRequest', field: 'base', code: 'missing_field' as const });
      if (typeof body.title !== 'string' || body.title === '')
        errors.push({ resource: 'PullRequest', field: 'title', code: 'missing_field' as const });
      if (errors.length > 0) return validationFailed(errors);
      const [headOwner, headRef] = (body.head as string).includes(':')
        ? ((body.head as string).split(':', 2) as [string, string])
        : [r.owner, body.head as string];
      const headRepo =
        headOwner.toLowerCase() === r.owner.toLowerCase()
          ? r
          : [...c.state.repos.values()].find(
              (x) => x.owner.toLowerCase() === headOwner.toLowerCase() && x.parent === `${r.owner}/${r.name}`,
            );
      if (!headRepo || !c.state.branchSha(headRepo, headRef))
        return validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid', value: String(body.head) }]);
      const baseSha = c.state.branchSha(r, body.base as string);
      if (!baseSha)
        return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid', value: String(body.base) }]);
      const existing = [...r.issues.values()].find(
        (i) =>
          i.pull &&
          i.state === 'open' &&
          i.pull.head.ref === headRef &&
          i.pull.head.repo === c.state.fullName(headRepo) &&
          i.pull.base.ref === body.base,
      );
      if (existing)
        return validationFailed([
          {
            resource: 'PullRequest',
            code: 'custom',
            field: 'head',
            message: `A pull request already exists for ${headRepo.owner}:${headRef}.`,
          } as never,
        ]);
      const headSha = c.state.branchSha(headRepo, headRef)!;
      const git = headRepo.git.commits.has(baseSha) ? headRepo.git : r.git;
      if (headSha === baseSha || (git.commits.has(baseSha) && git.isAncestor(headSha, baseSha)))
        return validationFailed([
          {
            resource: 'PullRequest',
            code: 'custom',
            field: 'head',
            message: `No commits between ${String(body.base)} and ${headRef}`,
          } as never,
        ]);
      const i = c.state.addPull(r, {
        title: body.title as string,
        ...(typeof body.body === 'string' ? { body: body.body } : {}),
        user: login,
        head: headRef,
        base: body.base as string,
        headRepo,
        draft: body.draft === true,
      });
      i.pull!.maintainer_can_modify = body.maintainer_can_modify === true;
      return jsonResponse(201, pullRequest(c, r, i), { location: `${c.url}/repos/${r.owner}/${r.name}/pulls/${i.number}` });
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    operation: 'pulls/get',
    handler: read(
      withPull((req, c, r, i) => {
        if (wants(req, 'diff') || wants(req, 'patch'))
          return textResponse(200, pullDiff(c, r, i), 'application/vnd.github.diff; charset=utf-8', mediaHeader('diff'));
        return jsonResponse(200, pullRequest(c, r, i));
      }),
    ),
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    operation: 'pulls/update',
    handler: participate((req, c, r, login) => {
      const i = pullOf(req, r);
      if (!i) return notFound();
      if (!c.state.canPush(login, r) && i.user.toLowerCase() !== login.toLowerCase())
        return ghError(403, 'Must have push access to update this pull request.');
      const body =
        req.json<{ title?: unknown; body?: unknown; state?: unknown; base?: unknown; maintainer_can_modify?: unknown }>() ?? {};
      if (body.state !== undefined && body.state !== 'open' && body.state !== 'closed')
        return validationFailed([{ resource: 'PullRequest', field: 'state', code: 'invalid', value: String(body.state) }]);
      if (body.base !== undefined && (typeof body.base !== 'string' || !c.state.branchSha(r, body.base)))
        return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid', value: String(body.base) }]);
      if (i.pull!.merged && body.state === 'open') return unprocessable('Cannot reopen a merged pull request');
      const now = c.state.now();
      if (typeof body.title === 'string') i.title = body.title;
      if (body.body !== undefined) i.body = body.body === null ? null : String(body.body);
      if (typeof body.base === 'string') i.pull!.base.ref = body.base;
      if (typeof body.maintainer_can_modify === 'boolean') i.pull!.maintainer_can_modify = body.maintainer_can_modify;
      if (body.state === 'closed' && i.state === 'open') Object.assign(i, { state: 'closed', closed_at: now, closed_by: login });
      if (body.state === 'open' && i.state === 'closed') Object.assign(i, { state: 'open', closed_at: null, closed_by: null });
      i.updated_at = now;
      return jsonResponse(200, pullRequest(c, r, i));
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/files',
    operation: 'pulls/list-files',
    handler: read(
      withPull((req, c, r, i) => {
        const changes = pullChanges(c, r, i);
        const headRepo = c.state.repo(i.pull!.head.repo) ?? r;
        return pagedJson(req, changes.files.slice(0, 3000), (f) => diffEntry(c, headRepo, changes.head, f));
      }),
    ),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/commits',
    operation: 'pulls/list-commits',
    handler: read(
      withPull((req, c, r, i) => {
        const headRepo = c.state.repo(i.pull!.head.repo) ?? r;
        return pagedJson(req, pullChanges(c, r, i).commits.slice(0, 250), (co) => commit(c, headRepo, co));
      }),
    ),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/comments',
    operation: 'pulls/list-review-comments',
    handler: read(
      withPull((req, c, r, i) => {
        const direction = (req.query.get('direction') ?? 'asc') as 'asc' | 'desc';
        return pagedJson(
          req,
          sortBy(i.pull!.review_comments, (x) => x.id, direction),
          (rc) => reviewComment(c, r, i, rc),
        );
      }),
    ),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/comments',
    operation: 'pulls/create-review-comment',
    handler: participate((req, c, r, login) => {
      const i = pullOf(req, r);
      if (!i) return notFound();
      const body = req.json<ReviewCommentInput & { commit_id?: unknown; in_reply_to?: unknown }>() ?? {};
      if (body.in_reply_to !== undefined) {
        const parent = i.pull!.review_comments.find((x) => x.id === Number(body.in_reply_to));
        if (!parent) return notFound();
        const made = addReviewComment(
          c,
          r,
          i,
          login,
          parent.review_id,
          { path: parent.path, line: parent.line, body: body.body },
          parent.commit_id,
        );
        if ('status' in made) return made as SandboxResponse;
        (made as { in_reply_to_id?: number }).in_reply_to_id = parent.id;
        return jsonResponse(201, reviewComment(c, r, i, made as never), {
          location: `${c.url}/repos/${r.owner}/${r.name}/pulls/comments/${(made as { id: number }).id}`,
        });
      }
      const head = c.state.pullHeadSha(r, i);
      if (typeof body.commit_id !== 'string')
        return validationFailed([{ resource: 'PullRequestReviewComment', field: 'commit_id', code: 'missing_field' }]);
      const reviewId = c.state.ids.review.next();
      const made = addReviewComment(c, r, i, login, reviewId, body, body.commit_id);
      if ('status' in made) return made as SandboxResponse;
      i.pull!.reviews.push({
        id: reviewId,
        user: login,
        body: '',
        state: 'COMMENTED',
        commit_id: head,
        submitted_at: c.state.now(),
      });
      return jsonResponse(201, reviewComment(c, r, i, made as never), {
        location: `${c.url}/repos/${r.owner}/${r.name}/pulls/comments/${(made as { id: number }).id}`,
      });
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies',
    operation: 'pulls/create-reply-for-review-comment',
    handler: participate((req, c, r, login) => {
      const i = pullOf(req, r);
      if (!i) return notFound();
      const parent = i.pull!.review_comments.find((x) => x.id === Number(req.params['comment_id']));
      if (!parent) return notFound();
      const body = req.json<{ body?: unknown }>() ?? {};
      const made = addReviewComment(
        c,
        r,
        i,
        login,
        parent.review_id,
        { path: parent.path, line: parent.line, side: parent.side, body: body.body },
        parent.commit_id,
      );
      if ('status' in made) return made as SandboxResponse;
      (made as { in_reply_to_id?: number }).in_reply_to_id = parent.in_reply_to_id ?? parent.id;
      return jsonResponse(201, reviewComment(c, r, i, made as never), {
        location: `${c.url}/repos/${r.owner}/${r.name}/pulls/comments/${(made as { id: number }).id}`,
      });
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    operation: 'pulls/list-reviews',
    handler: read(
      withPull((req, c, r, i) =>
        pagedJson(
          req,
          i.pull!.reviews.filter((rv) => rv.state !== 'PENDING' || rv.user === c.login),
          (rv) => review(c, r, i, rv),
        ),
      ),
    ),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    operation: 'pulls/create-review',
    handler: participate((req, c, r, login) => {
      const i = pullOf(req, r);
      if (!i) return notFound();
      const body = req.json<{ body?: unknown; event?: unknown; commit_id?: unknown; comments?: ReviewCommentInput[] }>() ?? {};
      if (i.pull!.reviews.some((rv) => rv.state === 'PENDING' && rv.user === login))
        return unprocessable('User can only have one pending review per pull request');
      let state: Review['state'] = 'PENDING';
      if (body.event !== undefined && body.event !== 'PENDING') {
        const s = submitState(c, i, login, body.event, body.body);
        if (typeof s !== 'string') return s;
        state = s;
      }
      const head = typeof body.commit_id === 'string' ? body.commit_id : c.state.pullHeadSha(r, i);
      const rv: Review = {
        id: c.state.ids.review.next(),
        user: login,
        body: typeof body.body === 'string' ? body.body : '',
        state,
        commit_id: head,
        submitted_at: state === 'PENDING' ? null : c.state.now(),
      };
      const before = i.pull!.review_comments.length;
      for (const input of body.comments ?? []) {
        const made = addReviewComment(c, r, i, login, rv.id, input, head);
        if ('status' in made) {
          i.pull!.review_comments.length = before;
          return made as SandboxResponse;
        }
      }
      i.pull!.reviews.push(rv);
      i.pull!.requested_reviewers = i.pull!.requested_reviewers.filter(
        (x) => state === 'PENDING' || x.toLowerCase() !== login.toLowerCase(),
      );
      return jsonResponse(200, review(c, r, i, rv));
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/events',
    operation: 'pulls/submit-review',
    handler: participate((req, c, r, login) => {
      const i = pullOf(req, r);
      if (!i) return notFound();
      const rv = i.pull!.reviews.find((x) => x.id === Number(req.params['review_id']));
      if (!rv || rv.user.toLowerCase() !== login.toLowerCase()) return notFound();
      if (rv.state !== 'PENDING') return unprocessable('Can not submit a review that is not pending');
      const body = req.json<{ body?: unknown; event?: unknown }>() ?? {};
      const s = submitState(c, i, login, body.event, body.body ?? rv.body);
      if (typeof s !== 'string') return s;
      rv.state = s;
      if (typeof body.body === 'string') rv.body = body.body;
      rv.submitted_at = c.state.now();
      i.pull!.requested_reviewers = i.pull!.requested_reviewers.filter((x) => x.toLowerCase() !== login.toLowerCase());
      return jsonResponse(200, review(c, r, i, rv));
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    operation: 'pulls/list-requested-reviewers',
    handler: read(
      withPull((_req, c, _r, i) =>
        jsonResponse(200, { users: i.pull!.requested_reviewers.map((u) => simpleUser(c, u)), teams: [] }),
      ),
    ),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    operation: 'pulls/request-reviewers',
    handler: write((req, c, r) => {
      const i = pullOf(req, r);
      if (!i) return notFound();
      const body = req.json<{ reviewers?: unknown; team_reviewers?: unknown }>() ?? {};
      const reviewers = Array.isArray(body.reviewers) ? body.reviewers : [];
      if (reviewers.length === 0 && !Array.isArray(body.team_reviewers))
        return validationFailed([{ resource: 'PullRequest', field: 'reviewers', code: 'missing_field' }]);
      for (const login of reviewers) {
        if (typeof login !== 'string' || !c.state.account(login) || !c.state.canRead(login, r))
          return unprocessable(
            'Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the repository.',
          );
        if (login.toLowerCase() === i.user.toLowerCase())
          return unprocessable('Review cannot be requested from pull request author.');
      }
      for (const login of reviewers as string[]) {
        const name = c.state.account(login)!.login;
        if (!i.pull!.requested_reviewers.includes(name)) i.pull!.requested_reviewers.push(name);
      }
      i.updated_at = c.state.now();
      return jsonResponse(201, pullRequestSimple(c, r, i));
    }),
  },
  {
    method: 'PUT',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    operation: 'pulls/merge',
    handler: (req, ctx) => {
      const r = writableRepo(req, ctx.state);
      if (!isRepo(r)) return r;
      const i = pullOf(req, r);
      if (!i) return notFound();
      const c = ctxOf(req, ctx);
      return merge(req, c, r, i, c.login!);
    },
  },
  {
    method: 'PUT',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/update-branch',
    operation: 'pulls/update-branch',
    handler: participate((req, c, r, login) => {
      const i = pullOf(req, r);
      if (!i) return notFound();
      const p = i.pull!;
      const headRepo = c.state.repo(p.head.repo) ?? r;
      if (!c.state.canPush(login, headRepo)) return ghError(403, 'Must have push access to the head repository.');
      const body = req.json<{ expected_head_sha?: unknown }>() ?? {};
      const head = c.state.pullHeadSha(r, i);
      if (body.expected_head_sha !== undefined && body.expected_head_sha !== head)
        return unprocessable('expected head sha didn’t match current head ref.');
      if (i.state !== 'open') return unprocessable('Pull request is closed');
      const base = c.state.branchSha(r, p.base.ref)!;
      const git = headRepo.git;
      if (!git.commits.has(base)) for (const [k, v] of r.git.commits) git.commits.set(k, v);
      for (const [k, v] of r.git.trees) git.trees.set(k, v);
      for (const [k, v] of r.git.blobs) git.blobs.set(k, v);
      if (git.isAncestor(base, head)) return unprocessable('There are no new commits on the base branch.');
      const mb = git.mergeBase(base, head)!;
      const merged = git.mergeTrees(git.commits.get(mb)!.tree, git.commits.get(head)!.tree, git.commits.get(base)!.tree);
      if ('conflicts' in merged) return unprocessable('merge conflict between base and head');
      const sig = c.state.signature(login);
      const co = git.putCommit({
        tree: merged.tree,
        parents: [head, base],
        author: sig,
        committer: sig,
        message: `Merge branch '${p.base.ref}' into ${p.head.ref}`,
      });
      headRepo.refs.set(`refs/heads/${p.head.ref}`, co.sha);
      i.updated_at = c.state.now();
      return jsonResponse(202, {
        message: 'Updating pull request branch.',
        url: `${c.url}/${r.owner}/${r.name}/pull/${i.number}`,
      });
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
    operation: 'checks/list-for-ref',
    handler: read((req, c, r) => {
      const sha = c.state.resolveRef(r, req.params['ref']!);
      if (!sha) return unprocessable(`No commit found for SHA: ${req.params['ref']}`);
      const name = req.query.get('check_name');
      const status = req.query.get('status');
      let runs = r.checkRuns.filter(
        (cr) => cr.head_sha === sha && (!name || cr.name === name) && (!status || cr.status === status),
      );
      if ((req.query.get('filter') ?? 'latest') === 'latest')
        runs = runs.filter((cr) => !runs.some((o) => o.name === cr.name && o.id > cr.id));
      const page = paginate(req, runs);
      return jsonResponse(
        200,
        { total_count: runs.length, check_runs: page.items.map((cr) => checkRun(c, r, cr)) },
        page.headers,
      );
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{ref}/status',
    operation: 'repos/get-combined-status-for-ref',
    handler: read((req, c, r) => {
      const sha = c.state.resolveRef(r, req.params['ref']!);
      if (!sha) return notFound();
      // The newest status per context counts; any failure/error fails, any pending is pending.
      const latest = new Map<string, (typeof r.statuses)[number]>();
      for (const s of r.statuses.filter((x) => x.sha === sha)) latest.set(s.context, s);
      const statuses = [...latest.values()];
      const state =
        statuses.length === 0
          ? 'pending'
          : statuses.some((s) => s.state === 'failure' || s.state === 'error')
            ? 'failure'
            : statuses.some((s) => s.state === 'pending')
              ? 'pending'
              : 'success';
      const page = paginate(req, statuses, { perPage: 100 });
      return jsonResponse(
        200,
        {
          state,
          statuses: page.items.map((s) => commitStatus(c, r, s)),
          sha,
          total_count: statuses.length,
          repository: minimalRepository(c, r),
          commit_url: `${c.url}/repos/${r.owner}/${r.name}/commits/${sha}`,
          url: `${c.url}/repos/${r.owner}/${r.name}/commits/${sha}/status`,
        },
        page.headers,
      );
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/statuses/{sha}',
    operation: 'repos/create-commit-status',
    handler: write((req, c, r) => {
      const sha = req.params['sha']!;
      if (!r.git.commits.has(sha)) return unprocessable(`No commit found for SHA: ${sha}`);
      const body = req.json<{ state?: unknown; context?: unknown; description?: unknown; target_url?: unknown }>() ?? {};
      if (!['error', 'failure', 'pending', 'success'].includes(String(body.state)))
        return validationFailed([{ resource: 'Status', field: 'state', code: 'invalid', value: String(body.state) }]);
      const s = c.state.addStatus(
        r,
        sha,
        typeof body.context === 'string' ? body.context : 'default',
        body.state as 'success',
        typeof body.description === 'string' ? body.description : null,
      );
      if (typeof body.target_url === 'string') s.target_url = body.target_url;
      s.creator = c.login!;
      return jsonResponse(
        201,
        { ...commitStatus(c, r, s), creator: simpleUser(c, c.login!) },
        { location: `${c.url}/repos/${r.owner}/${r.name}/statuses/${sha}` },
      );
    }),
  },
];

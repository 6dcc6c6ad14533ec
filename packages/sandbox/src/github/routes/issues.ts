/** Issues, comments, sub-issues, labels and milestones. Pull requests are issues too, as on GitHub. */
import type { Route } from '../../core/emulator.js';
import { jsonResponse, type SandboxRequest, type SandboxResponse } from '../../core/http.js';
import { type Ctx, issue, issueComment, label, milestone } from '../serialize.js';
import type { GitHubState, Issue, Repo } from '../state.js';
import {
  ctxOf,
  type FieldError,
  ghError,
  isRepo,
  notFound,
  pagedJson,
  readableRepo,
  requireUser,
  sortBy,
  unprocessable,
  validationFailed,
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

/** Opening issues and commenting only needs read access on GitHub (anyone can file an issue). */
function participate(handler: (req: SandboxRequest, c: Ctx, r: Repo, login: string) => SandboxResponse): R['handler'] {
  return (req, ctx) => {
    const login = requireUser(req, ctx.state);
    if (typeof login !== 'string') return login;
    const r = readableRepo(req, ctx.state);
    return isRepo(r) ? handler(req, ctxOf(req, ctx), r, login) : r;
  };
}

function issueOf(req: SandboxRequest, r: Repo): Issue | undefined {
  return r.issues.get(Number(req.params['issue_number']));
}

export function listIssues(req: SandboxRequest, c: Ctx, r: Repo): SandboxResponse {
  const q = req.query;
  const state = q.get('state') ?? 'open';
  if (!['open', 'closed', 'all'].includes(state))
    return validationFailed([{ resource: 'Issue', field: 'state', code: 'invalid', value: state }]);
  const labels =
    q
      .get('labels')
      ?.split(',')
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean) ?? [];
  const assignee = q.get('assignee');
  const creator = q.get('creator')?.toLowerCase();
  const mentioned = q.get('mentioned')?.toLowerCase();
  const ms = q.get('milestone');
  const since = q.get('since');
  const sort = q.get('sort') ?? 'created';
  const direction = (q.get('direction') ?? 'desc') as 'asc' | 'desc';
  const items = [...r.issues.values()].filter((i) => {
    if (state !== 'all' && i.state !== state) return false;
    if (labels.some((l) => !i.labels.some((x) => x.toLowerCase() === l))) return false;
    if (assignee === 'none' && i.assignees.length > 0) return false;
    if (assignee === '*' && i.assignees.length === 0) return false;
    if (
      assignee &&
      assignee !== 'none' &&
      assignee !== '*' &&
      !i.assignees.some((a) => a.toLowerCase() === assignee.toLowerCase())
    )
      return false;
    if (creator && i.user.toLowerCase() !== creator) return false;
    if (mentioned && !`${i.body ?? ''}`.toLowerCase().includes(`@${mentioned}`)) return false;
    if (ms === 'none' && i.milestone !== null) return false;
    if (ms === '*' && i.milestone === null) return false;
    if (ms && ms !== 'none' && ms !== '*' && i.milestone !== Number(ms)) return false;
    if (since && Date.parse(i.updated_at) < Date.parse(since)) return false;
    return true;
  });
  const key = (i: Issue) => (sort === 'updated' ? i.updated_at : sort === 'comments' ? i.comments.length : i.created_at);
  // Equal keys keep number order (newest number first when descending), as GitHub's ids do.
  const sorted = sortBy(
    sortBy(items, (i) => i.number, direction),
    key,
    direction,
  );
  return pagedJson(req, sorted, (i) => issue(c, r, i));
}

interface IssueWrite {
  title?: unknown;
  body?: unknown;
  state?: unknown;
  state_reason?: unknown;
  labels?: unknown;
  assignees?: unknown;
  assignee?: unknown;
  milestone?: unknown;
}

/** Checks and applies the writable fields of an issue; returns GitHub's 422 on a bad one. */
function applyIssueFields(
  c: Ctx,
  r: Repo,
  i: Issue,
  body: IssueWrite,
  login: string,
  push: boolean,
): SandboxResponse | undefined {
  const errors: FieldError[] = [];
  if (body.title !== undefined && (typeof body.title !== 'string' || body.title.trim() === ''))
    errors.push({ resource: 'Issue', field: 'title', code: 'missing_field' });
  if (body.state !== undefined && body.state !== 'open' && body.state !== 'closed')
    errors.push({ resource: 'Issue', field: 'state', code: 'invalid', value: String(body.state) });
  const assignees =
    body.assignees !== undefined
      ? body.assignees
      : body.assignee !== undefined
        ? body.assignee === null
          ? []
          : [body.assignee]
        : undefined;
  if (assignees !== undefined) {
    if (!Array.isArray(assignees)) errors.push({ resource: 'Issue', field: 'assignees', code: 'invalid' });
    else
      for (const a of assignees)
        if (typeof a !== 'string' || !c.state.account(a) || !c.state.canPush(a, r))
          errors.push({ resource: 'Issue', field: 'assignees', code: 'invalid', value: String(a) });
  }
  if (body.milestone !== undefined && body.milestone !== null && !r.milestones.has(Number(body.milestone)))
    errors.push({ resource: 'Issue', field: 'milestone', code: 'invalid', value: String(body.milestone) });
  if (body.labels !== undefined && !Array.isArray(body.labels))
    errors.push({ resource: 'Issue', field: 'labels', code: 'invalid' });
  if (errors.length > 0) return validationFailed(errors);
  const now = c.state.now();
  if (typeof body.title === 'string') i.title = body.title;
  if (body.body !== undefined) i.body = body.body === null ? null : String(body.body);
  // Only collaborators set labels, assignees and milestones; others' values are silently dropped, as on GitHub.
  if (push) {
    if (Array.isArray(body.labels)) {
      i.labels = [];
      for (const raw of body.labels) {
        const name = typeof raw === 'string' ? raw : String((raw as { name?: string }).name ?? '');
        const existing = r.labels.get(name.toLowerCase()) ?? c.state.addLabel(r, name);
        if (!i.labels.includes(existing.name)) i.labels.push(existing.name);
      }
    }
    if (Array.isArray(assignees)) i.assignees = (assignees as string[]).map((a) => c.state.account(a)!.login);
    if (body.milestone !== undefined) i.milestone = body.milestone === null ? null : Number(body.milestone);
  }
  if (body.state === 'closed' && i.state === 'open') {
    i.state = 'closed';
    i.closed_at = now;
    i.closed_by = login;
    i.state_reason = body.state_reason === 'not_planned' || body.state_reason === 'duplicate' ? body.state_reason : 'completed';
  } else if (body.state === 'open' && i.state === 'closed') {
    i.state = 'open';
    i.closed_at = null;
    i.closed_by = null;
    i.state_reason = 'reopened';
  }
  i.updated_at = now;
  r.updated_at = now;
  return undefined;
}

export const issueRoutes: R[] = [
  { method: 'GET', path: '/repos/{owner}/{repo}/issues', operation: 'issues/list-for-repo', handler: read(listIssues) },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues',
    operation: 'issues/create',
    handler: participate((req, c, r, login) => {
      const body = req.json<IssueWrite>() ?? {};
      if (typeof body.title !== 'string' || body.title.trim() === '')
        return validationFailed([{ resource: 'Issue', field: 'title', code: 'missing_field' }]);
      const created = c.state.addIssue(r, { title: body.title, user: login });
      const problem = applyIssueFields(c, r, created, body, login, c.state.canPush(login, r));
      if (problem) {
        r.issues.delete(created.number);
        r.nextNumber--;
        return problem;
      }
      return jsonResponse(201, issue(c, r, created), {
        location: `${c.url}/repos/${r.owner}/${r.name}/issues/${created.number}`,
      });
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    operation: 'issues/get',
    handler: read((req, c, r) => {
      const i = issueOf(req, r);
      return i ? jsonResponse(200, issue(c, r, i)) : notFound();
    }),
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    operation: 'issues/update',
    handler: participate((req, c, r, login) => {
      const i = issueOf(req, r);
      if (!i) return notFound();
      const push = c.state.canPush(login, r);
      if (!push && i.user.toLowerCase() !== login.toLowerCase())
        return ghError(403, 'Must have push access to update this issue.');
      const problem = applyIssueFields(c, r, i, req.json<IssueWrite>() ?? {}, login, push);
      return problem ?? jsonResponse(200, issue(c, r, i));
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    operation: 'issues/list-comments',
    handler: read((req, c, r) => {
      const i = issueOf(req, r);
      if (!i) return notFound();
      const since = req.query.get('since');
      const comments = i.comments.filter((cm) => !since || Date.parse(cm.updated_at) >= Date.parse(since));
      return pagedJson(req, comments, (cm) => issueComment(c, r, i, cm));
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    operation: 'issues/create-comment',
    handler: participate((req, c, r, login) => {
      const i = issueOf(req, r);
      if (!i) return notFound();
      if (i.locked && !c.state.canPush(login, r)) return ghError(403, 'Unable to create comment because issue is locked.');
      const body = req.json<{ body?: unknown }>();
      if (typeof body?.body !== 'string' || body.body === '')
        return validationFailed([{ resource: 'IssueComment', field: 'body', code: 'missing_field' }]);
      const cm = c.state.addComment(i, login, body.body);
      return jsonResponse(201, issueComment(c, r, i, cm), {
        location: `${c.url}/repos/${r.owner}/${r.name}/issues/comments/${cm.id}`,
      });
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/sub_issues',
    operation: 'issues/list-sub-issues',
    handler: read((req, c, r) => {
      const i = issueOf(req, r);
      if (!i) return notFound();
      const subs = i.sub_issues
        .map((id) => [...r.issues.values()].find((x) => x.id === id))
        .filter((x): x is Issue => x !== undefined);
      return pagedJson(req, subs, (s) => issue(c, r, s));
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/sub_issues',
    operation: 'issues/add-sub-issue',
    handler: write((req, c, r) => {
      const parent = issueOf(req, r);
      if (!parent) return notFound();
      const body = req.json<{ sub_issue_id?: unknown; replace_parent?: unknown }>() ?? {};
      const child = [...r.issues.values()].find((x) => x.id === body.sub_issue_id);
      if (!child || child.pull)
        return validationFailed([
          { resource: 'Issue', field: 'sub_issue_id', code: 'invalid', value: String(body.sub_issue_id) },
        ]);
      if (child === parent) return unprocessable('An issue cannot be a sub-issue of itself');
      if (child.parent !== null && body.replace_parent !== true)
        return unprocessable('Issue may not contain duplicate sub-issues and Sub issue may only have one parent');
      if (child.parent !== null) {
        const old = [...r.issues.values()].find((x) => x.id === child.parent);
        if (old) old.sub_issues = old.sub_issues.filter((id) => id !== child.id);
      }
      child.parent = parent.id;
      parent.sub_issues.push(child.id);
      parent.updated_at = c.state.now();
      return jsonResponse(201, issue(c, r, parent), {
        location: `${c.url}/repos/${r.owner}/${r.name}/issues/${parent.number}/sub_issues`,
      });
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/labels',
    operation: 'issues/list-labels-for-repo',
    handler: read((req, c, r) =>
      pagedJson(
        req,
        [...r.labels.values()].sort((a, b) => a.name.localeCompare(b.name)),
        (l) => label(c, r, l),
      ),
    ),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/labels/{name}',
    operation: 'issues/get-label',
    handler: read((req, c, r) => {
      const l = r.labels.get(req.params['name']!.toLowerCase());
      return l ? jsonResponse(200, label(c, r, l)) : notFound();
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/labels',
    operation: 'issues/create-label',
    handler: write((req, c, r) => {
      const body = req.json<{ name?: unknown; color?: unknown; description?: unknown }>() ?? {};
      if (typeof body.name !== 'string' || body.name === '')
        return validationFailed([{ resource: 'Label', field: 'name', code: 'missing_field' }]);
      if (r.labels.has(body.name.toLowerCase()))
        return validationFailed([{ resource: 'Label', field: 'name', code: 'already_exists' }]);
      const color = typeof body.color === 'string' ? body.color.replace(/^#/, '') : 'ededed';
      if (!/^[0-9a-fA-F]{6}$/.test(color))
        return validationFailed([{ resource: 'Label', field: 'color', code: 'invalid', value: color }]);
      const l = c.state.addLabel(
        r,
        body.name,
        color.toLowerCase(),
        typeof body.description === 'string' ? body.description : null,
      );
      return jsonResponse(201, label(c, r, l), {
        location: `${c.url}/repos/${r.owner}/${r.name}/labels/${encodeURIComponent(l.name)}`,
      });
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    operation: 'issues/add-labels',
    handler: write((req, c, r) => {
      const i = issueOf(req, r);
      if (!i) return notFound();
      const body = req.json<{ labels?: unknown } | string[]>();
      const names = Array.isArray(body) ? body : Array.isArray(body?.labels) ? body.labels : undefined;
      if (!names || names.length === 0) return validationFailed([{ resource: 'Label', field: 'labels', code: 'missing_field' }]);
      for (const raw of names) {
        const name = typeof raw === 'string' ? raw : String((raw as { name?: string }).name ?? '');
        const l = r.labels.get(name.toLowerCase()) ?? c.state.addLabel(r, name);
        if (!i.labels.includes(l.name)) i.labels.push(l.name);
      }
      i.updated_at = c.state.now();
      return jsonResponse(
        200,
        i.labels.map((n) => label(c, r, r.labels.get(n.toLowerCase())!)),
      );
    }),
  },
  {
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
    operation: 'issues/remove-label',
    handler: write((req, c, r) => {
      const i = issueOf(req, r);
      if (!i) return notFound();
      const name = req.params['name']!.toLowerCase();
      if (!i.labels.some((l) => l.toLowerCase() === name)) return ghError(404, 'Label does not exist');
      i.labels = i.labels.filter((l) => l.toLowerCase() !== name);
      i.updated_at = c.state.now();
      return jsonResponse(
        200,
        i.labels.map((n) => label(c, r, r.labels.get(n.toLowerCase())!)),
      );
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/milestones',
    operation: 'issues/list-milestones',
    handler: read((req, c, r) => {
      const state = req.query.get('state') ?? 'open';
      const items = [...r.milestones.values()].filter((m) => state === 'all' || m.state === state);
      return pagedJson(req, items, (m) => milestone(c, r, m));
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/milestones',
    operation: 'issues/create-milestone',
    handler: write((req, c, r) => {
      const body = req.json<{ title?: unknown; description?: unknown; due_on?: unknown; state?: unknown }>() ?? {};
      if (typeof body.title !== 'string' || body.title === '')
        return validationFailed([{ resource: 'Milestone', field: 'title', code: 'missing_field' }]);
      if ([...r.milestones.values()].some((m) => m.title === body.title))
        return validationFailed([{ resource: 'Milestone', field: 'title', code: 'already_exists' }]);
      const m = c.state.addMilestone(r, body.title, {
        ...(typeof body.description === 'string' ? { description: body.description } : {}),
        ...(typeof body.due_on === 'string' ? { due_on: body.due_on } : {}),
        ...(body.state === 'closed' ? { state: 'closed' as const } : {}),
      });
      return jsonResponse(201, milestone(c, r, m), { location: `${c.url}/repos/${r.owner}/${r.name}/milestones/${m.number}` });
    }),
  },
];

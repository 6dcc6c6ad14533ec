/**
 * GitHub's JSON for each kind of object, with every field its API description marks required
 * (the `*_url` templates included). URLs point at the sandbox: API URLs at the service URL, web
 * (`html_url`) URLs at the same origin as GitHub Enterprise Server lays them out.
 */
import { diffTrees, type FileChange } from './diff.js';
import type { CommitObject } from './git.js';
import type {
  Account,
  CheckRun,
  Comment,
  CommitStatus,
  Gist,
  GitHubState,
  Issue,
  Job,
  Label,
  Milestone,
  Release,
  Repo,
  Review,
  ReviewComment,
  Thread,
  Workflow,
  WorkflowRun,
} from './state.js';

/** Where the service is: every URL in a response is built from it. */
export interface Ctx {
  url: string;
  state: GitHubState;
  /** The caller's login (null when anonymous), for `permissions`. */
  login: string | null;
}

const nodeId = (kind: string, id: number | string) => Buffer.from(`0:${kind}${id}`).toString('base64').replace(/=+$/, '');

export function simpleUser(c: Ctx, login: string): Record<string, unknown> {
  const a = c.state.account(login);
  const u = `${c.url}/users/${login}`;
  return {
    login: a?.login ?? login,
    id: a?.id ?? 0,
    node_id: nodeId(a?.type ?? 'User', a?.id ?? 0),
    avatar_url: `${c.url}/_avatars/${a?.id ?? 0}`,
    gravatar_id: '',
    url: u,
    html_url: `${c.url}/${login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: a?.type ?? 'User',
    user_view_type: 'public',
    site_admin: a?.site_admin ?? false,
  };
}

export function publicUser(c: Ctx, a: Account): Record<string, unknown> {
  const repos = [...c.state.repos.values()].filter((r) => r.owner === a.login);
  const gists = [...c.state.gists.values()].filter((g) => g.owner === a.login);
  return {
    ...simpleUser(c, a.login),
    name: a.name,
    company: a.company,
    blog: a.blog,
    location: a.location,
    email: a.email,
    hireable: null,
    bio: a.bio,
    twitter_username: null,
    public_repos: repos.filter((r) => !r.private).length,
    public_gists: gists.filter((g) => g.public).length,
    followers: 0,
    following: 0,
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

export function privateUser(c: Ctx, a: Account): Record<string, unknown> {
  const repos = [...c.state.repos.values()].filter((r) => r.owner === a.login);
  return {
    ...publicUser(c, a),
    private_gists: [...c.state.gists.values()].filter((g) => g.owner === a.login && !g.public).length,
    total_private_repos: repos.filter((r) => r.private).length,
    owned_private_repos: repos.filter((r) => r.private).length,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: 'pro', space: 976562499, private_repos: 9999, collaborators: 0 },
  };
}

function repoUrls(c: Ctx, r: Repo): Record<string, string> {
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  return {
    url: u,
    html_url: `${c.url}/${r.owner}/${r.name}`,
    forks_url: `${u}/forks`,
    keys_url: `${u}/keys{/key_id}`,
    collaborators_url: `${u}/collaborators{/collaborator}`,
    teams_url: `${u}/teams`,
    hooks_url: `${u}/hooks`,
    issue_events_url: `${u}/issues/events{/number}`,
    events_url: `${u}/events`,
    assignees_url: `${u}/assignees{/user}`,
    branches_url: `${u}/branches{/branch}`,
    tags_url: `${u}/tags`,
    blobs_url: `${u}/git/blobs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`,
    git_refs_url: `${u}/git/refs{/sha}`,
    trees_url: `${u}/git/trees{/sha}`,
    statuses_url: `${u}/statuses/{sha}`,
    languages_url: `${u}/languages`,
    stargazers_url: `${u}/stargazers`,
    contributors_url: `${u}/contributors`,
    subscribers_url: `${u}/subscribers`,
    subscription_url: `${u}/subscription`,
    commits_url: `${u}/commits{/sha}`,
    git_commits_url: `${u}/git/commits{/sha}`,
    comments_url: `${u}/comments{/number}`,
    issue_comment_url: `${u}/issues/comments{/number}`,
    contents_url: `${u}/contents/{+path}`,
    compare_url: `${u}/compare/{base}...{head}`,
    merges_url: `${u}/merges`,
    archive_url: `${u}/{archive_format}{/ref}`,
    downloads_url: `${u}/downloads`,
    issues_url: `${u}/issues{/number}`,
    pulls_url: `${u}/pulls{/number}`,
    milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`,
    labels_url: `${u}/labels{/name}`,
    releases_url: `${u}/releases{/id}`,
    deployments_url: `${u}/deployments`,
  };
}

export function minimalRepository(c: Ctx, r: Repo): Record<string, unknown> {
  return {
    id: r.id,
    node_id: nodeId('Repository', r.id),
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    private: r.private,
    owner: simpleUser(c, r.owner),
    description: r.description,
    fork: r.fork,
    ...repoUrls(c, r),
  };
}

/** The `repository` shape (lists, search, pull request heads). */
export function repository(c: Ctx, r: Repo): Record<string, unknown> {
  const open = [...r.issues.values()].filter((i) => i.state === 'open').length;
  const forks = [...c.state.repos.values()].filter((x) => x.parent === `${r.owner}/${r.name}`).length;
  const canPush = c.login !== null && c.state.canPush(c.login, r);
  const admin = c.login !== null && r.owner.toLowerCase() === c.login.toLowerCase();
  const size = Math.ceil([...r.git.blobs.values()].reduce((n, b) => n + b.length, 0) / 1024);
  const u = `${c.url}/${r.owner}/${r.name}`;
  return {
    ...minimalRepository(c, r),
    git_url: `${u.replace(/^http/, 'git')}.git`,
    ssh_url: `git@sandbox.invalid:${r.owner}/${r.name}.git`,
    clone_url: `${u}.git`,
    svn_url: u,
    mirror_url: null,
    homepage: r.homepage,
    language: r.language,
    forks_count: forks,
    forks,
    stargazers_count: r.stargazers,
    watchers_count: r.stargazers,
    watchers: r.stargazers,
    size,
    default_branch: r.default_branch,
    open_issues_count: open,
    open_issues: open,
    is_template: false,
    topics: r.topics,
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: r.archived,
    disabled: false,
    visibility: r.private ? 'private' : 'public',
    pushed_at: r.pushed_at,
    created_at: r.created_at,
    updated_at: r.updated_at,
    permissions: { admin, maintain: admin, push: canPush, triage: canPush, pull: true },
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
  };
}

/** The `full-repository` shape (get, create, fork). */
export function fullRepository(c: Ctx, r: Repo): Record<string, unknown> {
  const parent = r.parent ? c.state.repo(r.parent) : undefined;
  let source = parent;
  while (source?.parent) source = c.state.repo(source.parent);
  const owner = c.state.account(r.owner);
  return {
    ...repository(c, r),
    network_count: 0,
    subscribers_count: 1,
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_update_branch: true,
    ...(owner?.type === 'Organization' ? { organization: simpleUser(c, owner.login) } : {}),
    ...(parent ? { parent: repository(c, parent), source: repository(c, source!) } : {}),
  };
}

export function label(c: Ctx, r: Repo, l: Label): Record<string, unknown> {
  return {
    id: l.id,
    node_id: nodeId('Label', l.id),
    url: `${c.url}/repos/${r.owner}/${r.name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    description: l.description,
    default: l.default,
  };
}

export function milestone(c: Ctx, r: Repo, m: Milestone): Record<string, unknown> {
  const issues = [...r.issues.values()].filter((i) => i.milestone === m.number);
  return {
    url: `${c.url}/repos/${r.owner}/${r.name}/milestones/${m.number}`,
    html_url: `${c.url}/${r.owner}/${r.name}/milestone/${m.number}`,
    labels_url: `${c.url}/repos/${r.owner}/${r.name}/milestones/${m.number}/labels`,
    id: m.id,
    node_id: nodeId('Milestone', m.id),
    number: m.number,
    state: m.state,
    title: m.title,
    description: m.description,
    creator: simpleUser(c, m.creator),
    open_issues: issues.filter((i) => i.state === 'open').length,
    closed_issues: issues.filter((i) => i.state === 'closed').length,
    created_at: m.created_at,
    updated_at: m.updated_at,
    closed_at: m.closed_at,
    due_on: m.due_on,
  };
}

function association(c: Ctx, r: Repo, login: string): string {
  if (r.owner.toLowerCase() === login.toLowerCase()) return 'OWNER';
  if (c.state.account(r.owner)?.members.has(login.toLowerCase())) return 'MEMBER';
  if (r.collaborators.has(login.toLowerCase())) return 'COLLABORATOR';
  return 'NONE';
}

export function issue(c: Ctx, r: Repo, i: Issue): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}/issues/${i.number}`;
  const kind = i.pull ? 'pull' : 'issues';
  const subs = i.sub_issues.map((id) => [...r.issues.values()].find((x) => x.id === id)).filter((x) => x !== undefined);
  const parent = i.parent ? [...r.issues.values()].find((x) => x.id === i.parent) : undefined;
  const ms = i.milestone ? r.milestones.get(i.milestone) : undefined;
  return {
    id: i.id,
    node_id: nodeId(i.pull ? 'PullRequest' : 'Issue', i.id),
    url: u,
    repository_url: `${c.url}/repos/${r.owner}/${r.name}`,
    labels_url: `${u}/labels{/name}`,
    comments_url: `${u}/comments`,
    events_url: `${u}/events`,
    html_url: `${c.url}/${r.owner}/${r.name}/${kind}/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.state_reason,
    title: i.title,
    body: i.body,
    user: simpleUser(c, i.user),
    labels: i.labels
      .map((name) => r.labels.get(name.toLowerCase()))
      .filter((l) => l !== undefined)
      .map((l) => label(c, r, l)),
    assignee: i.assignees[0] ? simpleUser(c, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => simpleUser(c, a)),
    milestone: ms ? milestone(c, r, ms) : null,
    locked: i.locked,
    active_lock_reason: null,
    comments: i.comments.length,
    closed_at: i.closed_at,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_by: i.closed_by ? simpleUser(c, i.closed_by) : null,
    author_association: association(c, r, i.user),
    timeline_url: `${u}/timeline`,
    ...(i.pull
      ? {
          draft: i.pull.draft,
          pull_request: {
            url: `${c.url}/repos/${r.owner}/${r.name}/pulls/${i.number}`,
            html_url: `${c.url}/${r.owner}/${r.name}/pull/${i.number}`,
            diff_url: `${c.url}/${r.owner}/${r.name}/pull/${i.number}.diff`,
            patch_url: `${c.url}/${r.owner}/${r.name}/pull/${i.number}.patch`,
            merged_at: i.pull.merged_at,
          },
        }
      : {}),
    sub_issues_summary: {
      total: subs.length,
      completed: subs.filter((s) => s.state === 'closed').length,
      percent_completed:
        subs.length === 0 ? 0 : Math.round((100 * subs.filter((s) => s.state === 'closed').length) / subs.length),
    },
    ...(parent ? { parent_issue_url: `${c.url}/repos/${r.owner}/${r.name}/issues/${parent.number}` } : {}),
    reactions: reactions(`${u}/reactions`),
  };
}

function reactions(url: string): Record<string, unknown> {
  return { url, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 };
}

export function issueComment(c: Ctx, r: Repo, i: Issue, cm: Comment): Record<string, unknown> {
  return {
    id: cm.id,
    node_id: nodeId('IssueComment', cm.id),
    url: `${c.url}/repos/${r.owner}/${r.name}/issues/comments/${cm.id}`,
    html_url: `${c.url}/${r.owner}/${r.name}/issues/${i.number}#issuecomment-${cm.id}`,
    issue_url: `${c.url}/repos/${r.owner}/${r.name}/issues/${i.number}`,
    body: cm.body,
    user: simpleUser(c, cm.user),
    created_at: cm.created_at,
    updated_at: cm.updated_at,
    author_association: association(c, r, cm.user),
    reactions: reactions(`${c.url}/repos/${r.owner}/${r.name}/issues/comments/${cm.id}/reactions`),
  };
}

/** Files of a pull request: from the merge base of base and head to head. */
export function pullChanges(
  c: Ctx,
  r: Repo,
  i: Issue,
): { files: FileChange[]; commits: CommitObject[]; base: string; head: string } {
  const pull = i.pull!;
  const head = c.state.pullHeadSha(r, i);
  const headRepo = c.state.repo(pull.head.repo) ?? r;
  const baseSha = c.state.branchSha(r, pull.base.ref) ?? head;
  const git = headRepo.git;
  const mergeBase =
    pull.merged && pull.merge_commit_sha ? (r.git.commits.get(pull.merge_commit_sha)?.parents[0] ?? baseSha) : baseSha;
  const from = git.commits.has(mergeBase) ? (git.mergeBase(mergeBase, head) ?? mergeBase) : mergeBase;
  const fromTree = git.commits.get(from)?.tree ?? null;
  const headCommit = git.commits.get(head)!;
  const inBase = git.commits.has(from) ? git.ancestors(from) : new Set<string>();
  const commits = git
    .history(head)
    .filter((x) => !inBase.has(x.sha))
    .reverse();
  return { files: diffTrees(git, fromTree, headCommit.tree), commits, base: from, head };
}

function pullLinks(c: Ctx, r: Repo, i: Issue): Record<string, { href: string }> {
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  return {
    self: { href: `${u}/pulls/${i.number}` },
    html: { href: `${c.url}/${r.owner}/${r.name}/pull/${i.number}` },
    issue: { href: `${u}/issues/${i.number}` },
    comments: { href: `${u}/issues/${i.number}/comments` },
    review_comments: { href: `${u}/pulls/${i.number}/comments` },
    review_comment: { href: `${u}/pulls/comments{/number}` },
    commits: { href: `${u}/pulls/${i.number}/commits` },
    statuses: { href: `${u}/statuses/${c.state.pullHeadSha(r, i)}` },
  };
}

export function pullRequestSimple(c: Ctx, r: Repo, i: Issue): Record<string, unknown> {
  const p = i.pull!;
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  const headRepo = c.state.repo(p.head.repo) ?? r;
  const headSha = c.state.pullHeadSha(r, i);
  const baseSha = c.state.branchSha(r, p.base.ref) ?? headSha;
  const ms = i.milestone ? r.milestones.get(i.milestone) : undefined;
  return {
    url: `${u}/pulls/${i.number}`,
    id: i.id,
    node_id: nodeId('PullRequest', i.id),
    html_url: `${c.url}/${r.owner}/${r.name}/pull/${i.number}`,
    diff_url: `${c.url}/${r.owner}/${r.name}/pull/${i.number}.diff`,
    patch_url: `${c.url}/${r.owner}/${r.name}/pull/${i.number}.patch`,
    issue_url: `${u}/issues/${i.number}`,
    commits_url: `${u}/pulls/${i.number}/commits`,
    review_comments_url: `${u}/pulls/${i.number}/comments`,
    review_comment_url: `${u}/pulls/comments{/number}`,
    comments_url: `${u}/issues/${i.number}/comments`,
    statuses_url: `${u}/statuses/${headSha}`,
    number: i.number,
    state: i.state,
    locked: i.locked,
    title: i.title,
    user: simpleUser(c, i.user),
    body: i.body,
    labels: i.labels
      .map((n) => r.labels.get(n.toLowerCase()))
      .filter((l) => l !== undefined)
      .map((l) => label(c, r, l)),
    milestone: ms ? milestone(c, r, ms) : null,
    active_lock_reason: null,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    merged_at: p.merged_at,
    merge_commit_sha: p.merge_commit_sha,
    assignee: i.assignees[0] ? simpleUser(c, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => simpleUser(c, a)),
    requested_reviewers: p.requested_reviewers.map((a) => simpleUser(c, a)),
    requested_teams: [],
    head: {
      label: `${headRepo.owner}:${p.head.ref}`,
      ref: p.head.ref,
      sha: headSha,
      user: simpleUser(c, headRepo.owner),
      repo: repository(c, headRepo),
    },
    base: {
      label: `${r.owner}:${p.base.ref}`,
      ref: p.base.ref,
      sha: baseSha,
      user: simpleUser(c, r.owner),
      repo: repository(c, r),
    },
    _links: pullLinks(c, r, i),
    author_association: association(c, r, i.user),
    auto_merge: null,
    draft: p.draft,
  };
}

/** Whether a pull request can be merged, and GitHub's `mergeable_state` for it. */
export function mergeability(c: Ctx, r: Repo, i: Issue): { mergeable: boolean | null; state: string } {
  const p = i.pull!;
  if (p.merged || i.state === 'closed') return { mergeable: null, state: 'unknown' };
  const headRepo = c.state.repo(p.head.repo) ?? r;
  const head = c.state.pullHeadSha(r, i);
  const base = c.state.branchSha(r, p.base.ref);
  if (!base) return { mergeable: false, state: 'dirty' };
  const git = headRepo.git;
  const mb = git.commits.has(base) ? git.mergeBase(base, head) : undefined;
  if (!mb) return { mergeable: false, state: 'dirty' };
  const merged = git.mergeTrees(git.commits.get(mb)!.tree, git.commits.get(base)!.tree, git.commits.get(head)!.tree);
  if ('conflicts' in merged) return { mergeable: false, state: 'dirty' };
  if (p.draft) return { mergeable: true, state: 'draft' };
  const failing = r.checkRuns.some((cr) => cr.head_sha === head && cr.conclusion === 'failure');
  if (failing) return { mergeable: true, state: 'unstable' };
  if (mb !== base) return { mergeable: true, state: 'behind' };
  return { mergeable: true, state: 'clean' };
}

export function pullRequest(c: Ctx, r: Repo, i: Issue): Record<string, unknown> {
  const p = i.pull!;
  const changes = pullChanges(c, r, i);
  const m = mergeability(c, r, i);
  return {
    ...pullRequestSimple(c, r, i),
    merged: p.merged,
    mergeable: m.mergeable,
    rebaseable: m.mergeable,
    mergeable_state: m.state,
    merged_by: p.merged_by ? simpleUser(c, p.merged_by) : null,
    comments: i.comments.length,
    review_comments: p.review_comments.length,
    maintainer_can_modify: p.maintainer_can_modify,
    commits: changes.commits.length,
    additions: changes.files.reduce((n, f) => n + f.additions, 0),
    deletions: changes.files.reduce((n, f) => n + f.deletions, 0),
    changed_files: changes.files.length,
  };
}

export function diffEntry(c: Ctx, r: Repo, ref: string, f: FileChange): Record<string, unknown> {
  const path = f.filename.split('/').map(encodeURIComponent).join('/');
  return {
    sha: f.sha,
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `${c.url}/${r.owner}/${r.name}/blob/${ref}/${path}`,
    raw_url: `${c.url}/${r.owner}/${r.name}/raw/${ref}/${path}`,
    contents_url: `${c.url}/repos/${r.owner}/${r.name}/contents/${path}?ref=${ref}`,
    ...(f.patch !== undefined ? { patch: f.patch } : {}),
    ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
  };
}

function gitUser(s: { name: string; email: string; date: string }) {
  return { name: s.name, email: s.email, date: s.date };
}

const VERIFICATION = { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null };

function userForEmail(c: Ctx, email: string): string | undefined {
  for (const a of c.state.accounts.values())
    if (a.email === email || `${a.login}@users.noreply.sandbox.test` === email) return a.login;
  return undefined;
}

/** The `commit` shape (commits list and get; `files` only when given). */
export function commit(c: Ctx, r: Repo, co: CommitObject, files?: FileChange[]): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  const author = userForEmail(c, co.author.email);
  const committer = userForEmail(c, co.committer.email);
  return {
    url: `${u}/commits/${co.sha}`,
    sha: co.sha,
    node_id: nodeId('Commit', co.sha.slice(0, 12)),
    html_url: `${c.url}/${r.owner}/${r.name}/commit/${co.sha}`,
    comments_url: `${u}/commits/${co.sha}/comments`,
    commit: {
      url: `${u}/git/commits/${co.sha}`,
      author: gitUser(co.author),
      committer: gitUser(co.committer),
      message: co.message,
      tree: { sha: co.tree, url: `${u}/git/trees/${co.tree}` },
      comment_count: 0,
      verification: VERIFICATION,
    },
    author: author ? simpleUser(c, author) : null,
    committer: committer ? simpleUser(c, committer) : null,
    parents: co.parents.map((p) => ({ sha: p, url: `${u}/commits/${p}`, html_url: `${c.url}/${r.owner}/${r.name}/commit/${p}` })),
    ...(files
      ? {
          stats: {
            additions: files.reduce((n, f) => n + f.additions, 0),
            deletions: files.reduce((n, f) => n + f.deletions, 0),
            total: files.reduce((n, f) => n + f.additions + f.deletions, 0),
          },
          files: files.map((f) => diffEntry(c, r, co.sha, f)),
        }
      : {}),
  };
}

/** The git data API's commit. */
export function gitCommit(c: Ctx, r: Repo, co: CommitObject): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  return {
    sha: co.sha,
    node_id: nodeId('Commit', co.sha.slice(0, 12)),
    url: `${u}/git/commits/${co.sha}`,
    html_url: `${c.url}/${r.owner}/${r.name}/commit/${co.sha}`,
    author: gitUser(co.author),
    committer: gitUser(co.committer),
    tree: { sha: co.tree, url: `${u}/git/trees/${co.tree}` },
    message: co.message,
    parents: co.parents.map((p) => ({
      sha: p,
      url: `${u}/git/commits/${p}`,
      html_url: `${c.url}/${r.owner}/${r.name}/commit/${p}`,
    })),
    verification: VERIFICATION,
  };
}

export function gitRef(c: Ctx, r: Repo, ref: string, sha: string): Record<string, unknown> {
  const type = r.git.commits.has(sha) ? 'commit' : 'tag';
  return {
    ref,
    node_id: nodeId('Ref', `${r.id}:${ref}`),
    url: `${c.url}/repos/${r.owner}/${r.name}/git/${ref}`,
    object: { type, sha, url: `${c.url}/repos/${r.owner}/${r.name}/git/${type}s/${sha}` },
  };
}

export function gitTree(c: Ctx, r: Repo, sha: string, recursive: boolean): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}/git`;
  const out: Record<string, unknown>[] = [];
  const walk = (treeSha: string, prefix: string) => {
    for (const e of r.git.trees.get(treeSha) ?? []) {
      const path = prefix + e.name;
      out.push({
        path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(e.type === 'blob' ? { size: r.git.blobs.get(e.sha)?.length ?? 0 } : {}),
        url: `${u}/${e.type}s/${e.sha}`,
      });
      if (recursive && e.type === 'tree') walk(e.sha, `${path}/`);
    }
  };
  walk(sha, '');
  return { sha, url: `${u}/trees/${sha}`, tree: out, truncated: false };
}

export function shortBranch(c: Ctx, r: Repo, name: string, sha: string): Record<string, unknown> {
  return {
    name,
    commit: { sha, url: `${c.url}/repos/${r.owner}/${r.name}/commits/${sha}` },
    protected: name === r.default_branch,
  };
}

export function branchWithProtection(c: Ctx, r: Repo, name: string, sha: string): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}/branches/${encodeURIComponent(name)}`;
  const isProtected = name === r.default_branch;
  return {
    name,
    commit: commit(c, r, r.git.commits.get(sha)!),
    _links: { html: `${c.url}/${r.owner}/${r.name}/tree/${name}`, self: u },
    protected: isProtected,
    protection: isProtected
      ? {
          enabled: true,
          required_status_checks: {
            enforcement_level: 'non_admins',
            contexts: ['ci'],
            checks: [{ context: 'ci', app_id: null }],
          },
        }
      : { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
    protection_url: `${u}/protection`,
  };
}

export function tag(c: Ctx, r: Repo, name: string, sha: string): Record<string, unknown> {
  return {
    name,
    commit: { sha, url: `${c.url}/repos/${r.owner}/${r.name}/commits/${sha}` },
    zipball_url: `${c.url}/repos/${r.owner}/${r.name}/zipball/refs/tags/${name}`,
    tarball_url: `${c.url}/repos/${r.owner}/${r.name}/tarball/refs/tags/${name}`,
    node_id: nodeId('Tag', `${r.id}:${name}`),
  };
}

export function review(c: Ctx, r: Repo, i: Issue, rv: Review): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}/pulls/${i.number}`;
  return {
    id: rv.id,
    node_id: nodeId('PullRequestReview', rv.id),
    user: simpleUser(c, rv.user),
    body: rv.body,
    state: rv.state,
    html_url: `${c.url}/${r.owner}/${r.name}/pull/${i.number}#pullrequestreview-${rv.id}`,
    pull_request_url: u,
    _links: {
      html: { href: `${c.url}/${r.owner}/${r.name}/pull/${i.number}#pullrequestreview-${rv.id}` },
      pull_request: { href: u },
    },
    ...(rv.submitted_at ? { submitted_at: rv.submitted_at } : {}),
    commit_id: rv.commit_id,
    author_association: association(c, r, rv.user),
  };
}

export function reviewComment(c: Ctx, r: Repo, i: Issue, rc: ReviewComment): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  const self = `${u}/pulls/comments/${rc.id}`;
  const html = `${c.url}/${r.owner}/${r.name}/pull/${i.number}#discussion_r${rc.id}`;
  return {
    url: self,
    pull_request_review_id: rc.review_id,
    id: rc.id,
    node_id: nodeId('PullRequestReviewComment', rc.id),
    diff_hunk: rc.diff_hunk,
    path: rc.path,
    position: rc.line,
    original_position: rc.line,
    commit_id: rc.commit_id,
    original_commit_id: rc.commit_id,
    user: simpleUser(c, rc.user),
    body: rc.body,
    created_at: rc.created_at,
    updated_at: rc.updated_at,
    html_url: html,
    pull_request_url: `${u}/pulls/${i.number}`,
    author_association: association(c, r, rc.user),
    _links: { self: { href: self }, html: { href: html }, pull_request: { href: `${u}/pulls/${i.number}` } },
    line: rc.line,
    original_line: rc.line,
    side: rc.side,
    subject_type: 'line',
    ...(rc.in_reply_to_id ? { in_reply_to_id: rc.in_reply_to_id } : {}),
    reactions: reactions(`${self}/reactions`),
  };
}

const ACTIONS_APP = (c: Ctx) => ({
  id: 15368,
  slug: 'github-actions',
  node_id: nodeId('App', 15368),
  owner: simpleUser(c, 'github'),
  name: 'GitHub Actions',
  description: 'Automate your workflow from idea to production',
  external_url: 'https://help.github.com/en/actions',
  html_url: `${c.url}/apps/github-actions`,
  created_at: '2018-07-30T09:30:17Z',
  updated_at: '2024-04-10T20:33:16Z',
  permissions: { actions: 'write', checks: 'write', contents: 'write', metadata: 'read' },
  events: ['check_run', 'check_suite', 'push', 'pull_request', 'workflow_dispatch'],
});

export function checkRun(c: Ctx, r: Repo, cr: CheckRun): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  return {
    id: cr.id,
    head_sha: cr.head_sha,
    node_id: nodeId('CheckRun', cr.id),
    external_id: String(cr.id),
    url: `${u}/check-runs/${cr.id}`,
    html_url: `${c.url}/${r.owner}/${r.name}/runs/${cr.id}`,
    details_url: `${c.url}/${r.owner}/${r.name}/runs/${cr.id}`,
    status: cr.status,
    conclusion: cr.conclusion,
    started_at: cr.started_at,
    completed_at: cr.completed_at,
    output: {
      title: cr.title,
      summary: cr.summary,
      text: null,
      annotations_count: 0,
      annotations_url: `${u}/check-runs/${cr.id}/annotations`,
    },
    name: cr.name,
    check_suite: { id: cr.suite_id },
    app: ACTIONS_APP(c),
    pull_requests: [],
  };
}

export function commitStatus(c: Ctx, r: Repo, s: CommitStatus): Record<string, unknown> {
  return {
    url: `${c.url}/repos/${r.owner}/${r.name}/statuses/${s.sha}`,
    avatar_url: `${c.url}/_avatars/${c.state.account(s.creator)?.id ?? 0}`,
    id: s.id,
    node_id: nodeId('StatusContext', s.id),
    state: s.state,
    description: s.description,
    target_url: s.target_url,
    context: s.context,
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

export function workflow(c: Ctx, r: Repo, w: Workflow): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  return {
    id: w.id,
    node_id: nodeId('Workflow', w.id),
    name: w.name,
    path: w.path,
    state: w.state,
    created_at: w.created_at,
    updated_at: w.updated_at,
    url: `${u}/actions/workflows/${w.id}`,
    html_url: `${c.url}/${r.owner}/${r.name}/blob/${r.default_branch}/${w.path}`,
    badge_url: `${c.url}/${r.owner}/${r.name}/workflows/${encodeURIComponent(w.name)}/badge.svg`,
  };
}

export function workflowRun(c: Ctx, r: Repo, run: WorkflowRun): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  const wf = r.workflows.find((w) => w.id === run.workflow_id)!;
  const head = r.git.commits.get(run.head_sha);
  const ru = `${u}/actions/runs/${run.id}`;
  return {
    id: run.id,
    name: wf.name,
    node_id: nodeId('WorkflowRun', run.id),
    check_suite_id: run.id + 1,
    check_suite_node_id: nodeId('CheckSuite', run.id + 1),
    head_branch: run.head_branch,
    head_sha: run.head_sha,
    path: wf.path,
    display_title: run.display_title,
    run_number: run.run_number,
    run_attempt: run.run_attempt,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflow_id,
    url: ru,
    html_url: `${c.url}/${r.owner}/${r.name}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.created_at,
    updated_at: run.updated_at,
    actor: simpleUser(c, run.actor),
    triggering_actor: simpleUser(c, run.actor),
    run_started_at: run.run_started_at,
    jobs_url: `${ru}/jobs`,
    logs_url: `${ru}/logs`,
    check_suite_url: `${u}/check-suites/${run.id + 1}`,
    artifacts_url: `${ru}/artifacts`,
    cancel_url: `${ru}/cancel`,
    rerun_url: `${ru}/rerun`,
    previous_attempt_url: run.run_attempt > 1 ? `${ru}/attempts/${run.run_attempt - 1}` : null,
    workflow_url: `${u}/actions/workflows/${run.workflow_id}`,
    head_commit: head
      ? {
          id: head.sha,
          tree_id: head.tree,
          message: head.message,
          timestamp: head.committer.date,
          author: { name: head.author.name, email: head.author.email },
          committer: { name: head.committer.name, email: head.committer.email },
        }
      : null,
    repository: minimalRepository(c, r),
    head_repository: minimalRepository(c, r),
  };
}

export function job(c: Ctx, r: Repo, j: Job): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  const run = r.runs.find((x) => x.id === j.run_id)!;
  const wf = r.workflows.find((w) => w.id === run.workflow_id)!;
  return {
    id: j.id,
    run_id: j.run_id,
    run_url: `${u}/actions/runs/${j.run_id}`,
    run_attempt: j.run_attempt,
    node_id: nodeId('CheckRun', j.id),
    head_sha: run.head_sha,
    url: `${u}/actions/jobs/${j.id}`,
    html_url: `${c.url}/${r.owner}/${r.name}/actions/runs/${j.run_id}/job/${j.id}`,
    status: j.status,
    conclusion: j.conclusion,
    created_at: j.started_at,
    started_at: j.started_at,
    completed_at: j.completed_at,
    name: j.name,
    steps: j.steps.map((s) => ({
      name: s.name,
      status: j.status === 'completed' ? 'completed' : s.conclusion ? 'completed' : 'queued',
      conclusion: s.conclusion,
      number: s.number,
      started_at: j.started_at,
      completed_at: j.completed_at,
    })),
    check_run_url: `${u}/check-runs/${j.id}`,
    labels: ['ubuntu-latest'],
    runner_id: j.status === 'queued' ? null : 1,
    runner_name: j.status === 'queued' ? null : 'GitHub Actions 1',
    runner_group_id: j.status === 'queued' ? null : 1,
    runner_group_name: j.status === 'queued' ? null : 'GitHub Actions',
    workflow_name: wf.name,
    head_branch: run.head_branch,
  };
}

export function release(c: Ctx, r: Repo, rl: Release): Record<string, unknown> {
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  return {
    url: `${u}/releases/${rl.id}`,
    html_url: `${c.url}/${r.owner}/${r.name}/releases/tag/${rl.tag_name}`,
    assets_url: `${u}/releases/${rl.id}/assets`,
    upload_url: `${c.url}/_uploads/repos/${r.owner}/${r.name}/releases/${rl.id}/assets{?name,label}`,
    tarball_url: `${u}/tarball/${rl.tag_name}`,
    zipball_url: `${u}/zipball/${rl.tag_name}`,
    id: rl.id,
    node_id: nodeId('Release', rl.id),
    tag_name: rl.tag_name,
    target_commitish: rl.target_commitish,
    name: rl.name,
    body: rl.body,
    draft: rl.draft,
    prerelease: rl.prerelease,
    created_at: rl.created_at,
    published_at: rl.published_at,
    author: simpleUser(c, rl.author),
    assets: [],
  };
}

export function thread(c: Ctx, t: Thread): Record<string, unknown> {
  const r = c.state.repo(t.repo)!;
  const u = `${c.url}/repos/${r.owner}/${r.name}`;
  const kind = t.subject.type === 'PullRequest' ? 'pulls' : t.subject.type === 'Issue' ? 'issues' : 'releases';
  const subjectUrl = t.subject.number ? `${u}/${kind}/${t.subject.number}` : u;
  return {
    id: t.id,
    repository: minimalRepository(c, r),
    subject: { title: t.subject.title, url: subjectUrl, latest_comment_url: subjectUrl, type: t.subject.type },
    reason: t.reason,
    unread: t.unread,
    updated_at: t.updated_at,
    last_read_at: t.last_read_at,
    url: `${c.url}/notifications/threads/${t.id}`,
    subscription_url: `${c.url}/notifications/threads/${t.id}/subscription`,
  };
}

/** A gist; `withContent` for the single-gist endpoints (lists omit file contents, as GitHub does). */
export function gist(c: Ctx, g: Gist, withContent: boolean): Record<string, unknown> {
  const u = `${c.url}/gists/${g.id}`;
  const files: Record<string, unknown> = {};
  for (const f of g.files.values()) {
    files[f.filename] = {
      filename: f.filename,
      type: f.language === 'Markdown' ? 'text/markdown' : 'text/plain',
      language: f.language,
      raw_url: `${c.url}/_gists/${g.id}/raw/${encodeURIComponent(f.filename)}`,
      size: Buffer.byteLength(f.content),
      ...(withContent ? { truncated: false, content: f.content } : {}),
    };
  }
  return {
    url: u,
    forks_url: `${u}/forks`,
    commits_url: `${u}/commits`,
    id: g.id,
    node_id: nodeId('Gist', g.id),
    git_pull_url: `${c.url}/_gists/${g.id}.git`,
    git_push_url: `${c.url}/_gists/${g.id}.git`,
    html_url: `${c.url}/_gists/${g.id}`,
    files,
    public: g.public,
    created_at: g.created_at,
    updated_at: g.updated_at,
    description: g.description,
    comments: 0,
    comments_enabled: true,
    user: null,
    comments_url: `${u}/comments`,
    owner: simpleUser(c, g.owner),
    truncated: false,
    ...(withContent ? { forks: [], history: [] } : {}),
  };
}

export type { FileChange };

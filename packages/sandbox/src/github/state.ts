/**
 * The GitHub emulator's state: accounts and tokens, repositories with git history, issues and
 * pull requests, checks, Actions, releases, gists, notifications — plus the methods seeds and
 * tests build data with. Everything here is plain data; `serialize.ts` turns it into GitHub's
 * JSON and the routes apply GitHub's rules.
 */
import { Clock, deterministicSecret, IdSequence, isoSeconds } from '../core/state.js';
import { type Changes, type CommitObject, GitStore, type Signature } from './git.js';

export interface Account {
  id: number;
  login: string;
  type: 'User' | 'Organization';
  name: string | null;
  email: string | null;
  bio: string | null;
  company: string | null;
  location: string | null;
  blog: string;
  site_admin: boolean;
  created_at: string;
  updated_at: string;
  /** Organisation members (for an organisation). */
  members: Set<string>;
}

export interface Token {
  login: string;
  /** Classic OAuth scopes (`repo`, `public_repo`, `gist`, `notifications`, `workflow`, `read:org`…). */
  scopes: string[];
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface Milestone {
  id: number;
  number: number;
  title: string;
  description: string | null;
  state: 'open' | 'closed';
  creator: string;
  due_on: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface Comment {
  id: number;
  user: string;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface Review {
  id: number;
  user: string;
  body: string;
  state: 'PENDING' | 'COMMENTED' | 'APPROVED' | 'CHANGES_REQUESTED' | 'DISMISSED';
  commit_id: string;
  submitted_at: string | null;
}

export interface ReviewComment {
  id: number;
  review_id: number;
  user: string;
  body: string;
  path: string;
  line: number;
  side: 'LEFT' | 'RIGHT';
  commit_id: string;
  diff_hunk: string;
  in_reply_to_id?: number;
  created_at: string;
  updated_at: string;
}

export interface PullData {
  head: { repo: string; ref: string; sha: string };
  /** `sha` is set when merged: the base commit the pull request was merged onto. */
  base: { ref: string; sha?: string };
  draft: boolean;
  merged: boolean;
  merged_at: string | null;
  merged_by: string | null;
  merge_commit_sha: string | null;
  maintainer_can_modify: boolean;
  requested_reviewers: string[];
  reviews: Review[];
  review_comments: ReviewComment[];
}

export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: string;
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null;
  labels: string[];
  assignees: string[];
  milestone: number | null;
  comments: Comment[];
  locked: boolean;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_by: string | null;
  /** Sub-issues by issue id, and the parent's id. */
  sub_issues: number[];
  parent: number | null;
  pull?: PullData;
}

export interface CheckRun {
  id: number;
  suite_id: number;
  head_sha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | null;
  started_at: string;
  completed_at: string | null;
  title: string;
  summary: string;
}

export interface CommitStatus {
  id: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  target_url: string | null;
  creator: string;
  created_at: string;
  updated_at: string;
}

export interface Workflow {
  id: number;
  name: string;
  path: string;
  state: 'active' | 'disabled_manually';
  dispatchable: boolean;
  created_at: string;
  updated_at: string;
}

export interface Step {
  name: string;
  number: number;
  conclusion: 'success' | 'failure' | 'skipped' | 'cancelled' | null;
  /** Log lines of this step. */
  log: string[];
}

export interface Job {
  id: number;
  run_id: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | null;
  started_at: string;
  completed_at: string | null;
  run_attempt: number;
  steps: Step[];
}

export interface WorkflowRun {
  id: number;
  workflow_id: number;
  run_number: number;
  run_attempt: number;
  event: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | null;
  head_branch: string;
  head_sha: string;
  actor: string;
  display_title: string;
  created_at: string;
  updated_at: string;
  run_started_at: string;
  jobs: number[];
}

export interface Release {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  author: string;
  created_at: string;
  published_at: string | null;
}

export interface Repo {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  description: string | null;
  homepage: string | null;
  language: string | null;
  topics: string[];
  default_branch: string;
  fork: boolean;
  parent: string | null;
  archived: boolean;
  stargazers: number;
  created_at: string;
  updated_at: string;
  pushed_at: string;
  git: GitStore;
  refs: Map<string, string>;
  /** Logins with push access besides the owner (and an organisation's members). */
  collaborators: Set<string>;
  issues: Map<number, Issue>;
  nextNumber: number;
  labels: Map<string, Label>;
  milestones: Map<number, Milestone>;
  checkRuns: CheckRun[];
  statuses: CommitStatus[];
  workflows: Workflow[];
  runs: WorkflowRun[];
  jobs: Map<number, Job>;
  releases: Release[];
}

export interface GistFile {
  filename: string;
  content: string;
  language: string | null;
}

export interface Gist {
  id: string;
  owner: string;
  description: string | null;
  public: boolean;
  files: Map<string, GistFile>;
  created_at: string;
  updated_at: string;
}

export interface Thread {
  id: string;
  login: string;
  repo: string;
  reason: string;
  unread: boolean;
  subject: { title: string; type: 'Issue' | 'PullRequest' | 'Release' | 'Commit'; number?: number };
  updated_at: string;
  last_read_at: string | null;
}

/** Per-identity rate-limit usage of one resource. */
export interface RateBucket {
  used: number;
  /** Epoch seconds at which the window resets. */
  reset: number;
}

export const DEFAULT_SCOPES = ['repo', 'read:org', 'gist', 'notifications', 'workflow', 'user'];

export class GitHubState {
  readonly clock = new Clock();
  readonly ids = {
    account: new IdSequence(1001),
    repo: new IdSequence(500001),
    issue: new IdSequence(2000001),
    comment: new IdSequence(3000001),
    label: new IdSequence(4000001),
    milestone: new IdSequence(5000001),
    review: new IdSequence(6000001),
    reviewComment: new IdSequence(7000001),
    check: new IdSequence(8000001),
    suite: new IdSequence(8500001),
    status: new IdSequence(9000001),
    workflow: new IdSequence(10000001),
    run: new IdSequence(11000001),
    job: new IdSequence(12000001),
    release: new IdSequence(13000001),
    thread: new IdSequence(14000001),
    gist: new IdSequence(1),
  };
  readonly accounts = new Map<string, Account>();
  readonly tokens = new Map<string, Token>();
  readonly repos = new Map<string, Repo>();
  readonly gists = new Map<string, Gist>();
  readonly threads: Thread[] = [];
  /** The login whose token `env` hands out. */
  defaultLogin = '';
  /** Requests per hour per identity and resource; tests lower them to reach the limit quickly. */
  readonly rateLimits = { core: 5000, search: 30, code_search: 10, anonymous: 60 };
  /**
   * GitHub's secondary limit on content creation: at most this many writes (POST, PATCH, PUT,
   * DELETE) per identity per minute, then 403 with `retry-after` until the minute has passed.
   */
  writesPerMinute = 80;
  /** Times of recent writes per identity, for `writesPerMinute`. */
  readonly recentWrites = new Map<string, number[]>();
  /** The status a spent primary limit answers with: GitHub sends 403, and 429 in some cases. */
  primaryLimitStatus: 403 | 429 = 403;
  readonly rateUsage = new Map<string, RateBucket>();

  now(): string {
    return isoSeconds(this.clock.now());
  }

  // ---- accounts and tokens ---------------------------------------------------------------

  addUser(
    login: string,
    details: Partial<Pick<Account, 'name' | 'email' | 'bio' | 'company' | 'location' | 'blog' | 'site_admin'>> = {},
  ): Account {
    return this.#addAccount(login, 'User', details);
  }

  addOrg(login: string, members: string[], details: Partial<Pick<Account, 'name' | 'email' | 'bio' | 'blog'>> = {}): Account {
    const org = this.#addAccount(login, 'Organization', details);
    for (const m of members) org.members.add(m.toLowerCase());
    return org;
  }

  #addAccount(login: string, type: Account['type'], details: Partial<Account>): Account {
    if (this.accounts.has(login.toLowerCase())) throw new Error(`account ${login} exists`);
    const now = this.now();
    const account: Account = {
      id: this.ids.account.next(),
      login,
      type,
      name: null,
      email: null,
      bio: null,
      company: null,
      location: null,
      blog: '',
      site_admin: false,
      created_at: now,
      updated_at: now,
      members: new Set(),
      ...details,
    };
    this.accounts.set(login.toLowerCase(), account);
    return account;
  }

  /** Issues a classic personal access token (deterministic per login and label). */
  addToken(login: string, scopes: string[] = DEFAULT_SCOPES, label = 'default'): string {
    const account = this.account(login);
    if (!account) throw new Error(`no account ${login}`);
    const token = deterministicSecret('ghp_', `github:${account.login}:${label}`, 36);
    this.tokens.set(token, { login: account.login, scopes });
    if (!this.defaultLogin) this.defaultLogin = account.login;
    return token;
  }

  /** The first token issued to a login. */
  tokenFor(login: string): string {
    for (const [token, t] of this.tokens) if (t.login.toLowerCase() === login.toLowerCase()) return token;
    throw new Error(`no token for ${login}`);
  }

  account(login: string): Account | undefined {
    return this.accounts.get(login.toLowerCase());
  }

  // ---- repositories and git ----------------------------------------------------------------

  addRepo(
    fullName: string,
    options: Partial<
      Pick<Repo, 'private' | 'description' | 'homepage' | 'language' | 'topics' | 'default_branch' | 'stargazers'>
    > & {
      files?: Changes;
      message?: string;
      collaborators?: string[];
    } = {},
  ): Repo {
    const [ownerLogin, name] = fullName.split('/');
    const owner = this.account(ownerLogin ?? '');
    if (!owner || !name) throw new Error(`addRepo: "${fullName}" must be owner/name with an existing owner`);
    if (this.repo(fullName)) throw new Error(`repository ${fullName} exists`);
    const now = this.now();
    const repo: Repo = {
      id: this.ids.repo.next(),
      owner: owner.login,
      name,
      private: options.private ?? false,
      description: options.description ?? null,
      homepage: options.homepage ?? null,
      language: options.language ?? null,
      topics: options.topics ?? [],
      default_branch: options.default_branch ?? 'main',
      fork: false,
      parent: null,
      archived: false,
      stargazers: options.stargazers ?? 0,
      created_at: now,
      updated_at: now,
      pushed_at: now,
      git: new GitStore(),
      refs: new Map(),
      collaborators: new Set((options.collaborators ?? []).map((c) => c.toLowerCase())),
      issues: new Map(),
      nextNumber: 1,
      labels: new Map(),
      milestones: new Map(),
      checkRuns: [],
      statuses: [],
      workflows: [],
      runs: [],
      jobs: new Map(),
      releases: [],
    };
    this.repos.set(fullName.toLowerCase(), repo);
    for (const [label, color, description] of DEFAULT_LABELS) this.addLabel(repo, label, color, description, true);
    if (options.files)
      this.commit(repo, repo.default_branch, { message: options.message ?? 'Initial commit', files: options.files });
    return repo;
  }

  repo(fullName: string): Repo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  fullName(repo: Repo): string {
    return `${repo.owner}/${repo.name}`;
  }

  signature(login: string, date = this.now()): Signature {
    const a = this.account(login);
    return { name: a?.name ?? login, email: a?.email ?? `${login}@users.noreply.sandbox.test`, date };
  }

  /** Commits `files` on `branch` (created from the default branch if missing). */
  commit(repo: Repo, branch: string, c: { message: string; files: Changes; author?: string; parents?: string[] }): CommitObject {
    const head = repo.refs.get(`refs/heads/${branch}`) ?? repo.refs.get(`refs/heads/${repo.default_branch}`);
    const parents = c.parents ?? (head ? [head] : []);
    const baseTree = parents[0] ? repo.git.commits.get(parents[0])!.tree : null;
    const tree = repo.git.applyChanges(baseTree, c.files);
    const sig = this.signature(c.author ?? repo.owner);
    const commit = repo.git.putCommit({ tree, parents, author: sig, committer: sig, message: c.message });
    repo.refs.set(`refs/heads/${branch}`, commit.sha);
    repo.pushed_at = sig.date;
    return commit;
  }

  branchSha(repo: Repo, branch: string): string | undefined {
    return repo.refs.get(`refs/heads/${branch}`);
  }

  /** A branch, tag or commit sha (full or at least 7 characters) → commit sha. */
  resolveRef(repo: Repo, ref: string): string | undefined {
    const direct =
      repo.refs.get(ref) ??
      repo.refs.get(`refs/heads/${ref}`) ??
      repo.refs.get(`refs/tags/${ref}`) ??
      repo.refs.get(`refs/${ref}`);
    if (direct) return direct;
    if (/^[0-9a-f]{7,40}$/.test(ref)) {
      if (repo.git.commits.has(ref)) return ref;
      const matches = [...repo.git.commits.keys()].filter((sha) => sha.startsWith(ref));
      if (matches.length === 1) return matches[0];
    }
    return undefined;
  }

  canRead(login: string | null, repo: Repo): boolean {
    return !repo.private || (login !== null && this.canPush(login, repo));
  }

  canPush(login: string, repo: Repo): boolean {
    const l = login.toLowerCase();
    if (repo.owner.toLowerCase() === l || repo.collaborators.has(l)) return true;
    return this.account(repo.owner)?.members.has(l) ?? false;
  }

  // ---- issues and pull requests ------------------------------------------------------------

  addLabel(repo: Repo, name: string, color = 'ededed', description: string | null = null, isDefault = false): Label {
    const label = { id: this.ids.label.next(), name, color, description, default: isDefault };
    repo.labels.set(name.toLowerCase(), label);
    return label;
  }

  addMilestone(
    repo: Repo,
    title: string,
    options: { description?: string; due_on?: string; state?: 'open' | 'closed' } = {},
  ): Milestone {
    const number = repo.milestones.size + 1;
    const now = this.now();
    const milestone: Milestone = {
      id: this.ids.milestone.next(),
      number,
      title,
      description: options.description ?? null,
      state: options.state ?? 'open',
      creator: repo.owner,
      due_on: options.due_on ?? null,
      created_at: now,
      updated_at: now,
      closed_at: options.state === 'closed' ? now : null,
    };
    repo.milestones.set(number, milestone);
    return milestone;
  }

  addIssue(
    repo: Repo,
    i: {
      title: string;
      body?: string | null;
      user?: string;
      labels?: string[];
      assignees?: string[];
      milestone?: number;
      state?: 'open' | 'closed';
    },
  ): Issue {
    const now = this.now();
    for (const name of i.labels ?? []) if (!repo.labels.has(name.toLowerCase())) this.addLabel(repo, name);
    const issue: Issue = {
      id: this.ids.issue.next(),
      number: repo.nextNumber++,
      title: i.title,
      body: i.body ?? null,
      user: i.user ?? repo.owner,
      state: i.state ?? 'open',
      state_reason: i.state === 'closed' ? 'completed' : null,
      labels: (i.labels ?? []).map((n) => repo.labels.get(n.toLowerCase())!.name),
      assignees: i.assignees ?? [],
      milestone: i.milestone ?? null,
      comments: [],
      locked: false,
      created_at: now,
      updated_at: now,
      closed_at: i.state === 'closed' ? now : null,
      closed_by: i.state === 'closed' ? (i.user ?? repo.owner) : null,
      sub_issues: [],
      parent: null,
    };
    repo.issues.set(issue.number, issue);
    return issue;
  }

  addComment(issue: Issue, user: string, body: string): Comment {
    const now = this.now();
    const comment = { id: this.ids.comment.next(), user, body, created_at: now, updated_at: now };
    issue.comments.push(comment);
    issue.updated_at = now;
    return comment;
  }

  addPull(
    repo: Repo,
    p: {
      title: string;
      body?: string;
      user?: string;
      head: string;
      base?: string;
      headRepo?: Repo;
      draft?: boolean;
      labels?: string[];
    },
  ): Issue {
    const headRepo = p.headRepo ?? repo;
    const sha = this.branchSha(headRepo, p.head);
    if (!sha) throw new Error(`addPull: no branch ${p.head} in ${this.fullName(headRepo)}`);
    const issue = this.addIssue(repo, {
      title: p.title,
      body: p.body ?? null,
      user: p.user ?? repo.owner,
      labels: p.labels ?? [],
    });
    issue.pull = {
      head: { repo: this.fullName(headRepo), ref: p.head, sha },
      base: { ref: p.base ?? repo.default_branch },
      draft: p.draft ?? false,
      merged: false,
      merged_at: null,
      merged_by: null,
      merge_commit_sha: null,
      maintainer_can_modify: false,
      requested_reviewers: [],
      reviews: [],
      review_comments: [],
    };
    return issue;
  }

  /** The pull request's head commit: its branch's tip while the branch exists. */
  pullHeadSha(repo: Repo, issue: Issue): string {
    const pull = issue.pull!;
    if (pull.merged) return pull.head.sha;
    const headRepo = this.repo(pull.head.repo) ?? repo;
    return this.branchSha(headRepo, pull.head.ref) ?? pull.head.sha;
  }

  // ---- checks, statuses, Actions -----------------------------------------------------------

  addCheckRun(repo: Repo, sha: string, name: string, conclusion: CheckRun['conclusion'], summary = ''): CheckRun {
    const now = this.now();
    const run: CheckRun = {
      id: this.ids.check.next(),
      suite_id: this.ids.suite.next(),
      head_sha: sha,
      name,
      status: conclusion ? 'completed' : 'in_progress',
      conclusion,
      started_at: now,
      completed_at: conclusion ? now : null,
      title: conclusion ? `${name}: ${conclusion}` : `${name}: running`,
      summary,
    };
    repo.checkRuns.push(run);
    return run;
  }

  addStatus(
    repo: Repo,
    sha: string,
    context: string,
    state: CommitStatus['state'],
    description: string | null = null,
  ): CommitStatus {
    const now = this.now();
    const status: CommitStatus = {
      id: this.ids.status.next(),
      sha,
      state,
      context,
      description,
      target_url: null,
      creator: repo.owner,
      created_at: now,
      updated_at: now,
    };
    repo.statuses.push(status);
    return status;
  }

  addWorkflow(repo: Repo, name: string, path: string, dispatchable = true): Workflow {
    const now = this.now();
    const wf: Workflow = {
      id: this.ids.workflow.next(),
      name,
      path,
      state: 'active',
      dispatchable,
      created_at: now,
      updated_at: now,
    };
    repo.workflows.push(wf);
    return wf;
  }

  addRun(
    repo: Repo,
    workflow: Workflow,
    r: {
      branch: string;
      event?: string;
      actor?: string;
      title?: string;
      status?: WorkflowRun['status'];
      jobs: { name: string; steps: { name: string; ok: boolean | null; log?: string[] }[] }[];
    },
  ): WorkflowRun {
    const sha = this.branchSha(repo, r.branch) ?? '';
    const now = this.now();
    const run: WorkflowRun = {
      id: this.ids.run.next(),
      workflow_id: workflow.id,
      run_number: repo.runs.filter((x) => x.workflow_id === workflow.id).length + 1,
      run_attempt: 1,
      event: r.event ?? 'push',
      status: r.status ?? 'completed',
      conclusion: null,
      head_branch: r.branch,
      head_sha: sha,
      actor: r.actor ?? repo.owner,
      display_title: r.title ?? repo.git.commits.get(sha)?.message.split('\n')[0] ?? workflow.name,
      created_at: now,
      updated_at: now,
      run_started_at: now,
      jobs: [],
    };
    for (const j of r.jobs) {
      const done = run.status === 'completed';
      const failed = j.steps.some((s) => s.ok === false);
      const job: Job = {
        id: this.ids.job.next(),
        run_id: run.id,
        name: j.name,
        status: done ? 'completed' : run.status,
        conclusion: done ? (failed ? 'failure' : 'success') : null,
        started_at: now,
        completed_at: done ? now : null,
        run_attempt: 1,
        steps: j.steps.map((s, index) => ({
          name: s.name,
          number: index + 1,
          conclusion: s.ok === null ? (done ? 'skipped' : null) : s.ok ? 'success' : 'failure',
          log: s.log ?? [`Run ${s.name}`, s.ok === false ? `Error: ${s.name} failed` : `${s.name} finished`],
        })),
      };
      repo.jobs.set(job.id, job);
      run.jobs.push(job.id);
    }
    if (run.status === 'completed')
      run.conclusion = run.jobs.some((id) => repo.jobs.get(id)!.conclusion === 'failure') ? 'failure' : 'success';
    repo.runs.push(run);
    return run;
  }

  addRelease(
    repo: Repo,
    r: { tag: string; name?: string; body?: string; draft?: boolean; prerelease?: boolean; target?: string },
  ): Release {
    const target = r.target ?? repo.default_branch;
    if (!repo.refs.has(`refs/tags/${r.tag}`)) {
      const sha = this.resolveRef(repo, target);
      if (sha) repo.refs.set(`refs/tags/${r.tag}`, sha);
    }
    const now = this.now();
    const release: Release = {
      id: this.ids.release.next(),
      tag_name: r.tag,
      target_commitish: target,
      name: r.name ?? r.tag,
      body: r.body ?? null,
      draft: r.draft ?? false,
      prerelease: r.prerelease ?? false,
      author: repo.owner,
      created_at: now,
      published_at: r.draft ? null : now,
    };
    repo.releases.push(release);
    return release;
  }

  // ---- gists and notifications --------------------------------------------------------------

  addGist(owner: string, g: { description?: string; public?: boolean; files: Record<string, string> }): Gist {
    const now = this.now();
    const id = this.ids.gist.next().toString(16).padStart(20, 'a0');
    const gist: Gist = {
      id,
      owner,
      description: g.description ?? null,
      public: g.public ?? true,
      files: new Map(
        Object.entries(g.files).map(([filename, content]) => [filename, { filename, content, language: languageOf(filename) }]),
      ),
      created_at: now,
      updated_at: now,
    };
    this.gists.set(id, gist);
    return gist;
  }

  addThread(login: string, repo: Repo, subject: Thread['subject'], reason = 'subscribed', unread = true): Thread {
    const thread: Thread = {
      id: String(this.ids.thread.next()),
      login,
      repo: this.fullName(repo),
      reason,
      unread,
      subject,
      updated_at: this.now(),
      last_read_at: unread ? null : this.now(),
    };
    this.threads.push(thread);
    return thread;
  }
}

const DEFAULT_LABELS: [string, string, string][] = [
  ['bug', 'd73a4a', "Something isn't working"],
  ['documentation', '0075ca', 'Improvements or additions to documentation'],
  ['enhancement', 'a2eeef', 'New feature or request'],
  ['good first issue', '7057ff', 'Good for newcomers'],
  ['question', 'd876e3', 'Further information is requested'],
];

const LANGUAGES: Record<string, string> = {
  ts: 'TypeScript',
  js: 'JavaScript',
  md: 'Markdown',
  py: 'Python',
  go: 'Go',
  rs: 'Rust',
  json: 'JSON',
  yml: 'YAML',
  yaml: 'YAML',
  sh: 'Shell',
  css: 'CSS',
  html: 'HTML',
};

export function languageOf(filename: string): string | null {
  return LANGUAGES[filename.split('.').pop()?.toLowerCase() ?? ''] ?? null;
}

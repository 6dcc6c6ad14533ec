/**
 * The fidelity tour: every route the GitHub emulator serves, called with the real `@octokit/rest`
 * client, for success and for error statuses. The harness checks each exchange against GitHub's
 * API description after every test; the last test fails when a route was served without a
 * faithful success, or a write route without a faithful error.
 */
import { describe, expect, it } from 'vitest';
import { githubRoutes } from '../../src/github/index.js';
import { failure, repo, useGitHub } from './harness.js';
import { uncovered } from './spec.js';

const h = useGitHub();

function pullNumber(title: string): number {
  const r = h.sandbox.state.repo('octocat/hello-world')!;
  return [...r.issues.values()].find((i) => i.pull && i.title.startsWith(title))!.number;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('users and rate limit', () => {
  it('serves the authenticated user, other accounts and the rate-limit status', async () => {
    const me = await h.octo.users.getAuthenticated();
    expect(me.data).toMatchObject({ login: 'octocat', name: 'Mona Octocat', type: 'User' });
    expect(me.headers['x-oauth-scopes']).toContain('repo');
    expect((await h.octo.users.getByUsername({ username: 'patchbay-demo' })).data.type).toBe('Organization');
    expect((await failure(h.octo.users.getByUsername({ username: 'nobody-here' }))).status).toBe(404);
    const limit = await h.octo.rateLimit.get();
    expect(limit.data.resources.core.limit).toBe(5000);
    expect((await failure(h.anonymous.users.getAuthenticated())).status).toBe(401);
    const bad = await failure(h.client('ghp_notarealtoken000000000000000000000000').users.getAuthenticated());
    expect(bad.status).toBe(401);
    expect(bad.response.data).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
  });

  it('lists and creates repositories for the user and in an organisation', async () => {
    const mine = await h.octo.repos.listForAuthenticatedUser({ per_page: 100 });
    expect(mine.data.map((r) => r.full_name)).toEqual(
      expect.arrayContaining(['octocat/hello-world', 'octocat/secret-project', 'patchbay-demo/infra']),
    );
    const created = await h.octo.repos.createForAuthenticatedUser({
      name: 'new-thing',
      private: true,
      auto_init: true,
      description: 'made by a test',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ full_name: 'octocat/new-thing', private: true, default_branch: 'main' });
    const again = await failure(h.octo.repos.createForAuthenticatedUser({ name: 'new-thing' }));
    expect(again.status).toBe(422);
    expect(again.response.data.errors[0]).toMatchObject({ resource: 'Repository', field: 'name', code: 'custom' });
    const inOrg = await h.octo.repos.createInOrg({ org: 'patchbay-demo', name: 'docs' });
    expect(inOrg.data.owner.login).toBe('patchbay-demo');
    expect((await failure(h.outsider.repos.createInOrg({ org: 'patchbay-demo', name: 'x' }))).status).toBe(403);
    expect((await failure(h.octo.repos.createInOrg({ org: 'patchbay-demo', name: '' }))).status).toBe(422);
  });
});

describe('repositories', () => {
  it('gets a repository; a private one without access is Not Found', async () => {
    const got = await h.octo.repos.get(repo);
    expect(got.data).toMatchObject({
      full_name: 'octocat/hello-world',
      private: false,
      default_branch: 'main',
      language: 'TypeScript',
    });
    expect((await h.octo.repos.get({ owner: 'octocat', repo: 'secret-project' })).data.private).toBe(true);
    const hidden = await failure(h.outsider.repos.get({ owner: 'octocat', repo: 'secret-project' }));
    expect(hidden.status).toBe(404);
    expect(hidden.response.data.message).toBe('Not Found');
    const readOnly = h.client(Array.from(h.sandbox.state.tokens.entries()).find(([, t]) => t.scopes.includes('read:user'))![0]);
    expect((await failure(readOnly.repos.get({ owner: 'octocat', repo: 'secret-project' }))).status).toBe(404);
  });

  it('says what permission an account has on a repository', async () => {
    const perm = async (username: string) =>
      (await h.octo.repos.getCollaboratorPermissionLevel({ ...repo, username })).data.permission;
    expect([await perm('octocat'), await perm('hubot'), await perm('outsider')]).toEqual(['admin', 'write', 'read']);
    expect(
      (await h.octo.repos.getCollaboratorPermissionLevel({ owner: 'patchbay-demo', repo: 'platform', username: 'hubot' })).data
        .permission,
    ).toBe('write');
    expect((await failure(h.octo.repos.getCollaboratorPermissionLevel({ ...repo, username: 'nobody-here' }))).status).toBe(404);
  });

  it('forks a repository (202), and returns the existing fork when asked again', async () => {
    const fork = await h.hubot.repos.createFork({ ...repo, name: 'hello-fork' });
    expect(fork.status).toBe(202);
    expect(fork.data).toMatchObject({ full_name: 'hubot/hello-fork', fork: true, parent: { full_name: 'octocat/hello-world' } });
    expect((await h.hubot.repos.createFork({ ...repo, name: 'hello-fork' })).data.id).toBe(fork.data.id);
    expect((await failure(h.outsider.repos.createFork({ owner: 'octocat', repo: 'secret-project' }))).status).toBe(404);
    expect((await failure(h.octo.repos.createFork({ ...repo, organization: 'no-such-org' }))).status).toBe(422);
  });

  it('lists branches and tags, and gets a branch', async () => {
    const branches = await h.octo.repos.listBranches(repo);
    expect(branches.data.map((b) => b.name)).toEqual([
      'conflict/changelog',
      'feature/greeting',
      'fix/typo',
      'main',
      'refactor/many-files',
    ]);
    const main = await h.octo.repos.getBranch({ ...repo, branch: 'main' });
    expect(main.data).toMatchObject({ name: 'main', protected: true });
    expect((await h.octo.repos.getBranch({ ...repo, branch: 'feature/greeting' })).data.commit.sha).toMatch(/^[0-9a-f]{40}$/);
    expect((await failure(h.octo.repos.getBranch({ ...repo, branch: 'nope' }))).status).toBe(404);
    const tags = await h.octo.repos.listTags(repo);
    expect(tags.data.map((t) => t.name)).toEqual(expect.arrayContaining(['v0.1.0', 'v0.2.0', 'v1.0.0', 'v1.1.0-rc.1']));
  });

  it('reads files, directories, raw bytes, a binary and a file over 1 MB', async () => {
    const file = await h.octo.repos.getContent({ ...repo, path: 'src/util/math.ts' });
    const data = file.data as { type: string; content: string; encoding: string; sha: string };
    expect(data.type).toBe('file');
    expect(Buffer.from(data.content, 'base64').toString()).toContain('export function sum');
    const dir = await h.octo.repos.getContent({ ...repo, path: 'src' });
    expect((dir.data as { name: string }[]).map((e) => e.name)).toEqual(['greet.ts', 'index.ts', 'util']);
    const root = await h.octo.repos.getContent({ ...repo, path: '' });
    expect((root.data as { name: string }[]).map((e) => e.name)).toContain('README.md');
    const raw = await h.octo.repos.getContent({ ...repo, path: 'README.md', mediaType: { format: 'raw' } });
    expect(String(raw.data)).toMatch(/^# hello-world/);
    const png = await h.octo.repos.getContent({ ...repo, path: 'assets/logo.png' });
    expect(
      Buffer.from((png.data as { content: string }).content, 'base64')
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const large = await h.octo.repos.getContent({ ...repo, path: 'data/weather.csv' });
    expect(large.data).toMatchObject({ encoding: 'none', content: '' });
    expect((large.data as { size: number }).size).toBeGreaterThan(1024 * 1024);
    const download = await fetch((large.data as { download_url: string }).download_url);
    expect((await download.arrayBuffer()).byteLength).toBe((large.data as { size: number }).size);
    const atTag = await h.octo.repos.getContent({ ...repo, path: 'CHANGELOG.md', ref: 'v0.1.0' });
    expect(Buffer.from((atTag.data as { content: string }).content, 'base64').toString()).toContain('change 20');
    expect((await failure(h.octo.repos.getContent({ ...repo, path: 'missing.txt' }))).status).toBe(404);
    expect((await failure(h.octo.repos.getContent({ ...repo, path: 'README.md', ref: 'no-such-ref' }))).status).toBe(404);
  });

  it('creates, updates and deletes a file with the blob sha as precondition', async () => {
    const created = await h.octo.repos.createOrUpdateFileContents({
      ...repo,
      path: 'notes/new.md',
      message: 'Add a note',
      content: b64('hello\n'),
    });
    expect(created.status).toBe(201);
    const sha = created.data.content!.sha!;
    const updated = await h.octo.repos.createOrUpdateFileContents({
      ...repo,
      path: 'notes/new.md',
      message: 'Edit',
      content: b64('hello again\n'),
      sha,
    });
    expect(updated.status).toBe(200);
    expect(updated.data.commit.parents![0]!.sha).toBe(created.data.commit.sha);
    const stale = await failure(
      h.octo.repos.createOrUpdateFileContents({ ...repo, path: 'notes/new.md', message: 'Stale', content: b64('x'), sha }),
    );
    expect(stale.status).toBe(409);
    const noSha = await failure(
      h.octo.repos.createOrUpdateFileContents({ ...repo, path: 'notes/new.md', message: 'No sha', content: b64('x') }),
    );
    expect(noSha.status).toBe(422);
    expect(noSha.response.data.message).toMatch(/"sha" wasn't supplied/);
    expect(
      (await failure(h.outsider.repos.createOrUpdateFileContents({ ...repo, path: 'x.md', message: 'm', content: b64('x') })))
        .status,
    ).toBe(403);
    const deleted = await h.octo.repos.deleteFile({
      ...repo,
      path: 'notes/new.md',
      message: 'Remove',
      sha: updated.data.content!.sha!,
    });
    expect(deleted.data.content).toBeNull();
    expect((await failure(h.octo.repos.deleteFile({ ...repo, path: 'notes/new.md', message: 'Again', sha }))).status).toBe(404);
  });

  it('lists commits with filters and paging, and gets one with its files or as a diff', async () => {
    const page = await h.octo.repos.listCommits({ ...repo, per_page: 10 });
    expect(page.data).toHaveLength(10);
    expect(page.headers.link).toContain('rel="next"');
    const byPath = await h.octo.repos.listCommits({ ...repo, path: 'docs/guide.md' });
    expect(byPath.data).toHaveLength(1);
    const byAuthor = await h.octo.repos.listCommits({ ...repo, author: 'hubot', per_page: 100 });
    expect(byAuthor.data.length).toBeGreaterThan(0);
    expect(byAuthor.data.every((c) => c.author?.login === 'hubot')).toBe(true);
    const since = await h.octo.repos.listCommits({ ...repo, since: '2024-01-05T00:00:00Z', until: '2024-01-06T00:00:00Z' });
    expect(since.data.every((c) => c.commit.committer!.date! >= '2024-01-05')).toBe(true);
    const one = await h.octo.repos.getCommit({ ...repo, ref: page.data[1]!.sha });
    expect(one.data.files?.map((f) => f.filename)).toContain('CHANGELOG.md');
    expect(one.data.stats?.additions).toBeGreaterThan(0);
    const diff = await h.octo.repos.getCommit({ ...repo, ref: page.data[1]!.sha, mediaType: { format: 'diff' } });
    expect(String(diff.data)).toMatch(/^diff --git a\/CHANGELOG.md b\/CHANGELOG.md/);
    expect((await failure(h.octo.repos.getCommit({ ...repo, ref: 'deadbeef' }))).status).toBe(422);
    expect((await failure(h.octo.repos.listCommits({ ...repo, sha: 'no-such-branch' }))).status).toBe(404);
  });

  it('compares two refs as JSON and as a raw diff', async () => {
    const cmp = await h.octo.repos.compareCommitsWithBasehead({ ...repo, basehead: 'main...feature/greeting' });
    expect(cmp.data).toMatchObject({ status: 'diverged', ahead_by: 2, behind_by: 1, total_commits: 2 });
    expect(cmp.data.files?.map((f) => f.filename)).toEqual(['docs/guide.md', 'src/greet.test.ts', 'src/greet.ts']);
    const diff = await h.octo.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: 'main...feature/greeting',
      mediaType: { format: 'diff' },
    });
    expect(String(diff.data)).toContain('+++ b/src/greet.ts');
    expect(String(diff.data)).toContain('new file mode 100644');
    expect((await h.octo.repos.compareCommitsWithBasehead({ ...repo, basehead: 'v0.1.0...v0.2.0' })).data.status).toBe('ahead');
    expect((await failure(h.octo.repos.compareCommitsWithBasehead({ ...repo, basehead: 'main...nope' }))).status).toBe(404);
  });
});

describe('git data API', () => {
  it('reads blobs, trees (recursive) and commits, and a ref', async () => {
    const ref = await h.octo.git.getRef({ ...repo, ref: 'heads/main' });
    const commit = await h.octo.git.getCommit({ ...repo, commit_sha: ref.data.object.sha });
    const tree = await h.octo.git.getTree({ ...repo, tree_sha: commit.data.tree.sha, recursive: 'true' });
    const paths = tree.data.tree.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['src', 'src/util', 'src/util/math.ts', 'assets/logo.png']));
    const top = await h.octo.git.getTree({ ...repo, tree_sha: commit.data.tree.sha });
    expect(top.data.tree.some((e) => e.path === 'src/util/math.ts')).toBe(false);
    const blobSha = tree.data.tree.find((e) => e.path === 'README.md')!.sha!;
    const blob = await h.octo.git.getBlob({ ...repo, file_sha: blobSha });
    expect(Buffer.from(blob.data.content, 'base64').toString()).toMatch(/^# hello-world/);
    expect((await failure(h.octo.git.getBlob({ ...repo, file_sha: '0'.repeat(40) }))).status).toBe(404);
    expect((await failure(h.octo.git.getTree({ ...repo, tree_sha: '0'.repeat(40) }))).status).toBe(404);
    expect((await failure(h.octo.git.getCommit({ ...repo, commit_sha: '0'.repeat(40) }))).status).toBe(404);
    expect((await failure(h.octo.git.getRef({ ...repo, ref: 'heads/nope' }))).status).toBe(404);
    const matching = await h.octo.git.listMatchingRefs({ ...repo, ref: 'tags/v' });
    expect(matching.data.map((r) => r.ref)).toEqual([
      'refs/tags/v0.1.0',
      'refs/tags/v0.2.0',
      'refs/tags/v1.0.0',
      'refs/tags/v1.1.0-rc.1',
    ]);
  });

  it('pushes several files as one commit: blobs → tree → commit → ref, never forced', async () => {
    const base = (await h.octo.git.getRef({ ...repo, ref: 'heads/main' })).data.object.sha;
    const baseTree = (await h.octo.git.getCommit({ ...repo, commit_sha: base })).data.tree.sha;
    const blob = await h.octo.git.createBlob({ ...repo, content: b64('binary\u0000ish'), encoding: 'base64' });
    expect(blob.status).toBe(201);
    const tree = await h.octo.git.createTree({
      ...repo,
      base_tree: baseTree,
      tree: [
        { path: 'a/one.txt', mode: '100644', type: 'blob', content: 'one\n' },
        { path: 'a/two.bin', mode: '100644', type: 'blob', sha: blob.data.sha },
        { path: 'CHANGELOG.md', mode: '100644', type: 'blob', sha: null },
      ],
    });
    const commit = await h.octo.git.createCommit({ ...repo, message: 'Two files at once', tree: tree.data.sha, parents: [base] });
    expect(commit.status).toBe(201);
    await h.octo.git.createRef({ ...repo, ref: 'refs/heads/batch', sha: base });
    const moved = await h.octo.git.updateRef({ ...repo, ref: 'heads/batch', sha: commit.data.sha });
    expect(moved.data.object.sha).toBe(commit.data.sha);
    const files = (await h.octo.repos.getCommit({ ...repo, ref: commit.data.sha })).data.files!.map((f) => [
      f.filename,
      f.status,
    ]);
    expect(files).toEqual([
      ['CHANGELOG.md', 'removed'],
      ['a/one.txt', 'added'],
      ['a/two.bin', 'added'],
    ]);
    // Moving the branch back to its parent is not a fast-forward: refused unless forced.
    const back = await failure(h.octo.git.updateRef({ ...repo, ref: 'heads/batch', sha: base }));
    expect(back.status).toBe(422);
    expect(back.response.data.message).toBe('Update is not a fast forward');
    expect((await h.octo.git.updateRef({ ...repo, ref: 'heads/batch', sha: base, force: true })).data.object.sha).toBe(base);
    expect((await failure(h.octo.git.createRef({ ...repo, ref: 'refs/heads/batch', sha: base }))).status).toBe(422);
    expect((await failure(h.octo.git.createBlob({ ...repo, content: 'x', encoding: 'utf-16' }))).status).toBe(422);
    expect(
      (
        await failure(
          h.octo.git.createTree({ ...repo, tree: [{ path: 'x', mode: '100644', type: 'blob', sha: '1'.repeat(40) }] }),
        )
      ).status,
    ).toBe(422);
    expect((await failure(h.octo.git.createCommit({ ...repo, message: 'm', tree: '1'.repeat(40) }))).status).toBe(422);
    expect((await h.octo.git.deleteRef({ ...repo, ref: 'heads/batch' })).status).toBe(204);
    expect((await failure(h.octo.git.deleteRef({ ...repo, ref: 'heads/batch' }))).status).toBe(422);
  });
});

describe('issues', () => {
  it('lists with filters, gets, creates and updates issues', async () => {
    const bugs = await h.octo.issues.listForRepo({ ...repo, labels: 'bug', state: 'all', per_page: 100 });
    expect(bugs.data.length).toBeGreaterThan(10);
    expect(bugs.data.every((i) => i.labels.some((l) => (typeof l === 'string' ? l : l.name) === 'bug'))).toBe(true);
    const assigned = await h.octo.issues.listForRepo({ ...repo, assignee: 'octocat', state: 'closed' });
    expect(assigned.data.every((i) => i.assignees?.some((a) => a.login === 'octocat') && i.state === 'closed')).toBe(true);
    const one = await h.octo.issues.get({ ...repo, issue_number: 2 });
    expect(one.data.comments).toBeGreaterThan(70);
    expect((await failure(h.octo.issues.get({ ...repo, issue_number: 9999 }))).status).toBe(404);
    const created = await h.outsider.issues.create({ ...repo, title: 'Filed by an outsider', body: 'Hi', labels: ['bug'] });
    expect(created.status).toBe(201);
    // Without push access, labels are dropped (GitHub does the same).
    expect(created.data.labels).toEqual([]);
    const mine = await h.octo.issues.create({
      ...repo,
      title: 'Triage me',
      labels: ['bug', 'brand-new'],
      assignees: ['hubot'],
      milestone: 1,
    });
    expect(mine.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['bug', 'brand-new']);
    expect((await h.octo.issues.listForRepo({ ...repo, creator: 'octocat', per_page: 1 })).data[0]!.number).toBe(
      mine.data.number,
    );
    const closed = await h.octo.issues.update({
      ...repo,
      issue_number: mine.data.number,
      state: 'closed',
      state_reason: 'not_planned',
    });
    expect(closed.data).toMatchObject({ state: 'closed', state_reason: 'not_planned' });
    const missing = await failure(h.octo.issues.create({ ...repo, title: '' }));
    expect(missing.status).toBe(422);
    expect(missing.response.data.errors).toEqual([{ resource: 'Issue', field: 'title', code: 'missing_field' }]);
    const badAssignee = await failure(h.octo.issues.update({ ...repo, issue_number: 1, assignees: ['outsider'] }));
    expect(badAssignee.response.data.errors[0]).toMatchObject({
      resource: 'Issue',
      field: 'assignees',
      code: 'invalid',
      value: 'outsider',
    });
    expect((await failure(h.outsider.issues.update({ ...repo, issue_number: 2, title: 'hijack' }))).status).toBe(403);
    expect((await failure(h.octo.issues.listForRepo({ ...repo, state: 'bogus' as never }))).status).toBe(422);
  });

  it('lists and creates comments', async () => {
    const first = await h.octo.issues.listComments({ ...repo, issue_number: 2 });
    expect(first.data).toHaveLength(30);
    expect(first.headers.link).toContain('rel="last"');
    const made = await h.hubot.issues.createComment({ ...repo, issue_number: 1, body: 'On it.' });
    expect(made.status).toBe(201);
    expect((await h.octo.issues.listComments({ ...repo, issue_number: 1 })).data.at(-1)!.body).toBe('On it.');
    expect((await failure(h.hubot.issues.createComment({ ...repo, issue_number: 1, body: '' }))).status).toBe(422);
    expect((await failure(h.anonymous.issues.createComment({ ...repo, issue_number: 1, body: 'x' }))).status).toBe(401);
  });

  it('lists and adds sub-issues', async () => {
    const epic = [...h.sandbox.state.repo('octocat/hello-world')!.issues.values()].find((i) => i.title.startsWith('Epic'))!;
    const subs = await h.octo.request('GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
      ...repo,
      issue_number: epic.number,
    });
    expect(subs.data.map((i: { number: number }) => i.number)).toEqual([4, 5, 6]);
    const seven = (await h.octo.issues.get({ ...repo, issue_number: 7 })).data;
    const added = await h.octo.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
      ...repo,
      issue_number: epic.number,
      sub_issue_id: seven.id,
    });
    expect(added.status).toBe(201);
    expect(added.data.sub_issues_summary).toMatchObject({ total: 4 });
    const twice = await failure(
      h.octo.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
        ...repo,
        issue_number: 1,
        sub_issue_id: seven.id,
      }),
    );
    expect(twice.status).toBe(422);
  });

  it('manages labels and milestones', async () => {
    const labels = await h.octo.issues.listLabelsForRepo(repo);
    expect(labels.data.map((l) => l.name)).toContain('priority: high');
    expect((await h.octo.issues.getLabel({ ...repo, name: 'priority: high' })).data.color).toBe('b60205');
    expect((await failure(h.octo.issues.getLabel({ ...repo, name: 'nope' }))).status).toBe(404);
    const made = await h.octo.issues.createLabel({
      ...repo,
      name: 'needs-repro',
      color: 'fbca04',
      description: 'Cannot reproduce yet',
    });
    expect(made.status).toBe(201);
    const dup = await failure(h.octo.issues.createLabel({ ...repo, name: 'Needs-Repro' }));
    expect(dup.response.data.errors[0]).toMatchObject({ resource: 'Label', code: 'already_exists', field: 'name' });
    const added = await h.octo.issues.addLabels({ ...repo, issue_number: 3, labels: ['needs-repro'] });
    expect(added.data.map((l) => l.name)).toContain('needs-repro');
    expect((await failure(h.octo.issues.addLabels({ ...repo, issue_number: 3, labels: [] }))).status).toBe(422);
    const removed = await h.octo.issues.removeLabel({ ...repo, issue_number: 3, name: 'needs-repro' });
    expect(removed.data.map((l) => l.name)).not.toContain('needs-repro');
    expect((await failure(h.octo.issues.removeLabel({ ...repo, issue_number: 3, name: 'needs-repro' }))).status).toBe(404);
    expect((await h.octo.issues.listMilestones(repo)).data.map((m) => m.title)).toEqual(['v1.1', 'v2.0']);
    const ms = await h.octo.issues.createMilestone({ ...repo, title: 'v3.0', due_on: '2026-01-01T00:00:00Z' });
    expect(ms.data.number).toBe(3);
    expect((await failure(h.octo.issues.createMilestone({ ...repo, title: 'v3.0' }))).status).toBe(422);
  });
});

describe('pull requests', () => {
  it('lists, gets (JSON and diff), lists files and commits', async () => {
    const open = await h.octo.pulls.list({ ...repo });
    expect(open.data.map((p) => p.head.ref)).toEqual([
      'docs/more-examples',
      'refactor/many-files',
      'conflict/changelog',
      'fix/typo',
      'feature/greeting',
    ]);
    expect((await h.octo.pulls.list({ ...repo, head: 'monalisa:docs/more-examples' })).data).toHaveLength(1);
    const n = pullNumber('Greet');
    const pr = await h.octo.pulls.get({ ...repo, pull_number: n });
    expect(pr.data).toMatchObject({ changed_files: 3, commits: 2, mergeable: true, mergeable_state: 'unstable', merged: false });
    expect((await h.octo.pulls.get({ ...repo, pull_number: pullNumber('Rewrite') })).data).toMatchObject({
      mergeable: false,
      mergeable_state: 'dirty',
    });
    const diff = await h.octo.pulls.get({ ...repo, pull_number: n, mediaType: { format: 'diff' } });
    expect(String(diff.data)).toMatch(/^diff --git a\/docs\/guide.md b\/docs\/guide.md/);
    const files = await h.octo.pulls.listFiles({ ...repo, pull_number: pullNumber('Split'), per_page: 20 });
    expect(files.data).toHaveLength(20);
    expect(files.headers.link).toContain('page=3>; rel="last"');
    expect((await h.octo.pulls.listCommits({ ...repo, pull_number: n })).data.map((c) => c.commit.message)).toEqual([
      'Greet in the language of the caller',
      'Document the lang parameter',
    ]);
    expect((await failure(h.octo.pulls.get({ ...repo, pull_number: 1 }))).status).toBe(404);
    expect((await failure(h.octo.pulls.list({ ...repo, state: 'nope' as never }))).status).toBe(422);
  });

  it('creates and updates pull requests, with GitHub’s validation errors', async () => {
    await h.octo.git.createRef({
      ...repo,
      ref: 'refs/heads/empty',
      sha: (await h.octo.git.getRef({ ...repo, ref: 'heads/main' })).data.object.sha,
    });
    const none = await failure(h.octo.pulls.create({ ...repo, title: 'Nothing', head: 'empty', base: 'main' }));
    expect(none.status).toBe(422);
    expect(none.response.data.errors[0].message).toBe('No commits between main and empty');
    const dup = await failure(h.octo.pulls.create({ ...repo, title: 'Again', head: 'fix/typo', base: 'main' }));
    expect(dup.response.data.errors[0].message).toBe('A pull request already exists for octocat:fix/typo.');
    await h.octo.repos.createOrUpdateFileContents({ ...repo, path: 'x.md', branch: 'empty', message: 'x', content: b64('x') });
    const created = await h.octo.pulls.create({ ...repo, title: 'Add x', head: 'empty', base: 'main', draft: true });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ draft: true, changed_files: 1, mergeable_state: 'draft' });
    const updated = await h.octo.pulls.update({ ...repo, pull_number: created.data.number, title: 'Add x.md', state: 'closed' });
    expect(updated.data).toMatchObject({ title: 'Add x.md', state: 'closed' });
    expect((await failure(h.octo.pulls.update({ ...repo, pull_number: created.data.number, base: 'nope' }))).status).toBe(422);
  });

  it('lists and creates review comments and reviews, and submits a pending review', async () => {
    const n = pullNumber('Greet');
    expect((await h.octo.pulls.listReviewComments({ ...repo, pull_number: n })).data[0]!.path).toBe('src/greet.ts');
    const head = (await h.octo.pulls.get({ ...repo, pull_number: n })).data.head.sha;
    const comment = await h.octo.pulls.createReviewComment({
      ...repo,
      pull_number: n,
      body: 'Nit: add a test for English.',
      commit_id: head,
      path: 'src/greet.test.ts',
      line: 4,
      side: 'RIGHT',
    });
    expect(comment.status).toBe(201);
    expect(comment.data.diff_hunk).toMatch(/^@@ /);
    const reply = await h.hubot.pulls.createReplyForReviewComment({
      ...repo,
      pull_number: n,
      comment_id: comment.data.id,
      body: 'Done.',
    });
    expect(reply.data.in_reply_to_id).toBe(comment.data.id);
    const outside = await failure(
      h.octo.pulls.createReviewComment({ ...repo, pull_number: n, body: 'x', commit_id: head, path: 'README.md', line: 1 }),
    );
    expect(outside.status).toBe(422);
    const pending = await h.octo.pulls.createReview({
      ...repo,
      pull_number: n,
      body: 'Two things',
      comments: [{ path: 'src/greet.ts', line: 2, body: 'Why en by default?' }],
    });
    expect(pending.data.state).toBe('PENDING');
    const submitted = await h.octo.pulls.submitReview({
      ...repo,
      pull_number: n,
      review_id: pending.data.id,
      event: 'REQUEST_CHANGES',
      body: 'Two things',
    });
    expect(submitted.data.state).toBe('CHANGES_REQUESTED');
    expect(
      (await failure(h.octo.pulls.submitReview({ ...repo, pull_number: n, review_id: pending.data.id, event: 'APPROVE' })))
        .status,
    ).toBe(422);
    const own = await failure(h.hubot.pulls.createReview({ ...repo, pull_number: n, event: 'APPROVE' }));
    expect(own.response.data.message).toBe('Can not approve your own pull request');
    const reviews = await h.octo.pulls.listReviews({ ...repo, pull_number: n });
    // The seed's review, the one a standalone review comment opens (as on GitHub), and the submitted one.
    expect(reviews.data.map((r) => r.state)).toEqual(['COMMENTED', 'COMMENTED', 'CHANGES_REQUESTED']);
    expect(
      (await failure(h.hubot.pulls.createReplyForReviewComment({ ...repo, pull_number: n, comment_id: 1, body: 'x' }))).status,
    ).toBe(404);
  });

  it('lists and requests reviewers', async () => {
    const n = pullNumber('Greet');
    expect((await h.octo.pulls.listRequestedReviewers({ ...repo, pull_number: n })).data.users.map((u) => u.login)).toEqual([
      'monalisa',
    ]);
    const requested = await h.octo.pulls.requestReviewers({ ...repo, pull_number: n, reviewers: ['octocat'] });
    expect(requested.status).toBe(201);
    expect(requested.data.requested_reviewers?.map((u) => u.login)).toEqual(['monalisa', 'octocat']);
    const author = await failure(h.octo.pulls.requestReviewers({ ...repo, pull_number: n, reviewers: ['hubot'] }));
    expect(author.response.data.message).toBe('Review cannot be requested from pull request author.');
  });

  it('merges with a sha precondition: 409 when the head moved, 405 when not mergeable', async () => {
    const n = pullNumber('Fix a typo');
    const pr = (await h.octo.pulls.get({ ...repo, pull_number: n })).data;
    const moved = await failure(h.octo.pulls.merge({ ...repo, pull_number: n, sha: '1'.repeat(40) }));
    expect(moved.status).toBe(409);
    const conflict = await failure(h.octo.pulls.merge({ ...repo, pull_number: pullNumber('Rewrite') }));
    expect(conflict.status).toBe(405);
    const merged = await h.octo.pulls.merge({ ...repo, pull_number: n, sha: pr.head.sha, merge_method: 'squash' });
    expect(merged.data).toMatchObject({ merged: true, message: 'Pull Request successfully merged' });
    expect((await h.octo.repos.getBranch({ ...repo, branch: 'main' })).data.commit.sha).toBe(merged.data.sha);
    expect((await h.octo.pulls.get({ ...repo, pull_number: n })).data).toMatchObject({ merged: true, state: 'closed' });
    expect((await failure(h.octo.pulls.merge({ ...repo, pull_number: n }))).status).toBe(405);
    const readme = await h.octo.repos.getContent({ ...repo, path: 'README.md' });
    expect(Buffer.from((readme.data as { content: string }).content, 'base64').toString()).toContain('A tiny TypeScript project');
  });

  it('updates a pull request branch from its base', async () => {
    const n = pullNumber('Greet');
    const before = (await h.octo.pulls.get({ ...repo, pull_number: n })).data;
    expect(before.mergeable_state).not.toBe('clean');
    const wrong = await failure(h.octo.pulls.updateBranch({ ...repo, pull_number: n, expected_head_sha: '1'.repeat(40) }));
    expect(wrong.status).toBe(422);
    const updated = await h.hubot.pulls.updateBranch({ ...repo, pull_number: n, expected_head_sha: before.head.sha });
    expect(updated.status).toBe(202);
    const after = (await h.octo.pulls.get({ ...repo, pull_number: n })).data;
    expect(after.head.sha).not.toBe(before.head.sha);
    expect(
      (await h.octo.repos.compareCommitsWithBasehead({ ...repo, basehead: `main...${after.head.sha}` })).data.behind_by,
    ).toBe(0);
  });

  it('reports check runs and the combined status of a ref, and creates a status', async () => {
    const head = (await h.octo.pulls.get({ ...repo, pull_number: pullNumber('Greet') })).data.head.sha;
    const checks = await h.octo.checks.listForRef({ ...repo, ref: head });
    expect(checks.data.check_runs.map((c) => [c.name, c.conclusion])).toEqual([
      ['test', 'failure'],
      ['lint', 'success'],
    ]);
    const combined = await h.octo.repos.getCombinedStatusForRef({ ...repo, ref: head });
    expect(combined.data).toMatchObject({ state: 'pending', total_count: 2 });
    const made = await h.octo.repos.createCommitStatus({
      ...repo,
      sha: head,
      state: 'success',
      context: 'deploy/preview',
      description: 'Deployed',
    });
    expect(made.status).toBe(201);
    expect((await h.octo.repos.getCombinedStatusForRef({ ...repo, ref: 'feature/greeting' })).data.state).toBe('success');
    expect((await failure(h.octo.repos.createCommitStatus({ ...repo, sha: head, state: 'great' as never }))).status).toBe(422);
    expect((await failure(h.octo.checks.listForRef({ ...repo, ref: 'nope' }))).status).toBe(422);
  });
});

describe('actions', () => {
  it('lists workflows and runs with filters, jobs, and a job’s logs through the 302', async () => {
    const wfs = await h.octo.actions.listRepoWorkflows(repo);
    expect(wfs.data.workflows.map((w) => w.name)).toEqual(['CI', 'Release']);
    expect((await h.octo.actions.getWorkflow({ ...repo, workflow_id: 'ci.yml' })).data.name).toBe('CI');
    const failed = await h.octo.actions.listWorkflowRunsForRepo({ ...repo, status: 'failure' });
    expect(failed.data.total_count).toBe(1);
    const run = failed.data.workflow_runs[0]!;
    expect(run).toMatchObject({ head_branch: 'feature/greeting', conclusion: 'failure' });
    expect((await h.octo.actions.listWorkflowRuns({ ...repo, workflow_id: 'ci.yml', branch: 'main' })).data.total_count).toBe(6);
    expect((await h.octo.actions.getWorkflowRun({ ...repo, run_id: run.id })).data.id).toBe(run.id);
    const jobs = await h.octo.actions.listJobsForWorkflowRun({ ...repo, run_id: run.id });
    const test = jobs.data.jobs.find((j) => j.name === 'test')!;
    expect(test.steps?.map((s) => s.conclusion)).toEqual(['success', 'success', 'failure', 'skipped']);
    expect((await h.octo.actions.getJobForWorkflowRun({ ...repo, job_id: test.id })).data.conclusion).toBe('failure');
    const logs = await h.octo.actions.downloadJobLogsForWorkflowRun({ ...repo, job_id: test.id });
    expect(String(logs.data)).toMatch(/##\[error\]Error: 1 test failed/);
    expect(h.sandbox.log.entries({ route: 'sandbox/job-log-download' })).toHaveLength(1);
    expect((await failure(h.octo.actions.listWorkflowRunsForRepo({ ...repo, status: 'exploded' as never }))).status).toBe(422);
    expect((await failure(h.octo.actions.getWorkflowRun({ ...repo, run_id: 1 }))).status).toBe(404);
  });

  it('reruns failed jobs, dispatches a workflow and cancels a run', async () => {
    const run = (await h.octo.actions.listWorkflowRunsForRepo({ ...repo, status: 'failure' })).data.workflow_runs[0]!;
    expect((await h.octo.actions.reRunWorkflowFailedJobs({ ...repo, run_id: run.id })).status).toBe(201);
    const again = (await h.octo.actions.getWorkflowRun({ ...repo, run_id: run.id })).data;
    expect(again).toMatchObject({ status: 'queued', run_attempt: 2 });
    expect((await failure(h.octo.actions.reRunWorkflowFailedJobs({ ...repo, run_id: run.id }))).status).toBe(403);
    expect((await h.octo.actions.createWorkflowDispatch({ ...repo, workflow_id: 'ci.yml', ref: 'main' })).status).toBe(204);
    const queued = (await h.octo.actions.listWorkflowRunsForRepo({ ...repo, event: 'workflow_dispatch' })).data.workflow_runs[0]!;
    expect(queued.status).toBe('queued');
    expect(
      (await failure(h.octo.actions.createWorkflowDispatch({ ...repo, workflow_id: 'release.yml', ref: 'main' }))).status,
    ).toBe(422);
    expect((await h.octo.actions.cancelWorkflowRun({ ...repo, run_id: queued.id })).status).toBe(202);
    expect((await failure(h.octo.actions.cancelWorkflowRun({ ...repo, run_id: queued.id }))).status).toBe(409);
  });
});

describe('releases, notifications, gists', () => {
  it('lists and gets releases, and creates one', async () => {
    expect((await h.octo.repos.listReleases(repo)).data.map((r) => r.tag_name)).toEqual([
      'v1.1.0-rc.1',
      'v1.0.0',
      'v0.2.0',
      'v0.1.0',
    ]);
    const latest = await h.octo.repos.getLatestRelease(repo);
    expect(latest.data.tag_name).toBe('v1.0.0');
    expect((await h.octo.repos.getReleaseByTag({ ...repo, tag: 'v0.2.0' })).data.name).toBe('v0.2.0');
    expect((await h.octo.repos.getRelease({ ...repo, release_id: latest.data.id })).data.tag_name).toBe('v1.0.0');
    const made = await h.octo.repos.createRelease({
      ...repo,
      tag_name: 'v1.1.0',
      name: 'v1.1.0',
      body: 'Greetings in Portuguese',
    });
    expect(made.status).toBe(201);
    expect((await h.octo.repos.getLatestRelease(repo)).data.tag_name).toBe('v1.1.0');
    const dup = await failure(h.octo.repos.createRelease({ ...repo, tag_name: 'v1.1.0' }));
    expect(dup.response.data.errors[0]).toMatchObject({ resource: 'Release', code: 'already_exists', field: 'tag_name' });
    expect((await failure(h.octo.repos.getReleaseByTag({ ...repo, tag: 'v9' }))).status).toBe(404);
  });

  it('lists notifications and marks one or all as read', async () => {
    const unread = await h.octo.activity.listNotificationsForAuthenticatedUser();
    expect(unread.data.length).toBe(5);
    expect(unread.data.every((t) => t.unread)).toBe(true);
    const one = await h.octo.activity.getThread({ thread_id: Number(unread.data[0]!.id) });
    expect(one.data).toMatchObject({
      id: unread.data[0]!.id,
      unread: true,
      repository: { full_name: unread.data[0]!.repository.full_name },
    });
    expect((await failure(h.octo.activity.getThread({ thread_id: 1 }))).status).toBe(403);
    expect((await h.octo.activity.markThreadAsRead({ thread_id: Number(unread.data[0]!.id) })).status).toBe(205);
    expect((await h.octo.activity.listNotificationsForAuthenticatedUser()).data.length).toBe(4);
    expect((await h.octo.activity.listNotificationsForAuthenticatedUser({ all: true })).data.length).toBe(7);
    expect((await failure(h.octo.activity.markThreadAsRead({ thread_id: 1 }))).status).toBe(403);
    expect((await h.octo.activity.markNotificationsAsRead()).status).toBe(205);
    expect((await h.octo.activity.listNotificationsForAuthenticatedUser()).data).toEqual([]);
    expect((await failure(h.anonymous.activity.markNotificationsAsRead())).status).toBe(401);
    expect((await failure(h.anonymous.activity.listNotificationsForAuthenticatedUser())).status).toBe(401);
  });

  it('lists, gets, creates and updates gists', async () => {
    const list = await h.octo.gists.list();
    expect(list.data.map((g) => g.description)).toEqual(['jq one-liners', 'A private note', 'Hello in three languages']);
    const one = await h.octo.gists.get({ gist_id: list.data[2]!.id });
    expect(one.data.files?.['hello.ts']?.content).toBe("console.log('Hello');\n");
    const made = await h.octo.gists.create({ description: 'new', files: { 'a.md': { content: '# A\n' } }, public: false });
    expect(made.status).toBe(201);
    const edited = await h.octo.gists.update({ gist_id: made.data.id!, files: { 'a.md': { content: '# A!\n' } } });
    expect(edited.data.files?.['a.md']?.content).toBe('# A!\n');
    expect((await failure(h.octo.gists.create({ files: {} }))).status).toBe(422);
    expect((await failure(h.octo.gists.get({ gist_id: 'nope' }))).status).toBe(404);
    expect((await failure(h.hubot.gists.update({ gist_id: made.data.id!, description: 'mine now' }))).status).toBe(404);
  });
});

describe('search', () => {
  it('searches repositories, issues and pull requests, users and code', async () => {
    const repos = await h.octo.search.repos({ q: 'topic:demo' });
    expect(repos.data.items.map((r) => r.full_name)).toEqual(['octocat/hello-world', 'patchbay-demo/platform']);
    expect((await h.outsider.search.repos({ q: 'secret' })).data.total_count).toBe(0);
    expect((await h.octo.search.repos({ q: 'secret' })).data.total_count).toBe(1);
    const issues = await h.octo.search.issuesAndPullRequests({
      q: 'repo:octocat/hello-world is:issue is:open label:bug',
      per_page: 5,
    });
    expect(issues.data.total_count).toBeGreaterThan(5);
    expect(issues.data.items).toHaveLength(5);
    expect(issues.headers.link).toContain('rel="next"');
    const prs = await h.octo.search.issuesAndPullRequests({ q: 'is:pr author:hubot' });
    expect(prs.data.items.every((i) => i.pull_request)).toBe(true);
    const bare = await failure(h.octo.search.issuesAndPullRequests({ q: 'crash' }));
    expect(bare.status).toBe(422);
    const users = await h.octo.search.users({ q: 'mona' });
    expect(users.data.items.map((u) => u.login)).toEqual(['monalisa', 'octocat']);
    const code = await h.octo.search.code({ q: 'clamp repo:octocat/hello-world' });
    expect(code.data.items.map((i) => i.path).sort()).toEqual([
      'CHANGELOG.md',
      'docs/guide.md',
      'src/index.ts',
      'src/util/math.ts',
    ]);
    expect((await h.octo.search.code({ q: 'clamp extension:ts user:octocat' })).data.items.map((i) => i.path).sort()).toEqual([
      'src/index.ts',
      'src/util/math.ts',
    ]);
    expect((await failure(h.anonymous.search.code({ q: 'clamp' }))).status).toBe(401);
    expect((await failure(h.octo.search.repos({ q: '' }))).status).toBe(422);
  });
});

describe('coverage', () => {
  it('validated a success for every route served, and an error for every write route', () => {
    expect(h.recorder.drain()).toEqual([]);
    expect(uncovered(githubRoutes, h.recorder.coverage)).toEqual([]);
  });
});

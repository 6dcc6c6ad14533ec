import { callError, callOk } from '@patchbay/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type GitHubSandbox, githubSandbox, HELLO, tokenFor } from './helpers.js';

let sandbox: GitHubSandbox;
let session: Awaited<ReturnType<typeof connect>>;
beforeAll(async () => {
  sandbox = await githubSandbox();
  session = await connect(sandbox, ['--toolsets', 'all']);
});
afterEach(() => sandbox.reset());
afterAll(async () => {
  await session.close();
  await sandbox.close();
});
const client = () => session.client;
const repo = () => sandbox.state.repo(HELLO)!;

describe('context and users', () => {
  it('says who you are, what the token’s scopes allow and the rate limits', async () => {
    const { data, text } = await callOk(client(), 'github_get_me');
    expect(data).toMatchObject({
      login: 'octocat',
      type: 'User',
      scopes: expect.arrayContaining(['repo', 'gist']),
      api: sandbox.url,
    });
    expect(data.rate).toMatchObject({ core: { limit: 5000, remaining: expect.any(Number) }, search: { limit: 30 } });
    expect(text).toContain('- repo: read and write every repository you can reach');
    expect(text).toMatch(/Rate limit: core \d+\/5000 left \(resets 20\d\d-/);
  });

  it('tells a token without classic scopes from one with few', async () => {
    const narrow = await connect(sandbox, [], { env: { GITHUB_TOKEN: tokenFor(sandbox, 'octocat', ['read:user']) } });
    try {
      const { data, text } = await callOk(narrow.client, 'github_get_me');
      expect(data.scopes).toEqual(['read:user']);
      expect(text).toContain('- read:user: read your profile');
    } finally {
      await narrow.close();
    }
  });

  it('shows a profile, and searches users, repositories and your own repositories', async () => {
    const user = await callOk(client(), 'github_get_user', { username: 'hubot' });
    expect(user.data).toMatchObject({ login: 'hubot', type: 'User', name: 'Hubot' });
    const users = await callOk(client(), 'github_search_users', { query: 'type:org' });
    expect(users.data.users).toEqual([{ login: 'patchbay-demo', type: 'Organization' }]);
    const repos = await callOk(client(), 'github_search_repositories', { query: 'hello' });
    expect((repos.data.repositories as Array<{ full_name: string }>).map((r) => r.full_name)).toContain(HELLO);
    const mine = await callOk(client(), 'github_list_my_repos');
    expect((mine.data.repositories as Array<{ full_name: string }>).map((r) => r.full_name)).toEqual(
      expect.arrayContaining([HELLO, 'octocat/secret-project']),
    );
  });
});

describe('actions', () => {
  it('lists workflows and runs, filtered by branch and status', async () => {
    const workflows = await callOk(client(), 'github_list_workflows', { repo: HELLO });
    expect(workflows.data.workflows).toMatchObject([{ name: 'CI', path: '.github/workflows/ci.yml' }, { name: 'Release' }]);
    const failed = await callOk(client(), 'github_list_workflow_runs', { repo: HELLO, status: 'failure' });
    expect(failed.data.runs).toMatchObject([{ branch: 'feature/greeting', conclusion: 'failure', event: 'pull_request' }]);
    const ci = await callOk(client(), 'github_list_workflow_runs', { repo: HELLO, workflow: 'ci.yml', branch: 'main' });
    expect(ci.data.runs).toHaveLength(6);
  });

  it('shows a run’s jobs with the failed step, and only the failed step’s log lines, without timestamps', async () => {
    const run = repo().runs.find((r) => r.conclusion === 'failure')!;
    const { data, text } = await callOk(client(), 'github_get_workflow_run', { repo: HELLO, run_id: run.id });
    expect(data.jobs).toContainEqual(
      expect.objectContaining({ name: 'test', conclusion: 'failure', failed_steps: ['npm test'] }),
    );
    expect(text).toContain('step 3 npm test: failure');
    const job = (data.jobs as Array<{ id: number; name: string }>).find((j) => j.name === 'test')!;
    const log = await callOk(client(), 'github_get_job_log', { repo: HELLO, job_id: job.id });
    expect(log.text).toContain('AssertionError: expected');
    expect(log.text).toMatch(/Log of job \d+ \(1 failed step, last \d+ of \d+ lines; \d+ in all\)/);
    expect(log.text).not.toContain('added 312 packages');
    expect(log.text).not.toMatch(/^\d{4}-\d\d-\d\dT/m);
    const tail = await callOk(client(), 'github_get_job_log', { repo: HELLO, job_id: job.id, failed_only: false, tail_lines: 2 });
    expect((tail.data.text as string).trim().split('\n')).toHaveLength(2);
    const lint = (data.jobs as Array<{ id: number; name: string }>).find((j) => j.name === 'lint')!;
    expect(await callError(client(), 'github_get_job_log', { repo: HELLO, job_id: lint.id })).toMatch(
      /Argument `failed_only`: Job \d+ has no failed step/,
    );
  });

  it('re-runs failed jobs, dispatches a workflow and cancels the run it started', async () => {
    const run = repo().runs.find((r) => r.conclusion === 'failure')!;
    await callOk(client(), 'github_rerun_failed_jobs', { repo: HELLO, run_id: run.id });
    expect(repo().runs.find((r) => r.id === run.id)).toMatchObject({ run_attempt: 2, status: 'queued' });
    await callOk(client(), 'github_dispatch_workflow', { repo: HELLO, workflow: 'ci.yml', ref: 'main' });
    const queued = repo().runs.find((r) => r.event === 'workflow_dispatch')!;
    expect(queued.status).toBe('queued');
    await callOk(client(), 'github_cancel_workflow_run', { repo: HELLO, run_id: queued.id });
    expect(repo().runs.find((r) => r.id === queued.id)?.conclusion).toBe('cancelled');
  });
});

describe('releases, notifications, gists, labels', () => {
  it('lists releases, reads the latest with its notes fenced, and creates one', async () => {
    const list = await callOk(client(), 'github_list_releases', { repo: HELLO });
    expect((list.data.releases as Array<{ tag: string }>).map((r) => r.tag)).toEqual([
      'v1.1.0-rc.1',
      'v1.0.0',
      'v0.2.0',
      'v0.1.0',
    ]);
    const latest = await callOk(client(), 'github_get_release', { repo: HELLO });
    expect(latest.data).toMatchObject({ tag: 'v1.0.0', body: 'Stable API.', assets: [] });
    expect(latest.text).toContain('Notes of v1.0.0 (untrusted text');
    await callOk(client(), 'github_create_release', { repo: HELLO, tag: 'v1.1.0', body: 'Portuguese greetings.' });
    expect((await callOk(client(), 'github_get_release', { repo: HELLO })).data.tag).toBe('v1.1.0');
  });

  it('lists notifications and marks one, then all, read', async () => {
    const { data } = await callOk(client(), 'github_list_notifications');
    const list = data.notifications as Array<{ id: string; repo: string; number?: string }>;
    expect(list).toHaveLength(5);
    expect(list[0]).toMatchObject({ repo: HELLO, reason: 'review_requested', number: '#183' });
    await callOk(client(), 'github_mark_notifications_read', { thread_id: list[0]!.id });
    expect((await callOk(client(), 'github_list_notifications')).data.notifications).toHaveLength(4);
    await callOk(client(), 'github_mark_notifications_read');
    expect((await callOk(client(), 'github_list_notifications')).text).toBe('No notifications.');
  });

  it('lists, reads, creates and updates gists', async () => {
    const list = await callOk(client(), 'github_list_gists');
    const hello = (list.data.gists as Array<{ id: string; description?: string }>).find(
      (g) => g.description === 'Hello in three languages',
    )!;
    const gist = await callOk(client(), 'github_get_gist', { gist_id: hello.id });
    expect(gist.data.files).toContainEqual(expect.objectContaining({ name: 'hello.ts' }));
    expect(gist.text).toContain("console.log('Hello');");
    const made = await callOk(client(), 'github_create_gist', { files: { 'a.md': '# A\n' }, description: 'notes' });
    expect(sandbox.state.gists.get(made.data.id as string)).toMatchObject({ public: false });
    await callOk(client(), 'github_update_gist', { gist_id: made.data.id, files: { 'a.md': '# A, again\n' } });
    expect(sandbox.state.gists.get(made.data.id as string)?.files.get('a.md')?.content).toBe('# A, again\n');
  });

  it('lists labels and creates one; a duplicate names the field', async () => {
    const list = await callOk(client(), 'github_list_labels', { repo: HELLO });
    expect(list.data.labels).toContainEqual({ name: 'bug', color: 'd73a4a', description: "Something isn't working" });
    await callOk(client(), 'github_create_label', { repo: HELLO, name: 'triage', color: 'fbca04' });
    expect(repo().labels.has('triage')).toBe(true);
    const dup = await callError(client(), 'github_create_label', { repo: HELLO, name: 'bug', color: 'fbca04' });
    expect(dup).toMatch(/GitHub rejected the request as invalid in `name` \(422: Validation Failed \(name already_exists\)\)/);
  });
});

import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { call, connectHttp, connectStdio, startHttpBin } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type GitHubSandbox, githubSandbox, HELLO, sandboxEnv } from './helpers.js';

/**
 * The built bin, as a client runs it, over stdio and over Streamable HTTP: every tool of every
 * toolset called once against the sandbox, in an order where each write has something to act
 * on. The list below must name every tool the bin offers, so a new tool is not left out.
 */
let sandbox: GitHubSandbox;
beforeAll(async () => {
  sandbox = await githubSandbox();
});
afterAll(() => sandbox.close());

type Results = Record<string, Record<string, unknown>>;
type Step = [tool: string, args: (r: Results) => Record<string, unknown>];

const failedRun = () => sandbox.state.repo(HELLO)!.runs.find((r) => r.conclusion === 'failure')!;
const dispatched = () => sandbox.state.repo(HELLO)!.runs.find((r) => r.event === 'workflow_dispatch')!;
const failedJob = () =>
  [...sandbox.state.repo(HELLO)!.jobs.values()].find((j) => j.run_id === failedRun().id && j.conclusion === 'failure')!;

const STEPS: Step[] = [
  ['github_get_me', () => ({})],
  ['github_list_my_repos', () => ({})],
  ['github_get_repo', () => ({ repo: HELLO })],
  ['github_get_file', () => ({ repo: HELLO, path: 'README.md' })],
  ['github_list_tree', () => ({ repo: HELLO, path: 'src' })],
  ['github_list_refs', () => ({ repo: HELLO })],
  ['github_list_commits', () => ({ repo: HELLO, limit: 5 })],
  ['github_get_commit', () => ({ repo: HELLO, ref: 'main' })],
  ['github_compare', () => ({ repo: HELLO, base: 'main', head: 'fix/typo' })],
  ['github_search_code', () => ({ query: 'greet repo:octocat/hello-world' })],
  ['github_create_branch', () => ({ repo: HELLO, branch: 'e2e' })],
  ['github_write_file', () => ({ repo: HELLO, branch: 'e2e', path: 'e2e.md', content: 'e2e\n', message: 'Add e2e.md' })],
  [
    'github_push_files',
    () => ({
      repo: HELLO,
      branch: 'e2e',
      message: 'Two more',
      files: [
        { path: 'a.md', content: 'a\n' },
        { path: 'b.md', content: 'b\n' },
      ],
    }),
  ],
  [
    'github_delete_file',
    (r) => ({ repo: HELLO, branch: 'e2e', path: 'e2e.md', sha: r.github_write_file?.sha, message: 'Drop e2e.md' }),
  ],
  ['github_fork_repo', () => ({ repo: 'hubot/dotfiles' })],
  ['github_create_repo', () => ({ name: 'e2e-repo' })],
  ['github_list_issues', () => ({ repo: HELLO, limit: 3 })],
  ['github_search_issues', () => ({ query: 'Windows repo:octocat/hello-world', limit: 3 })],
  ['github_get_issue', () => ({ repo: HELLO, number: 180 })],
  ['github_create_issue', () => ({ repo: HELLO, title: 'From the e2e test' })],
  ['github_update_issue', (r) => ({ repo: HELLO, number: r.github_create_issue?.number, labels: ['bug'] })],
  ['github_add_comment', (r) => ({ repo: HELLO, number: r.github_create_issue?.number, body: 'A comment.' })],
  ['github_add_sub_issue', (r) => ({ repo: HELLO, number: 181, sub_issue: r.github_create_issue?.number })],
  ['github_close_issue', (r) => ({ repo: HELLO, number: r.github_create_issue?.number })],
  ['github_list_pull_requests', () => ({ repo: HELLO })],
  ['github_get_pull_request', () => ({ repo: HELLO, number: 183 })],
  ['github_list_pr_files', () => ({ repo: HELLO, number: 183 })],
  ['github_get_pr_diff', () => ({ repo: HELLO, number: 183 })],
  ['github_list_reviews', () => ({ repo: HELLO, number: 183 })],
  ['github_get_checks', () => ({ repo: HELLO, number: 183 })],
  ['github_create_pull_request', () => ({ repo: HELLO, title: 'e2e', head: 'e2e', base: 'main' })],
  [
    'github_update_pull_request',
    (r) => ({ repo: HELLO, number: r.github_create_pull_request?.number, body: 'Made by the e2e test.' }),
  ],
  ['github_request_reviewers', (r) => ({ repo: HELLO, number: r.github_create_pull_request?.number, reviewers: ['hubot'] })],
  ['github_create_review', (r) => ({ repo: HELLO, number: r.github_create_pull_request?.number, body: 'Pending.' })],
  [
    'github_submit_review',
    (r) => ({
      repo: HELLO,
      number: r.github_create_pull_request?.number,
      review_id: r.github_create_review?.id,
      event: 'COMMENT',
    }),
  ],
  ['github_update_pr_branch', () => ({ repo: HELLO, number: 183 })],
  [
    'github_merge_pull_request',
    (r) => ({
      repo: HELLO,
      number: r.github_create_pull_request?.number,
      sha: sandbox.state.branchSha(sandbox.state.repo(HELLO)!, 'e2e'),
    }),
  ],
  ['github_get_user', () => ({ username: 'hubot' })],
  ['github_search_users', () => ({ query: 'type:org' })],
  ['github_search_repositories', () => ({ query: 'hello' })],
  ['github_list_workflows', () => ({ repo: HELLO })],
  ['github_list_workflow_runs', () => ({ repo: HELLO, limit: 3 })],
  ['github_get_workflow_run', () => ({ repo: HELLO, run_id: failedRun().id })],
  ['github_get_job_log', () => ({ repo: HELLO, job_id: failedJob().id })],
  ['github_rerun_failed_jobs', () => ({ repo: HELLO, run_id: failedRun().id })],
  ['github_dispatch_workflow', () => ({ repo: HELLO, workflow: 'ci.yml', ref: 'main' })],
  ['github_cancel_workflow_run', () => ({ repo: HELLO, run_id: dispatched().id })],
  ['github_list_releases', () => ({ repo: HELLO })],
  ['github_get_release', () => ({ repo: HELLO })],
  ['github_create_release', () => ({ repo: HELLO, tag: 'v9.9.9' })],
  ['github_list_notifications', () => ({})],
  [
    'github_mark_notifications_read',
    (r) => ({ thread_id: (r.github_list_notifications!.notifications as Array<{ id: string }>)[0]?.id }),
  ],
  ['github_list_gists', () => ({})],
  ['github_get_gist', (r) => ({ gist_id: (r.github_list_gists!.gists as Array<{ id: string }>)[0]?.id })],
  ['github_create_gist', () => ({ files: { 'e2e.md': '# e2e\n' } })],
  ['github_update_gist', (r) => ({ gist_id: r.github_create_gist?.id, description: 'updated' })],
  ['github_list_labels', () => ({ repo: HELLO })],
  ['github_create_label', () => ({ repo: HELLO, name: 'e2e', color: '00ff00' })],
];

async function runEverything(client: Client): Promise<string[]> {
  const offered = (await client.listTools()).tools.map((t) => t.name).sort();
  expect(STEPS.map(([name]) => name).sort()).toEqual(offered);
  const results: Results = {};
  const failures: string[] = [];
  for (const [name, args] of STEPS) {
    const outcome = await call(client, name, args(results));
    if (outcome.isError) failures.push(`${name}: ${outcome.text}`);
    else results[name] = outcome.structured ?? {};
  }
  return failures;
}

describe.each(['stdio', 'http'] as const)('the built bin over %s', (transport) => {
  it('offers every tool of every toolset and answers each one against the sandbox', async () => {
    sandbox.reset();
    const args = ['--toolsets', 'all'];
    const env = sandboxEnv(sandbox);
    let stderr: () => string;
    let client: Client;
    let close: () => Promise<unknown>;
    if (transport === 'stdio') {
      const s = await connectStdio(BIN, args, { env });
      ({ client, stderr } = s);
      close = s.close;
    } else {
      const server = await startHttpBin(BIN, args, { env });
      const c = await connectHttp(server.url);
      client = c.client;
      stderr = server.stderr;
      close = async () => {
        await c.close();
        await server.stop();
      };
    }
    try {
      expect(await runEverything(client)).toEqual([]);
      // Every request reached a route the emulator serves (none fell through to its 404).
      expect(sandbox.log.unknownRoutes()).toEqual([]);
    } finally {
      await close();
    }
    expect(stderr()).not.toContain(sandbox.token);
  });
});

describe('the bin without a token', () => {
  it('prints one line naming the variables and exits 2', async () => {
    const { spawnSync } = await import('node:child_process');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^GITHUB_/.test(k)));
    const run = spawnSync(process.execPath, [BIN], { env, encoding: 'utf8', input: '' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      'patchbay-github: GITHUB_PERSONAL_ACCESS_TOKEN or GITHUB_TOKEN are not set. Create one at https://github.com/settings/personal-access-tokens and set one in the environment (or in the client\'s "env" block).',
    );
  });
});

import { call, callError, callOk } from '@patchbay/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blobSha } from '../src/blob.js';
import { connect, type GitHubSandbox, githubSandbox, HELLO } from './helpers.js';

let sandbox: GitHubSandbox;
let session: Awaited<ReturnType<typeof connect>>;
beforeAll(async () => {
  sandbox = await githubSandbox();
  session = await connect(sandbox);
});
afterEach(() => sandbox.reset());
afterAll(async () => {
  await session.close();
  await sandbox.close();
});
const client = () => session.client;
const repo = () => sandbox.state.repo(HELLO)!;
const head = (branch: string) => sandbox.state.branchSha(repo(), branch);
/** A file's bytes on a branch, read from the emulator's own git store. */
function stored(branch: string, path: string): string | undefined {
  const r = repo();
  const entry = r.git.resolve(r.git.commits.get(head(branch)!)!.tree, path);
  return entry ? r.git.blobs.get(entry.sha)!.toString('utf8') : undefined;
}

describe('branches', () => {
  it('creates a branch at the default branch head, or at a ref', async () => {
    const made = await callOk(client(), 'github_create_branch', { repo: HELLO, branch: 'topic' });
    expect(made.data).toEqual({ branch: 'topic', sha: head('main') });
    await callOk(client(), 'github_create_branch', { repo: HELLO, branch: 'from-tag', from: 'v0.1.0' });
    expect(head('from-tag')).toBe(sandbox.state.resolveRef(repo(), 'v0.1.0'));
    const again = await callError(client(), 'github_create_branch', { repo: HELLO, branch: 'topic' });
    expect(again).toMatch(/GitHub rejected the request as invalid.*\(422: Reference already exists/);
  });
});

describe('github_write_file', () => {
  it('creates a file, then replaces it only with the blob sha it replaces, reading each write back', async () => {
    const created = await callOk(client(), 'github_write_file', {
      repo: HELLO,
      path: 'docs/new.md',
      content: '# New\n\nOlá, 世界 👋\n',
      message: 'Add a page',
    });
    expect(created.text).toMatch(
      /^Created docs\/new\.md on the default branch \(commit [0-9a-f]{7}\); blob [0-9a-f]{40}\. Read back: \d+ bytes, identical\.$/,
    );
    expect(stored('main', 'docs/new.md')).toBe('# New\n\nOlá, 世界 👋\n');
    const sha = created.data.sha as string;
    expect(sha).toBe(blobSha(Buffer.from('# New\n\nOlá, 世界 👋\n')));
    // The read-back is a real request: the raw contents at the new commit.
    expect(sandbox.log.entries({ route: 'repos/get-content' }).at(-1)?.query).toMatchObject({ ref: created.data.commit });

    const replaced = await callOk(client(), 'github_write_file', {
      repo: HELLO,
      path: 'docs/new.md',
      content: 'v2\n',
      message: 'Edit',
      sha,
    });
    expect(replaced.text).toMatch(/^Replaced docs\/new\.md/);
    expect(stored('main', 'docs/new.md')).toBe('v2\n');

    // The sha it was read at is stale now: refused, nothing written.
    const stale = await callError(client(), 'github_write_file', {
      repo: HELLO,
      path: 'docs/new.md',
      content: 'v3\n',
      message: 'Edit',
      sha,
    });
    expect(stale).toMatch(/conflict \(409: docs\/new\.md does not match [0-9a-f]{40}\)/);
    expect(stale).toMatch(/read it again/);
    expect(stored('main', 'docs/new.md')).toBe('v2\n');

    // Replacing an existing file without its sha: GitHub's own validation message.
    const noSha = await callError(client(), 'github_write_file', { repo: HELLO, path: 'README.md', content: 'x', message: 'm' });
    expect(noSha).toMatch(/422.*"sha" wasn't supplied/);
  });

  it('reports a write whose read-back differs from what was sent, never as a success', async () => {
    // GitHub stores the commit, but the file read back is cut short (a proxy truncating, say).
    sandbox.faults.add({ kind: 'malformed', route: 'repos/get-content', method: 'GET', times: 1 });
    const outcome = await call(client(), 'github_write_file', {
      repo: HELLO,
      path: 'docs/long.md',
      content: `${'line of text\n'.repeat(200)}`,
      message: 'Add a long page',
    });
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toMatch(
      /GitHub committed docs\/long\.md on the default branch \(commit [0-9a-f]{7}\), but the file read back differs from what was sent \(\d+ bytes read, 2600 sent\)/,
    );
    expect(outcome.text).not.toMatch(/identical/);
  });

  it('deletes a file given its blob sha', async () => {
    const { data } = await callOk(client(), 'github_get_file', { repo: HELLO, path: 'docs/guide.md' });
    const deleted = await callOk(client(), 'github_delete_file', {
      repo: HELLO,
      path: 'docs/guide.md',
      sha: data.sha,
      message: 'Drop the guide',
    });
    expect(deleted.data.commit).toBe(head('main'));
    expect(stored('main', 'docs/guide.md')).toBeUndefined();
  });
});

describe('github_push_files', () => {
  it('commits several files and a deletion as one commit, verified, and fast-forwards the branch', async () => {
    await callOk(client(), 'github_create_branch', { repo: HELLO, branch: 'batch' });
    const before = head('batch');
    const { data, text } = await callOk(client(), 'github_push_files', {
      repo: HELLO,
      branch: 'batch',
      message: 'Batch change',
      files: [
        { path: 'src/a.ts', content: 'export const a = 1;\n' },
        { path: 'src/deep/b.ts', content: 'export const b = 2;\n' },
        { path: 'README.md', content: '# hello-world\n\nRewritten.\n' },
      ],
      delete: ['docs/guide.md'],
      expected_head: before,
    });
    expect(text).toMatch(/^Pushed 4 changes \(3 written, 1 deleted\) to batch: [0-9a-f]{7} → [0-9a-f]{7}\. Contents verified\.$/);
    expect(data.commit).toBe(head('batch'));
    const commit = repo().git.commits.get(head('batch')!)!;
    expect(commit.parents).toEqual([before]);
    expect(commit.message).toBe('Batch change');
    expect(stored('batch', 'src/deep/b.ts')).toBe('export const b = 2;\n');
    expect(stored('batch', 'README.md')).toBe('# hello-world\n\nRewritten.\n');
    expect(stored('batch', 'docs/guide.md')).toBeUndefined();
    // One tree, one commit, one ref update — and the ref update is never forced.
    expect(sandbox.log.entries({ route: 'git/create-tree' })).toHaveLength(1);
    expect(sandbox.log.entries({ route: 'git/update-ref' })).toHaveLength(1);
  });

  it('says nothing was pushed when creating the commit fails, sends that POST once, and leaves the branch alone', async () => {
    const before = head('main');
    sandbox.faults.add({ kind: 'error', status: 502, route: 'git/create-commit', times: 1 });
    const text = await callError(client(), 'github_push_files', {
      repo: HELLO,
      branch: 'main',
      message: 'Two files',
      files: [
        { path: 'x.txt', content: 'x\n' },
        { path: 'y.txt', content: 'y\n' },
      ],
    });
    expect(text).toMatch(
      /^Creating the commit failed: GitHub failed \(502: Server Error\).* The branch main is unchanged at [0-9a-f]{7}; nothing was pushed\.$/,
    );
    expect(head('main')).toBe(before);
    expect(sandbox.log.entries({ route: 'git/create-commit' })).toHaveLength(1);
    expect(sandbox.log.entries({ route: 'git/update-ref' })).toHaveLength(0);
  });

  it('reports a commit that was made but could not move the branch, and where the branch is', async () => {
    const before = head('main');
    sandbox.faults.add({
      kind: 'error',
      status: 422,
      route: 'git/update-ref',
      times: 1,
      body: { message: 'Update is not a fast forward' },
    });
    const text = await callError(client(), 'github_push_files', {
      repo: HELLO,
      branch: 'main',
      message: 'One file',
      files: [{ path: 'x.txt', content: 'x\n' }],
    });
    expect(text).toMatch(
      /^Commit [0-9a-f]{7} was made, but moving main to it failed: .*Update is not a fast forward.* The branch is at [0-9a-f]{7}, without these changes\./,
    );
    expect(text).toContain(before!.slice(0, 7));
    expect(head('main')).toBe(before);
  });

  it('refuses a branch that moved since expected_head, and a branch that does not exist', async () => {
    const moved = await callError(client(), 'github_push_files', {
      repo: HELLO,
      branch: 'main',
      message: 'm',
      files: [{ path: 'x.txt', content: 'x' }],
      expected_head: '0000000',
    });
    expect(moved).toMatch(/^Argument `expected_head`: main is at [0-9a-f]{40}, not 0000000: it moved\. Nothing was pushed\./);
    const missing = await callError(client(), 'github_push_files', {
      repo: HELLO,
      branch: 'nope',
      message: 'm',
      files: [{ path: 'x', content: 'x' }],
    });
    expect(missing).toMatch(
      /^Argument `branch`: There is no branch nope in octocat\/hello-world\. Create it first with github_create_branch\./,
    );
    expect(sandbox.log.entries({ method: 'POST' })).toHaveLength(0);
  });
});

describe('repositories', () => {
  it('forks a repository to you and creates a private repository by default', async () => {
    const session2 = await connect(sandbox, [], { env: { GITHUB_TOKEN: sandbox.state.tokenFor('hubot') } });
    try {
      const fork = await callOk(session2.client, 'github_fork_repo', { repo: HELLO, name: 'hello-fork' });
      expect(fork.data).toEqual({ full_name: 'hubot/hello-fork' });
      expect(sandbox.state.repo('hubot/hello-fork')?.parent).toBe(HELLO);
    } finally {
      await session2.close();
    }
    const made = await callOk(client(), 'github_create_repo', { name: 'scratch', description: 'A scratch space' });
    expect(made.data).toEqual({ full_name: 'octocat/scratch', default_branch: 'main' });
    expect(sandbox.state.repo('octocat/scratch')).toMatchObject({ private: true });
  });
});

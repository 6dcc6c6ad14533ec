import { callError, callOk, git, type TempDir, type TempRepo, tempDir, tempRepo } from '@patchbay/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, repoWithIdentity } from './helpers.js';
import {
  changingDns,
  gitHttpServer,
  pairOnOnePort,
  type RecordingServer,
  type TestCertificate,
  testCertificate,
} from './network.js';

/**
 * Remotes here are bare repositories in temp folders, added by path with git itself: remote URLs
 * are the operator's configuration (no tool can set one), so a local-path remote is allowed for
 * fetch, pull and push. Only git_clone, which takes a URL from the model, refuses local paths.
 */
let bare: TempRepo;
let work: TempRepo;
let other: TempDir;
const REMOTE = ['--toolsets', 'default,remote'];

/** A second clone of the remote, to make commits "someone else" pushes. */
async function pushFromElsewhere(message: string, files: Record<string, string>): Promise<void> {
  const dir = `${other.path}/clone`;
  await git(other.path, 'clone', '-q', bare.path, dir).catch(() => undefined);
  await git(dir, 'pull', '-q', '--ff-only').catch(() => undefined);
  for (const [name, content] of Object.entries(files))
    await import('node:fs/promises').then((fs) => fs.writeFile(`${dir}/${name}`, content));
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', message);
  await git(dir, 'push', '-q', 'origin', 'HEAD');
}

beforeEach(async () => {
  bare = await tempRepo({ bare: true });
  other = await tempDir();
  work = await repoWithIdentity();
  await work.commit('Initial', { 'README.md': '# Demo\n', 'shared.txt': 'one\n' });
  await work.git('remote', 'add', 'origin', bare.path);
  await work.git('push', '-q', '-u', 'origin', 'main');
});
afterEach(async () => {
  await work.remove();
  await bare.remove();
  await other.remove();
});

describe('git_remotes', () => {
  it('lists remotes with credentials taken out of their URLs', async () => {
    await work.git('remote', 'add', 'private', 'https://ada:s3cret-token@git.example.com/team/repo.git');
    const { client, close } = await connect(['--repository', work.path, ...REMOTE]);
    const result = await callOk<{ remotes: Array<{ name: string; url: string }> }>(client, 'git_remotes', {});
    expect(result.data.remotes).toEqual([
      { name: 'origin', url: bare.path },
      { name: 'private', url: 'https://git.example.com/team/repo.git' },
    ]);
    expect(result.text).not.toContain('s3cret');
    await close();
  });
});

describe('git_fetch', () => {
  it('reports the remote-tracking refs that changed, then that nothing did', async () => {
    await pushFromElsewhere('Remote work', { 'remote.txt': 'r\n' });
    const before = (await work.git('rev-parse', 'origin/main')).trim();
    const { client, close } = await connect(['--repository', work.path, ...REMOTE]);
    const result = await callOk<{ remote: string; changes: Array<{ ref: string; change: string; from?: string; to?: string }> }>(
      client,
      'git_fetch',
      {},
    );
    expect(result.data.remote).toBe('origin');
    expect(result.data.changes).toEqual([
      { ref: 'origin/main', change: 'updated', from: before, to: expect.stringMatching(/^[0-9a-f]{40}$/) },
    ]);
    // The local branch did not move.
    expect((await work.git('log', '-1', '--format=%s', 'main')).trim()).toBe('Initial');
    const again = await callOk<{ changes: unknown[] }>(client, 'git_fetch', { remote: 'origin' });
    expect(again.data.changes).toEqual([]);
    expect(again.text).toContain('already up to date');
    await close();
  });

  it('prunes remote-tracking branches deleted on the remote', async () => {
    await work.git('push', '-q', 'origin', 'main:doomed');
    await work.git('fetch', '-q');
    await git(bare.path, 'branch', '-D', 'doomed');
    const { client, close } = await connect(['--repository', work.path, ...REMOTE]);
    const result = await callOk<{ changes: Array<{ ref: string; change: string }> }>(client, 'git_fetch', { prune: true });
    expect(result.data.changes).toEqual([expect.objectContaining({ ref: 'origin/doomed', change: 'deleted' })]);
    await close();
  });

  it('takes remotes by name only: URLs, options and unknown names are refused', async () => {
    const { client, close } = await connect(['--repository', work.path, ...REMOTE]);
    expect(await callError(client, 'git_fetch', { remote: '--upload-pack=touch /tmp/pwned' })).toMatch(
      /Argument `remote`: .*may not start with "-"/,
    );
    expect(await callError(client, 'git_fetch', { remote: 'https://evil.example.com/x.git' })).toMatch(
      /Argument `remote`: .*not a remote name/,
    );
    expect(await callError(client, 'git_fetch', { remote: 'upstream' })).toMatch(
      /Argument `remote`: there is no remote named "upstream".*origin/,
    );
    await close();
  });

  it('reports an unreachable remote as a fixable error', async () => {
    await work.git('remote', 'add', 'gone', `${other.path}/does-not-exist.git`);
    const { client, close } = await connect(['--repository', work.path, ...REMOTE]);
    expect(await callError(client, 'git_fetch', { remote: 'gone' })).toMatch(
      /Fetching from gone failed: .*does not appear to be a git repository/,
    );
    await close();
  });
});

describe('git_pull', () => {
  it('fast-forwards the current branch', async () => {
    await pushFromElsewhere('Remote one', { 'a.txt': 'a\n' });
    await pushFromElsewhere('Remote two', { 'b.txt': 'b\n' });
    const { client, close } = await connect(['--repository', work.path, ...REMOTE]);
    const result = await callOk<{ branch: string; new_commits: number }>(client, 'git_pull', {});
    expect(result.data).toMatchObject({ branch: 'main', new_commits: 2 });
    expect((await work.git('log', '--format=%s')).trim().split('\n')).toEqual(['Remote two', 'Remote one', 'Initial']);
    const again = await callOk<{ new_commits: number }>(client, 'git_pull', {});
    expect(again.data.new_commits).toBe(0);
    expect(again.text).toContain('already up to date');
    await close();
  });

  it('refuses a fast-forward that is impossible, then rebases when asked', async () => {
    await pushFromElsewhere('Remote change', { 'remote.txt': 'r\n' });
    await work.commit('Local change', { 'local.txt': 'l\n' });
    const { client, close } = await connect(['--repository', work.path, ...REMOTE]);
    expect(await callError(client, 'git_pull', {})).toMatch(/Argument `mode`: .*diverged/);
    const rebased = await callOk(client, 'git_pull', { mode: 'rebase' });
    expect(rebased.text).toContain('(rebase)');
    expect((await work.git('log', '--format=%s')).trim().split('\n')).toEqual(['Local change', 'Remote change', 'Initial']);
    await close();
  });

  it('aborts a conflicting merge and leaves the branch as it was', async () => {
    await pushFromElsewhere('Remote edit', { 'shared.txt': 'remote\n' });
    const local = await work.commit('Local edit', { 'shared.txt': 'local\n' });
    const { client, close } = await connect(['--repository', work.path, ...REMOTE]);
    expect(await callError(client, 'git_pull', { mode: 'merge' })).toMatch(/conflicted in shared.txt; the merge was aborted/);
    expect((await work.git('rev-parse', 'HEAD')).trim()).toBe(local);
    expect((await work.git('status', '--porcelain')).trim()).toBe('');
    expect(await callError(client, 'git_pull', { mode: 'rebase' })).toMatch(/the rebase was aborted/);
    expect((await work.git('rev-parse', 'HEAD')).trim()).toBe(local);
    await close();
  });

  it('refuses to pull over uncommitted changes to tracked files', async () => {
    await pushFromElsewhere('Remote', { 'x.txt': 'x\n' });
    await work.write('shared.txt', 'unsaved\n');
    const { client, close } = await connect(['--repository', work.path, ...REMOTE]);
    expect(await callError(client, 'git_pull', {})).toMatch(/uncommitted changes to shared.txt/);
    await close();
  });
});

describe('git_push', () => {
  it('pushes a new branch, sets its upstream, then fast-forwards it', async () => {
    await work.git('switch', '-q', '-c', 'feature');
    await work.commit('Feature work', { 'f.txt': 'f\n' });
    const { client, close } = await connect(['--repository', work.path, ...REMOTE]);
    const created = await callOk<{ result: string; branch: string; commit: string }>(client, 'git_push', { set_upstream: true });
    expect(created.data).toMatchObject({ result: 'new branch', branch: 'feature' });
    expect((await git(bare.path, 'rev-parse', 'feature')).trim()).toBe(created.data.commit);
    expect((await work.git('rev-parse', '--abbrev-ref', 'feature@{upstream}')).trim()).toBe('origin/feature');
    await work.commit('More', { 'g.txt': 'g\n' });
    const forward = await callOk<{ result: string }>(client, 'git_push', {});
    expect(forward.data.result).toBe('fast-forward');
    const same = await callOk<{ result: string }>(client, 'git_push', {});
    expect(same.data.result).toBe('up to date');
    await close();
  });

  it('reports a rejected non-fast-forward push with the way out', async () => {
    await pushFromElsewhere('Someone else', { 'x.txt': 'x\n' });
    await work.commit('Mine', { 'y.txt': 'y\n' });
    const { client, close } = await connect(['--repository', work.path, ...REMOTE]);
    expect(await callError(client, 'git_push', {})).toMatch(/rejected the push.*git_pull first/);
    await close();
  });

  it('never force-pushes unless the operator allowed it, and then only with a lease', async () => {
    await work.commit('To be rewritten', { 'z.txt': 'z\n' });
    await work.git('push', '-q');
    await work.git('reset', '-q', '--hard', 'HEAD~1');
    await work.commit('Rewritten', { 'z.txt': 'zz\n' });
    const denied = await connect(['--repository', work.path, ...REMOTE]);
    expect(await callError(denied.client, 'git_push', { force: true })).toMatch(
      /Argument `force`: force-push is disabled.*--allow-force-push/,
    );
    expect(await callError(denied.client, 'git_push', {})).toMatch(/rejected/);
    await denied.close();
    const allowed = await connect(['--repository', work.path, ...REMOTE, '--allow-force-push']);
    const forced = await callOk<{ result: string; commit: string }>(allowed.client, 'git_push', { force: true });
    expect(forced.data.result).toBe('forced');
    expect((await git(bare.path, 'log', '-1', '--format=%s', 'main')).trim()).toBe('Rewritten');
    // The lease: when the remote moved since our last fetch, even an allowed force is refused.
    await pushFromElsewhere('Landed meanwhile', { 'w.txt': 'w\n' });
    await work.commit('Rewritten again', { 'z.txt': 'zzz\n' });
    expect(await callError(allowed.client, 'git_push', { force: true })).toMatch(/rejected the push \(stale info\)/);
    await allowed.close();
  });

  it('rejects branch names that would be options or force refspecs', async () => {
    const { client, close } = await connect(['--repository', work.path, ...REMOTE, '--allow-force-push']);
    expect(await callError(client, 'git_push', { branch: '--mirror' })).toMatch(/Argument `branch`/);
    expect(await callError(client, 'git_push', { branch: '+main' })).toMatch(
      /Argument `branch`: there is no local branch named "\+main"/,
    );
    expect(await callError(client, 'git_push', { branch: 'main:other' })).toMatch(
      /Argument `branch`: "main:other" is not a valid git ref name/,
    );
    expect(await callError(client, 'git_push', { remote: '--receive-pack=touch /tmp/x' })).toMatch(/Argument `remote`/);
    await close();
  });
});

/**
 * A repository in the clone root was cloned from a URL a model gave: its fetch, pull and push are
 * checked and pinned like the clone, every time — a name that was public at clone time can point
 * at this machine by the next fetch. (See clone.test.ts for the servers and the resolver seam.)
 */
describe('fetch, pull and push of a cloned repository', () => {
  let root: TempDir;
  let served: TempRepo;
  let tls: TestCertificate;
  let https: { checked: RecordingServer; rebound: RecordingServer };
  let previousCaInfo: string | undefined;

  beforeAll(async () => {
    root = await tempDir();
    served = await tempRepo({ bare: true });
    const source = await repoWithIdentity();
    await source.commit('First', { 'a.txt': 'a\n' });
    await source.git('push', '-q', served.path, 'main');
    await source.remove();
    await served.git('update-server-info');
    tls = await testCertificate(['git.rebind.test']);
    https = await pairOnOnePort((host, port) => gitHttpServer({ host, ...(port ? { port } : {}), tls, root: served.path }));
    previousCaInfo = process.env.GIT_SSL_CAINFO;
    process.env.GIT_SSL_CAINFO = tls.certPath;
  });
  afterAll(async () => {
    if (previousCaInfo === undefined) delete process.env.GIT_SSL_CAINFO;
    else process.env.GIT_SSL_CAINFO = previousCaInfo;
    await https.checked.close();
    await https.rebound.close();
    await Promise.all([root.remove(), served.remove(), tls.dir.remove()]);
  });

  it('checks the remote address again on every fetch, pull and push, and stays pinned to it', async () => {
    const url = `https://git.rebind.test:${https.checked.port}/demo.git`;
    // Public-looking (allowed) at clone time and for the first fetch; this machine afterwards.
    const lookup = changingDns({ 'git.rebind.test': [['127.0.0.2'], ['127.0.0.2'], ['127.0.0.1']] });
    const { client, close } = await connect(
      ['--clone-root', root.path, ...REMOTE],
      {},
      { lookup, allowAddresses: ['127.0.0.2'] },
    );
    const clone = await callOk<{ repository: string }>(client, 'git_clone', { url, directory: 'cloned' });
    await git(clone.data.repository, 'config', 'user.name', 'Grace Hopper');
    await git(clone.data.repository, 'config', 'user.email', 'grace@example.com');
    const repository = clone.data.repository;

    https.checked.hits.length = 0;
    const fetched = await callOk<{ changes: unknown[] }>(client, 'git_fetch', { repository });
    expect(fetched.data.changes).toEqual([]);
    expect(https.checked.hits).toContain('GET /demo.git/info/refs?service=git-upload-pack');

    // The name now answers 127.0.0.1: refused before git runs, for each of the three.
    for (const [tool, extra] of [
      ['git_fetch', {}],
      ['git_pull', {}],
      ['git_push', {}],
    ] as const) {
      expect(await callError(client, tool, { repository, ...extra }), tool).toMatch(
        /the remote origin of this cloned repository cannot be reached: git\.rebind\.test resolves to 127\.0\.0\.1, a loopback address/,
      );
    }
    expect(https.rebound.hits).toEqual([]);
    expect(lookup.calls).toEqual(['git.rebind.test', 'git.rebind.test', 'git.rebind.test', 'git.rebind.test', 'git.rebind.test']);
    await close();
  });

  it('leaves remotes of repositories outside the clone root to the operator', async () => {
    // The operator's own remote, named by a host this machine cannot resolve: not checked, so git
    // itself reports it (a checked remote would be refused before git ran).
    await work.git('remote', 'add', 'mirror', `https://git.rebind.test:${https.checked.port}/demo.git`);
    const lookup = changingDns({ 'git.rebind.test': [['127.0.0.1']] });
    const { client, close } = await connect(['--repository', work.path, '--clone-root', root.path, ...REMOTE], {}, { lookup });
    expect(await callError(client, 'git_fetch', { repository: work.path, remote: 'mirror' })).toMatch(
      /Could not resolve host: git\.rebind\.test/,
    );
    expect(lookup.calls).toEqual([]);
    await close();
  });
});

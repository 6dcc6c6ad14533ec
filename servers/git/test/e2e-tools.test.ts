import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callError, callOk, connectBin, git, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers.js';

/**
 * Every Git tool through the built bin, over stdio and over Streamable HTTP: one working session
 * per transport (stage, commit, branch, tag, stash, reset, push, fetch, pull, clone), each step
 * asserting what the tool did to a real repository.
 */
describe.each(['stdio', 'http'] as const)('every git tool end to end over %s', (transport) => {
  let base: string;
  let work: string;
  let bare: string;
  let cloneRoot: string;
  let initRoot: string;
  let client: Client;
  let stop: () => Promise<unknown>;
  // Every call names the working repository: the clone root is an allowed location too.

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), `patchbay-e2e-${transport}-`));
    const remote = await tempRepo({ bare: true, parent: base });
    bare = remote.path;
    work = path.join(base, 'work');
    cloneRoot = path.join(base, 'clones');
    await git(base, 'clone', '-q', bare, work);
    await git(work, 'config', 'user.name', 'Grace Hopper');
    await git(work, 'config', 'user.email', 'grace@example.com');
    await git(work, 'checkout', '-q', '-b', 'main');
    await writeFile(path.join(work, 'README.md'), '# demo\n');
    await git(work, 'add', 'README.md');
    await git(work, 'commit', '-q', '-m', 'Initial commit');
    await git(work, 'push', '-q', '-u', 'origin', 'main');
    await git(base, 'init', '-q', cloneRoot);
    await rm(path.join(cloneRoot, '.git'), { recursive: true });
    initRoot = path.join(base, 'inits');
    await mkdir(initRoot);
    // The operator's git config maps an https URL onto the local bare repository, so git_clone
    // takes its real https path without a network.
    const config = path.join(base, 'gitconfig');
    await writeFile(config, `[url "${bare}"]\n\tinsteadOf = https://git.example.test/team/demo.git\n`);
    const env = { GIT_CONFIG_GLOBAL: config };
    const args = ['--repository', work, '--clone-root', cloneRoot, '--init-root', initRoot, '--toolsets', 'all'];
    const connected = await connectBin(transport, BIN, args, { env });
    client = connected.client;
    stop = connected.close;
  });
  afterAll(async () => {
    await stop?.();
    await rm(base, { recursive: true, force: true });
  });

  it('offers all 33 tools with --toolsets all, --clone-root and --init-root', async () => {
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(33);
  });

  it('stages and commits, refusing an empty commit', async () => {
    await writeFile(path.join(work, 'app.ts'), 'export const answer = 42;\n');
    const added = await callOk<{ staged: unknown }>(client, 'git_add', { repository: work, paths: ['app.ts'] });
    expect(JSON.stringify(added.data.staged)).toContain('app.ts');
    const status = await callOk<{ staged: Array<{ path: string }> }>(client, 'git_status', { repository: work });
    expect(status.data.staged.map((f) => f.path)).toEqual(['app.ts']);
    const commit = await callOk<{ commit: string; subject: string }>(client, 'git_commit', {
      repository: work,
      message: 'Add the answer',
    });
    expect(commit.data.subject).toBe('Add the answer');
    expect((await git(work, 'log', '-1', '--format=%s')).trim()).toBe('Add the answer');
    expect(await callError(client, 'git_commit', { repository: work, message: 'Nothing' })).toMatch(/nothing|empty/i);
  });

  it('creates and checks out a branch, tags it, and lists both', async () => {
    await callOk(client, 'git_create_branch', { repository: work, name: 'feature/answer' });
    const checkout = await callOk<{ branch: string }>(client, 'git_checkout', { repository: work, target: 'feature/answer' });
    expect(checkout.data.branch).toBe('feature/answer');
    expect((await git(work, 'branch', '--show-current')).trim()).toBe('feature/answer');
    const tag = await callOk<{ tag: string; annotated: boolean }>(client, 'git_create_tag', {
      repository: work,
      name: 'v1.0.0',
      message: 'First',
    });
    expect(tag.data.annotated).toBe(true);
    const tags = await callOk(client, 'git_tags', { repository: work });
    expect(JSON.stringify(tags.data)).toContain('v1.0.0');
    const branches = await callOk<{ current: string }>(client, 'git_branches', { repository: work });
    expect(branches.data.current).toBe('feature/answer');
    expect(JSON.stringify(branches.data)).toContain('"main"');
  });

  it('stashes and restores uncommitted work', async () => {
    await writeFile(path.join(work, 'app.ts'), 'export const answer = 43;\n');
    await callOk(client, 'git_stash', { repository: work, action: 'push', message: 'wip answer' });
    expect(await readFile(path.join(work, 'app.ts'), 'utf8')).toBe('export const answer = 42;\n');
    const list = await callOk(client, 'git_stash', { repository: work, action: 'list' });
    expect(JSON.stringify(list.data)).toContain('wip answer');
    await callOk(client, 'git_stash', { repository: work, action: 'pop' });
    expect(await readFile(path.join(work, 'app.ts'), 'utf8')).toBe('export const answer = 43;\n');
  });

  it('unstages with git_reset and discards with git_reset_hard', async () => {
    await git(work, 'add', 'app.ts');
    const reset = await callOk<{ unstaged: unknown }>(client, 'git_reset', { repository: work, paths: ['app.ts'] });
    expect(JSON.stringify(reset.data.unstaged)).toContain('app.ts');
    expect((await git(work, 'diff', '--cached', '--name-only')).trim()).toBe('');
    await callOk(client, 'git_reset_hard', { repository: work });
    expect(await readFile(path.join(work, 'app.ts'), 'utf8')).toBe('export const answer = 42;\n');
  });

  it('lists remotes, pushes a branch, fetches and pulls', async () => {
    const remotes = await callOk(client, 'git_remotes', { repository: work });
    expect(JSON.stringify(remotes.data)).toContain('origin');
    const push = await callOk<{ branch: string }>(client, 'git_push', {
      repository: work,
      branch: 'feature/answer',
      set_upstream: true,
    });
    expect(push.data.branch).toBe('feature/answer');
    expect(await git(bare, 'branch', '--list', 'feature/answer')).toContain('feature/answer');
    // Someone else pushes to main; fetch sees it, pull brings it in.
    const other = path.join(base, 'other');
    await git(base, 'clone', '-q', bare, other);
    await git(other, 'config', 'user.name', 'Ada');
    await git(other, 'config', 'user.email', 'ada@example.com');
    await writeFile(path.join(other, 'NEWS.md'), 'news\n');
    await git(other, 'add', 'NEWS.md');
    await git(other, 'commit', '-q', '-m', 'News from elsewhere');
    await git(other, 'push', '-q', 'origin', 'main');
    const fetched = await callOk(client, 'git_fetch', { repository: work });
    expect(JSON.stringify(fetched.data)).toContain('main');
    await callOk(client, 'git_checkout', { repository: work, target: 'main' });
    // main has a local commit (Add the answer) the remote lacks: a fast-forward is refused with
    // the way out, and a rebase replays it on top of the news.
    expect(await callError(client, 'git_pull', { repository: work })).toMatch(/diverged/);
    const pulled = await callOk<{ new_commits: number }>(client, 'git_pull', { repository: work, mode: 'rebase' });
    // from..to: the news and the replayed local commit (rebased, so a new commit too).
    expect(pulled.data.new_commits).toBe(2);
    expect((await git(work, 'log', '-2', '--format=%s')).trim().split('\n')).toEqual(['Add the answer', 'News from elsewhere']);
  });

  it('clones an https URL into the clone root and refuses a file:// URL', async () => {
    const clone = await callOk<{ repository: string }>(client, 'git_clone', {
      url: 'https://git.example.test/team/demo.git',
      directory: 'demo',
    });
    expect(clone.data.repository).toBe(path.join(cloneRoot, 'demo'));
    expect((await git(path.join(cloneRoot, 'demo'), 'log', '-1', '--format=%s')).trim()).toBe('News from elsewhere');
    expect(await callError(client, 'git_clone', { url: `file://${bare}` })).toMatch(/url/i);
  });
  it('merges, reverts, cherry-picks and rebases, refusing to rewrite pushed commits, and reads the reflog', async () => {
    await git(work, 'switch', '-q', '-c', 'topic');
    await writeFile(path.join(work, 'topic.txt'), 'topic\n');
    await git(work, 'add', 'topic.txt');
    await git(work, 'commit', '-q', '-m', 'Topic work');
    await git(work, 'switch', '-q', 'main');
    const merged = await callOk<{ result: string }>(client, 'git_merge', {
      repository: work,
      ref: 'topic',
      fast_forward: 'never',
    });
    expect(merged.data.result).toBe('merge commit');
    expect((await git(work, 'log', '-1', '--format=%P')).trim().split(' ')).toHaveLength(2);
    expect(await callError(client, 'git_merge', { repository: work, ref: '--squash' })).toMatch(/Argument `ref`: .*"-"/);

    const reverted = await callOk<{ applied: string[] }>(client, 'git_revert', { repository: work, commits: ['topic'] });
    expect(reverted.data.applied).toHaveLength(1);
    await expect(access(path.join(work, 'topic.txt'))).rejects.toThrow();

    await git(work, 'switch', '-q', '-c', 'pick-me');
    await writeFile(path.join(work, 'picked.txt'), 'picked\n');
    await git(work, 'add', 'picked.txt');
    await git(work, 'commit', '-q', '-m', 'Worth picking');
    await git(work, 'switch', '-q', 'main');
    const picked = await callOk<{ applied: string[] }>(client, 'git_cherry_pick', { repository: work, commits: ['pick-me'] });
    expect(picked.data.applied).toHaveLength(1);
    expect((await git(work, 'log', '-1', '--format=%s')).trim()).toBe('Worth picking');
    expect(await callError(client, 'git_cherry_pick', { repository: work, commits: ['--no-commit'] })).toMatch(
      /Argument `commits`/,
    );

    // A branch whose own commit is on no remote may be rebased; feature/answer was pushed: not.
    await git(work, 'switch', '-q', '-c', 'local-only', 'main~1');
    await writeFile(path.join(work, 'local.txt'), 'local\n');
    await git(work, 'add', 'local.txt');
    await git(work, 'commit', '-q', '-m', 'Local only');
    const rebased = await callOk<{ replayed: number }>(client, 'git_rebase', { repository: work, onto: 'main' });
    expect(rebased.data.replayed).toBe(1);
    await git(work, 'switch', '-q', 'feature/answer');
    expect(await callError(client, 'git_rebase', { repository: work, onto: 'main' })).toMatch(/already on a remote/);
    await git(work, 'switch', '-q', 'main');

    const reflog = await callOk<{ entries: Array<{ action: string }> }>(client, 'git_reflog', {
      repository: work,
      max_count: 10,
    });
    expect(reflog.data.entries.map((e) => e.action).join('\n')).toMatch(/rebase \(finish\)/);
    expect(await callError(client, 'git_reflog', { repository: work, ref: '--all' })).toMatch(/Argument `ref`: .*"-"/);
    expect(await callError(client, 'git_revert', { repository: work, commits: ['nope'] })).toMatch(/Argument `commits`/);
  });

  it('adds, lists and removes a worktree inside the allowed folders, cleans with a confirmation, applies, shows and drops stashes', async () => {
    const wt = path.join(cloneRoot, 'work-topic');
    const added = await callOk<{ repository: string; branch: string }>(client, 'git_add_worktree', {
      repository: work,
      path: wt,
      branch: 'wt-branch',
      create_branch: true,
    });
    expect(added.data).toEqual({ repository: wt, branch: 'wt-branch', commit: expect.any(String) });
    expect(await callError(client, 'git_add_worktree', { repository: work, path: path.join(base, 'outside-wt') })).toMatch(
      /Argument `path`: .*outside the allowed locations/,
    );
    const listed = await callOk<{ worktrees: unknown[] }>(client, 'git_worktrees', { repository: work });
    expect(listed.data.worktrees).toHaveLength(2);
    expect(await callError(client, 'git_remove_worktree', { repository: wt, path: work })).toMatch(/main worktree/);
    await callOk(client, 'git_remove_worktree', { repository: work, path: wt });
    await expect(access(wt)).rejects.toThrow();

    await writeFile(path.join(work, 'scratch.txt'), 'scratch\n');
    const dry = await callOk<{ paths: string[]; confirm: string }>(client, 'git_clean', { repository: work });
    expect(dry.data.paths).toEqual(['scratch.txt']);
    expect(await callError(client, 'git_clean', { repository: work, confirm: '0000000000000000' })).toMatch(/Argument `confirm`/);
    await callOk(client, 'git_clean', { repository: work, confirm: dry.data.confirm });
    await expect(access(path.join(work, 'scratch.txt'))).rejects.toThrow();

    await writeFile(path.join(work, 'README.md'), '# changed\n');
    await callOk(client, 'git_stash', { repository: work, action: 'push', message: 'to show' });
    const shown = await callOk<{ files: Array<{ path: string }> }>(client, 'git_stash', { repository: work, action: 'show' });
    expect(shown.data.files.map((f) => f.path)).toEqual(['README.md']);
    await callOk(client, 'git_stash', { repository: work, action: 'apply' });
    expect(await readFile(path.join(work, 'README.md'), 'utf8')).toBe('# changed\n');
    await git(work, 'checkout', '--', 'README.md');
    const dropped = await callOk<{ stashes: unknown[] }>(client, 'git_drop_stash', { repository: work });
    expect(dropped.data.stashes).toHaveLength(0);
    expect(await callError(client, 'git_drop_stash', { repository: work })).toMatch(/there are no stashes/);
  });

  it('creates a repository in the init root and nowhere else', async () => {
    const made = await callOk<{ repository: string }>(client, 'git_init', { path: 'fresh' });
    expect(made.data.repository).toBe(path.join(initRoot, 'fresh'));
    await access(path.join(initRoot, 'fresh', '.git'));
    expect(await callError(client, 'git_init', { path: path.join(base, 'elsewhere') })).toMatch(
      /Argument `path`: .*outside the allowed locations/,
    );
    await expect(access(path.join(base, 'elsewhere'))).rejects.toThrow();
  });
});

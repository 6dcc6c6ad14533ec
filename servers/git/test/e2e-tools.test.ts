import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
    // The operator's git config maps an https URL onto the local bare repository, so git_clone
    // takes its real https path without a network.
    const config = path.join(base, 'gitconfig');
    await writeFile(config, `[url "${bare}"]\n\tinsteadOf = https://git.example.test/team/demo.git\n`);
    const env = { GIT_CONFIG_GLOBAL: config };
    const args = ['--repository', work, '--clone-root', cloneRoot, '--toolsets', 'all'];
    const connected = await connectBin(transport, BIN, args, { env });
    client = connected.client;
    stop = connected.close;
  });
  afterAll(async () => {
    await stop?.();
    await rm(base, { recursive: true, force: true });
  });

  it('offers all 22 tools with --toolsets all and --clone-root', async () => {
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(22);
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
});

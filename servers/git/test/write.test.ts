import { execFile } from 'node:child_process';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { callError, callOk, type TempDir, type TempRepo, tempDir, tempRepo } from '@patchbay/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, repoWithIdentity } from './helpers.js';

let repo: TempRepo;
let outside: TempDir;
beforeEach(async () => {
  repo = await repoWithIdentity();
  outside = await tempDir();
  await repo.commit('Initial', { 'README.md': '# Demo\n', 'src/app.ts': 'export const x = 1;\n' });
});
afterEach(async () => {
  await repo.remove();
  await outside.remove();
});

const log = async () => (await repo.git('log', '--format=%s')).trim().split('\n');
const porcelain = async () => (await repo.git('status', '--porcelain')).trimEnd();

describe('git_add', () => {
  it('stages the named paths and reports everything staged', async () => {
    await repo.write('src/app.ts', 'export const x = 2;\n');
    await repo.write('src/new.ts', 'new\n');
    await repo.write('notes.txt', 'not staged\n');
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<{ staged: Array<{ path: string; status: string }> }>(client, 'git_add', { paths: ['src'] });
    expect(result.data.staged).toEqual([
      { path: 'src/app.ts', status: 'M' },
      { path: 'src/new.ts', status: 'A' },
    ]);
    expect(await porcelain()).toContain('?? notes.txt');
    await close();
  });

  it('stages every change, deletions included, with all=true', async () => {
    await repo.write('notes.txt', 'x\n');
    await repo.git('rm', '-q', '--cached', 'README.md');
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<{ staged: Array<{ path: string; status: string }> }>(client, 'git_add', { all: true });
    expect(result.data.staged.map((f) => `${f.status} ${f.path}`)).toEqual(['A notes.txt']);
    await close();
  });

  it('refuses paths that escape the repository or look like options', async () => {
    await writeFile(path.join(outside.path, 'outside.txt'), 'x\n');
    await symlink(outside.path, path.join(repo.path, 'link'));
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_add', {})).toMatch(/Argument `paths`: is empty/);
    expect(await callError(client, 'git_add', { paths: ['../x'] })).toMatch(/Argument `paths`/);
    expect(await callError(client, 'git_add', { paths: ['--all'] })).toMatch(/Argument `paths`: .*may not start with "-"/);
    expect(await callError(client, 'git_add', { paths: ['link/outside.txt'] })).toMatch(
      /Argument `paths`: .*leads outside the repository/,
    );
    expect(await callError(client, 'git_add', { paths: ['.git/config'] })).toMatch(/Argument `paths`: .*inside \.git/);
    expect(await callError(client, 'git_add', { paths: ['missing.txt'] })).toMatch(
      /Argument `paths`: "missing.txt" does not exist/,
    );
    expect(await porcelain()).toBe('?? link');
    await close();
  });
});

describe('git_commit', () => {
  it('commits the staged changes with the message given, even one starting with "-"', async () => {
    await repo.write('src/app.ts', 'export const x = 2;\n');
    await repo.git('add', 'src/app.ts');
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<{
      commit: string;
      branch: string;
      subject: string;
      files_changed: number;
      insertions: number;
      deletions: number;
      signed: boolean;
    }>(client, 'git_commit', { message: '--amend is not an option here\n\nBody line.' });
    expect(result.data).toMatchObject({
      branch: 'main',
      subject: '--amend is not an option here',
      files_changed: 1,
      insertions: 1,
      deletions: 1,
      signed: false,
    });
    expect(result.data.commit).toBe((await repo.git('rev-parse', 'HEAD')).trim());
    expect(await repo.git('log', '-1', '--format=%B')).toBe('--amend is not an option here\n\nBody line.\n\n');
    expect(await repo.git('log', '-1', '--format=%an')).toBe('Grace Hopper\n');
    expect(await log()).toEqual(['--amend is not an option here', 'Initial']);
    await close();
  });

  it('refuses an empty commit and an empty message', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_commit', { message: 'Nothing' })).toMatch(/nothing to commit.*git_add/);
    await repo.write('README.md', 'changed\n');
    expect(await callError(client, 'git_commit', { message: 'Unstaged only' })).toMatch(/nothing to commit/);
    await repo.git('add', 'README.md');
    expect(await callError(client, 'git_commit', { message: '   \n ' })).toMatch(/Argument `message`: is empty/);
    expect(await log()).toEqual(['Initial']);
    await close();
  });

  it('commits changes to tracked files with all=true', async () => {
    await repo.write('README.md', 'changed\n');
    const { client, close } = await connect(['--repository', repo.path]);
    await callOk(client, 'git_commit', { message: 'Update readme', all: true });
    expect(await log()).toEqual(['Update readme', 'Initial']);
    expect(await porcelain()).toBe('');
    await close();
  });

  it('reports a signing failure instead of committing unsigned', async () => {
    await repo.git('config', 'commit.gpgSign', 'true');
    await repo.git('config', 'gpg.program', 'false');
    await repo.write('README.md', 'changed\n');
    await repo.git('add', 'README.md');
    const { client, close } = await connect(['--repository', repo.path]);
    const text = await callError(client, 'git_commit', { message: 'Must be signed' });
    expect(text).toMatch(/signing failed, so nothing was created/);
    expect(text).toMatch(/never falls back to unsigned/);
    expect(await log()).toEqual(['Initial']);
    expect(await porcelain()).toBe('M  README.md');
    await close();
  });

  it('reports a refusing hook with its own words', async () => {
    const hook = path.join(repo.path, '.git/hooks/pre-commit');
    await writeFile(hook, '#!/bin/sh\necho "lint failed: fix src/app.ts" >&2\nexit 1\n', { mode: 0o755 });
    await repo.write('README.md', 'changed\n');
    await repo.git('add', 'README.md');
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_commit', { message: 'Blocked' })).toMatch(
      /git commit failed: lint failed: fix src\/app.ts/,
    );
    await close();
  });

  it('says how to fix a missing author identity', async () => {
    const anonymous = await tempRepo();
    try {
      // Without this, git may invent an identity from the machine's user and host names.
      await anonymous.git('config', 'user.useConfigOnly', 'true');
      await anonymous.write('a.txt', 'a\n');
      await anonymous.git('add', 'a.txt');
      const { client, close } = await connect(['--repository', anonymous.path], { env: {} });
      expect(await callError(client, 'git_commit', { message: 'First' })).toMatch(/does not know who the author is.*user\.name/);
      await close();
    } finally {
      await anonymous.remove();
    }
  });
});

describe('git_create_branch and git_checkout', () => {
  it('creates a branch at the current commit or a base, optionally switching to it', async () => {
    const initial = (await repo.git('rev-parse', 'HEAD')).trim();
    await repo.commit('Second', { 'b.txt': 'b\n' });
    const { client, close } = await connect(['--repository', repo.path]);
    const plain = await callOk<{ created: string; branch: string; checked_out: boolean }>(client, 'git_create_branch', {
      name: 'feature/x',
    });
    expect(plain.data).toMatchObject({ created: 'feature/x', branch: 'main', checked_out: false });
    const fromBase = await callOk<{ branch: string; commit: string }>(client, 'git_create_branch', {
      name: 'old',
      base: 'HEAD~1',
      checkout: true,
    });
    expect(fromBase.data).toMatchObject({ branch: 'old', commit: initial });
    expect((await repo.git('branch', '--show-current')).trim()).toBe('old');
    expect(await callError(client, 'git_create_branch', { name: 'old' })).toMatch(
      /Argument `name`: a branch named "old" already exists/,
    );
    expect(await callError(client, 'git_create_branch', { name: '-f' })).toMatch(/Argument `name`: .*may not start with "-"/);
    expect(await callError(client, 'git_create_branch', { name: 'a..b' })).toMatch(
      /Argument `name`: "a..b" is not a valid git ref name/,
    );
    expect(await callError(client, 'git_create_branch', { name: 'x', base: '--orphan' })).toMatch(/Argument `base`/);
    expect(await callError(client, 'git_create_branch', { name: 'y', base: 'nope' })).toMatch(
      /Argument `base`: "nope" is not a revision/,
    );
    await close();
  });

  it('carries uncommitted work onto a new branch with checkout=true', async () => {
    await repo.write('README.md', 'work in progress\n');
    const { client, close } = await connect(['--repository', repo.path]);
    await callOk(client, 'git_create_branch', { name: 'wip', checkout: true });
    expect((await repo.git('branch', '--show-current')).trim()).toBe('wip');
    expect(await readFile(path.join(repo.path, 'README.md'), 'utf8')).toBe('work in progress\n');
    await close();
  });

  it('switches branches, and detaches at a tag or commit', async () => {
    await repo.git('branch', 'other');
    await repo.git('tag', 'v1');
    const { client, close } = await connect(['--repository', repo.path]);
    const other = await callOk<{ branch: string; detached: boolean }>(client, 'git_checkout', { target: 'other' });
    expect(other.data).toMatchObject({ branch: 'other', detached: false });
    const tag = await callOk<{ branch: string | null; detached: boolean }>(client, 'git_checkout', { target: 'v1' });
    expect(tag.data).toMatchObject({ branch: null, detached: true });
    expect(tag.text).toContain('detached HEAD');
    await callOk(client, 'git_checkout', { target: 'main' });
    expect((await repo.git('branch', '--show-current')).trim()).toBe('main');
    await close();
  });

  it('refuses to switch while tracked files have uncommitted changes, losing nothing', async () => {
    await repo.git('branch', 'other');
    await repo.write('src/app.ts', 'precious unsaved work\n');
    const { client, close } = await connect(['--repository', repo.path]);
    const text = await callError(client, 'git_checkout', { target: 'other' });
    expect(text).toMatch(/uncommitted changes to src\/app.ts .*nothing was switched/);
    expect(text).toMatch(/git_stash/);
    expect((await repo.git('branch', '--show-current')).trim()).toBe('main');
    expect(await readFile(path.join(repo.path, 'src/app.ts'), 'utf8')).toBe('precious unsaved work\n');
    await close();
  });

  it('creates a local tracking branch for a remote branch', async () => {
    const remote = await tempRepo({ bare: true });
    try {
      await repo.git('remote', 'add', 'origin', remote.path);
      await repo.git('push', '-q', 'origin', 'main:feature');
      await repo.git('fetch', '-q', 'origin');
      const { client, close } = await connect(['--repository', repo.path]);
      const result = await callOk<{ branch: string; created_tracking_branch?: string }>(client, 'git_checkout', {
        target: 'origin/feature',
      });
      expect(result.data).toMatchObject({ branch: 'feature', created_tracking_branch: 'feature' });
      expect((await repo.git('rev-parse', '--abbrev-ref', 'feature@{upstream}')).trim()).toBe('origin/feature');
      await close();
    } finally {
      await remote.remove();
    }
  });

  it('rejects a target that is not a revision or looks like an option', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_checkout', { target: 'nowhere' })).toMatch(
      /Argument `target`: "nowhere" is not a revision/,
    );
    expect(await callError(client, 'git_checkout', { target: '--orphan=x' })).toMatch(
      /Argument `target`: .*may not start with "-"/,
    );
    await close();
  });
});

describe('git_stash', () => {
  it('pushes, lists and pops changes, untracked files included on request', async () => {
    await repo.write('src/app.ts', 'changed\n');
    await repo.write('new.txt', 'untracked\n');
    const { client, close } = await connect(['--repository', repo.path]);
    const pushed = await callOk<{ stashes: Array<{ index: number; message: string }> }>(client, 'git_stash', {
      action: 'push',
      message: 'half-done refactor',
      include_untracked: true,
    });
    expect(pushed.data.stashes).toEqual([expect.objectContaining({ index: 0, message: 'On main: half-done refactor' })]);
    expect(await porcelain()).toBe('');
    const listed = await callOk<{ stashes: unknown[] }>(client, 'git_stash', { action: 'list' });
    expect(listed.data.stashes).toHaveLength(1);
    const popped = await callOk<{ stashes: unknown[] }>(client, 'git_stash', { action: 'pop' });
    expect(popped.data.stashes).toEqual([]);
    expect(await readFile(path.join(repo.path, 'new.txt'), 'utf8')).toBe('untracked\n');
    expect(await readFile(path.join(repo.path, 'src/app.ts'), 'utf8')).toBe('changed\n');
    await close();
  });

  it('says when there is nothing to stash or no such stash', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_stash', { action: 'push' })).toMatch(/no local changes to stash/);
    expect(await callError(client, 'git_stash', { action: 'pop' })).toMatch(/Argument `index`: there are no stashes/);
    await repo.write('new.txt', 'only untracked\n');
    expect(await callError(client, 'git_stash', { action: 'push' })).toMatch(/include_untracked=true/);
    await close();
  });

  it('keeps the stash when popping it conflicts', async () => {
    await repo.write('README.md', 'stashed version\n');
    const { client, close } = await connect(['--repository', repo.path]);
    await callOk(client, 'git_stash', { action: 'push' });
    await repo.commit('Conflicting', { 'README.md': 'committed version\n' });
    expect(await callError(client, 'git_stash', { action: 'pop' })).toMatch(
      /conflicted with the working tree in README.md.*kept/,
    );
    expect((await repo.git('stash', 'list')).trim().split('\n')).toHaveLength(1);
    await close();
  });
});

describe('git_create_tag', () => {
  it('creates lightweight and annotated tags and never moves one', async () => {
    const head = (await repo.git('rev-parse', 'HEAD')).trim();
    const { client, close } = await connect(['--repository', repo.path]);
    const light = await callOk<{ tag: string; commit: string; annotated: boolean }>(client, 'git_create_tag', { name: 'v1.0.0' });
    expect(light.data).toEqual({ repository: expect.any(String), tag: 'v1.0.0', commit: head, annotated: false });
    const annotated = await callOk<{ annotated: boolean }>(client, 'git_create_tag', {
      name: 'v1.0.1',
      message: 'Release 1.0.1\n\nNotes.',
    });
    expect(annotated.data.annotated).toBe(true);
    expect((await repo.git('cat-file', '-t', 'v1.0.1')).trim()).toBe('tag');
    expect((await repo.git('tag', '-l', '--format=%(contents)', 'v1.0.1')).trim()).toBe('Release 1.0.1\n\nNotes.');
    expect(await callError(client, 'git_create_tag', { name: 'v1.0.0', target: 'HEAD' })).toMatch(
      /Argument `name`: a tag named "v1.0.0" already exists/,
    );
    expect(await callError(client, 'git_create_tag', { name: '-d' })).toMatch(/Argument `name`/);
    expect(await callError(client, 'git_create_tag', { name: 'x', target: '-f' })).toMatch(/Argument `target`/);
    await close();
  });

  it('reports a tag signing failure and creates nothing', async () => {
    await repo.git('config', 'tag.gpgSign', 'true');
    await repo.git('config', 'gpg.program', 'false');
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_create_tag', { name: 'signed', message: 'Signed release' })).toMatch(/signing failed/);
    expect((await repo.git('tag', '-l')).trim()).toBe('');
    await close();
  });
});

describe('git_reset and git_reset_hard', () => {
  it('unstages paths, and moves the branch keeping changes staged (soft) or unstaged (mixed)', async () => {
    const initial = (await repo.git('rev-parse', 'HEAD')).trim();
    await repo.commit('Second', { 'b.txt': 'b\n' });
    await repo.write('README.md', 'staged\n');
    await repo.git('add', 'README.md');
    const { client, close } = await connect(['--repository', repo.path]);
    const unstaged = await callOk<{ unstaged: string[] }>(client, 'git_reset', { paths: ['README.md'] });
    expect(unstaged.data.unstaged).toEqual(['README.md']);
    expect(await porcelain()).toBe(' M README.md');
    const soft = await callOk<{ commit: string }>(client, 'git_reset', { mode: 'soft', target: 'HEAD~1' });
    expect(soft.data.commit).toBe(initial);
    expect(await porcelain()).toBe(' M README.md\nA  b.txt');
    await repo.git('commit', '-q', '-m', 'Second again');
    await callOk(client, 'git_reset', { target: 'HEAD~1' });
    expect(await porcelain()).toBe(' M README.md\n?? b.txt');
    expect(await readFile(path.join(repo.path, 'README.md'), 'utf8')).toBe('staged\n');
    expect(await callError(client, 'git_reset', { mode: 'soft', paths: ['README.md'] })).toMatch(/Argument `paths`/);
    expect(await callError(client, 'git_reset', { target: '--hard' })).toMatch(/Argument `target`/);
    await close();
  });

  it('discards tracked changes only through git_reset_hard, listing what was lost', async () => {
    await repo.write('src/app.ts', 'to be discarded\n');
    await repo.write('untracked.txt', 'kept\n');
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<{ discarded: string[] }>(client, 'git_reset_hard', {});
    expect(result.data.discarded).toEqual(['src/app.ts']);
    expect(result.text).toMatch(/Discarded uncommitted changes to 1 file/);
    expect(await readFile(path.join(repo.path, 'src/app.ts'), 'utf8')).toBe('export const x = 1;\n');
    expect(await readFile(path.join(repo.path, 'untracked.txt'), 'utf8')).toBe('kept\n');
    await close();
  });
});

describe('limits', () => {
  it('stops a git command that runs past --timeout, and the hook it started with it', async () => {
    const marker = '29.4321';
    await writeFile(path.join(repo.path, '.git/hooks/pre-commit'), `#!/bin/sh\nsleep ${marker}\n`, { mode: 0o755 });
    await repo.write('README.md', 'changed\n');
    await repo.git('add', 'README.md');
    const { client, close } = await connect(['--repository', repo.path, '--timeout', '1000']);
    const started = Date.now();
    expect(await callError(client, 'git_commit', { message: 'Slow' })).toMatch(
      /took longer than 1000 ms and was stopped.*--timeout/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { stdout } = await promisify(execFile)('ps', ['-eo', 'args']);
    expect(stdout).not.toContain(`sleep ${marker}`);
    expect(await log()).toEqual(['Initial']);
    await close();
  });
  it('stops git and its hook when the client cancels the call', async () => {
    const marker = '28.4321';
    await writeFile(path.join(repo.path, '.git/hooks/pre-commit'), `#!/bin/sh\nsleep ${marker}\n`, { mode: 0o755 });
    await repo.write('README.md', 'changed\n');
    await repo.git('add', 'README.md');
    const { client, close } = await connect(['--repository', repo.path]);
    const controller = new AbortController();
    const pending = client.callTool({ name: 'git_commit', arguments: { message: 'Cancelled' } }, undefined, {
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { stdout } = await promisify(execFile)('ps', ['-eo', 'args']);
    expect(stdout).not.toContain(`sleep ${marker}`);
    expect(await log()).toEqual(['Initial']);
    await close();
  });
});

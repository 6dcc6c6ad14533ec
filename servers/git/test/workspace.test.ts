import { access, mkdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { call, callError, callOk, git, type TempDir, type TempRepo, tempDir } from '@patchbay/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, repoWithIdentity } from './helpers.js';

/** Worktrees, git_clean, git_drop_stash (toolset `workspace`), git_init and git_stash apply/show. */
let parent: TempDir;
let outside: TempDir;
let repo: TempRepo;
beforeEach(async () => {
  parent = await tempDir();
  outside = await tempDir();
  repo = await repoWithIdentity({ parent: parent.path });
  repo.path = await realpath(repo.path);
  await repo.commit('Base', { 'a.txt': 'a\n', '.gitignore': 'build/\n*.log\n' });
});
afterEach(async () => {
  await parent.remove();
  await outside.remove();
});

const gone = (file: string) =>
  access(file).then(
    () => false,
    () => true,
  );

describe('worktrees', () => {
  it('adds a worktree on a new branch inside an allowed folder, lists it, works in it and removes it', async () => {
    const { client, close } = await connect(['--repository', parent.path, '--toolsets', 'default,workspace']);
    const added = await callOk<{ repository: string; branch: string }>(client, 'git_add_worktree', {
      repository: repo.path,
      path: '../feature-wt',
      branch: 'feature',
      create_branch: true,
    });
    const wt = path.join(parent.path, 'feature-wt');
    expect(added.data).toMatchObject({ repository: wt, branch: 'feature' });
    const list = await callOk<{ worktrees: Array<{ path: string; branch?: string; main?: boolean }> }>(client, 'git_worktrees', {
      repository: repo.path,
    });
    expect(list.data.worktrees.map((w) => [w.path, w.branch, w.main ?? false])).toEqual([
      [repo.path, 'main', true],
      [wt, 'feature', false],
    ]);
    await writeFile(path.join(wt, 'new.txt'), 'new\n');
    await callOk(client, 'git_add', { repository: wt, paths: ['new.txt'] });
    await callOk(client, 'git_commit', { repository: wt, message: 'In the worktree' });
    expect((await repo.git('log', '-1', '--format=%s', 'feature')).trim()).toBe('In the worktree');

    await writeFile(path.join(wt, 'scratch.txt'), 'untracked\n');
    expect(await callError(client, 'git_remove_worktree', { repository: repo.path, path: wt })).toMatch(
      /Argument `force`: the worktree has uncommitted changes or untracked files/,
    );
    expect(await callError(client, 'git_remove_worktree', { repository: wt, path: wt })).toMatch(
      /Argument `path`: is the worktree this call runs in/,
    );
    expect(await callError(client, 'git_remove_worktree', { repository: wt, path: repo.path })).toMatch(
      /Argument `path`: is the main worktree/,
    );
    const removed = await callOk<{ removed: string; branch: string }>(client, 'git_remove_worktree', {
      repository: repo.path,
      path: wt,
      force: true,
    });
    expect(removed.data).toMatchObject({ removed: wt, branch: 'feature' });
    expect(await gone(wt)).toBe(true);
    expect((await repo.git('branch', '--list', 'feature')).trim()).toBe('feature');
    await close();
  });

  it('checks out an existing branch or a detached commit, and refuses a branch checked out elsewhere', async () => {
    await repo.git('branch', 'topic');
    const { client, close } = await connect(['--repository', parent.path, '--toolsets', 'default,workspace']);
    const topic = await callOk<{ branch: string }>(client, 'git_add_worktree', { repository: repo.path, path: '../topic' });
    expect(topic.data.branch).toBe(null);
    const onTopic = await callOk<{ branch: string }>(client, 'git_add_worktree', {
      repository: repo.path,
      path: '../topic-2',
      branch: 'topic',
    });
    expect(onTopic.data.branch).toBe('topic');
    expect(await callError(client, 'git_add_worktree', { repository: repo.path, path: '../topic-3', branch: 'topic' })).toMatch(
      /Argument `branch`: that branch is checked out in another worktree/,
    );
    expect(await callError(client, 'git_add_worktree', { repository: repo.path, path: '../x', branch: 'nope' })).toMatch(
      /Argument `branch`: there is no local branch named "nope"/,
    );
    expect(
      await callError(client, 'git_add_worktree', { repository: repo.path, path: '../x', branch: '-b', create_branch: true }),
    ).toMatch(/Argument `branch`: .*may not start with "-"/);
    expect(await callError(client, 'git_add_worktree', { repository: repo.path, path: '../topic' })).toMatch(
      /Argument `path`: "..\/topic" already exists/,
    );
    await close();
  });

  it('keeps worktrees inside the allowed folders, symbolic links followed', async () => {
    await symlink(outside.path, path.join(parent.path, 'link-out'));
    const { client, close } = await connect(['--repository', repo.path, '--toolsets', 'default,workspace']);
    for (const where of ['../sibling', path.join(outside.path, 'wt'), '/tmp', '../link-out/wt', 'subdir/../../escape']) {
      expect(await callError(client, 'git_add_worktree', { path: where }), where).toMatch(
        /Argument `path`: .*(outside the allowed locations|does not exist)/,
      );
    }
    // A worktree someone made outside the allowed folders is listed, but never removed from here.
    await git(repo.path, 'worktree', 'add', '-q', '--detach', path.join(outside.path, 'theirs'));
    const listed = await callOk<{ worktrees: Array<{ path: string }> }>(client, 'git_worktrees', {});
    expect(listed.data.worktrees).toHaveLength(2);
    expect(await callError(client, 'git_remove_worktree', { path: path.join(outside.path, 'theirs') })).toMatch(
      /Argument `path`: .*outside the allowed locations/,
    );
    expect(await gone(path.join(outside.path, 'theirs'))).toBe(false);
    await close();
  });
});

describe('git_clean', () => {
  it('lists untracked files in a dry run, deletes nothing, and deletes exactly them when confirmed', async () => {
    await repo.write('notes.txt', 'n\n');
    await repo.write('odd "name".txt', 'q\n');
    await repo.write('tmp/inner.txt', 'i\n');
    await repo.write('build/out.js', 'o\n');
    await repo.write('debug.log', 'l\n');
    const { client, close } = await connect(['--repository', repo.path, '--toolsets', 'default,workspace']);
    const dry = await callOk<{ deleted: boolean; paths: string[]; confirm: string }>(client, 'git_clean', {});
    expect(dry.data.deleted).toBe(false);
    expect(dry.data.paths).toEqual(['notes.txt', 'odd "name".txt']);
    expect(dry.text).toMatch(/^Dry run: 2 untracked paths would be deleted; nothing was deleted\..*confirm="[0-9a-f]{16}"/);
    expect(await readFile(path.join(repo.path, 'notes.txt'), 'utf8')).toBe('n\n');

    const folders = await callOk<{ paths: string[]; confirm: string }>(client, 'git_clean', { directories: true });
    expect(folders.data.paths).toEqual(['notes.txt', 'odd "name".txt', 'tmp/']);
    // The confirmation of one dry run does not stand for another's list.
    expect(await callError(client, 'git_clean', { confirm: folders.data.confirm })).toMatch(
      /Argument `confirm`: does not match what git_clean would delete now, so nothing was deleted/,
    );
    const done = await callOk<{ deleted: boolean; paths: string[] }>(client, 'git_clean', {
      directories: true,
      confirm: folders.data.confirm,
    });
    expect(done.data).toEqual({ repository: repo.path, deleted: true, paths: ['notes.txt', 'odd "name".txt', 'tmp/'] });
    expect((await repo.git('status', '--porcelain', '--ignored')).trim().split('\n')).toEqual(['!! build/', '!! debug.log']);
    await close();
  });

  it('refuses a confirmation once the untracked files changed, and removes ignored files only when asked', async () => {
    await repo.write('notes.txt', 'n\n');
    await repo.write('debug.log', 'l\n');
    const { client, close } = await connect(['--repository', repo.path, '--toolsets', 'default,workspace']);
    const dry = await callOk<{ confirm: string }>(client, 'git_clean', {});
    await repo.write('arrived-later.txt', 'x\n');
    expect(await callError(client, 'git_clean', { confirm: dry.data.confirm })).toMatch(/Argument `confirm`: does not match/);
    expect(await gone(path.join(repo.path, 'notes.txt'))).toBe(false);
    const ignored = await callOk<{ paths: string[]; confirm: string }>(client, 'git_clean', {
      ignored: true,
      paths: ['debug.log'],
    });
    expect(ignored.data.paths).toEqual(['debug.log']);
    await callOk(client, 'git_clean', { ignored: true, paths: ['debug.log'], confirm: ignored.data.confirm });
    expect(await gone(path.join(repo.path, 'debug.log'))).toBe(true);
    expect(await gone(path.join(repo.path, 'arrived-later.txt'))).toBe(false);
    await close();
  });

  it('never deletes a nested repository or follows a path out of the repository', async () => {
    const nested = path.join(repo.path, 'vendor', 'lib');
    await mkdir(nested, { recursive: true });
    await git(nested, 'init', '-q');
    await writeFile(path.join(nested, 'keep.txt'), 'k\n');
    await symlink(outside.path, path.join(repo.path, 'out'));
    await writeFile(path.join(outside.path, 'precious.txt'), 'p\n');
    const { client, close } = await connect(['--repository', repo.path, '--toolsets', 'default,workspace']);
    const dry = await callOk<{ paths: string[]; confirm: string }>(client, 'git_clean', { directories: true });
    expect(dry.data.paths).toEqual(['out']);
    await callOk(client, 'git_clean', { directories: true, confirm: dry.data.confirm });
    expect(await readFile(path.join(nested, 'keep.txt'), 'utf8')).toBe('k\n');
    expect(await readFile(path.join(outside.path, 'precious.txt'), 'utf8')).toBe('p\n');
    await symlink(outside.path, path.join(repo.path, 'out'));
    expect(await callError(client, 'git_clean', { paths: ['out/precious.txt'] })).toMatch(
      /Argument `paths`: .*leads outside the repository/,
    );
    expect(await callError(client, 'git_clean', { paths: ['--force'] })).toMatch(/Argument `paths`: .*may not start with "-"/);
    await close();
  });

  it('is hidden by --read-only and absent without the workspace toolset', async () => {
    const plain = await connect(['--repository', repo.path]);
    expect((await plain.client.listTools()).tools.map((t) => t.name)).not.toContain('git_clean');
    await plain.close();
    const readOnly = await connect(['--repository', repo.path, '--toolsets', 'all', '--read-only']);
    const names = (await readOnly.client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('git_worktrees');
    expect(names).not.toContain('git_clean');
    expect(names).not.toContain('git_drop_stash');
    expect((await call(readOnly.client, 'git_clean', {})).isError).toBe(true);
    await readOnly.close();
  });
});

describe('stashes: apply, show and drop', () => {
  it('applies a stash keeping it, shows its diff and untracked files, and drops one by index', async () => {
    await repo.write('a.txt', 'changed\n');
    await repo.write('new.txt', 'untracked\n');
    await repo.git('stash', 'push', '-q', '--include-untracked', '-m', 'first');
    await repo.write('a.txt', 'second change\n');
    await repo.git('stash', 'push', '-q', '-m', 'second');
    const { client, close } = await connect(['--repository', repo.path, '--toolsets', 'default,workspace']);
    const shown = await callOk<{ files: Array<{ path: string; patch: string }>; untracked: string[] }>(client, 'git_stash', {
      action: 'show',
      index: 1,
    });
    expect(shown.data.files.map((f) => f.path)).toEqual(['a.txt']);
    expect(shown.data.untracked).toEqual(['new.txt']);
    expect(shown.text).toMatch(
      /^stash@\{1\} \(On main: first\) against the commit it was made on:\nAlso holds 1 untracked file: new\.txt\./,
    );
    expect(shown.text).toContain('+changed');

    const applied = await callOk<{ stashes: unknown[] }>(client, 'git_stash', { action: 'apply', index: 1 });
    expect(applied.data.stashes).toHaveLength(2);
    expect(await readFile(path.join(repo.path, 'a.txt'), 'utf8')).toBe('changed\n');
    expect(await readFile(path.join(repo.path, 'new.txt'), 'utf8')).toBe('untracked\n');

    const second = (await repo.git('rev-parse', 'stash@{0}')).trim();
    const dropped = await callOk<{ dropped: { commit: string; message: string }; stashes: Array<{ message: string }> }>(
      client,
      'git_drop_stash',
      { index: 0 },
    );
    expect(dropped.data.dropped).toMatchObject({ commit: second, message: 'On main: second' });
    expect(dropped.data.stashes.map((s) => s.message)).toEqual(['On main: first']);
    expect(await callError(client, 'git_drop_stash', { index: 5 })).toMatch(/Argument `index`: there is no stash 5/);
    await close();
  });
});

describe('git_init', () => {
  it('creates a repository in the init root that the other tools can use', async () => {
    const root = await tempDir();
    try {
      const { client, close } = await connect(['--init-root', root.path]);
      const made = await callOk<{ repository: string; branch: string }>(client, 'git_init', {
        path: 'service',
        initial_branch: 'trunk',
      });
      expect(made.data).toEqual({ repository: path.join(await realpath(root.path), 'service'), branch: 'trunk' });
      const status = await callOk<{ branch: string }>(client, 'git_status', { repository: made.data.repository });
      expect(status.data.branch).toBe('trunk');
      await close();
    } finally {
      await root.remove();
    }
  });

  it('refuses anywhere outside the init root, the root itself, a non-empty folder and a repository inside another', async () => {
    const root = await tempDir();
    try {
      await symlink(outside.path, path.join(root.path, 'link-out'));
      await git(root.path, 'init', '-q', 'existing');
      await mkdir(path.join(root.path, 'full'));
      await writeFile(path.join(root.path, 'full', 'f.txt'), 'f\n');
      const { client, close } = await connect(['--init-root', root.path, '--repository', repo.path]);
      for (const where of ['../escape', outside.path, repo.path, 'link-out/x', path.join(repo.path, 'nested')]) {
        expect(await callError(client, 'git_init', { path: where }), where).toMatch(
          /Argument `path`: .*(outside the allowed locations|does not exist)/,
        );
      }
      expect(await callError(client, 'git_init', { path: '.' })).toMatch(/Argument `path`: is the init root itself/);
      expect(await callError(client, 'git_init', { path: 'full' })).toMatch(/Argument `path`: "full" already exists/);
      expect(await callError(client, 'git_init', { path: 'existing/inner' })).toMatch(
        /Argument `path`: would be inside the repository at .*existing/,
      );
      expect(await callError(client, 'git_init', { path: 'x', initial_branch: '--bare' })).toMatch(
        /Argument `initial_branch`: .*may not start with "-"/,
      );
      expect(await gone(path.join(outside.path, 'x', '.git'))).toBe(true);
      expect(await gone(path.join(repo.path, 'nested'))).toBe(true);
      await close();
    } finally {
      await root.remove();
    }
  });

  it('is offered only when the operator names an init root or a clone root', async () => {
    const names = async (argv: string[]) => {
      const { client, close } = await connect(argv);
      const list = (await client.listTools()).tools.map((t) => t.name);
      await close();
      return list;
    };
    expect(await names(['--repository', repo.path])).not.toContain('git_init');
    expect(await names(['--init-root', parent.path])).toContain('git_init');
    expect(await names(['--clone-root', parent.path])).toContain('git_init');
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_init', { path: 'x' })).toMatch(/--init-root/);
    await close();
  });
});

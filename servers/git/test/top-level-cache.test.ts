import { mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { callError, callOk, git, type TempDir, tempDir } from '@patchbay/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TopLevelCache } from '../src/top-level-cache.js';
import { connect, repoWithIdentity } from './helpers.js';

/**
 * The repository a folder belongs to is found once and reused (no `git rev-parse` per call) only
 * while nothing git read to find it has changed: each change below must be noticed.
 */
let root: TempDir;
let repo: string;
beforeEach(async () => {
  root = await tempDir();
  const made = await repoWithIdentity({ parent: root.path });
  await made.commit('Outer', { 'a.txt': 'a\n', 'sub/deep/b.txt': 'b\n' });
  repo = await realpath(made.path);
});
afterEach(() => root.remove());

/** What git says for `dir`, as client.ts asks it. */
async function discover(dir: string) {
  const [top = '', gitDir = '', commonDir = ''] = (
    await git(dir, 'rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir')
  ).split('\n');
  return { top: await realpath(top), gitDir: await realpath(gitDir), commonDir: await realpath(path.resolve(dir, commonDir)) };
}

describe('TopLevelCache', () => {
  it('answers from memory while nothing changed, for the top level and a folder below it', async () => {
    const cache = new TopLevelCache();
    const sub = path.join(repo, 'sub', 'deep');
    await cache.remember(repo, await discover(repo));
    await cache.remember(sub, await discover(sub));
    expect((await cache.get(repo))?.top).toBe(repo);
    expect((await cache.get(sub))?.top).toBe(repo);
    expect(await cache.get(path.join(repo, 'sub'))).toBeUndefined();
  });

  it('forgets the answer when a nearer repository appears between the folder and the top level', async () => {
    const cache = new TopLevelCache();
    const sub = path.join(repo, 'sub', 'deep');
    await cache.remember(sub, await discover(sub));
    await git(path.join(repo, 'sub'), 'init', '-q');
    expect(await cache.get(sub)).toBeUndefined();
  });

  it('forgets it when .git goes, the folder is replaced, or the config is rewritten', async () => {
    const cache = new TopLevelCache();
    const sub = path.join(repo, 'sub');
    const remember = async () => {
      await cache.remember(repo, await discover(repo));
      await cache.remember(sub, await discover(sub));
      expect((await cache.get(repo))?.top).toBe(repo);
    };
    await remember();
    await git(repo, 'config', 'core.worktree', path.join(root.path));
    expect(await cache.get(repo)).toBeUndefined();
    await git(repo, 'config', '--unset', 'core.worktree');

    await remember();
    await rename(sub, `${sub}.old`);
    await mkdir(sub);
    expect(await cache.get(sub)).toBeUndefined();
    expect((await cache.get(repo))?.top).toBe(repo);

    await rename(path.join(repo, '.git'), path.join(repo, 'moved.git'));
    expect(await cache.get(repo)).toBeUndefined();
  });

  it('forgets it when a linked worktree’s .git file is rewritten', async () => {
    const cache = new TopLevelCache();
    const linked = path.join(root.path, 'linked');
    await git(repo, 'worktree', 'add', '-q', linked);
    const real = await realpath(linked);
    await cache.remember(real, await discover(real));
    expect((await cache.get(real))?.top).toBe(real);
    await writeFile(path.join(real, '.git'), `gitdir: ${path.join(repo, '.git')}\n`);
    expect(await cache.get(real)).toBeUndefined();
  });

  it('keeps at most its capacity, dropping the oldest', async () => {
    const cache = new TopLevelCache(1);
    const sub = path.join(repo, 'sub');
    await cache.remember(repo, await discover(repo));
    await cache.remember(sub, await discover(sub));
    expect(await cache.get(repo)).toBeUndefined();
    expect((await cache.get(sub))?.top).toBe(repo);
  });
});

describe('repository discovery through the tools, across changes', () => {
  it('acts on a repository made inside the folder after it was first used', async () => {
    const { client, close } = await connect(['--repository', root.path]);
    const sub = path.join(repo, 'sub');
    const before = await callOk<{ repository: string }>(client, 'git_status', { repository: sub });
    expect(before.data.repository).toBe(repo);
    await git(sub, 'init', '-q', '-b', 'inner');
    const after = await callOk<{ repository: string; branch: string }>(client, 'git_status', { repository: sub });
    expect(after.data).toMatchObject({ repository: sub, branch: 'inner' });
    await close();
  });

  it('refuses a work tree moved outside the allowed folder after it was first used', async () => {
    const outside = await tempDir();
    try {
      const { client, close } = await connect(['--repository', repo]);
      await callOk(client, 'git_status', {});
      await git(repo, 'config', 'core.worktree', outside.path);
      expect(await callError(client, 'git_status', {})).toMatch(/outside the allowed locations/);
      await close();
    } finally {
      await outside.remove();
    }
  });

  it('says a folder is no longer a repository once its .git is gone', async () => {
    const { client, close } = await connect(['--repository', repo]);
    await callOk(client, 'git_log', {});
    await rm(path.join(repo, '.git'), { recursive: true });
    expect(await callError(client, 'git_log', {})).toMatch(/is not inside a git repository/);
    await close();
  });
});

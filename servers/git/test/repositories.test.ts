import { access, mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { call, callError, callOk, type TempDir, type TempRepo, tempDir, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, repoWithIdentity } from './helpers.js';

/** Which repositories a call may reach: configured ones, the client's MCP roots, nothing else. */
let parent: TempDir;
let repo: TempRepo;
let sibling: TempRepo;
let elsewhere: TempRepo;
beforeAll(async () => {
  parent = await tempDir();
  repo = await repoWithIdentity({ parent: parent.path });
  sibling = await repoWithIdentity({ parent: parent.path });
  elsewhere = await repoWithIdentity();
  await repo.commit('In repo', { 'a.txt': 'a\n', 'sub/b.txt': 'b\n' });
  await sibling.commit('In sibling', { 's.txt': 's\n' });
  await elsewhere.commit('Elsewhere', { 'e.txt': 'e\n' });
  await mkdir(path.join(parent.path, 'plain-folder'));
  await symlink(elsewhere.path, path.join(parent.path, 'link-to-elsewhere'));
});
afterAll(async () => {
  await parent.remove();
  await elsewhere.remove();
});

const subjects = (data: { commits: Array<{ subject: string }> }) => data.commits.map((c) => c.subject);

describe('repository resolution', () => {
  it('explains how to configure a repository when none is', async () => {
    const { client, close } = await connect([]);
    const text = await callError(client, 'git_status', {});
    expect(text).toMatch(/no repository is configured/);
    expect(text).toMatch(/--repository <path>/);
    expect(text).toMatch(/MCP roots/);
    await close();
  });

  it("uses a repository inside the client's MCP roots when none is configured", async () => {
    const { client, close } = await connect([], { roots: [repo.path] });
    const log = await callOk<{ commits: Array<{ subject: string }> }>(client, 'git_log', {});
    expect(subjects(log.data)).toEqual(['In repo']);
    const inSub = await callOk<{ repository: string }>(client, 'git_status', { repository: path.join(repo.path, 'sub') });
    expect(inSub.data.repository).toBe(repo.path);
    expect(await callError(client, 'git_log', { repository: elsewhere.path })).toMatch(
      /Argument `repository`: .*outside the allowed locations/,
    );
    await close();
  });

  it('lets a root that holds several repositories reach each of them by path', async () => {
    const { client, close } = await connect([], { roots: [parent.path] });
    const one = await callOk<{ commits: Array<{ subject: string }> }>(client, 'git_log', { repository: repo.path });
    const two = await callOk<{ commits: Array<{ subject: string }> }>(client, 'git_log', {
      repository: path.relative(parent.path, sibling.path),
    });
    expect([subjects(one.data), subjects(two.data)]).toEqual([['In repo'], ['In sibling']]);
    expect(await callError(client, 'git_log', {})).toMatch(/is not inside a git repository/);
    expect(await callError(client, 'git_log', { repository: path.join(parent.path, 'plain-folder') })).toMatch(
      /Argument `repository`: .*is not inside a git repository.*\.git/,
    );
    await close();
  });

  it('requires the repository argument when several are configured', async () => {
    const { client, close } = await connect(['--repository', repo.path, '--repository', sibling.path]);
    const text = await callError(client, 'git_status', {});
    expect(text).toMatch(/Argument `repository`: is required when more than one repository is allowed/);
    expect(text).toContain(repo.path);
    await close();
  });

  it('refuses paths that escape with "..", absolute paths elsewhere and symbolic links out', async () => {
    const { client, close } = await connect(['--repository', parent.path]);
    const cases = [
      path.join(repo.path, '..', '..', path.basename(elsewhere.path)),
      `${repo.path}/../../${path.basename(path.dirname(elsewhere.path))}/${path.basename(elsewhere.path)}`,
      elsewhere.path,
      '/',
      path.join(parent.path, 'link-to-elsewhere'),
      path.join(parent.path, 'link-to-elsewhere', 'e.txt'),
    ];
    for (const repository of cases) {
      const text = await callError(client, 'git_log', { repository });
      expect(text, repository).toMatch(/^Argument `repository`: .*(outside the allowed locations|does not exist)/);
    }
    expect(await callError(client, 'git_log', { repository: 'repo\u0000x' })).toMatch(/NUL/);
    await close();
  });

  it('refuses a repository that starts above the allowed folder', async () => {
    const { client, close } = await connect(['--repository', path.join(repo.path, 'sub')]);
    expect(await callError(client, 'git_status', {})).toMatch(/starts at .*outside the allowed locations/);
    await close();
  });

  it("never opens a repository embedded in an allowed one's files, whose config could run programs", async () => {
    // Ordinary files any repository (or a clone) can carry: a git directory that is not named
    // .git, whose config names a work tree and an fsmonitor program git would run on status.
    const marker = `${repo.path}.pwned`;
    const carrier = await repoWithIdentity();
    try {
      await carrier.commit('Fixture', {
        'fixture/HEAD': 'ref: refs/heads/main\n',
        'fixture/config': `[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = w\n\tfsmonitor = "touch '${marker}'; false"\n`,
        'fixture/objects/.keep': '',
        'fixture/refs/.keep': '',
        'fixture/w/f.txt': 'f\n',
      });
      const { client, close } = await connect(['--repository', carrier.path]);
      for (const repository of ['fixture', 'fixture/w']) {
        for (const tool of ['git_status', 'git_log', 'git_diff']) {
          expect(await callError(client, tool, { repository }), `${tool} ${repository}`).toMatch(
            /Argument `repository`: .*is not inside a git repository/,
          );
        }
      }
      await expect(access(marker)).rejects.toThrow();
      await close();
    } finally {
      await rm(marker, { force: true });
      await carrier.remove();
    }
  });

  it('refuses to start with a configured folder or clone root that does not exist', async () => {
    await expect(connect(['--repository', path.join(parent.path, 'missing')])).rejects.toThrow(
      /--repository: ".*missing" is not a folder that exists/,
    );
    await expect(connect(['--clone-root', path.join(parent.path, 'missing-root')])).rejects.toThrow(
      /--clone-root: .*create it first/,
    );
  });

  it('answers a malformed argument with an error result, not a crash', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const outcome = await call(client, 'git_log', { max_count: 0 });
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toMatch(/max_count/);
    const wrongType = await call(client, 'git_diff', { paths: 'a.txt' });
    expect(wrongType.isError).toBe(true);
    expect(wrongType.text).toMatch(/paths/);
    await close();
  });

  it('says a repository without commits has none yet', async () => {
    const empty = await tempRepo();
    try {
      const { client, close } = await connect(['--repository', empty.path]);
      const log = await callOk<{ commits: unknown[] }>(client, 'git_log', {});
      expect(log.data.commits).toEqual([]);
      expect(await callError(client, 'git_show', {})).toMatch(/no commits yet/);
      const status = await callOk<{ branch: string }>(client, 'git_status', {});
      expect(status.data.branch).toBe('main');
      await close();
    } finally {
      await empty.remove();
    }
  });
});

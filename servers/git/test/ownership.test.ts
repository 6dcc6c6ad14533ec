import { execFileSync } from 'node:child_process';
import { chown, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { callError, callOk, type TempDir, type TempRepo, tempDir } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, repoWithIdentity } from './helpers.js';

/**
 * A repository that belongs to another user than the server's (a repository mounted into a
 * container): git refuses it for "dubious ownership". Made here by giving the repositories to
 * `nobody`, which needs root; elsewhere the tests are skipped, saying why.
 */
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  console.warn('ownership tests skipped: they give repositories to another user (uid 65534), which needs root');
}

async function giveAway(dir: string): Promise<void> {
  await chown(dir, NOBODY, NOBODY);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await giveAway(child);
    else await chown(child, NOBODY, NOBODY);
  }
}

describe.skipIf(!isRoot)('repositories owned by another user', () => {
  let folder: TempDir;
  let configured: TempRepo;
  let other: TempRepo;
  let inFolder: TempRepo;
  beforeAll(async () => {
    folder = await tempDir();
    configured = await repoWithIdentity();
    other = await repoWithIdentity();
    inFolder = await repoWithIdentity({ parent: folder.path });
    for (const repo of [configured, other, inFolder]) {
      await repo.commit('Mounted', { 'a.txt': 'a\n' });
      await repo.write('a.txt', 'changed\n');
      await giveAway(repo.path);
    }
    // The precondition: git itself refuses these repositories for this user.
    expect(() =>
      execFileSync('git', ['status'], {
        cwd: configured.path,
        stdio: 'pipe',
        env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
      }),
    ).toThrow(/dubious ownership/);
  });
  afterAll(async () => {
    await configured.remove();
    await other.remove();
    await folder.remove();
  });

  it('trusts a configured repository for exactly its path, reading and writing as usual', async () => {
    const { client, close } = await connect(['--repository', configured.path]);
    const status = await callOk<{ unstaged: Array<{ path: string }> }>(client, 'git_status', {});
    expect(status.data.unstaged.map((f) => f.path)).toEqual(['a.txt']);
    const log = await callOk<{ commits: Array<{ subject: string }> }>(client, 'git_log', {});
    expect(log.data.commits.map((c) => c.subject)).toEqual(['Mounted']);
    expect((await callOk<{ totals: { files: number } }>(client, 'git_diff', {})).data.totals.files).toBe(1);
    await callOk(client, 'git_add', { paths: ['a.txt'] });
    await callOk(client, 'git_commit', { message: 'Change a' });
    expect((await stat(path.join(configured.path, '.git'))).uid).toBe(NOBODY);
    await close();
  });

  it('trusts the repositories of a configured folder of repositories', async () => {
    const { client, close } = await connect(['--repository', folder.path]);
    const log = await callOk<{ commits: Array<{ subject: string }> }>(client, 'git_log', { repository: inFolder.path });
    expect(log.data.commits.map((c) => c.subject)).toEqual(['Mounted']);
    await close();
  });

  it("reports a client root's repository owned by another user as what it is, with the fix, on stderr too", async () => {
    const logs: string[] = [];
    const { client, close } = await connect(['--repository', configured.path], { roots: [other.path], logs });
    // Trusting the configured repository did not trust another one.
    expect((await callOk<{ branch: string }>(client, 'git_status', { repository: configured.path })).data.branch).toBe('main');
    const text = await callError(client, 'git_status', { repository: other.path });
    expect(text).toMatch(/^git refuses the repository at .+: it belongs to another user than the one this server runs as/);
    expect(text).toContain('dubious ownership');
    expect(text).toContain('--repository');
    expect(text).toContain(`git config --global --add safe.directory ${other.path}`);
    expect(text).not.toMatch(/not inside a git repository/);
    expect(logs.filter((line) => line.includes('dubious ownership'))).toHaveLength(1);
    // Said once on stderr, however often it is asked.
    await callError(client, 'git_log', { repository: other.path });
    expect(logs.filter((line) => line.includes('dubious ownership'))).toHaveLength(1);
    await close();
  });
});

import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { callError, callOk, type TempDir, type TempRepo, tempDir } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, repoWithIdentity } from './helpers.js';

interface ShowResult {
  commit?: { hash: string; parents: string[]; author: string; email: string; subject: string; body?: string };
  compared_with?: string;
  totals?: { files: number; additions: number; deletions: number };
  files?: Array<{ path: string; status: string; patch?: string }>;
  file?: {
    path: string;
    size: number;
    binary: boolean;
    symlink_to?: string;
    content?: string;
    start_line?: number;
    end_line?: number;
    total_lines?: number;
  };
  more?: { omitted: number; cursor?: string; hint: string };
}

describe('git_show', () => {
  let repo: TempRepo;
  let outside: TempDir;
  let root: string;
  let second: string;
  beforeAll(async () => {
    repo = await repoWithIdentity();
    outside = await tempDir();
    await writeFile(path.join(outside.path, 'secret.txt'), 'TOP-SECRET-CONTENT\n');
    root = await repo.commit('Initial import', { 'README.md': '# Demo\n', 'src/app.ts': 'export const version = 1;\n' });
    await symlink(path.join(outside.path, 'secret.txt'), path.join(repo.path, 'link-to-secret'));
    await repo.write('logo.png', '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000binary');
    second = await repo.commit('Bump version\n\nThe second release changes the version\nand adds a logo.', {
      'src/app.ts': 'export const version = 2;\n',
    });
    await repo.git('tag', '-a', 'v2', '-m', 'Release 2');
    // A merge commit: a side branch merged back into main.
    await repo.git('checkout', '-q', '-b', 'side');
    await repo.commit('Side work', { 'side.txt': 'side\n' });
    await repo.git('checkout', '-q', 'main');
    await repo.commit('Main work', { 'main.txt': 'main\n' });
    await repo.git(
      '-c',
      'user.name=Grace Hopper',
      '-c',
      'user.email=grace@example.com',
      'merge',
      '-q',
      '--no-ff',
      '-m',
      'Merge side',
      'side',
    );
  });
  afterAll(async () => {
    await repo.remove();
    await outside.remove();
  });

  it('shows a commit with its full message and its patch', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<ShowResult>(client, 'git_show', { revision: second });
    expect(result.data.commit).toMatchObject({
      hash: second,
      parents: [root],
      author: 'Ada Lovelace',
      subject: 'Bump version',
      body: 'The second release changes the version\nand adds a logo.',
    });
    expect(result.data.compared_with).toBe(`parent ${root.slice(0, 10)}`);
    expect(result.data.files?.map((f) => [f.path, f.status])).toEqual([
      ['link-to-secret', 'A'],
      ['logo.png', 'A'],
      ['src/app.ts', 'M'],
    ]);
    expect(result.text).toContain(`commit ${second}\n`);
    expect(result.text).toContain('    Bump version\n');
    expect(result.text).toContain('-export const version = 1;\n+export const version = 2;');
    // A binary file is described, a symbolic link shows where it points: the secret never appears.
    expect(result.text).toContain('Binary files /dev/null and b/logo.png differ');
    expect(result.text).not.toContain('TOP-SECRET');
    await close();
  });

  it('shows a root commit against nothing, a merge against its first parent, and follows a tag to its commit', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const first = await callOk<ShowResult>(client, 'git_show', { revision: root });
    expect(first.data.compared_with).toBe('nothing (root commit)');
    expect(first.data.files?.map((f) => f.status)).toEqual(['A', 'A']);
    const merge = await callOk<ShowResult>(client, 'git_show', {});
    expect(merge.data.commit?.parents).toHaveLength(2);
    expect(merge.data.compared_with).toMatch(/^first parent /);
    expect(merge.data.files?.map((f) => f.path)).toEqual(['side.txt']);
    const tagged = await callOk<ShowResult>(client, 'git_show', { revision: 'v2', stat_only: true });
    expect(tagged.data.commit?.hash).toBe(second);
    expect(tagged.data.files?.[0]?.patch).toBeUndefined();
    await close();
  });

  it('pages a big commit with a cursor and keeps the commit header on every page', async () => {
    const big = await repoWithIdentity();
    try {
      const files: Record<string, string> = {};
      for (let i = 0; i < 30; i++) files[`f${i}.txt`] = `content ${i}\n`.repeat(30);
      await big.commit('Thirty files', files);
      const { client, close } = await connect(['--repository', big.path, '--output-budget', '3000']);
      const first = await callOk<ShowResult>(client, 'git_show', {});
      expect(first.data.more?.cursor).toBeTruthy();
      const secondPage = await callOk<ShowResult>(client, 'git_show', { cursor: first.data.more?.cursor });
      expect(secondPage.data.commit?.subject).toBe('Thirty files');
      expect(secondPage.data.files?.[0]?.path).not.toBe(first.data.files?.[0]?.path);
      await close();
    } finally {
      await big.remove();
    }
  });

  it('shows a file as it was at a revision, from a start line', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const old = await callOk<ShowResult>(client, 'git_show', { revision: root, path: 'src/app.ts' });
    expect(old.data.file).toMatchObject({
      path: 'src/app.ts',
      binary: false,
      content: 'export const version = 1;',
      start_line: 1,
      end_line: 1,
      total_lines: 1,
    });
    expect(old.text).toBe(`src/app.ts at ${root}: lines 1–1 of 1 (26 B)\nexport const version = 1;`);
    expect(old.data.more).toBeUndefined();
    await close();
  });

  it('cuts a long file to the budget and says which start_line continues it', async () => {
    const big = await repoWithIdentity();
    try {
      const lines = Array.from({ length: 2000 }, (_, i) => `line number ${i + 1}`);
      await big.commit('Long', { 'long.txt': `${lines.join('\n')}\n`, 'min.js': `${'x'.repeat(50_000)}\nsecond line\n` });
      const { client, close } = await connect(['--repository', big.path, '--output-budget', '4096']);
      const first = await callOk<ShowResult>(client, 'git_show', { path: 'long.txt' });
      const end = first.data.file?.end_line as number;
      expect(end).toBeGreaterThan(50);
      expect(end).toBeLessThan(2000);
      expect(first.data.file?.total_lines).toBe(2000);
      expect(first.data.more?.hint).toContain(`start_line=${end + 1}`);
      expect(Buffer.byteLength(JSON.stringify(first.data))).toBeLessThanOrEqual(4096);
      const next = await callOk<ShowResult>(client, 'git_show', { path: 'long.txt', start_line: end + 1 });
      expect(next.data.file?.content?.split('\n')[0]).toBe(`line number ${end + 1}`);
      const minified = await callOk<ShowResult>(client, 'git_show', { path: 'min.js' });
      expect(minified.data.file?.content?.length).toBeGreaterThan(1000);
      expect(minified.data.more?.hint).toContain('start_line=2');
      expect(await callError(client, 'git_show', { path: 'long.txt', start_line: 5000 })).toMatch(
        /Argument `start_line`: is past the end/,
      );
      await close();
    } finally {
      await big.remove();
    }
  });

  it('describes binary files, folders and symbolic links instead of dumping or following them', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const logo = await callOk<ShowResult>(client, 'git_show', { path: 'logo.png' });
    expect(logo.data.file).toMatchObject({ binary: true });
    expect(logo.data.file?.content).toBeUndefined();
    expect(logo.text).toMatch(/binary file of \d+ B; its content is not shown/);
    const link = await callOk<ShowResult>(client, 'git_show', { path: 'link-to-secret' });
    expect(link.data.file?.symlink_to).toBe(path.join(outside.path, 'secret.txt'));
    expect(link.text).not.toContain('TOP-SECRET');
    const folder = await callOk<ShowResult>(client, 'git_show', { path: 'src' });
    expect(folder.text).toContain('is a folder');
    await close();
  });

  it('rejects bad arguments with errors naming them', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_show', { path: 'missing.txt' })).toMatch(
      /Argument `path`: "missing.txt" does not exist at HEAD/,
    );
    expect(await callError(client, 'git_show', { path: '../../etc/passwd' })).toMatch(/Argument `path`/);
    expect(await callError(client, 'git_show', { path: '/etc/passwd' })).toMatch(/Argument `path`/);
    expect(await callError(client, 'git_show', { path: '.git/config' })).toMatch(/Argument `path`: .*inside \.git/);
    expect(await callError(client, 'git_show', { revision: '--output=/tmp/x' })).toMatch(
      /Argument `revision`: .*may not start with "-"/,
    );
    expect(await callError(client, 'git_show', { revision: 'HEAD~1..HEAD' })).toMatch(/Argument `revision`: .*is a range/);
    expect(await callError(client, 'git_show', { revision: 'no-such-ref' })).toMatch(
      /Argument `revision`: "no-such-ref" is not a revision/,
    );
    expect(await callError(client, 'git_show', { revision: 'no-such-ref', path: 'README.md' })).toMatch(/Argument `revision`/);
    await close();
  });
});

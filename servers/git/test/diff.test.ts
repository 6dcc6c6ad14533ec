import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { callError, callOk, type TempDir, type TempRepo, tempDir } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, repoWithIdentity } from './helpers.js';

interface DiffFile {
  path: string;
  old_path?: string;
  status: string;
  additions: number;
  deletions: number;
  binary?: boolean;
  patch?: string;
  from_line?: number;
  cut?: boolean;
}
interface DiffResult {
  compared: string;
  totals: { files: number; additions: number; deletions: number };
  files: DiffFile[];
  more?: { omitted: number; cursor?: string; hint: string };
}

describe('git_diff', () => {
  let repo: TempRepo;
  let outside: TempDir;
  let base: string;
  beforeAll(async () => {
    repo = await repoWithIdentity();
    outside = await tempDir();
    base = await repo.commit('Base', {
      'a.txt': 'one\ntwo\nthree\nfour\nfive\nsix\nseven\n',
      'docs/guide.md': '# Guide\n',
      'old-name.txt': 'stays the same\nacross the rename\n',
    });
    await repo.commit('Second', { 'a.txt': 'one\ntwo\nTHREE\nfour\nfive\nsix\nseven\n', 'b.txt': 'b\n' });
    // Working tree: one staged change, one unstaged change.
    await repo.write('docs/guide.md', '# Guide\nStaged line\n');
    await repo.git('add', 'docs/guide.md');
    await repo.write('a.txt', 'one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\n');
  });
  afterAll(async () => {
    await repo.remove();
    await outside.remove();
  });

  it('shows unstaged changes as a raw unified diff in the text and per-file patches in the data', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<DiffResult>(client, 'git_diff', {});
    expect(result.data.compared).toContain('unstaged');
    expect(result.data.totals).toEqual({ files: 1, additions: 1, deletions: 0 });
    expect(result.data.files).toHaveLength(1);
    expect(result.data.files[0]).toMatchObject({ path: 'a.txt', status: 'M', additions: 1, deletions: 0 });
    expect(result.data.files[0]?.patch).toContain('@@');
    // The text is the patch itself, not JSON with escaped newlines.
    expect(result.text).toContain('diff --git a/a.txt b/a.txt\n');
    expect(result.text).toContain('\n+eight');
    expect(result.text).not.toContain('\\n');
    await close();
  });

  it('shows staged changes only with staged=true', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<DiffResult>(client, 'git_diff', { staged: true });
    expect(result.data.files.map((f) => f.path)).toEqual(['docs/guide.md']);
    expect(result.text).toContain('+Staged line');
    await close();
  });

  it('compares the working tree with a revision, and two commits with a range', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const againstBase = await callOk<DiffResult>(client, 'git_diff', { revision: base, stat_only: true });
    expect(againstBase.data.files.map((f) => f.path).sort()).toEqual(['a.txt', 'b.txt', 'docs/guide.md']);
    const range = await callOk<DiffResult>(client, 'git_diff', { revision: `${base}..HEAD` });
    expect(range.data.files.map((f) => f.path)).toEqual(['a.txt', 'b.txt']);
    expect(range.text).toContain('+THREE');
    expect(range.text).not.toContain('+eight');
    const symmetric = await callOk<DiffResult>(client, 'git_diff', { revision: 'HEAD~1...HEAD', stat_only: true });
    expect(symmetric.data.totals.files).toBe(2);
    await close();
  });

  it('limits the diff to paths and honours context_lines', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const filtered = await callOk<DiffResult>(client, 'git_diff', { revision: base, paths: ['docs'] });
    expect(filtered.data.files.map((f) => f.path)).toEqual(['docs/guide.md']);
    const wide = await callOk<DiffResult>(client, 'git_diff', { revision: `${base}..HEAD`, paths: ['a.txt'], context_lines: 3 });
    const narrow = await callOk<DiffResult>(client, 'git_diff', {
      revision: `${base}..HEAD`,
      paths: ['a.txt'],
      context_lines: 0,
    });
    expect(wide.data.files[0]?.patch).toContain('\n two\n');
    expect(narrow.data.files[0]?.patch).not.toContain('\n two\n');
    expect(narrow.data.files[0]?.patch).toContain('@@ -3 +3 @@');
    await close();
  });

  it('lists files with counts only when stat_only is set', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<DiffResult>(client, 'git_diff', { revision: `${base}..HEAD`, stat_only: true });
    expect(result.data.files).toEqual([
      { path: 'a.txt', status: 'M', additions: 1, deletions: 1 },
      { path: 'b.txt', status: 'A', additions: 1, deletions: 0 },
    ]);
    expect(result.text).toContain('A b.txt  +1 −0');
    await close();
  });

  it('describes binary files and renames instead of dumping them', async () => {
    const other = await repoWithIdentity();
    try {
      await other.commit('Start', { 'old-name.txt': 'stays the same\nacross the rename\nand more\n' });
      await other.write('image.bin', '\u0000\u0001\u0002binary\u0000data');
      await other.git('mv', 'old-name.txt', 'new-name.txt');
      await other.git('add', 'image.bin');
      const { client, close } = await connect(['--repository', other.path]);
      const result = await callOk<DiffResult>(client, 'git_diff', { staged: true });
      const image = result.data.files.find((f) => f.path === 'image.bin');
      expect(image).toMatchObject({ status: 'A', binary: true, additions: 0 });
      expect(image?.patch).toContain('Binary files');
      expect(result.data.files.find((f) => f.path === 'new-name.txt')).toMatchObject({ status: 'R', old_path: 'old-name.txt' });
      await close();
    } finally {
      await other.remove();
    }
  });

  it('shows a conflicted file once, as its combined diff, during a merge', async () => {
    const merging = await repoWithIdentity();
    try {
      await merging.commit('Base', { 'a.txt': 'one\ntwo\n', 'b.txt': 'b\n', 'c.txt': 'c\n' });
      await merging.git('switch', '-q', '-c', 'side');
      await merging.commit('Side', { 'a.txt': 'one\nSIDE\n' });
      await merging.git('switch', '-q', 'main');
      await merging.commit('Main', { 'a.txt': 'one\nMAIN\n' });
      await merging.git('merge', '-q', 'side').catch(() => undefined);
      await merging.write('b.txt', 'b changed\n');
      await merging.write('c.txt', 'c staged\n');
      await merging.git('add', 'c.txt');
      const { client, close } = await connect(['--repository', merging.path]);
      const unstaged = await callOk<DiffResult>(client, 'git_diff', {});
      expect(unstaged.data.files.map((f) => [f.path, f.status])).toEqual([
        ['a.txt', 'U'],
        ['b.txt', 'M'],
      ]);
      expect(unstaged.data.files[0]?.patch).toMatch(/^diff --cc a.txt\n[\s\S]*\+\+<<<<<<< HEAD/);
      const staged = await callOk<DiffResult>(client, 'git_diff', { staged: true });
      expect(staged.data.files.map((f) => [f.path, f.status, f.patch?.split('\n')[0]])).toEqual([
        ['a.txt', 'U', '* Unmerged path a.txt'],
        ['c.txt', 'M', 'diff --git a/c.txt b/c.txt'],
      ]);
      await close();
    } finally {
      await merging.remove();
    }
  });

  it('pages a long diff by file with a cursor, each page within the budget, losing nothing', async () => {
    const big = await repoWithIdentity();
    try {
      const files: Record<string, string> = {};
      for (let i = 0; i < 40; i++) files[`src/file-${String(i).padStart(2, '0')}.txt`] = `${'original line\n'.repeat(20)}`;
      await big.commit('Many files', files);
      for (const name of Object.keys(files)) await big.write(name, `${'changed line\n'.repeat(20)}`);
      const expected = await big.git('diff', '--no-color');
      const { client, close } = await connect(['--repository', big.path, '--output-budget', '4096']);
      const patches: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await callOk<DiffResult>(client, 'git_diff', cursor ? { cursor } : {});
        expect(Buffer.byteLength(JSON.stringify(page.data))).toBeLessThanOrEqual(4096);
        expect(page.data.totals.files).toBe(40);
        for (const f of page.data.files) patches.push(f.from_line ? `\n${f.patch}` : `${patches.length ? '\n' : ''}${f.patch}`);
        cursor = page.data.more?.cursor;
        if (cursor) expect(page.text).toContain(`cursor: ${cursor}`);
        pages++;
      } while (cursor && pages < 100);
      expect(pages).toBeGreaterThan(3);
      expect(`${patches.join('')}\n`).toBe(expected);
      await close();
    } finally {
      await big.remove();
    }
  });

  it('continues one file bigger than the budget across pages from the line where it stopped', async () => {
    const big = await repoWithIdentity();
    try {
      const lines = Array.from({ length: 600 }, (_, i) => `line ${i} of a long file`);
      await big.commit('Long file', { 'long.txt': `${lines.join('\n')}\n` });
      await big.write('long.txt', `${lines.map((l, i) => (i % 3 === 0 ? `${l} (edited)` : l)).join('\n')}\n`);
      const expected = await big.git('diff', '--no-color');
      const { client, close } = await connect(['--repository', big.path, '--output-budget', '4096']);
      let patch = '';
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await callOk<DiffResult>(client, 'git_diff', cursor ? { cursor } : {});
        const file = page.data.files[0] as DiffFile;
        if (pages > 0) expect(file.from_line).toBeGreaterThan(1);
        patch += (pages > 0 ? '\n' : '') + file.patch;
        cursor = page.data.more?.cursor;
        if (cursor) expect(file.cut).toBe(true);
        pages++;
      } while (cursor && pages < 200);
      expect(pages).toBeGreaterThan(3);
      expect(`${patch}\n`).toBe(expected);
      await close();
    } finally {
      await big.remove();
    }
  });

  it('refuses a cursor made for other arguments, and a cursor it did not make', async () => {
    const big = await repoWithIdentity();
    try {
      const files: Record<string, string> = {};
      for (let i = 0; i < 10; i++) files[`f${i}.txt`] = 'x\n'.repeat(200);
      await big.commit('Files', files);
      for (const name of Object.keys(files)) await big.write(name, 'y\n'.repeat(200));
      const { client, close } = await connect(['--repository', big.path, '--output-budget', '2048']);
      const first = await callOk<DiffResult>(client, 'git_diff', {});
      const cursor = first.data.more?.cursor as string;
      expect(cursor).toBeTruthy();
      expect(await callError(client, 'git_diff', { cursor, context_lines: 1 })).toMatch(
        /Argument `cursor`: belongs to a git_diff call with different arguments/,
      );
      expect(await callError(client, 'git_diff', { cursor: 'not-a-cursor' })).toMatch(
        /Argument `cursor`: is not a cursor this tool returned/,
      );
      await close();
    } finally {
      await big.remove();
    }
  });

  it('rejects bad arguments with errors naming them', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_diff', { revision: '--output=/tmp/x' })).toMatch(
      /Argument `revision`: .*may not start with "-"/,
    );
    expect(await callError(client, 'git_diff', { revision: 'nope-branch' })).toMatch(
      /Argument `revision`: "nope-branch" is not a revision/,
    );
    expect(await callError(client, 'git_diff', { revision: 'HEAD~1..HEAD', staged: true })).toMatch(/Argument `staged`/);
    expect(await callError(client, 'git_diff', { paths: ['../outside'] })).toMatch(/Argument `paths`: .*without "\.\."/);
    expect(await callError(client, 'git_diff', { paths: ['/etc/passwd'] })).toMatch(/Argument `paths`/);
    expect(await callError(client, 'git_diff', { paths: ['--cached'] })).toMatch(/Argument `paths`: .*may not start with "-"/);
    await close();
  });

  it('refuses a path that leads out of the repository through a symbolic link', async () => {
    await symlink(outside.path, path.join(repo.path, 'escape'));
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_diff', { paths: ['escape/secret.txt'] })).toMatch(
      /Argument `paths`: .*leads outside the repository/,
    );
    await close();
  });
});

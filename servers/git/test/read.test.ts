import { access, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { callError, callOk, type TempDir, type TempRepo, tempDir, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, repoWithIdentity } from './helpers.js';

let repo: TempRepo;
let outside: TempDir;
let first: string;
let second: string;
beforeAll(async () => {
  repo = await repoWithIdentity();
  outside = await tempDir();
  await writeFile(path.join(outside.path, 'secret.txt'), 'TOP-SECRET needle\n');
  first = await repo.commit(
    'Create app',
    { 'src/app.ts': 'const a = 1;\nconst b = 2;\nconst c = 3;\n', 'README.md': '# needle in a haystack\n' },
    '2024-01-01T10:00:00Z',
  );
  await symlink(path.join(outside.path, 'secret.txt'), path.join(repo.path, 'secret-link'));
  await symlink(outside.path, path.join(repo.path, 'outside-dir'));
  second = await repo.commit(
    'Change b',
    {
      'src/app.ts': 'const a = 1;\nconst b = 20; // needle\nconst c = 3;\n',
      'src/util/strings.ts': 'export const needle = "--output=x";\n',
    },
    '2024-02-01T10:00:00Z',
  );
  await repo.git('tag', 'v1', first);
  await repo.git('tag', '-a', 'v2', '-m', 'Second release', second);
  await repo.git('branch', 'feature/login', first);
  await repo.git('branch', 'hotfix', second);
  // Uncommitted work for blame to see.
  await repo.write('src/app.ts', 'const a = 1;\nconst b = 20; // needle\nconst c = 30;\n');
});
afterAll(async () => {
  await repo.remove();
  await outside.remove();
});

interface Blame {
  path: string;
  ranges: Array<{
    commit: string;
    author: string;
    date: string;
    summary: string;
    start_line: number;
    end_line: number;
    content: string;
  }>;
  more?: { hint: string };
}

describe('git_blame', () => {
  it('groups lines by the commit that last changed them, uncommitted lines included', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<Blame>(client, 'git_blame', { path: 'src/app.ts' });
    expect(result.data.ranges.map((r) => [r.commit.slice(0, 7), r.start_line, r.end_line, r.summary])).toEqual([
      [first.slice(0, 7), 1, 1, 'Create app'],
      [second.slice(0, 7), 2, 2, 'Change b'],
      ['0000000', 3, 3, 'Version of src/app.ts from src/app.ts'],
    ]);
    expect(result.data.ranges[0]).toMatchObject({
      author: 'Ada Lovelace',
      date: '2024-01-01T10:00:00Z',
      content: 'const a = 1;',
    });
    expect(result.data.ranges[2]?.author).toBe('Not committed yet');
    expect(result.text).toContain(`${first.slice(0, 10)} 2024-01-01 Ada Lovelace: Create app\n    1  const a = 1;`);
    expect(result.text).toContain('uncommitted\n    3  const c = 30;');
    await close();
  });

  it('blames a line range as of a revision', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<Blame>(client, 'git_blame', { path: 'src/app.ts', revision: second, start_line: 2, end_line: 3 });
    expect(result.data.ranges.map((r) => [r.start_line, r.end_line, r.content])).toEqual([
      [2, 2, 'const b = 20; // needle'],
      [3, 3, 'const c = 3;'],
    ]);
    await close();
  });

  it("shows a file's own lines and runs no textconv program the repository configures", async () => {
    const conv = await repoWithIdentity();
    try {
      // A textconv driver rewrites what diff-like commands show; blame applies it by default.
      await conv.git('config', 'diff.shout.textconv', `sh -c 'touch "${conv.path}.ran"; tr a-z A-Z < "$0"'`);
      await conv.commit('Notes', { '.gitattributes': '*.txt diff=shout\n', 'notes.txt': 'quiet words\n' });
      const { client, close } = await connect(['--repository', conv.path]);
      for (const revision of [undefined, 'HEAD']) {
        const result = await callOk<Blame>(client, 'git_blame', { path: 'notes.txt', ...(revision ? { revision } : {}) });
        expect(result.data.ranges.map((r) => r.content)).toEqual(['quiet words']);
      }
      await expect(access(`${conv.path}.ran`)).rejects.toThrow();
      await close();
    } finally {
      await rm(`${conv.path}.ran`, { force: true });
      await conv.remove();
    }
  });

  it('cuts a long blame to the budget and continues with a cursor where it stopped, losing no line', async () => {
    const big = await repoWithIdentity();
    try {
      await big.commit('Long', { 'long.txt': Array.from({ length: 1500 }, (_, i) => `line ${i}`).join('\n') });
      await big.commit('Edit every other line', {
        'long.txt': Array.from({ length: 1500 }, (_, i) => (i % 2 ? `line ${i} edited` : `line ${i}`)).join('\n'),
      });
      await big.commit('One author', { 'one.txt': Array.from({ length: 1200 }, (_, i) => `same commit ${i}`).join('\n') });
      const { client, close } = await connect(['--repository', big.path, '--output-budget', '4096']);
      for (const [file, lines] of [
        ['long.txt', 1500],
        ['one.txt', 1200],
      ] as const) {
        const seen: number[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const result = await callOk<Blame & { more?: { cursor?: string } }>(client, 'git_blame', {
            path: file,
            ...(cursor ? { cursor } : {}),
          });
          expect(Buffer.byteLength(JSON.stringify(result.data))).toBeLessThanOrEqual(4096);
          expect(Buffer.byteLength(result.text)).toBeLessThanOrEqual(4096);
          const first = result.data.ranges[0]?.start_line as number;
          // Each page starts where the previous one stopped.
          expect(first).toBe((seen.at(-1) ?? 0) + 1);
          for (const r of result.data.ranges) for (let n = r.start_line; n <= r.end_line; n++) seen.push(n);
          cursor = result.data.more?.cursor;
          if (cursor) expect(result.text).toMatch(/more groups? of lines not shown \(output budget\)/);
          pages++;
        } while (cursor && pages < 100);
        expect(pages, file).toBeGreaterThan(2);
        expect(seen, file).toEqual(Array.from({ length: lines }, (_, i) => i + 1));
      }
      await close();
    } finally {
      await big.remove();
    }
  });

  it('rejects bad arguments and paths that leave the repository', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_blame', { path: 'nope.ts', revision: 'HEAD' })).toMatch(
      /Argument `path`: "nope.ts" does not exist/,
    );
    expect(await callError(client, 'git_blame', { path: 'src/app.ts', start_line: 99 })).toMatch(
      /Argument `start_line`: is past the end/,
    );
    expect(await callError(client, 'git_blame', { path: 'src/app.ts', start_line: 3, end_line: 2 })).toMatch(
      /Argument `end_line`/,
    );
    expect(await callError(client, 'git_blame', { path: 'src/app.ts', revision: '-L1,2' })).toMatch(
      /Argument `revision`: .*may not start with "-"/,
    );
    expect(await callError(client, 'git_blame', { path: '--contents=/etc/passwd' })).toMatch(
      /Argument `path`: .*may not start with "-"/,
    );
    expect(await callError(client, 'git_blame', { path: '../../../etc/passwd' })).toMatch(/Argument `path`/);
    expect(await callError(client, 'git_blame', { path: 'secret-link' })).toMatch(
      /Argument `path`: .*leads outside the repository/,
    );
    expect(await callError(client, 'git_blame', { path: 'outside-dir/secret.txt' })).toMatch(
      /Argument `path`: .*leads outside the repository/,
    );
    await close();
  });
});

describe('git_branches and git_tags', () => {
  let remote: TempRepo;
  let clone: TempRepo;
  beforeAll(async () => {
    remote = await tempRepo({ bare: true });
    await repo.git('remote', 'add', 'origin', remote.path);
    await repo.git('push', '-q', 'origin', 'main', 'hotfix');
    await repo.git('branch', '--set-upstream-to=origin/main', 'main');
    clone = await repoWithIdentity();
  });
  afterAll(async () => {
    await remote.remove();
    await clone.remove();
  });

  interface Branches {
    current: string | null;
    branches: Array<{
      name: string;
      current?: boolean;
      remote?: boolean;
      upstream?: string;
      ahead?: number;
      behind?: number;
      commit: string;
      subject: string;
    }>;
    more?: { omitted: number };
  }

  it('lists local branches with the current one marked and upstream ahead/behind', async () => {
    await repo.commit('Local only', { 'local.txt': 'x\n' });
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<Branches>(client, 'git_branches', {});
    expect(result.data.current).toBe('main');
    expect(result.data.branches.map((b) => b.name).sort()).toEqual(['feature/login', 'hotfix', 'main']);
    expect(result.data.branches.find((b) => b.name === 'main')).toMatchObject({
      current: true,
      upstream: 'origin/main',
      ahead: 1,
      behind: 0,
      subject: 'Local only',
    });
    expect(result.text).toMatch(/^\* main [0-9a-f]{10} \[origin\/main: ahead 1, behind 0\]/m);
    await close();
  });

  it('lists remote-tracking branches, filters by name and honours max_count', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const remotes = await callOk<Branches>(client, 'git_branches', { scope: 'remote' });
    expect(remotes.data.branches.map((b) => b.name).sort()).toEqual(['origin/hotfix', 'origin/main']);
    expect(remotes.data.branches.every((b) => b.remote)).toBe(true);
    const filtered = await callOk<Branches>(client, 'git_branches', { scope: 'all', contains: 'HOT' });
    expect(filtered.data.branches.map((b) => b.name).sort()).toEqual(['hotfix', 'origin/hotfix']);
    const limited = await callOk<Branches>(client, 'git_branches', { scope: 'all', max_count: 2 });
    expect(limited.data.branches).toHaveLength(2);
    expect(limited.data.more?.omitted).toBe(3);
    await close();
  });

  it('reports a detached HEAD as no current branch', async () => {
    await clone.commit('One', { 'a.txt': 'a\n' });
    await clone.commit('Two', { 'a.txt': 'b\n' });
    await clone.git('checkout', '-q', '--detach', 'HEAD~1');
    const { client, close } = await connect(['--repository', clone.path]);
    const result = await callOk<Branches>(client, 'git_branches', {});
    expect(result.data.current).toBeNull();
    expect(result.data.branches.some((b) => b.current)).toBe(false);
    await close();
  });

  it('lists tags newest first, telling annotated from lightweight', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<{ tags: Array<{ name: string; commit: string; annotated: boolean; subject: string }> }>(
      client,
      'git_tags',
      {},
    );
    expect(result.data.tags.map((t) => t.name)).toContain('v1');
    const v2 = result.data.tags.find((t) => t.name === 'v2');
    expect(v2).toMatchObject({ commit: second, annotated: true, subject: 'Second release' });
    expect(result.data.tags.find((t) => t.name === 'v1')).toMatchObject({
      commit: first,
      annotated: false,
      subject: 'Create app',
    });
    const filtered = await callOk<{ tags: Array<{ name: string }> }>(client, 'git_tags', { contains: 'v2' });
    expect(filtered.data.tags.map((t) => t.name)).toEqual(['v2']);
    await close();
  });
});

interface Grep {
  matches: Array<{ path: string; line: number; text: string }>;
  more?: { cursor?: string };
}

describe('git_grep', () => {
  it('finds lines in the working tree with path and line number', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<Grep>(client, 'git_grep', { pattern: 'needle' });
    expect(result.data.matches).toEqual([
      { path: 'README.md', line: 1, text: '# needle in a haystack' },
      { path: 'src/app.ts', line: 2, text: 'const b = 20; // needle' },
      { path: 'src/util/strings.ts', line: 1, text: 'export const needle = "--output=x";' },
    ]);
    expect(result.text).toContain('src/app.ts\n     2: const b = 20; // needle');
    // Symbolic links are not followed: the outside file's "needle" never shows.
    expect(result.text).not.toContain('TOP-SECRET');
    await close();
  });

  it('searches at a revision, in paths, case-insensitively or as fixed text', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const atFirst = await callOk<Grep>(client, 'git_grep', { pattern: 'needle', revision: first });
    expect(atFirst.data.matches.map((m) => m.path)).toEqual(['README.md']);
    const inSrc = await callOk<Grep>(client, 'git_grep', { pattern: 'NEEDLE', ignore_case: true, paths: ['src'] });
    expect(inSrc.data.matches.map((m) => m.path)).toEqual(['src/app.ts', 'src/util/strings.ts']);
    const fixed = await callOk<Grep>(client, 'git_grep', { pattern: 'b = 20;', fixed_strings: true });
    expect(fixed.data.matches).toHaveLength(1);
    const regex = await callOk<Grep>(client, 'git_grep', { pattern: 'const [ab] = [0-9]+;' });
    expect(regex.data.matches).toHaveLength(2);
    expect((await callOk<Grep>(client, 'git_grep', { pattern: 'no such text anywhere' })).text).toBe('No matches.');
    await close();
  });

  it('treats a pattern that looks like an option as text to find, never as an option', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<Grep>(client, 'git_grep', { pattern: '--output=x', fixed_strings: true });
    expect(result.data.matches.map((m) => m.path)).toEqual(['src/util/strings.ts']);
    const dashed = await callOk<Grep>(client, 'git_grep', { pattern: '-e' });
    expect(dashed.data.matches).toEqual([]);
    await close();
  });

  it('stops at max_matches and continues with a cursor', async () => {
    const big = await repoWithIdentity();
    try {
      await big.commit('Many', { 'many.txt': Array.from({ length: 50 }, (_, i) => `match ${i}`).join('\n') });
      const { client, close } = await connect(['--repository', big.path]);
      const page1 = await callOk<Grep>(client, 'git_grep', { pattern: 'match', max_matches: 20 });
      expect(page1.data.matches).toHaveLength(20);
      expect(page1.text).toContain('… 30 more matching lines not shown (max_matches=20).');
      const page2 = await callOk<Grep>(client, 'git_grep', {
        pattern: 'match',
        max_matches: 20,
        cursor: page1.data.more?.cursor,
      });
      expect(page2.data.matches[0]?.text).toBe('match 20');
      const page3 = await callOk<Grep>(client, 'git_grep', {
        pattern: 'match',
        max_matches: 20,
        cursor: page2.data.more?.cursor,
      });
      expect(page3.data.matches).toHaveLength(10);
      expect(page3.data.more).toBeUndefined();
      expect(await callError(client, 'git_grep', { pattern: 'other', cursor: page1.data.more?.cursor })).toMatch(
        /Argument `cursor`/,
      );
      await close();
    } finally {
      await big.remove();
    }
  });

  it('rejects bad arguments with errors naming them', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_grep', { pattern: 'a(' })).toMatch(
      /Argument `pattern`: is not a valid extended regular expression/,
    );
    expect(await callError(client, 'git_grep', { pattern: 'a\nb' })).toMatch(/Argument `pattern`/);
    expect(await callError(client, 'git_grep', { pattern: 'x', revision: '--open-files-in-pager=touch /tmp/p' })).toMatch(
      /Argument `revision`/,
    );
    expect(await callError(client, 'git_grep', { pattern: 'x', paths: ['-O'] })).toMatch(/Argument `paths`/);
    expect(await callError(client, 'git_grep', { pattern: 'x', paths: ['outside-dir'] })).toMatch(
      /Argument `paths`: .*leads outside/,
    );
    expect(await callError(client, 'git_grep', { pattern: 'x', revision: 'nope' })).toMatch(
      /Argument `revision`: "nope" is not a revision/,
    );
    await close();
  });
});

interface Files {
  total: number;
  entries: Array<{ path: string; type: string; size?: number }>;
  more?: { cursor?: string; omitted: number };
}

describe('git_files', () => {
  it('lists every file at a revision, with symlinks marked', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<Files>(client, 'git_files', { revision: second });
    expect(result.data.entries.map((e) => [e.path, e.type])).toEqual([
      ['README.md', 'file'],
      ['outside-dir', 'symlink'],
      ['secret-link', 'symlink'],
      ['src/app.ts', 'file'],
      ['src/util/strings.ts', 'file'],
    ]);
    expect(result.data.entries[0]?.size).toBe(23);
    expect(result.data.total).toBe(5);
    await close();
  });

  it('lists one folder, recursively or one level with its subfolders', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const deep = await callOk<Files>(client, 'git_files', { path: 'src' });
    expect(deep.data.entries.map((e) => e.path)).toEqual(['src/app.ts', 'src/util/strings.ts']);
    const shallow = await callOk<Files>(client, 'git_files', { path: 'src/', recursive: false });
    expect(shallow.data.entries.map((e) => [e.path, e.type])).toEqual([
      ['src/app.ts', 'file'],
      ['src/util', 'folder'],
    ]);
    expect(shallow.text).toContain('src/util/');
    const top = await callOk<Files>(client, 'git_files', { recursive: false, revision: first });
    expect(top.data.entries.map((e) => e.path)).toEqual(['README.md', 'src']);
    await close();
  });

  it('pages a large tree with a cursor, losing nothing', async () => {
    const big = await repoWithIdentity();
    try {
      const files: Record<string, string> = {};
      for (let i = 0; i < 120; i++) files[`dir/file-${String(i).padStart(3, '0')}.txt`] = `${i}\n`;
      await big.commit('Many files', files);
      const { client, close } = await connect(['--repository', big.path, '--output-budget', '1024']);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await callOk<Files>(client, 'git_files', cursor ? { cursor } : {});
        expect(page.data.total).toBe(120);
        seen.push(...page.data.entries.map((e) => e.path));
        cursor = page.data.more?.cursor;
        pages++;
      } while (cursor && pages < 50);
      expect(pages).toBeGreaterThan(3);
      expect(seen).toEqual(Object.keys(files));
      await close();
    } finally {
      await big.remove();
    }
  });

  it('rejects bad arguments with errors naming them', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_files', { path: 'nothing-here' })).toMatch(
      /Argument `path`: "nothing-here" is not a folder/,
    );
    expect(await callError(client, 'git_files', { revision: '--output=x' })).toMatch(/Argument `revision`/);
    expect(await callError(client, 'git_files', { path: '../..' })).toMatch(/Argument `path`/);
    await close();
  });

  it('says when the repository has no commits yet', async () => {
    const empty = await tempRepo();
    try {
      const { client, close } = await connect(['--repository', empty.path]);
      expect(await callError(client, 'git_files', {})).toMatch(/no commits yet.*git_commit/);
      await close();
    } finally {
      await empty.remove();
    }
  });
});

describe('git_status', () => {
  it('lists conflicts first and cuts a huge untracked tree to the budget, saying so', async () => {
    const messy = await repoWithIdentity();
    try {
      await messy.commit('Base', { 'tracked.txt': 'x\n' });
      await messy.write('tracked.txt', 'changed\n');
      for (let i = 0; i < 400; i++) await messy.write(`junk-${String(i).padStart(3, '0')}.tmp`, 'x');
      const { client, close } = await connect(['--repository', messy.path, '--output-budget', '2048']);
      const result = await callOk<{ unstaged: unknown[]; untracked: string[]; more?: { omitted: number; hint: string } }>(
        client,
        'git_status',
        {},
      );
      expect(Buffer.byteLength(JSON.stringify(result.data))).toBeLessThanOrEqual(2048);
      expect(result.data.unstaged).toEqual([{ path: 'tracked.txt', status: 'M' }]);
      expect(result.data.untracked.length).toBeGreaterThan(10);
      expect(result.data.more?.omitted).toBe(400 - result.data.untracked.length);
      expect(result.text).toMatch(/more files not shown/);
      await close();
    } finally {
      await messy.remove();
    }
  });
});

import { callError, callOk, generatedRepo, type TempRepo, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from './helpers.js';

describe('git_log', () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await tempRepo();
    await repo.commit('Initial commit', { 'README.md': '# demo\n' }, '2024-01-01T10:00:00Z');
    await repo.commit('Add feature', { 'src/app.ts': 'export const x = 1;\n' }, '2024-02-01T10:00:00Z');
    await repo.commit('Fix bug in feature', { 'src/app.ts': 'export const x = 2;\n' }, '2024-03-01T10:00:00Z');
  });
  afterAll(() => repo.remove());

  it('lists commits newest first as compact lines', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await callOk<{ commits: Array<{ subject: string; hash: string }> }>(client, 'git_log', {});
    expect(result.data.commits.map((c) => c.subject)).toEqual(['Fix bug in feature', 'Add feature', 'Initial commit']);
    expect(result.data.commits[0]?.hash).toMatch(/^[0-9a-f]{40}$/);
    expect(result.text.split('\n')[0]).toMatch(/^[0-9a-f]{10} 2024-03-01 Ada Lovelace: Fix bug in feature$/);
    await close();
  });

  it('filters by path, message and date', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const byPath = await callOk<{ commits: unknown[] }>(client, 'git_log', { path: 'README.md' });
    expect(byPath.data.commits).toHaveLength(1);
    const byGrep = await callOk<{ commits: Array<{ subject: string }> }>(client, 'git_log', { grep: 'feature$' });
    expect(byGrep.data.commits.map((c) => c.subject)).toEqual(['Fix bug in feature', 'Add feature']);
    const bySince = await callOk<{ commits: unknown[] }>(client, 'git_log', { since: '2024-01-15' });
    expect(bySince.data.commits).toHaveLength(2);
    await close();
  });

  it('pages with a cursor (or skip), blaming max_count and counting exactly what remains', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    type Log = { commits: Array<{ subject: string }>; more?: { omitted: number; hint: string; cursor?: string } };
    const first = await callOk<Log>(client, 'git_log', { max_count: 2 });
    expect(first.data.commits).toHaveLength(2);
    expect(first.data.more?.omitted).toBe(1);
    expect(first.text).toContain(
      '… 1 more commit not shown (max_count=2). Call git_log again with the same arguments and this cursor',
    );
    const next = await callOk<Log>(client, 'git_log', { max_count: 2, cursor: first.data.more?.cursor });
    expect(next.data.commits.map((c) => c.subject)).toEqual(['Initial commit']);
    expect(next.data.more).toBeUndefined();
    const skipped = await callOk<Log>(client, 'git_log', { max_count: 2, skip: 2 });
    expect(skipped.data.commits.map((c) => c.subject)).toEqual(['Initial commit']);
    expect(skipped.data.more).toBeUndefined();
    await close();
  });

  it('says how many commits remain after max_count cut a long history, and "at least" past what it counts', async () => {
    const long = await generatedRepo(60);
    const longer = await generatedRepo(1500);
    try {
      type Log = { commits: Array<{ subject: string }>; more?: { omitted: number; cursor?: string } };
      const one = await connect(['--repository', long.path]);
      const first = await callOk<Log>(one.client, 'git_log', { max_count: 2 });
      expect(first.data.commits.map((c) => c.subject)).toEqual(['Change 60: adjust module 60', 'Change 59: adjust module 59']);
      expect(first.data.more?.omitted).toBe(58);
      expect(first.text).toContain('… 58 more commits not shown (max_count=2).');
      expect(first.text).not.toContain('output budget');
      const second = await callOk<Log>(one.client, 'git_log', { max_count: 2, cursor: first.data.more?.cursor });
      expect(second.data.commits.map((c) => c.subject)).toEqual(['Change 58: adjust module 58', 'Change 57: adjust module 57']);
      expect(second.data.more?.omitted).toBe(56);
      await one.close();
      // Counting stops after a hundred commits (or a moment): what it says is then a lower bound.
      const two = await connect(['--repository', longer.path]);
      const many = await callOk<Log>(two.client, 'git_log', { max_count: 2 });
      const counted = many.data.more?.omitted ?? 0;
      expect(counted).toBeGreaterThan(0);
      expect(counted).toBeLessThanOrEqual(100);
      expect(many.text).toContain(`… at least ${counted} more commits not shown (max_count=2).`);
      await two.close();
    } finally {
      await long.remove();
      await longer.remove();
    }
  });

  it('refuses a revision that would be read as an option', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const text = await callError(client, 'git_log', { revision: '--output=/tmp/pwned' });
    expect(text).toContain('Argument `revision`');
    expect(text).toContain('may not start with "-"');
    await close();
  });

  it('treats a path as a literal path, not a glob or pathspec magic', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const glob = await callOk<{ commits: unknown[] }>(client, 'git_log', { path: '*.md' });
    expect(glob.data.commits).toEqual([]);
    const magic = await callOk<{ commits: unknown[] }>(client, 'git_log', { path: ':(glob)**' });
    expect(magic.data.commits).toEqual([]);
    const diff = await callOk<{ totals: { files: number } }>(client, 'git_diff', { revision: 'HEAD~2..HEAD', paths: ['src/*'] });
    expect(diff.data.totals.files).toBe(0);
    await close();
  });

  it('reports an unknown revision as a fixable error', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const text = await callError(client, 'git_log', { revision: 'no-such-branch' });
    expect(text).toMatch(/not a revision in this repository/);
    await close();
  });

  it('reports a malformed message or author expression as a fixable error naming it', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    expect(await callError(client, 'git_log', { grep: 'feature (' })).toMatch(
      /^Argument `grep`: is not a valid extended regular expression/,
    );
    // --extended-regexp applies to --author too, so with grep given the author is judged the same way.
    expect(await callError(client, 'git_log', { grep: 'feature', author: 'Ada (' })).toMatch(
      /^Argument `author`: is not a valid extended regular expression/,
    );
    const plain = await callOk<{ commits: unknown[] }>(client, 'git_log', { author: 'Ada (' });
    expect(plain.data.commits).toEqual([]);
    await close();
  });

  it('stays within the output budget on a long history', async () => {
    const big = await generatedRepo(600);
    const { client, close } = await connect(['--repository', big.path, '--output-budget', '4096']);
    const result = await callOk<{ commits: unknown[]; more?: { omitted: number } }>(client, 'git_log', { max_count: 500 });
    expect(Buffer.byteLength(JSON.stringify(result.data))).toBeLessThanOrEqual(4096 * 1.1);
    expect(result.data.commits.length).toBeGreaterThan(5);
    expect(result.data.more?.omitted).toBeGreaterThan(0);
    expect(result.text).toContain('(output budget)');
    await close();
    await big.remove();
  });
});

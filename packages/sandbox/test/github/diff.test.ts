/**
 * The emulator's object ids and diffs against real git: blob, tree and commit shas equal what
 * `git` computes for the same content, and a single-region edit produces the hunk `git diff` does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unifiedHunks } from '../../src/github/diff.js';
import { GitStore } from '../../src/github/git.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function git(args: string[], input?: string): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_DATE: '1704186000 +0000', GIT_COMMITTER_DATE: '1704186000 +0000' },
    ...(input !== undefined ? { input } : {}),
  });
}

/** The hunks of `git diff --no-index` for two texts (headers dropped, as GitHub's `patch` has none). */
function gitHunks(before: string, after: string): string {
  writeFileSync(path.join(dir, 'a.txt'), before);
  writeFileSync(path.join(dir, 'b.txt'), after);
  let out = '';
  try {
    git(['diff', '--no-index', '--no-color', 'a.txt', 'b.txt']);
  } catch (error) {
    out = (error as { stdout: string }).stdout;
  }
  return out.slice(out.indexOf('@@')).replace(/\n$/, '');
}

const base = `${Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n')}\n`;

describe('diffs', () => {
  const cases: [string, string][] = [
    ['one line changed in the middle', base.replace('line 10\n', 'line ten\n')],
    ['lines added at the end', `${base}line 21\nline 22\n`],
    ['lines removed at the start', base.split('\n').slice(3).join('\n')],
    ['a block replaced by a longer one', base.replace('line 8\nline 9\n', 'eight\nnine\nnine and a half\n')],
    ['the last line loses its newline', base.replace(/\n$/, '')],
    ['everything replaced', 'new\ncontent\n'],
  ];
  for (const [name, after] of cases)
    it(`matches git diff when ${name}`, () => {
      expect(unifiedHunks(base, after).patch).toBe(gitHunks(base, after));
    });

  it('counts additions and deletions', () => {
    expect(unifiedHunks(base, base.replace('line 8\nline 9\n', 'eight\nnine\nnine and a half\n'))).toMatchObject({
      additions: 3,
      deletions: 2,
    });
  });
});

describe('object ids', () => {
  it('gives blobs, trees and commits the shas git gives them', () => {
    git(['init', '-q', '-b', 'main']);
    git(['config', 'user.name', 'Mona Octocat']);
    git(['config', 'user.email', 'octocat@example.com']);
    writeFileSync(path.join(dir, 'README.md'), '# hi\n');
    execFileSync('mkdir', ['-p', path.join(dir, 'src/util')]);
    writeFileSync(path.join(dir, 'src/util/x.ts'), 'export const x = 1;\n');
    writeFileSync(path.join(dir, 'src/a.ts'), 'export {};\n');
    git(['add', 'README.md', 'src']);
    git(['commit', '-q', '-m', 'Initial commit']);
    const store = new GitStore();
    const tree = store.applyChanges(null, {
      'README.md': '# hi\n',
      'src/util/x.ts': 'export const x = 1;\n',
      'src/a.ts': 'export {};\n',
    });
    expect(tree).toBe(git(['rev-parse', 'HEAD^{tree}']).trim());
    const sig = { name: 'Mona Octocat', email: 'octocat@example.com', date: '2024-01-02T09:00:00Z' };
    const commit = store.putCommit({ tree, parents: [], author: sig, committer: sig, message: 'Initial commit\n' });
    expect(commit.sha).toBe(git(['rev-parse', 'HEAD']).trim());
    expect(store.putBlob('# hi\n')).toBe(git(['hash-object', '--stdin'], '# hi\n').trim());
  });
});

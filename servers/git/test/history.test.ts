import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { call, callError, callOk, type TempRepo, tempRepo } from '@patchbay/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, repoWithIdentity } from './helpers.js';

/** merge, rebase, cherry-pick, revert and reflog on real repositories (toolset `history`). */
let repo: TempRepo;
beforeEach(async () => {
  repo = await repoWithIdentity();
  await repo.commit('Base', { 'a.txt': 'one\ntwo\nthree\n', 'b.txt': 'b\n' });
});
afterEach(() => repo.remove());

const ARGS = () => ['--repository', repo.path, '--toolsets', 'default,history'];
const head = async (ref = 'HEAD') => (await repo.git('rev-parse', ref)).trim();
const subjects = async (range = 'HEAD') => (await repo.git('log', '--format=%s', range)).trim().split('\n');
const read = (file: string) => readFile(path.join(repo.path, file), 'utf8');

/** A side branch and main that both change line two of a.txt. */
async function divergeWithConflict() {
  await repo.git('switch', '-q', '-c', 'side');
  await repo.commit('Side edit', { 'a.txt': 'one\nSIDE\nthree\n' });
  await repo.git('switch', '-q', 'main');
  await repo.commit('Main edit', { 'a.txt': 'one\nMAIN\nthree\n' });
}

interface Outcome {
  result: string;
  branch: string | null;
  commit: string;
  conflicted?: string[];
  stopped_at?: string;
  applied?: string[];
  replayed?: number;
}

describe('git_merge', () => {
  it('fast-forwards when it can, and makes a merge commit with fast_forward=never and a message', async () => {
    await repo.git('switch', '-q', '-c', 'feature');
    await repo.commit('Feature', { 'c.txt': 'c\n' });
    await repo.git('switch', '-q', 'main');
    const { client, close } = await connect(ARGS());
    const ff = await callOk<Outcome>(client, 'git_merge', { ref: 'feature' });
    expect(ff.data).toMatchObject({ result: 'fast-forward', branch: 'main', commit: await head('feature') });
    await repo.git('reset', '-q', '--hard', 'HEAD~1');
    const merge = await callOk<Outcome>(client, 'git_merge', {
      ref: 'feature',
      fast_forward: 'never',
      message: '--merge feature in',
    });
    expect(merge.data.result).toBe('merge commit');
    expect(await subjects('-1')).toEqual(['--merge feature in']);
    expect((await repo.git('log', '-1', '--format=%P')).trim().split(' ')).toHaveLength(2);
    const again = await callOk<Outcome>(client, 'git_merge', { ref: 'feature' });
    expect(again.data.result).toBe('up to date');
    await close();
  });

  it('refuses a fast-forward-only merge of diverged branches, naming fast_forward', async () => {
    await divergeWithConflict();
    const before = await head();
    const { client, close } = await connect(ARGS());
    expect(await callError(client, 'git_merge', { ref: 'side', fast_forward: 'only' })).toMatch(
      /Argument `fast_forward`: .*fast-forward is impossible/,
    );
    expect(await head()).toBe(before);
    await close();
  });

  it('stops on conflicts listing the files, refuses to continue until they are staged, then completes', async () => {
    await divergeWithConflict();
    const { client, close } = await connect(ARGS());
    const stopped = await callOk<Outcome>(client, 'git_merge', { ref: 'side' });
    expect(stopped.data).toMatchObject({ result: 'stopped', conflicted: ['a.txt'], stopped_at: await head('side') });
    expect(stopped.text).toMatch(/conflicts in a\.txt.*\n.*git_add.*action=continue.*action=abort/);
    expect(await callError(client, 'git_merge', { ref: 'side' })).toMatch(/a merge is in progress.*git_merge action=continue/);
    expect(await callError(client, 'git_merge', { action: 'continue' })).toMatch(/a\.txt still has conflicts/);
    await repo.write('a.txt', 'one\nBOTH\nthree\n');
    await repo.git('add', 'a.txt');
    const done = await callOk<Outcome>(client, 'git_merge', { action: 'continue' });
    expect(done.data.result).toBe('merge commit');
    expect(await subjects('-1')).toEqual(["Merge branch 'side'"]);
    expect(await read('a.txt')).toBe('one\nBOTH\nthree\n');
    await close();
  });

  it('aborts a conflicted merge, leaving the branch as it was', async () => {
    await divergeWithConflict();
    const before = await head();
    const { client, close } = await connect(ARGS());
    await callOk(client, 'git_merge', { ref: 'side' });
    const aborted = await callOk<Outcome>(client, 'git_merge', { action: 'abort' });
    expect(aborted.data).toMatchObject({ result: 'aborted', commit: before });
    expect(await read('a.txt')).toBe('one\nMAIN\nthree\n');
    expect(await callError(client, 'git_merge', { action: 'abort' })).toMatch(/Argument `action`: there is no merge in progress/);
    await close();
  });

  it('refuses uncommitted changes, a missing or unknown ref, and a ref that looks like an option', async () => {
    await repo.git('branch', 'feature');
    const { client, close } = await connect(ARGS());
    expect(await callError(client, 'git_merge', {})).toMatch(/Argument `ref`: is required/);
    expect(await callError(client, 'git_merge', { ref: 'no-such-branch' })).toMatch(
      /Argument `ref`: "no-such-branch" is not a revision/,
    );
    expect(await callError(client, 'git_merge', { ref: '--upload-pack=touch x' })).toMatch(
      /Argument `ref`: .*may not start with "-"/,
    );
    await repo.write('a.txt', 'dirty\n');
    expect(await callError(client, 'git_merge', { ref: 'feature' })).toMatch(/uncommitted changes to a\.txt/);
    await close();
  });
});

describe('git_rebase', () => {
  it("replays the branch's own commits onto another branch", async () => {
    await repo.git('switch', '-q', '-c', 'feature');
    await repo.commit('Feature one', { 'c.txt': 'c\n' });
    await repo.commit('Feature two', { 'd.txt': 'd\n' });
    await repo.git('switch', '-q', 'main');
    await repo.commit('Main moves on', { 'b.txt': 'b2\n' });
    await repo.git('switch', '-q', 'feature');
    const { client, close } = await connect(ARGS());
    const rebased = await callOk<Outcome>(client, 'git_rebase', { onto: 'main' });
    expect(rebased.data).toMatchObject({ result: 'rebased', branch: 'feature', replayed: 2 });
    expect(await subjects()).toEqual(['Feature two', 'Feature one', 'Main moves on', 'Base']);
    const again = await callOk<Outcome>(client, 'git_rebase', { onto: 'main' });
    expect(again.data.result).toBe('up to date');
    await close();
  });

  it('refuses to rewrite commits already on a remote unless the operator allows it', async () => {
    const remote = await tempRepo({ bare: true });
    try {
      await repo.git('remote', 'add', 'origin', remote.path);
      await repo.git('switch', '-q', '-c', 'feature');
      await repo.commit('Pushed work', { 'c.txt': 'c\n' });
      await repo.git('push', '-q', 'origin', 'feature');
      await repo.commit('Local work', { 'd.txt': 'd\n' });
      await repo.git('switch', '-q', 'main');
      await repo.commit('Main moves on', { 'b.txt': 'b2\n' });
      await repo.git('switch', '-q', 'feature');
      const before = await head();
      const guarded = await connect(ARGS());
      expect(await callError(guarded.client, 'git_rebase', { onto: 'main' })).toMatch(
        /1 of the 2 commits of feature that would be rewritten are already on a remote.*--allow-rewrite-pushed/s,
      );
      expect(await head()).toBe(before);
      await guarded.close();
      const allowed = await connect([...ARGS(), '--allow-rewrite-pushed']);
      expect((await callOk<Outcome>(allowed.client, 'git_rebase', { onto: 'main' })).data.replayed).toBe(2);
      await allowed.close();
    } finally {
      await remote.remove();
    }
  });

  it('stops on conflicts at the commit being replayed, continues after staging, or aborts to where it was', async () => {
    await repo.git('switch', '-q', '-c', 'side');
    await repo.commit('Side edit', { 'a.txt': 'one\nSIDE\nthree\n' });
    const sideCommit = await head();
    await repo.git('switch', '-q', 'main');
    await repo.commit('Main edit', { 'a.txt': 'one\nMAIN\nthree\n' });
    await repo.git('switch', '-q', 'side');
    const { client, close } = await connect(ARGS());
    const stopped = await callOk<Outcome>(client, 'git_rebase', { onto: 'main' });
    expect(stopped.data).toMatchObject({ result: 'stopped', conflicted: ['a.txt'], stopped_at: sideCommit });
    const aborted = await callOk<Outcome>(client, 'git_rebase', { action: 'abort' });
    expect(aborted.data).toMatchObject({ result: 'aborted', branch: 'side', commit: sideCommit });

    await callOk(client, 'git_rebase', { onto: 'main' });
    expect(await callError(client, 'git_rebase', { action: 'continue' })).toMatch(/a\.txt still has conflicts/);
    await repo.write('a.txt', 'one\nMAIN and SIDE\nthree\n');
    await repo.git('add', 'a.txt');
    const done = await callOk<Outcome>(client, 'git_rebase', { action: 'continue' });
    expect(done.data).toMatchObject({ result: 'rebased', branch: 'side' });
    expect(await subjects()).toEqual(['Side edit', 'Main edit', 'Base']);
    await close();
  });

  it('refuses a detached HEAD, a missing onto and an onto that looks like an option', async () => {
    const { client, close } = await connect(ARGS());
    expect(await callError(client, 'git_rebase', {})).toMatch(/Argument `onto`: is required/);
    expect(await callError(client, 'git_rebase', { onto: '--exec=touch x' })).toMatch(
      /Argument `onto`: .*may not start with "-"/,
    );
    expect(await callError(client, 'git_rebase', { action: 'skip' })).toMatch(
      /Argument `action`: there is no rebase in progress/,
    );
    await repo.git('checkout', '-q', '--detach');
    expect(await callError(client, 'git_rebase', { onto: 'main' })).toMatch(/HEAD is detached/);
    await close();
  });
});

describe('git_cherry_pick and git_revert', () => {
  it('applies commits from another branch in order, and reverts one with a new commit', async () => {
    await repo.git('switch', '-q', '-c', 'side');
    const one = await repo.commit('Side one', { 'c.txt': 'c\n' });
    const two = await repo.commit('Side two', { 'd.txt': 'd\n' });
    await repo.git('switch', '-q', 'main');
    const { client, close } = await connect(ARGS());
    const picked = await callOk<Outcome>(client, 'git_cherry_pick', { commits: [one, two] });
    expect(picked.data).toMatchObject({ result: 'picked', branch: 'main' });
    expect(picked.data.applied).toHaveLength(2);
    expect(await subjects()).toEqual(['Side two', 'Side one', 'Base']);
    const reverted = await callOk<Outcome>(client, 'git_revert', { commits: ['HEAD'] });
    expect(reverted.data.applied).toHaveLength(1);
    expect(await subjects('-1')).toEqual(['Revert "Side two"']);
    await expect(readFile(path.join(repo.path, 'd.txt'))).rejects.toThrow();
    await close();
  });

  it('stops a conflicting pick with the files, and skips or aborts it', async () => {
    await divergeWithConflict();
    const sideEdit = await head('side');
    const before = await head();
    const { client, close } = await connect(ARGS());
    const stopped = await callOk<Outcome>(client, 'git_cherry_pick', { commits: ['side'] });
    expect(stopped.data).toMatchObject({ result: 'stopped', conflicted: ['a.txt'], stopped_at: sideEdit });
    expect(await callError(client, 'git_revert', { commits: ['HEAD'] })).toMatch(/a cherry-pick is in progress/);
    expect(await callError(client, 'git_revert', { action: 'abort' })).toMatch(/in the middle of a cherry-pick, not a revert/);
    const skipped = await callOk<Outcome>(client, 'git_cherry_pick', { action: 'skip' });
    expect(skipped.data).toMatchObject({ result: 'picked', commit: before, applied: [] });
    await callOk(client, 'git_cherry_pick', { commits: ['side'] });
    const aborted = await callOk<Outcome>(client, 'git_cherry_pick', { action: 'abort' });
    expect(aborted.data).toMatchObject({ result: 'aborted', commit: before });
    expect(await read('a.txt')).toBe('one\nMAIN\nthree\n');
    await close();
  });

  it('refuses missing, unknown and option-like commits', async () => {
    const { client, close } = await connect(ARGS());
    expect(await callError(client, 'git_cherry_pick', {})).toMatch(/Argument `commits`: is required/);
    expect(await callError(client, 'git_cherry_pick', { commits: ['nope'] })).toMatch(
      /Argument `commits`: "nope" is not a commit/,
    );
    expect(await callError(client, 'git_cherry_pick', { commits: ['HEAD', 'nope'] })).toMatch(
      /Argument `commits\[1\]`: "nope" is not a commit/,
    );
    expect(await callError(client, 'git_revert', { commits: ['HEAD', '--no-commit'] })).toMatch(/Argument `commits\[1\]`: .*"-"/);
    expect(await callError(client, 'git_revert', { commits: ['--no-commit'] })).toMatch(
      /Argument `commits`: .*may not start with "-"/,
    );
    await close();
  });
});

describe('git_reflog', () => {
  it('lists where HEAD has been, finds a commit a hard reset left behind, and pages with a cursor', async () => {
    const lost = await repo.commit('Soon lost', { 'c.txt': 'c\n' });
    await repo.git('reset', '-q', '--hard', 'HEAD~1');
    await repo.git('switch', '-q', '-c', 'other');
    const { client, close } = await connect(ARGS());
    const log = await callOk<{ entries: Array<{ selector: string; commit: string; action: string }> }>(client, 'git_reflog', {});
    expect(log.data.entries.map((e) => e.selector)).toEqual(['HEAD@{0}', 'HEAD@{1}', 'HEAD@{2}', 'HEAD@{3}']);
    expect(log.data.entries[0]?.action).toMatch(/^checkout: moving from main to other/);
    expect(log.data.entries[1]?.action).toMatch(/^reset: moving to HEAD~1/);
    expect(log.data.entries[2]).toMatchObject({ commit: lost, action: 'commit: Soon lost' });
    const first = await callOk<{ entries: Array<{ selector: string }>; more?: { cursor?: string } }>(client, 'git_reflog', {
      max_count: 3,
    });
    expect(first.text).toMatch(/1 more entry not shown \(max_count=3\)/);
    const rest = await callOk<{ entries: Array<{ selector: string }> }>(client, 'git_reflog', {
      max_count: 3,
      cursor: first.data.more?.cursor,
    });
    expect(rest.data.entries.map((e) => e.selector)).toEqual(['HEAD@{3}']);
    const branch = await callOk<{ entries: unknown[] }>(client, 'git_reflog', { ref: 'main' });
    expect(branch.data.entries).toHaveLength(3);
    expect(await callError(client, 'git_reflog', { ref: 'nope' })).toMatch(/Argument `ref`: "nope" is not a revision/);
    expect(await callError(client, 'git_reflog', { ref: '--output=x' })).toMatch(/Argument `ref`: .*may not start with "-"/);
    await close();
  });
});

describe('the history toolset', () => {
  it('is opt-in, and --read-only keeps only git_reflog of it', async () => {
    const names = async (argv: string[]) => {
      const { client, close } = await connect(['--repository', repo.path, ...argv]);
      const list = (await client.listTools()).tools.map((t) => t.name);
      await close();
      return list;
    };
    expect(await names([])).not.toContain('git_merge');
    const readOnly = await names(['--toolsets', 'history', '--read-only']);
    expect(readOnly).toEqual(['git_reflog']);
    const { client, close } = await connect(['--repository', repo.path, '--toolsets', 'history', '--read-only']);
    expect((await call(client, 'git_merge', { ref: 'main' })).text).toMatch(/read-only/);
    await close();
  });
});

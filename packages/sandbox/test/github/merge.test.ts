/**
 * What merging does to the repository, seen through the API as a client would check it: merge
 * commits, squashes and rebases, a pull request from a fork, and a branch brought up to date.
 */
import { describe, expect, it } from 'vitest';
import { repo, useGitHub } from './harness.js';

const h = useGitHub();

function pullNumber(title: string): number {
  return [...h.sandbox.state.repo('octocat/hello-world')!.issues.values()].find((i) => i.pull && i.title.startsWith(title))!
    .number;
}

async function file(path: string, ref = 'main'): Promise<string | undefined> {
  try {
    const res = await h.octo.repos.getContent({ ...repo, path, ref, mediaType: { format: 'raw' } });
    return String(res.data);
  } catch {
    return undefined;
  }
}

describe('merging pull requests', () => {
  it('a merge commit has the base and the head as parents, and the files do not change afterwards', async () => {
    const n = pullNumber('Fix a typo');
    const before = (await h.octo.pulls.listFiles({ ...repo, pull_number: n })).data.map((f) => f.filename);
    const base = (await h.octo.repos.getBranch({ ...repo, branch: 'main' })).data.commit.sha;
    const head = (await h.octo.pulls.get({ ...repo, pull_number: n })).data.head.sha;
    const merged = await h.octo.pulls.merge({
      ...repo,
      pull_number: n,
      merge_method: 'merge',
      commit_title: 'Merge the typo fix',
    });
    const commit = (await h.octo.git.getCommit({ ...repo, commit_sha: merged.data.sha })).data;
    expect(commit.parents.map((p) => p.sha)).toEqual([base, head]);
    expect(commit.message).toBe('Merge the typo fix');
    expect((await h.octo.pulls.listFiles({ ...repo, pull_number: n })).data.map((f) => f.filename)).toEqual(before);
    expect((await h.octo.pulls.get({ ...repo, pull_number: n })).data.merge_commit_sha).toBe(merged.data.sha);
  });

  it('a rebase replays each commit on the base, one new commit each, in a straight line', async () => {
    const n = pullNumber('Greet');
    const base = (await h.octo.repos.getBranch({ ...repo, branch: 'main' })).data.commit.sha;
    const originals = (await h.octo.pulls.listCommits({ ...repo, pull_number: n })).data;
    // A failing check does not block merging here (no required checks are emulated).
    const merged = await h.octo.pulls.merge({ ...repo, pull_number: n, merge_method: 'rebase' });
    const log = (await h.octo.repos.listCommits({ ...repo, per_page: 3 })).data;
    expect(log[0]!.sha).toBe(merged.data.sha);
    expect(log.slice(0, 2).map((c) => c.commit.message)).toEqual(originals.map((c) => c.commit.message).reverse());
    expect(log[1]!.parents.map((p) => p.sha)).toEqual([base]);
    expect(log[0]!.parents).toHaveLength(1);
    expect(originals.map((c) => c.sha)).not.toContain(log[0]!.sha);
    expect(await file('src/greet.test.ts')).toContain('greets in Portuguese');
  });

  it('merges a pull request from a fork', async () => {
    const n = pullNumber('More examples');
    const pr = (await h.octo.pulls.get({ ...repo, pull_number: n })).data;
    expect(pr.head.repo!.full_name).toBe('monalisa/hello-world');
    expect(await file('docs/examples.md')).toBeUndefined();
    await h.octo.pulls.merge({ ...repo, pull_number: n, merge_method: 'squash' });
    expect(await file('docs/examples.md')).toContain('# Examples');
  });

  it('brings a branch up to date with its base, after which it merges cleanly', async () => {
    await h.octo.pulls.merge({ ...repo, pull_number: pullNumber('Fix a typo') });
    const n = pullNumber('Greet');
    const pr = (await h.octo.pulls.get({ ...repo, pull_number: n })).data;
    expect(pr.mergeable_state).toBe('unstable');
    await h.hubot.pulls.updateBranch({ ...repo, pull_number: n, expected_head_sha: pr.head.sha });
    expect(await file('README.md', 'feature/greeting')).toContain('A tiny TypeScript project');
    const merged = await h.octo.pulls.merge({ ...repo, pull_number: n });
    expect(merged.data.merged).toBe(true);
    expect(await file('README.md')).toContain('A tiny TypeScript project');
    expect(await file('src/greet.ts')).toContain("lang === 'pt'");
  });
});

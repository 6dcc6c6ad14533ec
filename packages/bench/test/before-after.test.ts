import { describe, expect, it } from 'vitest';
import { type BenchResult, FIRST_READ, type SideResult } from '../src/model.js';
import { beforeAfterSection } from '../src/report/before-after.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { summarizeSide } from '../src/summarize.js';
import { benchResult, session, side } from './result-fixture.js';

function cells(line: string): string[] {
  return line
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

function row(lines: readonly string[], figure: string): string[] {
  const line = lines.find((l) => l.startsWith('|') && cells(l)[1] === figure);
  if (!line) throw new Error(`no row "${figure}" in:\n${lines.join('\n')}`);
  return cells(line);
}

/** Sessions that made the first read, `sinceSpawnMs` apart by `k`. */
function firstReadSide(label: string, k: number): SideResult {
  const samples = [session(k, [{ id: FIRST_READ, tool: 'git_status', sinceSpawnMs: 200 * k }])];
  return side(label, samples, [{ id: FIRST_READ, tool: 'git_status' }], ['git_status']);
}

/** The fixture's git measured before (1.5× as slow and large) and after (Patchbay's side, k = 1). */
function withBaseline(): BenchResult {
  const result = benchResult();
  const git = result.connectors[0];
  if (!git) throw new Error('fixture has no git');
  for (const s of git.patchbay.samples) s.toolsListSinceSpawnMs = 105;
  git.patchbay.summary = summarizeSide(git.patchbay.samples, [], new Set());
  const floor = [session(0.5)];
  git.beforeAfter = {
    floor: summarizeSide(floor, [], new Set()),
    before: side('Patchbay git (before)', [session(1.5, [], { toolsListSinceSpawnMs: 157.5 })], [], []),
    firstRead: {
      label: 'git_status',
      tool: 'git_status',
      before: firstReadSide('before', 1.5),
      after: firstReadSide('after', 1),
    },
  };
  result.setup = {
    baseline: { dir: '/tmp/before', commit: '6bb8a99' },
    node: { path: '/opt/node22/bin/node', version: 'v22.1.0' },
  };
  return result;
}

describe('beforeAfterSection', () => {
  it('is empty without a baseline', () => {
    expect(beforeAfterSection(benchResult())).toEqual([]);
    expect(renderMarkdown(benchResult())).not.toContain('Before and after');
  });

  it('gives each figure before and after, as multiples of the floor of the same runs, and after ÷ before', () => {
    const lines = beforeAfterSection(withBaseline());
    expect(lines[0]).toBe('### Before and after');
    expect(lines.join('\n')).toContain('`/tmp/before` (commit 6bb8a99)');
    // Floor: 50 ms to initialize, 29.3 MiB idle (session(0.5)).
    expect(row(lines, 'spawn → initialize (ms)')).toEqual([
      'git',
      'spawn → initialize (ms)',
      '50',
      '150',
      '100',
      '3×',
      '2×',
      '0.67×',
    ]);
    expect(row(lines, 'spawn → tools/list answered (ms)')).toEqual([
      'git',
      'spawn → tools/list answered (ms)',
      '50',
      '158',
      '105',
      '3.1×',
      '2.1×',
      '0.67×',
    ]);
    expect(row(lines, 'idle RSS (MiB)')).toEqual(['git', 'idle RSS (MiB)', '29.3', '87.9', '58.6', '3×', '2×', '0.67×']);
    expect(row(lines, 'spawn → first result: git_status (ms)')).toEqual([
      'git',
      'spawn → first result: git_status (ms)',
      '50',
      '300',
      '200',
      '6×',
      '4×',
      '0.67×',
    ]);
    // session(k)'s calls peak at 65,000 KiB × k.
    expect(row(lines, 'peak RSS during the first result (MiB)')).toEqual([
      'git',
      'peak RSS during the first result (MiB)',
      '29.3',
      '95.2',
      '63.5',
      '3.3×',
      '2.2×',
      '0.67×',
    ]);
  });

  it('says why a connector has no first-result row', () => {
    const result = withBaseline();
    const ab = result.connectors[0]?.beforeAfter;
    if (!ab) throw new Error('no beforeAfter');
    delete ab.firstRead;
    ab.noFirstRead = 'no cheap read is planned for git';
    const text = beforeAfterSection(result).join('\n');
    expect(text).not.toContain('first result: git_status');
    expect(text).toContain('git: no spawn → first result (no cheap read is planned for git).');
  });

  it('is part of the report, which also names the Node that ran the servers', () => {
    const markdown = renderMarkdown(withBaseline());
    expect(markdown).toContain('### Before and after');
    expect(markdown).toContain(
      'The floor and every server ran on Node v22.1.0 (`/opt/node22/bin/node`); the bench itself on Node v20.20.2.',
    );
  });
});

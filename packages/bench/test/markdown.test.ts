import { describe, expect, it } from 'vitest';
import { describeLoad, renderMarkdown } from '../src/report/markdown.js';
import { benchResult } from './result-fixture.js';

function cells(line: string): string[] {
  return line
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

/** The cells of the table row whose first cell is `figure`. */
function tableRow(markdown: string, figure: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith('|') && cells(l)[0] === figure);
  if (!line) throw new Error(`no row "${figure}" in:\n${markdown}`);
  return cells(line);
}

/** The part of the report from a connector's heading to the next one. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`#### ${title}`);
  const next = markdown.indexOf('#### ', start + 1);
  return markdown.slice(start, next === -1 ? undefined : next);
}

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(benchResult());
  const git = section(markdown, 'Git');
  const slack = section(markdown, 'Slack');

  it('names the date, the machine, the runs and the tokenizer', () => {
    expect(markdown).toContain('Patchbay bench, 2025-11-21 10:05 UTC');
    expect(markdown).toContain('Test CPU, 2 cores, 8.0 GiB RAM; Linux 6.1; Node v20.20.2');
    expect(markdown).toContain('median (min–max) of 2 sessions');
    expect(markdown).toContain('Tokens: o200k_base (gpt-tokenizer)');
  });

  it('states the load average and warns when other work was running', () => {
    expect(markdown).toContain('Load average (1 min) 0.20 at the start, 0.40 at the end.');
    const busy = { ...benchResult().machine, load: { start: 8.35, end: 3 } };
    expect(describeLoad(busy)).toBe(
      'Load average (1 min) 8.35 at the start, 3.00 at the end: other work was running on the 2 cores, so times are slower and ranges wider than on an idle machine.',
    );
  });

  it('shows the floor with its range', () => {
    expect(tableRow(markdown, 'spawn → initialize response (ms)')).toEqual(['spawn → initialize response (ms)', '50 (40–60)']);
  });

  it('gives both sides, the ratio of medians and the multiples of the floor', () => {
    expect(git).toContain('#### Git: Patchbay git 1.0.0 vs @cyanheads/git-mcp-server 1.0.0');
    expect(tableRow(git, 'spawn → initialize response (ms)')).toEqual([
      'spawn → initialize response (ms)',
      '100',
      '200',
      '0.5×',
      '2×',
      '4×',
    ]);
    expect(tableRow(git, 'tools/list tokens')).toEqual(['tools/list tokens', '1,000', '2,000', '0.5×', '', '']);
    expect(tableRow(git, 'idle RSS (MiB)')).toEqual(['idle RSS (MiB)', '58.6', '117.2', '0.5×', '2×', '4×']);
  });

  it('says why a call has no figure on one side, with no ratio', () => {
    expect(tableRow(git, 'diff <a>..b & c: tokens')).toEqual([
      'diff <a>..b & c: tokens',
      'no git_diff tool yet',
      '600 ⚠',
      '–',
      '',
      '',
    ]);
  });

  it('flags figures from runs that answered with an error and quotes the error', () => {
    expect(tableRow(git, 'diff <a>..b & c: latency (ms)')[2]).toBe('20 ⚠');
    expect(git).toContain('⚠ The comparator answered "diff <a>..b & c" with an error in 1 run: bad revision');
  });

  it('marks the sizes of a partial result and quotes its continuation under the table', () => {
    const result = benchResult();
    const log = result.connectors[0]?.patchbay.summary?.calls.log;
    if (!log) throw new Error('fixture has no log call');
    log.truncated = 2;
    log.more = { omitted: 1315, hint: 'Call git_log again with skip=186.' };
    const cut = section(renderMarkdown(result), 'Git');
    expect(tableRow(cut, 'log, 100 commits: tokens')[1]).toBe('300 ✂');
    expect(tableRow(cut, 'log, 100 commits: latency (ms)')[1]).toBe('10');
    expect(cut).toContain(
      '✂ Patchbay returned part of "log, 100 commits" with a continuation in 2 runs, 1,315 left out: "Call git_log again with skip=186."',
    );
  });

  it('lists a connector that is not built yet, with the comparator still measured', () => {
    expect(slack).toContain('Patchbay slack: **not built yet** (servers/slack/dist/index.cjs does not exist)');
    expect(tableRow(slack, 'spawn → initialize response (ms)')).toEqual([
      'spawn → initialize response (ms)',
      '–',
      '150',
      '–',
      '–',
      '3×',
    ]);
    expect(tableRow(slack, 'figure').slice(1, 3)).toEqual(['Patchbay (not built yet)', '@modelcontextprotocol/server-slack']);
    expect(slack).toContain('- Dummy tokens.');
  });

  it('reports a connector whose fixture failed instead of skipping it silently', () => {
    const result = benchResult();
    const git = result.connectors[0];
    if (!git) throw new Error('fixture has no git connector');
    git.skipped = 'postgres fixture unavailable: connection refused';
    expect(renderMarkdown(result)).toContain('Not measured: postgres fixture unavailable: connection refused.');
  });

  it('escapes pipes so a label cannot break the table', () => {
    const result = benchResult();
    const call = result.connectors[0]?.calls[0];
    if (!call) throw new Error('fixture has no call');
    call.label = 'grep a|b';
    expect(tableRow(renderMarkdown(result), 'grep a\\|b: latency (ms)')).toHaveLength(6);
  });
});

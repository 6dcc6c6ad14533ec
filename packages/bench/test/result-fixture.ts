import type { BenchResult, CallSample, ConnectorResult, SessionSample, SideResult } from '../src/model.js';
import { summarizeSide } from '../src/summarize.js';

/** A session sample with plausible figures, scaled by `k` so two sides differ predictably. */
export function session(k: number, calls: Partial<CallSample>[] = [], extra: Partial<SessionSample> = {}): SessionSample {
  return {
    startupMs: 100 * k,
    toolsListMs: 5 * k,
    toolsListBytes: 4000 * k,
    toolsListTokens: 1000 * k,
    tools: 10 * k,
    idleRssKb: 60_000 * k,
    idleTreeRssKb: 60_000 * k,
    calls: calls.map((c) => ({
      id: 'log',
      tool: 'git_log',
      ms: 10 * k,
      wireBytes: 2000 * k,
      textBytes: 1000 * k,
      tokens: 300 * k,
      peakRssKb: 65_000 * k,
      peakTreeRssKb: 65_000 * k,
      ...c,
    })),
    ...extra,
  };
}

export function side(
  label: string,
  samples: SessionSample[],
  calls: { id: string; tool?: string }[],
  tools: string[],
): SideResult {
  return { label, version: '1.0.0', status: 'measured', samples, summary: summarizeSide(samples, calls, new Set(tools)) };
}

export function floorSide(): SideResult {
  const samples = [session(0.4), session(0.5), session(0.6)];
  return { label: 'floor (bare node -e)', status: 'measured', samples, summary: summarizeSide(samples, [], new Set()) };
}

/** Git measured on both sides (Patchbay half the comparator) plus a connector whose Patchbay side is not built. */
export function benchResult(): BenchResult {
  const calls = [
    { id: 'log', label: 'log, 100 commits', patchbayTool: 'git_log', comparatorTool: 'git_log' },
    { id: 'diff', label: 'diff <a>..b & c', patchbayTool: 'git_diff', comparatorTool: 'git_diff' },
  ];
  const git: ConnectorResult = {
    id: 'git',
    title: 'Git',
    calls,
    patchbay: side(
      'Patchbay git',
      [session(1, [{}]), session(1, [{}])],
      [
        { id: 'log', tool: 'git_log' },
        { id: 'diff', tool: 'git_diff' },
      ],
      ['git_log'],
    ),
    comparator: side(
      '@cyanheads/git-mcp-server',
      [
        session(2, [{}, { id: 'diff', tool: 'git_diff' }]),
        session(2, [{}, { id: 'diff', tool: 'git_diff', error: 'bad revision' }]),
      ],
      [
        { id: 'log', tool: 'git_log' },
        { id: 'diff', tool: 'git_diff' },
      ],
      ['git_log', 'git_diff'],
    ),
    notes: ['A note about git.'],
  };
  const slack: ConnectorResult = {
    id: 'slack',
    title: 'Slack',
    calls: [],
    patchbay: {
      label: 'Patchbay slack',
      status: 'not built yet',
      reason: 'servers/slack/dist/index.cjs does not exist',
      samples: [],
    },
    comparator: side('@modelcontextprotocol/server-slack', [session(1.5)], [], []),
    notes: ['Dummy tokens.'],
  };
  return {
    date: '2025-11-21T10:05:33.000Z',
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 8, os: 'Linux 6.1', node: 'v20.20.2', load: { start: 0.2, end: 0.4 } },
    tokenizer: 'o200k_base (gpt-tokenizer)',
    runs: 2,
    only: ['git', 'slack'],
    durationMs: 1000,
    floor: floorSide(),
    connectors: [git, slack],
  };
}

import { describe, expect, it } from 'vitest';
import { summarizeSide } from '../src/summarize.js';
import { session } from './result-fixture.js';

describe('summarizeSide', () => {
  it('summarises every session figure over the runs', () => {
    const summary = summarizeSide([session(1), session(3), session(2)], [], new Set());
    expect(summary.startupMs).toEqual({ median: 200, min: 100, max: 300, n: 3 });
    expect(summary.idleRssKb?.median).toBe(120_000);
    expect(summary.failedRuns).toBe(0);
  });

  it('counts failed runs and leaves their missing figures out', () => {
    const failed = session(1, [], { failure: 'server exited', startupMs: Number.NaN, toolsListMs: undefined });
    const summary = summarizeSide([failed, session(2)], [], new Set());
    expect(summary.failedRuns).toBe(1);
    expect(summary.startupMs).toEqual({ median: 200, min: 200, max: 200, n: 1 });
    expect(summary.toolsListMs?.n).toBe(1);
  });

  it('explains a call the server has no tool for instead of dropping it', () => {
    const summary = summarizeSide([session(1)], [{ id: 'diff', tool: 'git_diff' }], new Set(['git_log']));
    expect(summary.calls.diff).toEqual({ tool: 'git_diff', absent: 'no git_diff tool yet', errors: 0, truncated: 0 });
  });

  it('marks a call without an equivalent on this side', () => {
    expect(summarizeSide([session(1)], [{ id: 'snapshot' }], new Set()).calls.snapshot?.absent).toBe('no equivalent');
  });

  it('keeps figures of error results but counts them and keeps the first message', () => {
    const samples = [session(1, [{ error: 'permission denied' }]), session(1, [{}])];
    const call = summarizeSide(samples, [{ id: 'log', tool: 'git_log' }], new Set(['git_log'])).calls.log;
    expect(call?.errors).toBe(1);
    expect(call?.firstError).toBe('permission denied');
    expect(call?.tokens?.n).toBe(2);
  });

  it('counts the runs whose result ended with a continuation and keeps what it said', () => {
    const more = { omitted: 315, hint: 'Call git_log again with skip=186.' };
    const samples = [session(1, [{ more }]), session(1, [{ more }]), session(1, [{}])];
    const call = summarizeSide(samples, [{ id: 'log', tool: 'git_log' }], new Set(['git_log'])).calls.log;
    expect(call?.truncated).toBe(2);
    expect(call?.more).toEqual(more);
  });
});

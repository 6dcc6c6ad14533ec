import type { CallSummary, SessionSample, SideSummary } from './model.js';
import { type Summary, summarize } from './stats.js';

export interface CallRef {
  id: string;
  /** The tool this side would call, or undefined when it has no equivalent. */
  tool?: string;
}

/**
 * Median and range of every figure over a side's sessions. A call absent from every session is
 * explained (tool not in the server's list, or no equivalent) instead of dropped.
 */
export function summarizeSide(
  samples: readonly SessionSample[],
  calls: readonly CallRef[],
  toolNames: ReadonlySet<string>,
): SideSummary {
  const summary: SideSummary = {
    ...summarizeFields(samples, {
      startupMs: (s) => s.startupMs,
      toolsListMs: (s) => s.toolsListMs,
      toolsListSinceSpawnMs: (s) => s.toolsListSinceSpawnMs,
      toolsListBytes: (s) => s.toolsListBytes,
      toolsListTokens: (s) => s.toolsListTokens,
      tools: (s) => s.tools,
      idleRssKb: (s) => s.idleRssKb,
      idleTreeRssKb: (s) => s.idleTreeRssKb,
    }),
    calls: {},
    failedRuns: samples.filter((s) => s.failure !== undefined).length,
  };

  for (const call of calls) {
    const runs = samples.flatMap((s) => s.calls.filter((c) => c.id === call.id));
    const entry: CallSummary = { errors: 0, truncated: 0 };
    if (call.tool) entry.tool = call.tool;
    if (!call.tool) entry.absent = 'no equivalent';
    else if (runs.length === 0) {
      entry.absent = toolNames.size > 0 && !toolNames.has(call.tool) ? `no ${call.tool} tool yet` : 'not measured';
    } else {
      Object.assign(
        entry,
        summarizeFields(runs, {
          ms: (c) => c.ms,
          sinceSpawnMs: (c) => c.sinceSpawnMs,
          wireBytes: (c) => c.wireBytes,
          textBytes: (c) => c.textBytes,
          tokens: (c) => c.tokens,
          peakRssKb: (c) => c.peakRssKb,
          peakTreeRssKb: (c) => c.peakTreeRssKb,
        }),
      );
      const failed = runs.filter((c) => c.error !== undefined);
      entry.errors = failed.length;
      const continued = runs.filter((c) => c.more);
      entry.truncated = continued.length;
      if (continued[0]?.more) entry.more = continued[0].more;
      if (failed[0]?.error) entry.firstError = failed[0].error;
    }
    summary.calls[call.id] = entry;
  }
  return summary;
}

/** Summaries of several figures over the same items; a figure no item has is left out, not undefined. */
function summarizeFields<T, K extends string>(
  items: readonly T[],
  fields: Record<K, (item: T) => number | undefined>,
): Partial<Record<K, Summary>> {
  const out: Partial<Record<K, Summary>> = {};
  for (const key of Object.keys(fields) as K[]) {
    const summary = summarize(items.map((item) => fields[key](item) ?? Number.NaN));
    if (summary) out[key] = summary;
  }
  return out;
}

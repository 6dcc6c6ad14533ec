import type { CallSummary, SessionSample, SideSummary } from './model.js';
import { summarize } from './stats.js';

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
  const pick = (f: (s: SessionSample) => number | undefined) => summarize(samples.map((s) => f(s) ?? Number.NaN));
  const summary: SideSummary = {
    calls: {},
    failedRuns: samples.filter((s) => s.failure !== undefined).length,
  };
  const figures = {
    startupMs: pick((s) => s.startupMs),
    toolsListMs: pick((s) => s.toolsListMs),
    toolsListBytes: pick((s) => s.toolsListBytes),
    toolsListTokens: pick((s) => s.toolsListTokens),
    tools: pick((s) => s.tools),
    idleRssKb: pick((s) => s.idleRssKb),
    idleTreeRssKb: pick((s) => s.idleTreeRssKb),
  };
  for (const [key, value] of Object.entries(figures)) if (value) (summary as unknown as Record<string, unknown>)[key] = value;

  for (const call of calls) {
    const runs = samples.flatMap((s) => s.calls.filter((c) => c.id === call.id));
    const entry: CallSummary = { errors: 0, truncated: 0 };
    if (call.tool) entry.tool = call.tool;
    if (!call.tool) entry.absent = 'no equivalent';
    else if (runs.length === 0) {
      entry.absent = toolNames.size > 0 && !toolNames.has(call.tool) ? `no ${call.tool} tool yet` : 'not measured';
    } else {
      const of = (f: (c: (typeof runs)[number]) => number) => summarize(runs.map(f));
      const figures = {
        ms: of((c) => c.ms),
        wireBytes: of((c) => c.wireBytes),
        textBytes: of((c) => c.textBytes),
        tokens: of((c) => c.tokens),
        peakRssKb: of((c) => c.peakRssKb),
        peakTreeRssKb: of((c) => c.peakTreeRssKb),
      };
      for (const [key, value] of Object.entries(figures)) if (value) (entry as unknown as Record<string, unknown>)[key] = value;
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

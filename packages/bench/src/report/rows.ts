import type { CallSummary, ConnectorResult, Continuation, SideResult, SideSummary } from '../model.js';
import { ratio, type Summary } from '../stats.js';
import { count, type Formatter, mib, ms } from './format.js';

/** One figure compared across the two sides (and the floor where that comparison means something). */
export interface Row {
  /** Call id for call rows; undefined for the session figures. */
  call?: string;
  /** Which figure of the call this row holds. */
  metric?: 'latency' | 'text' | 'tokens' | 'wire' | 'peak' | 'peakTree';
  figure: string;
  /** Short name of the figure for the chart. */
  short: string;
  patchbay?: Summary;
  comparator?: Summary;
  /** Shown instead of a figure: "no git_diff tool yet", "no equivalent". */
  patchbayNote?: string;
  comparatorNote?: string;
  format: Formatter;
  /** The floor's figure, for the × floor columns (start-up and memory only). */
  floor?: Summary;
  /** Set when a side answered some runs of this call with an error. */
  patchbayErrors?: number;
  comparatorErrors?: number;
  patchbayError?: string;
  comparatorError?: string;
  /** Runs in which a side's result ended with a continuation, and what it said. */
  patchbayTruncated?: number;
  comparatorTruncated?: number;
  patchbayMore?: Continuation;
  comparatorMore?: Continuation;
}

/** The rows of a connector's table, in reading order: start-up, tool list, memory, then each call. */
export function connectorRows(connector: ConnectorResult, floor: SideResult): Row[] {
  const p = connector.patchbay.summary;
  const c = connector.comparator.summary;
  const f = floor.summary;
  const rows: Row[] = [
    {
      figure: 'spawn → initialize response (ms)',
      short: 'start-up',
      ...pair(p?.startupMs, c?.startupMs),
      format: ms,
      ...opt('floor', f?.startupMs),
    },
    { figure: 'tools/list response (ms)', short: 'tools/list time', ...pair(p?.toolsListMs, c?.toolsListMs), format: ms },
    {
      figure: 'tools/list size (bytes)',
      short: 'tools/list bytes',
      ...pair(p?.toolsListBytes, c?.toolsListBytes),
      format: count,
    },
    { figure: 'tools/list tokens', short: 'tools/list tokens', ...pair(p?.toolsListTokens, c?.toolsListTokens), format: count },
    { figure: 'tools offered', short: 'tools', ...pair(p?.tools, c?.tools), format: count },
    {
      figure: 'idle RSS (MiB)',
      short: 'idle RSS',
      ...pair(p?.idleRssKb, c?.idleRssKb),
      format: mib,
      ...opt('floor', f?.idleRssKb),
    },
  ];
  if (hasChildren(p, c, 'idle')) {
    rows.push({
      figure: 'idle RSS incl. child processes (MiB)',
      short: 'idle RSS + children',
      ...pair(p?.idleTreeRssKb, c?.idleTreeRssKb),
      format: mib,
      ...opt('floor', f?.idleRssKb),
    });
  }
  for (const call of connector.calls) {
    const pc = p?.calls[call.id];
    const cc = c?.calls[call.id];
    const base = {
      call: call.id,
      ...opt('patchbayNote', pc?.absent),
      ...opt('comparatorNote', cc?.absent ?? (call.comparatorTool ? undefined : 'no equivalent')),
      ...opt('patchbayErrors', pc?.errors || undefined),
      ...opt('comparatorErrors', cc?.errors || undefined),
      ...opt('patchbayError', pc?.firstError),
      ...opt('comparatorError', cc?.firstError),
      ...opt('patchbayTruncated', pc?.truncated || undefined),
      ...opt('comparatorTruncated', cc?.truncated || undefined),
      ...opt('patchbayMore', pc?.more),
      ...opt('comparatorMore', cc?.more),
    };
    rows.push(
      {
        ...base,
        metric: 'latency',
        figure: `${call.label}: latency (ms)`,
        short: `${call.label}: latency`,
        ...pair(pc?.ms, cc?.ms),
        format: ms,
      },
      {
        ...base,
        metric: 'text',
        figure: `${call.label}: text for the model (bytes)`,
        short: `${call.label}: bytes`,
        ...pair(pc?.textBytes, cc?.textBytes),
        format: count,
      },
      {
        ...base,
        metric: 'tokens',
        figure: `${call.label}: tokens`,
        short: `${call.label}: tokens`,
        ...pair(pc?.tokens, cc?.tokens),
        format: count,
      },
      {
        ...base,
        metric: 'wire',
        figure: `${call.label}: response on the wire (bytes)`,
        short: `${call.label}: wire bytes`,
        ...pair(pc?.wireBytes, cc?.wireBytes),
        format: count,
      },
      {
        ...base,
        metric: 'peak',
        figure: `${call.label}: peak RSS (MiB)`,
        short: `${call.label}: peak RSS`,
        ...pair(pc?.peakRssKb, cc?.peakRssKb),
        format: mib,
        ...opt('floor', f?.idleRssKb),
      },
    );
    if (hasChildren(pc, cc, 'peak')) {
      rows.push({
        ...base,
        metric: 'peakTree',
        figure: `${call.label}: peak RSS incl. child processes (MiB)`,
        short: `${call.label}: peak RSS + children`,
        ...pair(pc?.peakTreeRssKb, cc?.peakTreeRssKb),
        format: mib,
      });
    }
  }
  return rows;
}

export function rowRatio(row: Row): number | undefined {
  return ratio(row.patchbay, row.comparator);
}

function pair(patchbay: Summary | undefined, comparator: Summary | undefined): Pick<Row, 'patchbay' | 'comparator'> {
  return { ...opt('patchbay', patchbay), ...opt('comparator', comparator) };
}

/** `{ key: value }` when the value is defined, `{}` otherwise (keeps optional fields absent, not undefined). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Child processes matter when a server starts some (Chromium): the row appears only when the
 * tree's memory is clearly above the process's own, so other tables stay short.
 */
function hasChildren(
  a: SideSummary | CallSummary | undefined,
  b: SideSummary | CallSummary | undefined,
  kind: 'idle' | 'peak',
): boolean {
  const more = (s: SideSummary | CallSummary | undefined) => {
    if (!s) return false;
    const [own, tree] =
      kind === 'idle'
        ? [(s as SideSummary).idleRssKb, (s as SideSummary).idleTreeRssKb]
        : [(s as CallSummary).peakRssKb, (s as CallSummary).peakTreeRssKb];
    return own !== undefined && tree !== undefined && tree.median > own.median * 1.1;
  };
  return more(a) || more(b);
}

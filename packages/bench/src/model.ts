import type { GatewayResult } from './gateway.js';
import type { Summary } from './stats.js';

/** A result's continuation: how much was left out and how to get it. */
export interface Continuation {
  omitted?: number;
  hint?: string;
}

/** One tool call in one session, as measured. */
export interface CallSample {
  id: string;
  tool: string;
  /** Request written → response line read. */
  ms: number;
  /** The whole response line on stdout. */
  wireBytes: number;
  /** The text content a model is given (content[].text joined). */
  textBytes: number;
  tokens: number;
  /** True when the server answered with an error (isError result or JSON-RPC error). */
  error?: string;
  /** The result holds part of what was asked and says how to get the rest (Patchbay's `more`). */
  more?: Continuation;
  /** What the answer held, as the plan's `observe` put it ("3 of 3 sheets"). */
  observed?: string;
  /** VmHWM of the server process during this call (peak reset just before it). */
  peakRssKb: number;
  /** Highest summed VmRSS of the server and its child processes, sampled every 20 ms. */
  peakTreeRssKb: number;
}

/** One spawn of one server: start-up, tools/list, idle memory and the calls. */
export interface SessionSample {
  startupMs: number;
  toolsListMs?: number;
  toolsListBytes?: number;
  toolsListTokens?: number;
  tools?: number;
  idleRssKb: number;
  idleTreeRssKb: number;
  calls: CallSample[];
  /** Set when the session failed; the other fields hold whatever was measured before. */
  failure?: string;
}

export type SideStatus = 'measured' | 'not built yet' | 'not installed' | 'failed';

export interface CallSummary {
  tool?: string;
  /** Why there is no figure: the tool is missing from this side, or has no equivalent. */
  absent?: string;
  ms?: Summary;
  wireBytes?: Summary;
  textBytes?: Summary;
  tokens?: Summary;
  peakRssKb?: Summary;
  peakTreeRssKb?: Summary;
  /** Runs in which this call returned an error, with the first error's text. */
  errors: number;
  firstError?: string;
  /** Runs in which the result ended with a continuation, and the first run's. */
  truncated: number;
  more?: Continuation;
}

export interface SideSummary {
  startupMs?: Summary;
  toolsListMs?: Summary;
  toolsListBytes?: Summary;
  toolsListTokens?: Summary;
  tools?: Summary;
  idleRssKb?: Summary;
  idleTreeRssKb?: Summary;
  calls: Record<string, CallSummary>;
  failedRuns: number;
}

export interface SideResult {
  /** "Patchbay git 0.1.0", "@cyanheads/git-mcp-server 2.15.3", "floor". */
  label: string;
  version?: string;
  status: SideStatus;
  /** For failed / not built: what happened or what is missing. */
  reason?: string;
  command?: string;
  samples: SessionSample[];
  summary?: SideSummary;
}

export interface ConnectorResult {
  id: string;
  title: string;
  calls: { id: string; label: string; patchbayTool: string; comparatorTool?: string }[];
  patchbay: SideResult;
  comparator: SideResult;
  notes: string[];
  /** Set when the connector's fixture (database, repository…) could not be set up. */
  skipped?: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium?: string;
  postgres?: string;
  git?: string;
  /** 1-minute load average when the bench started and when it ended: other work skews the figures. */
  load: { start: number; end: number };
}

export interface BenchResult {
  /** ISO 8601. */
  date: string;
  machine: Machine;
  tokenizer: string;
  runs: number;
  only: string[];
  durationMs: number;
  floor: SideResult;
  connectors: ConnectorResult[];
  /** `patchbay serve` against the separate bins, when measured. */
  gateway?: GatewayResult;
}

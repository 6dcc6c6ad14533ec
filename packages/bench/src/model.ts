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
  /** Spawn → response line read: what a client that calls as soon as it can waits for. */
  sinceSpawnMs?: number;
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
  /** Spawn → the tools/list response line (tools/list is sent as soon as initialize is answered). */
  toolsListSinceSpawnMs?: number;
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
  sinceSpawnMs?: Summary;
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
  toolsListSinceSpawnMs?: Summary;
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
  /** With --baseline: the same connector from the other checkout, measured in the same runs. */
  beforeAfter?: BeforeAfter;
}

/**
 * Patchbay's bin from the baseline checkout ("before") beside this checkout's ("after", the
 * `patchbay` side above), with the floor sessions of the same runs for the × floor ratios.
 */
export interface BeforeAfter {
  /** The floor sessions interleaved with this connector's runs. */
  floor: SideSummary;
  /** The baseline's bin, started like the `patchbay` side: start-up, tools/list, idle memory. */
  before: SideResult;
  /**
   * Spawn → first result of one cheap read, in sessions of their own (the call follows tools/list
   * with no rest, as a client that calls at once): both sides, or why there is no such call.
   */
  firstRead?: { label: string; tool: string; before: SideResult; after: SideResult };
  noFirstRead?: string;
}

/** The id of the first-read call in a BeforeAfter side's samples and summary. */
export const FIRST_READ = 'first-read';

/** What the servers were run with, when not the bench's own Node, and the baseline checkout. */
export interface BenchSetup {
  /** `--node`: the binary and its version. */
  node?: { path: string; version: string };
  /** `--baseline`: the checkout and its commit. */
  baseline?: { dir: string; commit?: string };
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
  /** Set when --node or --baseline was given. */
  setup?: BenchSetup;
}

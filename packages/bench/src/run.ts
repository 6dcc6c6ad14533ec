import { existsSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUE, type CallPlan, type ConnectorId, type ConnectorPlan, type FirstRead, type ToolCall } from './catalogue.js';
import { type Fixtures, setUp, tearDown } from './fixtures/index.js';
import { measureSession, type PlannedCall, type SessionPlan } from './measure.js';
import {
  type BeforeAfter,
  type ConnectorResult,
  FIRST_READ,
  type SessionSample,
  type SideResult,
  type SideSummary,
} from './model.js';
import { installedPackage, patchbayBin, patchbayVersion, REPO_ROOT } from './paths.js';
import type { Launch } from './rpc.js';
import { type CallRef, summarizeSide } from './summarize.js';

/**
 * The floor: a bare Node process that answers each request line with an empty result. Nothing is
 * imported, so this is the least any Node server can take to start and the least memory it holds.
 */
export const FLOOR_SCRIPT =
  "let b='';process.stdin.on('data',d=>{b+=d;let i;while((i=b.indexOf('\\n'))>=0){const l=b.slice(0,i);b=b.slice(i+1);const m=JSON.parse(l);" +
  "if(m.id!==undefined)process.stdout.write(JSON.stringify({jsonrpc:'2.0',id:m.id,result:{}})+'\\n')}})";

/** The floor, run by the given node binary. */
export function floorLaunch(node: string): Launch {
  return { command: node, args: ['-e', FLOOR_SCRIPT] };
}

export const FLOOR_LAUNCH: Launch = floorLaunch(process.execPath);

export interface RunOptions {
  only: readonly ConnectorId[];
  runs: number;
  chromium: string;
  scratch: string;
  /** The node binary that runs the floor and every server (default: the bench's own). */
  node?: { path: string; version: string };
  /** Another built checkout whose bins are measured beside this one's (before and after). */
  baseline?: string;
  progress(line: string): void;
}

interface Side {
  result: SideResult;
  launch?: Launch;
  calls: PlannedCall[];
  samples: SessionSample[];
  toolNames: Set<string>;
}

/**
 * Every selected connector against its comparator, interleaved: floor, Patchbay, comparator, then
 * again, so drift on the machine (another process, thermal state) touches all sides alike.
 */
export async function runBench(
  options: RunOptions,
): Promise<{ floor: SideResult; connectors: ConnectorResult[]; postgresVersion?: string }> {
  const fx: Fixtures = { chromium: options.chromium, scratch: options.scratch };
  const floorSamples: SessionSample[] = [];
  const connectors: ConnectorResult[] = [];
  const floor = floorLaunch(nodeOf(options));
  // One unmeasured start first: the first spawn of anything pays for a cold file cache.
  await measureSession(floor, { toolsList: false, calls: [], settleMs: 0 });

  let postgresVersion: string | undefined;
  for (const plan of CATALOGUE.filter((p) => options.only.includes(p.id))) {
    connectors.push(
      await runConnector(plan, fx, options, floor, floorSamples, () => {
        postgresVersion ??= fx.postgres?.version;
      }),
    );
  }

  // No connector selected (`--only gateway`): the floor is still measured, on its own.
  if (options.only.length === 0) {
    for (let run = 1; run <= options.runs; run++) {
      floorSamples.push((await measureSession(floor, { toolsList: false, calls: [] })).sample);
    }
  }

  const floorResult: SideResult = {
    label: 'floor (bare node -e)',
    version: options.node?.version ?? process.version,
    status: floorSamples.some((s) => !s.failure) ? 'measured' : 'failed',
    command: 'node -e <answer each line>',
    samples: floorSamples,
    summary: summarizeSide(floorSamples, [], new Set()),
  };
  return { floor: floorResult, connectors, ...(postgresVersion ? { postgresVersion } : {}) };
}

async function runConnector(
  plan: ConnectorPlan,
  fx: Fixtures,
  options: RunOptions,
  floor: Launch,
  floorSamples: SessionSample[],
  fixtureReady: () => void,
): Promise<ConnectorResult> {
  const result: ConnectorResult = {
    id: plan.id,
    title: plan.title,
    calls: [],
    patchbay: { label: `Patchbay ${plan.id}`, status: 'not built yet', samples: [] },
    comparator: { label: plan.comparator, status: 'not installed', samples: [] },
    notes: [...plan.notes],
  };
  if (plan.fixture) {
    try {
      options.progress(`${plan.id}: setting up ${plan.fixture} fixture`);
      const where = await setUp(plan.fixture, fx);
      if (where) result.notes.push(where);
      fixtureReady();
    } catch (error) {
      result.skipped = `${plan.fixture} fixture unavailable: ${error instanceof Error ? error.message : String(error)}`;
      result.patchbay.status = result.comparator.status = 'failed';
      result.patchbay.reason = result.comparator.reason = result.skipped;
      options.progress(`${plan.id}: skipped, ${result.skipped}`);
      return result;
    }
  }
  try {
    const callPlans = plan.calls(fx);
    result.calls = callPlans.map((c) => ({
      id: c.id,
      label: c.label,
      patchbayTool: c.patchbay.tool,
      ...(c.comparator ? { comparatorTool: c.comparator.tool } : {}),
    }));
    const node = nodeOf(options);
    const patchbay = patchbaySide(
      plan,
      fx,
      node,
      plannedCalls(callPlans, (c) => c.patchbay),
    );
    const comparator = comparatorSide(
      plan,
      fx,
      node,
      plannedCalls(callPlans, (c) => c.comparator),
    );
    const ab = options.baseline ? beforeAfterSides(plan, fx, node, options.baseline) : undefined;
    const launched = (sides: (Side | undefined)[]) => sides.filter((s): s is Side => s?.launch !== undefined);
    // Before and after next to each other, in turn first: neither always follows the comparator.
    const pair = (after: Side | undefined, before: Side | undefined, run: number) =>
      launched(run % 2 === 1 ? [after, before] : [before, after]);
    const floorFrom = floorSamples.length;

    const measure = async (side: Side, plan_: SessionPlan) => {
      const { sample, toolNames } = await measureSession(side.launch as Launch, plan_);
      side.samples.push(sample);
      if (toolNames.size > 0) side.toolNames = toolNames;
      if (sample.failure) options.progress(`${plan.id}: ${side.result.label} failed: ${sample.failure.split('\n')[0]}`);
    };
    for (const side of launched([patchbay, comparator, ab?.before]))
      await measureSession(side.launch as Launch, { toolsList: false, calls: [], settleMs: 0 });
    for (let run = 1; run <= options.runs; run++) {
      options.progress(`${plan.id}: run ${run}/${options.runs}`);
      floorSamples.push((await measureSession(floor, { toolsList: false, calls: [] })).sample);
      for (const side of launched([...pair(patchbay, ab?.before, run), comparator]))
        await measure(side, { toolsList: true, calls: side.calls });
      // No rest before the call: spawn → first result as a client that calls at once sees it.
      for (const side of pair(ab?.firstRead?.after, ab?.firstRead?.before, run))
        await measure(side, { toolsList: true, calls: side.calls, settleMs: 0 });
    }
    if (plan.alsoListWith && patchbay.launch) {
      const launch = patchbay.launch;
      const { sample } = await measureSession(
        { ...launch, args: [...launch.args, ...plan.alsoListWith] },
        { toolsList: true, calls: [], settleMs: 0 },
      );
      if (!sample.failure && sample.toolsListBytes !== undefined) {
        result.notes.push(
          `With ${plan.alsoListWith.join(' ')}, Patchbay lists ${sample.tools} tools: tools/list ${sample.toolsListBytes.toLocaleString('en-US')} bytes, ${sample.toolsListTokens?.toLocaleString('en-US')} tokens (one session).`,
        );
      }
    }
    for (const side of launched([patchbay, comparator]))
      finish(
        side,
        callPlans.map((c) => ({ id: c.id, tool: side === patchbay ? c.patchbay.tool : c.comparator?.tool })),
      );
    result.patchbay = patchbay.result;
    result.comparator = comparator.result;
    if (ab) result.beforeAfter = finishBeforeAfter(ab, plan, summarizeSide(floorSamples.slice(floorFrom), [], new Set()));
    result.notes.push(...observations(callPlans, patchbay.samples, comparator.samples, plan.comparator));
    return result;
  } finally {
    if (plan.fixture) await tearDown(plan.fixture, fx);
  }
}

/** "What each returns" notes, for calls whose plan observes the answers: the first run's observation per side. */
function observations(
  callPlans: ReturnType<ConnectorPlan['calls']>,
  patchbay: readonly SessionSample[],
  comparator: readonly SessionSample[],
  comparatorName: string,
): string[] {
  const first = (samples: readonly SessionSample[], id: string) =>
    samples.flatMap((s) => s.calls).find((c) => c.id === id && c.observed !== undefined)?.observed;
  return callPlans.flatMap((c) => {
    const ours = first(patchbay, c.id);
    const theirs = first(comparator, c.id);
    if (ours === undefined && theirs === undefined) return [];
    return [`What "${c.label}" returns — Patchbay: ${ours ?? 'not measured'}; ${comparatorName}: ${theirs ?? 'not measured'}.`];
  });
}

/** The calls one side makes, from the plans (a side without an equivalent skips that call). */
function plannedCalls(callPlans: ReturnType<ConnectorPlan['calls']>, pick: (c: CallPlan) => ToolCall | undefined): PlannedCall[] {
  return callPlans.flatMap((c) => {
    const call = pick(c);
    return call ? [{ id: c.id, ...call, ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}) }] : [];
  });
}

/**
 * A Patchbay connector's built bin, from this checkout or (before and after) from another one,
 * started as the plan says, plus `extraArgs`.
 */
function patchbaySide(
  plan: ConnectorPlan,
  fx: Fixtures,
  node: string,
  calls: PlannedCall[],
  root = REPO_ROOT,
  extraArgs: readonly string[] = [],
): Side {
  const bin = patchbayBin(plan.id, root);
  const version = patchbayVersion(plan.id, root);
  const here = root === REPO_ROOT;
  const result: SideResult = {
    label: `Patchbay ${plan.id}${here ? '' : ' (before)'}`,
    ...(version ? { version } : {}),
    status: 'not built yet',
    samples: [],
  };
  const side: Side = { result, calls, samples: [], toolNames: new Set() };
  if (!existsSync(bin)) {
    const sources = existsSync(path.join(root, 'servers', plan.id, 'src', 'index.ts'));
    result.reason = !here
      ? `${bin} does not exist: build that checkout (pnpm install && pnpm -r build there)`
      : sources
        ? `servers/${plan.id} has sources but no dist/index.cjs: run pnpm turbo run build --filter @patchbay/${plan.id}`
        : `servers/${plan.id}/dist/index.cjs does not exist`;
    return side;
  }
  const { args, env } = plan.patchbay(fx);
  const all = [...args, ...extraArgs];
  side.launch = { command: node, args: [bin, ...all], ...(env ? { env } : {}), cwd: fx.scratch };
  result.command = describe(`node ${here ? path.relative(REPO_ROOT, bin) : bin}`, all, env);
  return side;
}

function comparatorSide(plan: ConnectorPlan, fx: Fixtures, node: string, calls: PlannedCall[]): Side {
  const pkg = installedPackage(plan.comparator);
  const result: SideResult = { label: plan.comparator, status: 'not installed', samples: [] };
  const side: Side = { result, calls, samples: [], toolNames: new Set() };
  if (!pkg) {
    result.reason = `${plan.comparator} is not installed: run pnpm install`;
    return side;
  }
  result.version = pkg.version;
  const { args, env } = plan.comparatorLaunch(fx);
  side.launch = { command: node, args: [pkg.bin, ...args], ...(env ? { env } : {}), cwd: fx.scratch };
  result.command = describe(`node ${path.relative(REPO_ROOT, pkg.bin)}`, args, env);
  return side;
}

interface BeforeAfterSides {
  /** The baseline's bin, for start-up, tools/list and idle memory (no calls). */
  before: Side;
  /** Both bins again, for spawn → first result of the plan's cheap read. */
  firstRead?: { call: FirstRead; after: Side; before: Side };
}

function beforeAfterSides(plan: ConnectorPlan, fx: Fixtures, node: string, baseline: string): BeforeAfterSides {
  const before = patchbaySide(plan, fx, node, [], baseline);
  const read = plan.firstRead;
  if (!read) return { before };
  const calls: PlannedCall[] = [{ id: FIRST_READ, tool: read.tool, args: read.args }];
  return {
    before,
    firstRead: {
      call: read,
      after: patchbaySide(plan, fx, node, calls, REPO_ROOT, read.extraArgs),
      before: patchbaySide(plan, fx, node, calls, baseline, read.extraArgs),
    },
  };
}

function finishBeforeAfter(ab: BeforeAfterSides, plan: ConnectorPlan, floor: SideSummary): BeforeAfter {
  if (ab.before.launch) finish(ab.before, []);
  if (!ab.firstRead) return { floor, before: ab.before.result, noFirstRead: `no cheap read is planned for ${plan.id}` };
  const { call, after, before } = ab.firstRead;
  for (const side of [after, before]) if (side.launch) finish(side, [{ id: FIRST_READ, tool: call.tool }]);
  const args = Object.keys(call.args).length ? ` ${JSON.stringify(call.args)}` : '';
  return {
    floor,
    before: ab.before.result,
    firstRead: {
      label: `${call.tool}${args}${call.extraArgs ? ` (started with ${call.extraArgs.join(' ')})` : ''}`,
      tool: call.tool,
      after: after.result,
      before: before.result,
    },
  };
}

function nodeOf(options: RunOptions): string {
  return options.node?.path ?? process.execPath;
}

function finish(side: Side, calls: CallRef[]): void {
  side.result.samples = side.samples;
  side.result.summary = summarizeSide(side.samples, calls, side.toolNames);
  const failures = side.samples.filter((s) => s.failure);
  if (failures.length === side.samples.length && failures.length > 0) {
    side.result.status = 'failed';
    side.result.reason = failures[0]?.failure;
  } else {
    side.result.status = 'measured';
    if (failures.length > 0)
      side.result.reason = `${failures.length} of ${side.samples.length} runs failed: ${failures[0]?.failure}`;
  }
}

/** The command line as a person would type it, with temp paths shortened. */
function describe(base: string, args: string[], env: Record<string, string> | undefined): string {
  const vars = Object.entries(env ?? {}).map(([k, v]) => `${k}=${shorten(v)}`);
  return [...vars, base, ...args.map(shorten)].join(' ');
}

function shorten(value: string): string {
  const quoted = /[\s"{}]/.test(value) ? `'${value}'` : value;
  return quoted.replace(/\/tmp\/[^/\s']+/g, '$TMP');
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUE, type ConnectorId, type ConnectorPlan } from './catalogue.js';
import { type Fixtures, setUp, tearDown } from './fixtures/index.js';
import { measureSession, type PlannedCall } from './measure.js';
import type { ConnectorResult, SessionSample, SideResult } from './model.js';
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

export const FLOOR_LAUNCH: Launch = { command: process.execPath, args: ['-e', FLOOR_SCRIPT] };

export interface RunOptions {
  only: readonly ConnectorId[];
  runs: number;
  chromium: string;
  scratch: string;
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
  // One unmeasured start first: the first spawn of anything pays for a cold file cache.
  await measureSession(FLOOR_LAUNCH, { toolsList: false, calls: [], settleMs: 0 });

  let postgresVersion: string | undefined;
  for (const plan of CATALOGUE.filter((p) => options.only.includes(p.id))) {
    connectors.push(
      await runConnector(plan, fx, options, floorSamples, () => {
        postgresVersion ??= fx.postgres?.version;
      }),
    );
  }

  // No connector selected (`--only gateway`): the floor is still measured, on its own.
  if (options.only.length === 0) {
    for (let run = 1; run <= options.runs; run++) {
      floorSamples.push((await measureSession(FLOOR_LAUNCH, { toolsList: false, calls: [] })).sample);
    }
  }

  const floor: SideResult = {
    label: 'floor (bare node -e)',
    version: process.version,
    status: floorSamples.some((s) => !s.failure) ? 'measured' : 'failed',
    command: 'node -e <answer each line>',
    samples: floorSamples,
    summary: summarizeSide(floorSamples, [], new Set()),
  };
  return { floor, connectors, ...(postgresVersion ? { postgresVersion } : {}) };
}

async function runConnector(
  plan: ConnectorPlan,
  fx: Fixtures,
  options: RunOptions,
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
    const patchbay = patchbaySide(plan, fx, callPlans);
    const comparator = comparatorSide(plan, fx, callPlans);
    const sides = [patchbay, comparator].filter((s) => s.launch);

    for (const side of sides) await measureSession(side.launch as Launch, { toolsList: false, calls: [], settleMs: 0 });
    for (let run = 1; run <= options.runs; run++) {
      options.progress(`${plan.id}: run ${run}/${options.runs}`);
      floorSamples.push((await measureSession(FLOOR_LAUNCH, { toolsList: false, calls: [] })).sample);
      for (const side of sides) {
        const { sample, toolNames } = await measureSession(side.launch as Launch, { toolsList: true, calls: side.calls });
        side.samples.push(sample);
        if (toolNames.size > 0) side.toolNames = toolNames;
        if (sample.failure) options.progress(`${plan.id}: ${side.result.label} failed: ${sample.failure.split('\n')[0]}`);
      }
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
    for (const side of sides)
      finish(
        side,
        callPlans.map((c) => ({ id: c.id, tool: side === patchbay ? c.patchbay.tool : c.comparator?.tool })),
      );
    result.patchbay = patchbay.result;
    result.comparator = comparator.result;
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

function patchbaySide(plan: ConnectorPlan, fx: Fixtures, callPlans: ReturnType<ConnectorPlan['calls']>): Side {
  const bin = patchbayBin(plan.id);
  const version = patchbayVersion(plan.id);
  const result: SideResult = {
    label: `Patchbay ${plan.id}`,
    ...(version ? { version } : {}),
    status: 'not built yet',
    samples: [],
  };
  const side: Side = {
    result,
    calls: callPlans.map((c) => ({ id: c.id, ...c.patchbay, ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}) })),
    samples: [],
    toolNames: new Set(),
  };
  if (!existsSync(bin)) {
    const sources = existsSync(path.join(REPO_ROOT, 'servers', plan.id, 'src', 'index.ts'));
    result.reason = sources
      ? `servers/${plan.id} has sources but no dist/index.js: run pnpm turbo run build --filter @patchbay/${plan.id}`
      : `servers/${plan.id}/dist/index.js does not exist`;
    return side;
  }
  const { args, env } = plan.patchbay(fx);
  side.launch = { command: process.execPath, args: [bin, ...args], ...(env ? { env } : {}), cwd: fx.scratch };
  result.command = describe(`node servers/${plan.id}/dist/index.js`, args, env);
  return side;
}

function comparatorSide(plan: ConnectorPlan, fx: Fixtures, callPlans: ReturnType<ConnectorPlan['calls']>): Side {
  const pkg = installedPackage(plan.comparator);
  const result: SideResult = { label: plan.comparator, status: 'not installed', samples: [] };
  const calls = callPlans.flatMap((c) =>
    c.comparator ? [{ id: c.id, ...c.comparator, ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}) }] : [],
  );
  const side: Side = { result, calls, samples: [], toolNames: new Set() };
  if (!pkg) {
    result.reason = `${plan.comparator} is not installed: run pnpm install`;
    return side;
  }
  result.version = pkg.version;
  const { args, env } = plan.comparatorLaunch(fx);
  side.launch = { command: process.execPath, args: [pkg.bin, ...args], ...(env ? { env } : {}), cwd: fx.scratch };
  result.command = describe(`node ${path.relative(REPO_ROOT, pkg.bin)}`, args, env);
  return side;
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

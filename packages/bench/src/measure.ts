import { setTimeout as sleep } from 'node:timers/promises';
import { procMemory, resetPeak, TreeSampler } from './memory.js';
import type { CallSample, SessionSample } from './model.js';
import { type Launch, type Reply, StdioSession } from './rpc.js';
import { tokens } from './tokens.js';

export interface PlannedCall {
  id: string;
  tool: string;
  args: Record<string, unknown>;
  /** Read this resource instead of calling `tool`. */
  resource?: string;
  /** Describe what the answer holds (kept from each run). */
  observe?: (text: string) => string;
  timeoutMs?: number;
}

export interface SessionPlan {
  /** The floor answers initialize only; servers also list their tools. */
  toolsList: boolean;
  calls: PlannedCall[];
  /** Pause after tools/list before reading idle memory, so start-up work has settled. */
  settleMs?: number;
}

export interface SessionOutcome {
  sample: SessionSample;
  /** Tool names from tools/list: calls to tools not in it are not made. */
  toolNames: Set<string>;
}

const INIT_TIMEOUT_MS = 30_000;
const DEFAULT_CALL_TIMEOUT_MS = 60_000;

/** Spawn a server, measure one session of it, and end it (and anything it started). */
export async function measureSession(launch: Launch, plan: SessionPlan): Promise<SessionOutcome> {
  const session = new StdioSession(launch);
  const sampler = new TreeSampler(session.pid);
  const sample: SessionSample = { startupMs: Number.NaN, idleRssKb: Number.NaN, idleTreeRssKb: Number.NaN, calls: [] };
  const toolNames = new Set<string>();
  try {
    const init = await session.initialize(INIT_TIMEOUT_MS);
    if (init.message.error) throw new Error(`initialize failed: ${init.message.error.message}`);
    sample.startupMs = init.sinceSpawnMs;

    if (plan.toolsList) {
      const list = await session.request('tools/list', {}, INIT_TIMEOUT_MS);
      if (list.message.error) throw new Error(`tools/list failed: ${list.message.error.message}`);
      const tools = (list.message.result as { tools?: { name: string }[] } | undefined)?.tools ?? [];
      for (const tool of tools) toolNames.add(tool.name);
      sample.toolsListMs = list.ms;
      sample.toolsListSinceSpawnMs = list.at - session.startedAt;
      sample.toolsListBytes = list.bytes;
      sample.toolsListTokens = tokens(list.text);
      sample.tools = tools.length;
    }

    const settleMs = plan.settleMs ?? 300;
    if (settleMs > 0) await sleep(settleMs);
    sample.idleRssKb = procMemory(session.pid)?.rssKb ?? Number.NaN;
    sample.idleTreeRssKb = sampler.sample().rssKb;

    for (const call of plan.calls) {
      if (!call.resource && !toolNames.has(call.tool)) continue;
      sample.calls.push(await measureCall(session, sampler, call));
    }
  } catch (error) {
    sample.failure = `${error instanceof Error ? error.message : String(error)}`.slice(0, 1_000);
  } finally {
    sampler.stop();
    await session.close();
    // A server that exits without closing its browser leaves it orphaned: end exactly those pids.
    sampler.killLeftovers();
  }
  return { sample, toolNames };
}

async function measureCall(session: StdioSession, sampler: TreeSampler, call: PlannedCall): Promise<CallSample> {
  for (const pid of sampler.sample().pids) resetPeak(pid);
  sampler.start();
  let reply: Reply;
  let peakTreeRssKb: number;
  try {
    reply = call.resource
      ? await session.request('resources/read', { uri: call.resource }, call.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS)
      : await session.request('tools/call', { name: call.tool, arguments: call.args }, call.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
  } finally {
    peakTreeRssKb = sampler.stop();
  }
  const peakRssKb = procMemory(session.pid)?.hwmKb ?? Number.NaN;
  const { result, error } = reply.message;
  const content = (result as { content?: { type: string; text?: string }[]; isError?: boolean } | undefined)?.content ?? [];
  // A resource read's text is its contents' text (what a client hands the model).
  const contents = (result as { contents?: { text?: string }[] } | undefined)?.contents ?? [];
  const text = call.resource
    ? contents.map((c) => c.text ?? '').join('\n')
    : content
        .filter((c) => c.type === 'text' && typeof c.text === 'string')
        .map((c) => c.text)
        .join('\n');
  const isError = error !== undefined || (result as { isError?: boolean } | undefined)?.isError === true;
  // Patchbay's continuation convention: structured `more` when a result was cut to the budget.
  const more = (result as { structuredContent?: { more?: { omitted?: unknown; hint?: unknown } | null } } | undefined)
    ?.structuredContent?.more;
  return {
    id: call.id,
    tool: call.tool,
    ms: reply.ms,
    sinceSpawnMs: reply.at - session.startedAt,
    wireBytes: reply.bytes,
    textBytes: Buffer.byteLength(text),
    tokens: tokens(text),
    ...(isError ? { error: (error?.message ?? text).slice(0, 300) } : {}),
    ...(call.observe && !isError ? { observed: call.observe(text) } : {}),
    ...(more && typeof more === 'object'
      ? {
          more: {
            ...(typeof more.omitted === 'number' ? { omitted: more.omitted } : {}),
            ...(typeof more.hint === 'string' ? { hint: more.hint.slice(0, 300) } : {}),
          },
        }
      : {}),
    peakRssKb,
    peakTreeRssKb,
  };
}

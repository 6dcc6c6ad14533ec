import { PassThrough, Writable } from 'node:stream';
import { type OptionsSpec, parseOptions } from '../config.js';
import { ConfigError } from '../errors.js';
import { commonOptions } from '../options.js';
import { redact } from '../redact.js';
import { selectionProblems, selectTools } from '../selection.js';
import type { Manifest } from './types.js';

/** Streams the full server is handed, with what the front already read replayed first. */
export interface Handoff {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

export interface FrontInput {
  manifest: Manifest;
  /** The connector's zod-free config module: its options, `check` and `switches`. */
  config: {
    options: OptionsSpec;
    check?: (options: never, settings: never) => string[];
    switches?: Record<string, (options: never) => boolean>;
    notices?: (options: never, settings: never) => string[];
  };
  /** Load and start the full server; without a handoff it runs as a plain bin. */
  start: (handoff?: Handoff) => Promise<void>;
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
}

/** The id the front gives the initialize request it replays to the server, whose answer it drops. */
const REPLAY_ID = 'patchbay-front-initialize';
/** A line longer than this is the server's to judge (and refuse). */
const MAX_FRONT_LINE = 1024 * 1024;

/**
 * The bin's first stage, for stdio. Starting a Node process is cheap; loading the SDK, zod and
 * the handlers is most of a connector's start-up time and memory. So the front parses the
 * options with the kit's zod-free code, answers `initialize`, `ping` and the list requests from
 * the manifest built with the bundle, and loads the full server on the first request it cannot
 * answer (a tool call, a resource read), handing it the conversation so far. Anything unusual
 * (--help, --http, a problem with the options) goes straight to the full bin, which says it
 * properly.
 */
export async function runFront(input: FrontInput): Promise<void> {
  const argv = input.argv ?? process.argv.slice(2);
  const env = input.env ?? process.env;
  const listed = toolList(input, argv, env);
  if (!listed || env.PATCHBAY_NO_FRONT === '1') return input.start();
  const { tools, notices } = listed;

  const { manifest } = input;
  const bin = `patchbay-${manifest.serverInfo.name.replace(/^patchbay-/, '')}`;
  // The full bin does not print them again when it takes the conversation over.
  for (const line of notices) process.stderr.write(`${bin}: ${redact(line)}\n`);
  const stdin = process.stdin;
  let buffered = '';
  let initialize: Record<string, unknown> | undefined;
  let initialized = false;
  let handedOff = false;

  const send = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);

  const answer = (message: { id?: unknown; method?: unknown; params?: Record<string, unknown> }): boolean => {
    const { id, method } = message;
    if (method === 'notifications/initialized' && initialize) {
      initialized = true;
      return true;
    }
    if (id === undefined || id === null || typeof method !== 'string') return false;
    if (method === 'initialize' && !initialize) {
      const asked = message.params?.protocolVersion;
      const protocolVersion =
        typeof asked === 'string' && manifest.protocolVersions.includes(asked) ? asked : manifest.protocolVersions[0];
      initialize = message as Record<string, unknown>;
      send({
        jsonrpc: '2.0',
        id,
        result: {
          protocolVersion,
          capabilities: manifest.capabilities,
          serverInfo: manifest.serverInfo,
          ...(manifest.instructions ? { instructions: manifest.instructions } : {}),
        },
      });
      return true;
    }
    if (!initialize) return false;
    if (method === 'ping') return reply(id, {});
    if (method === 'tools/list') return reply(id, { tools });
    if (method === 'prompts/list' && manifest.prompts) return reply(id, { prompts: manifest.prompts });
    if (method === 'resources/templates/list' && manifest.resourceTemplates) {
      return reply(id, { resourceTemplates: manifest.resourceTemplates });
    }
    if (method === 'resources/list' && manifest.resources) return reply(id, { resources: manifest.resources });
    return false;
  };
  const reply = (id: unknown, result: unknown) => {
    send({ jsonrpc: '2.0', id, result });
    return true;
  };

  const handOff = (rest: string, why: string) => {
    handedOff = true;
    if (env.PATCHBAY_LOG_LEVEL === 'debug') process.stderr.write(`${bin} debug front: handing over on ${why}\n`);
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
    const replay = new PassThrough();
    if (initialize) {
      replay.write(`${JSON.stringify({ ...initialize, id: REPLAY_ID })}\n`);
      if (initialized) replay.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    }
    replay.write(rest);
    stdin.pipe(replay);
    void input.start({ input: replay, output: dropReplayAnswer(process.stdout) });
  };

  const onData = (chunk: Buffer | string) => {
    buffered += chunk.toString();
    for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline).replace(/\r$/, '');
      if (line.trim() === '') {
        buffered = buffered.slice(newline + 1);
        continue;
      }
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        message = undefined;
      }
      if (!message || typeof message !== 'object' || !answer(message as Record<string, never>)) {
        const method = (message as { method?: unknown } | undefined)?.method;
        handOff(buffered, typeof method === 'string' ? method : 'a message it cannot read');
        return;
      }
      buffered = buffered.slice(newline + 1);
    }
    if (buffered.length > MAX_FRONT_LINE) handOff(buffered, 'a long message');
  };
  // Before the server exists there is nothing to clean up: the session simply ends.
  const onEnd = () => {
    if (!handedOff) process.exit(0);
  };
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (!handedOff) process.exit(0);
    });
  }
}

/**
 * The tools/list the live server would send for these options and the connector's start-up
 * notices, or undefined when the front should not answer at all (help, HTTP, any problem: the full
 * bin reports those).
 */
function toolList(input: FrontInput, argv: readonly string[], env: Readonly<Record<string, string | undefined>>) {
  const { manifest, config } = input;
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions({ ...commonOptions, ...config.options }, { argv, env });
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
  const values = parsed.values as Record<string, unknown>;
  if (parsed.help || parsed.version || values.http !== undefined) return undefined;
  const options = Object.fromEntries(Object.keys(config.options).map((k) => [k, values[k]]));
  const settings = values as { toolsets: string[]; tools: string[]; readOnly: boolean };
  if (missingCredential(config.options, options)) return undefined;
  if (selectionProblems(manifest, settings).length) return undefined;
  if (config.check && config.check(options as never, settings as never).length) return undefined;
  const chosen = selectTools(manifest, settings, (tool) =>
    tool.switched ? Boolean(config.switches?.[tool.name]?.(options as never)) : true,
  );
  return { tools: chosen.map((tool) => tool.entry), notices: config.notices?.(options as never, settings as never) ?? [] };
}

/** As the runtime decides it: a credential group none of whose options is set (and is required). */
function missingCredential(specs: OptionsSpec, values: Record<string, unknown>): boolean {
  const groups = new Map<string, boolean>();
  for (const [key, spec] of Object.entries(specs)) {
    if (!spec.credential) continue;
    if (spec.credential.requiredWhen && !spec.credential.requiredWhen(values)) continue;
    const group = spec.credential.group ?? key;
    const value = values[key];
    const set = Array.isArray(value) ? value.length > 0 : value !== undefined && value !== '';
    groups.set(group, (groups.get(group) ?? false) || set);
  }
  return [...groups.values()].some((set) => !set);
}

/** stdout for the full server, minus its answer to the replayed initialize. */
function dropReplayAnswer(stdout: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      let out = '';
      for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n')) {
        const line = pending.slice(0, newline + 1);
        pending = pending.slice(newline + 1);
        if (!line.includes(`"id":"${REPLAY_ID}"`)) out += line;
      }
      if (out) stdout.write(out, () => done());
      else done();
    },
  });
}

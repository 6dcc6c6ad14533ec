import { PassThrough, Writable } from 'node:stream';
import { flagOf, HELP_FLAGS, type OptionsSpec, parseOptions, VERSION_FLAGS } from '../config.js';
import { ConfigError } from '../errors.js';
import { createLogger, type Level, type Logger } from '../log.js';
import { commonOptions } from '../options.js';
import { redact } from '../redact.js';
import { selectionProblems, selectTools } from '../selection.js';
import { markStartupChecked, startupChecked } from '../startup.js';
import type { FrontManifest } from './types.js';

/** Streams the full server is handed, with what the front already read replayed first. */
export interface Handoff {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

export interface FrontInput {
  manifest: FrontManifest;
  /** The tools/list entry of each tool in `manifest.tools`, serialized, in the same order. */
  toolEntries: () => readonly string[];
  /** The connector's zod-free config module: its options, `check` and `switches`. */
  config: {
    options: OptionsSpec;
    check?: (options: never, settings: never) => string[];
    switches?: Record<string, (options: never) => boolean>;
    notices?: (options: never, settings: never) => string[];
    /** The connector's start-up check (the definition's `startupCheck`), run after initialize. */
    startupCheck?: (options: never, log: Logger) => Promise<void>;
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
/** As the server's warm-up: a moment after initialized, so the requests right after it go first. */
const STARTUP_CHECK_DELAY_MS = 100;

/**
 * The bin's first stage, for stdio. Starting a Node process is cheap; loading the SDK, zod and
 * the handlers is most of a connector's start-up time and memory. So the front answers
 * `initialize`, `ping` and the list requests from the manifest built with the bundle, and loads
 * the full server on the first request it cannot answer (a tool call, a resource read), handing
 * it the conversation so far. --help, --version and --http go straight to the full bin.
 *
 * The options are checked with the kit's zod-free code right after the first answer, not before
 * it: the initialize result does not depend on them, and their first check (cold code, URL and
 * file-system look-ups) would be a tenth of the whole start. Nothing that depends on them (the
 * lists, the start-up check) is answered before they are; a problem hands the conversation to
 * the full bin, which says it properly and exits 2, as it does when started directly.
 */
export async function runFront(input: FrontInput): Promise<void> {
  const argv = input.argv ?? process.argv.slice(2);
  const env = input.env ?? process.env;
  if (env.PATCHBAY_NO_FRONT === '1' || asksForTheFullBin(argv, env)) return input.start();

  const { manifest } = input;
  const name = manifest.serverInfo.name.replace(/^patchbay-/, '');
  let chosen: Chosen | undefined;
  /** The options, checked once; undefined when they have a problem (the full bin then has the conversation). */
  const decide = (): Chosen | undefined => {
    if (chosen || handedOff) return chosen;
    chosen = toolList(input, argv, env);
    if (!chosen) {
      handOff(buffered, 'a problem with the options');
      return undefined;
    }
    // The full bin does not print them again when it takes the conversation over.
    for (const line of chosen.notices) process.stderr.write(`patchbay-${name}: ${redact(line)}\n`);
    return chosen;
  };
  /**
   * The connector's start-up check, once, in the background; the server handed over to skips it
   * once it started. One not started yet at the hand-over is left to the server, which schedules
   * its own after the call that woke it: started here, it would load the service's client in the
   * middle of that call.
   */
  let checkTimer: NodeJS.Timeout | undefined;
  const startupCheck = (options: Chosen) => {
    const check = input.config.startupCheck;
    if (!check || startupChecked(name) || checkTimer) return;
    checkTimer = setTimeout(() => {
      markStartupChecked(name);
      const log = createLogger(`patchbay-${name}`, options.logLevel);
      check(options.options as never, log).catch((error: unknown) => log.debug('start-up check failed', { error }));
    }, STARTUP_CHECK_DELAY_MS).unref();
  };
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
      const options = decide();
      if (options) startupCheck(options);
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
    // What follows depends on the options (and a problem with them ends the front here).
    const options = decide();
    if (!options) return true;
    if (method === 'tools/list') {
      process.stdout.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"tools":[${options.tools().join(',')}]}}\n`);
      return true;
    }
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
    clearTimeout(checkTimer);
    if (env.PATCHBAY_LOG_LEVEL === 'debug') process.stderr.write(`patchbay-${name} debug front: handing over on ${why}\n`);
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
      // Answering can end the front (a problem with the options): the rest is the server's.
      if (handedOff) return;
      buffered = buffered.slice(newline + 1);
    }
    if (buffered.length > MAX_FRONT_LINE) handOff(buffered, 'a long message');
  };
  // Before the server exists there is nothing to clean up: the session simply ends.
  const onEnd = () => {
    // A problem with the options is still reported (and exits 2) when the input ends at once.
    if (!handedOff && decide()) process.exit(0);
  };
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  // Input already waiting is read (and initialize answered) before this runs.
  setImmediate(decide);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (!handedOff) process.exit(0);
    });
  }
}

type Chosen = NonNullable<ReturnType<typeof toolList>>;

/** --help, --version and --http (a flag or its variable) are the full bin's to answer. */
function asksForTheFullBin(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  const http = `--${flagOf('http', commonOptions.http)}`;
  const full = [...HELP_FLAGS, ...VERSION_FLAGS, http];
  if (argv.some((arg) => full.includes(arg) || arg.startsWith(`${http}=`))) return true;
  return (commonOptions.http.env ?? []).some((name) => Boolean(env[name]));
}

/**
 * The tools/list the live server would send for these options, the connector's start-up notices,
 * the options and the log level; or undefined when the front should not answer at all (help,
 * HTTP, any problem: the full bin reports those).
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
  if (config.check?.(options as never, settings as never).length) return undefined;
  let listed: string[] | undefined;
  const selected = new Set(
    selectTools(manifest, settings, (tool) => (tool.switched ? Boolean(config.switches?.[tool.name]?.(options as never)) : true)),
  );
  return {
    /** The tools/list entries, serialized (read when first asked, then kept). */
    tools: () => {
      listed ??= input.toolEntries().filter((_, i) => selected.has(manifest.tools[i] as (typeof manifest.tools)[number]));
      return listed;
    },
    notices: config.notices?.(options as never, settings as never) ?? [],
    options,
    logLevel: values.logLevel as Level,
  };
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

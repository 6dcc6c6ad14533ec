import { PassThrough, Writable } from 'node:stream';
import { onceLaterOrAtExit } from './private-dir.js';
import { type Remembered, remembered } from './remembered.js';
import type { FrontChoice, FrontHello, FrontLists } from './types.js';

/** Streams the full server is handed, with what the front already read replayed first. */
export interface Handoff {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

export interface FrontInput {
  /** The initialize result and what asks for the full bin (from the manifest). */
  hello: FrontHello;
  /** The answers that depend on the options: loaded (`dist/front-lists.cjs`) once initialize is answered. */
  lists: () => FrontLists;
  /** Load and start the full server; without a handoff it runs as a plain bin. */
  start: (handoff?: Handoff) => Promise<void>;
  /** The serialized tools/list entries, in the manifest's order (`dist/tool-entries.jsonl`), read when first listed. */
  entries: () => readonly string[];
  /** What lets a start answer the lists with the tools an earlier start chose for the same options. */
  recall?: {
    /** The build's identity (a hash of the option code, the manifest and the tools/list entries). */
    build: string;
    /** How many tools the manifest has. */
    tools: number;
    /** Every variable an option reads. */
    variables: readonly string[];
  };
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
}

/** The id the front gives the initialize request it replays to the server, whose answer it drops. */
export const REPLAY_ID = 'patchbay-front-initialize';
/** What the front answers from the manifest (the rest is the full server's). */
const LISTS = new Set(['tools/list', 'prompts/list', 'resources/templates/list', 'resources/list']);
/** A line longer than this is the server's to judge (and refuse). */
const MAX_FRONT_LINE = 1024 * 1024;
/**
 * With a remembered choice, the options are checked once a list is answered, or after this long
 * if none is asked: checked at once, they would keep the tools/list that follows waiting.
 */
const CHECK_AFTER_MS = 50;
/** A choice is written down after this long, or at exit if sooner: off the path of the first answers. */
const WRITE_AFTER_MS = 100;

/**
 * The bin's first stage, for stdio. Starting a Node process is cheap; loading the SDK, zod and
 * the handlers is most of a connector's start-up time and memory. So the front answers
 * `initialize`, `ping` and the list requests from the manifest built with the bundle, and loads
 * the full server on the first request it cannot answer (a tool call, a resource read), handing
 * it the conversation so far. --help, --version and --http go straight to the full bin.
 *
 * The options are checked with the kit's zod-free code right after the first answer, not before
 * it: the initialize result does not depend on them, and their first check (cold code, URL and
 * file-system look-ups) would be a tenth of the whole start. That code is a bundle of its own
 * (`lists`), loaded then: compiling it before the first answer cost every start a few ms more.
 * Nothing that depends on them (the lists, the start-up check) is answered before they are; a
 * problem hands the conversation to the full bin, which says it properly and exits 2, as it does
 * when started directly.
 *
 * Unless a start with the same arguments, variables and build chose before (`remembered`): then
 * the options were good and chose those tools, so the lists are answered first and the options
 * checked right after. A problem found then (a repository removed since) still ends the session
 * with the full bin's message and exit 2, a list later than without the record.
 */
export async function runFront(input: FrontInput): Promise<void> {
  const argv = input.argv ?? process.argv.slice(2);
  const env = input.env ?? process.env;
  const { hello } = input;
  if (env.PATCHBAY_NO_FRONT === '1' || asksForTheFullBin(hello, argv, env)) return input.start();

  let lists: FrontLists | undefined;
  let chosen: FrontChoice | undefined;
  const say =
    env.PATCHBAY_LOG_LEVEL === 'debug'
      ? (line: string) => process.stderr.write(`${hello.serverInfo.name} debug front: ${line}\n`)
      : () => {};
  /** The tools an earlier start chose for these options: null until looked up, undefined if none. */
  let recalled: number[] | undefined | null = null;
  let memo: Remembered | undefined;
  /** Looked up once initialize is answered, not before: the first answer waits for nothing. */
  const recall = () => {
    if (recalled === null) {
      memo = input.recall && remembered({ name: hello.serverInfo.name, ...input.recall, argv, env });
      recalled = memo?.read();
    }
    return recalled;
  };
  let entries: readonly string[] | undefined;
  /** The options, checked once; undefined when they have a problem (the full bin then has the conversation). */
  const decide = (): FrontChoice | undefined => {
    if (chosen || handedOff) return chosen;
    clearTimeout(checkLater);
    // What an earlier start chose, to keep this choice when it differs.
    recall();
    lists ??= input.lists();
    chosen = lists.choose(argv, env);
    if (!chosen) {
      handOff(buffered, 'a problem with the options');
      return undefined;
    }
    for (const line of chosen.notices) process.stderr.write(`${line}\n`);
    const { indexes } = chosen;
    const keep = memo;
    if (keep && String(recalled) !== String(indexes)) {
      // Only when a build changed what a switch reads: the list already sent was another.
      if (recalled) say(`the options chose other tools than remembered (${recalled.length} then, ${indexes.length} now)`);
      onceLaterOrAtExit(WRITE_AFTER_MS, () => keep.write(indexes));
    }
    if (initialized) chosen.startupCheck();
    return chosen;
  };
  let checkLater: NodeJS.Timeout | undefined;
  /** Check the options now, or (with a remembered choice to answer tools/list from) a little later. */
  const decideSoon = () => {
    if (chosen || handedOff) return;
    if (!recall()) decide();
    else checkLater ??= setTimeout(decide, CHECK_AFTER_MS);
  };
  const stdin = process.stdin;
  /**
   * What arrived and is not answered yet, as bytes: a pipe may split a character's UTF-8 bytes
   * between chunks, and only a whole line (a newline byte is never part of a character) is decoded.
   */
  let buffered = Buffer.alloc(0);
  let initialize: Record<string, unknown> | undefined;
  let initialized = false;
  let handedOff = false;

  const send = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);

  const answer = (message: { id?: unknown; method?: unknown; params?: Record<string, unknown> }): boolean => {
    const { id, method } = message;
    if (method === 'notifications/initialized' && initialize) {
      initialized = true;
      if (chosen) chosen.startupCheck();
      else decideSoon();
      return true;
    }
    if (id === undefined || id === null || typeof method !== 'string') return false;
    if (method === 'initialize' && !initialize) {
      const asked = message.params?.protocolVersion;
      const protocolVersion =
        typeof asked === 'string' && hello.protocolVersions.includes(asked) ? asked : hello.protocolVersions[0];
      initialize = message as Record<string, unknown>;
      send({
        jsonrpc: '2.0',
        id,
        result: {
          protocolVersion,
          capabilities: hello.capabilities,
          serverInfo: hello.serverInfo,
          ...(hello.instructions ? { instructions: hello.instructions } : {}),
        },
      });
      return true;
    }
    if (!initialize) return false;
    if (method === 'ping') return reply(id, {});
    const list = LISTS.has(method);
    // A list depends on the options: checked now (a problem hands the conversation to the full bin
    // here), or right after it when a start with the same ones chose before.
    const kept = list && !chosen ? recall() : undefined;
    if (kept) setImmediate(decide);
    else if (!decide()) return true;
    if (!list) return false;
    if (method === 'tools/list') {
      entries ??= input.entries();
      const all = entries;
      const indexes = chosen?.indexes ?? (kept as number[]);
      process.stdout.write(
        `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"tools":[${indexes.map((i) => all[i]).join(',')}]}}\n`,
      );
      if (!chosen) say('answered tools/list with the tools remembered for these options');
      return true;
    }
    lists ??= input.lists();
    if (method === 'prompts/list' && lists.prompts) return reply(id, { prompts: lists.prompts });
    if (method === 'resources/templates/list' && lists.resourceTemplates) {
      return reply(id, { resourceTemplates: lists.resourceTemplates });
    }
    if (method === 'resources/list' && lists.resources) return reply(id, { resources: lists.resources });
    return false;
  };
  const reply = (id: unknown, result: unknown) => {
    send({ jsonrpc: '2.0', id, result });
    return true;
  };

  const handOff = (rest: Buffer, why: string) => {
    handedOff = true;
    clearTimeout(checkLater);
    chosen?.cancelStartupCheck();
    say(`handing over on ${why}`);
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
    void input.start({ input: replay, output: dropReplayAnswer(process.stdout, initialize !== undefined) });
  };

  const onData = (chunk: Buffer | string) => {
    buffered = Buffer.concat([buffered, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    for (let newline = buffered.indexOf(0x0a); newline !== -1; newline = buffered.indexOf(0x0a)) {
      const line = buffered.toString('utf8', 0, newline).replace(/\r$/, '');
      if (line.trim() === '') {
        buffered = buffered.subarray(newline + 1);
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
      buffered = buffered.subarray(newline + 1);
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
  setImmediate(decideSoon);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (!handedOff) process.exit(0);
    });
  }
}

/** --help, --version and --http (a flag or its variables) are the full bin's to answer. */
function asksForTheFullBin(
  hello: FrontHello,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const { flags, valued, env: names } = hello.fullBin;
  if (argv.some((arg) => flags.includes(arg) || valued.some((flag) => arg.startsWith(`${flag}=`)))) return true;
  return names.some((name) => Boolean(env[name]));
}

/**
 * stdout for the full server, minus its answer to the replayed initialize (when there was one).
 * Once that answer is gone, every message passes as the server wrote it: a big reply is neither
 * copied nor scanned, and no later message can be mistaken for the answer.
 */
export function dropReplayAnswer(stdout: NodeJS.WritableStream, replayed: boolean): Writable {
  let dropped = !replayed;
  let pending = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, done) {
      if (dropped && !pending) {
        stdout.write(chunk, () => done());
        return;
      }
      pending += chunk.toString();
      let out = '';
      for (let newline = pending.indexOf('\n'); newline !== -1 && !dropped; newline = pending.indexOf('\n')) {
        const line = pending.slice(0, newline + 1);
        pending = pending.slice(newline + 1);
        if (line.includes(`"id":"${REPLAY_ID}"`)) dropped = true;
        else out += line;
      }
      if (dropped) {
        out += pending;
        pending = '';
      }
      if (out) stdout.write(out, () => done());
      else done();
    },
  });
}

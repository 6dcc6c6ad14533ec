import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keepNewest, privateDirectory, writeWhole } from './private-dir.js';

/**
 * The tools a start chose for a set of options, kept for the next start with the same ones.
 *
 * Choosing them means loading the front's option code and checking the options, about 4 ms,
 * and a client asks tools/list right after initialize: that wait was most of what a start cost
 * beyond a bare process. Which tools are offered depends only on the arguments, the variables the
 * options read and the build (selection and `switches` are functions of the options), so a start
 * with the same ones offers the same tools. The front answers tools/list from here and checks the
 * options right after; what the check finds (a problem, another choice) is acted on then, as
 * before, and the record is written anew.
 *
 * One small file per set of options in the user's private cache directory (see privateDirectory),
 * named by a 64-bit hash of the build, the arguments and the variables, holding the chosen tools'
 * places and nothing else: no option value (a password in a connection string) is written. The
 * newest KEEP of a server are kept.
 */
export interface Remembered {
  /** The indexes (in the manifest's tool order) chosen last time; undefined when none was kept. */
  read(): number[] | undefined;
  /** Keep this choice for the next start (once the options were checked). */
  write(indexes: readonly number[]): void;
}

export interface RememberedInput {
  /** The server's name: names its files. */
  name: string;
  /** The build's identity: a record made by another build is never read. */
  build: string;
  /** How many tools the manifest has: a record naming another index is not used. */
  tools: number;
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Every variable any option reads (their values are part of the key). */
  variables: readonly string[];
}

/** Records kept per server: the option sets one user starts in turn. */
const KEEP = 8;

export function remembered(input: RememberedInput): Remembered | undefined {
  const dir = privateDirectory(input.env);
  if (!dir) return undefined;
  const key = hash64(JSON.stringify([input.build, input.argv, input.variables.map((name) => input.env[name] ?? null)]));
  const prefix = `${input.name}-tools-`;
  const file = join(dir, `${prefix}${key}.json`);
  return {
    read() {
      try {
        const record = JSON.parse(readFileSync(file, 'latin1')) as { tools?: unknown };
        const { tools } = record;
        if (!Array.isArray(tools) || !tools.every((i) => Number.isInteger(i) && i >= 0 && i < input.tools)) return undefined;
        return tools as number[];
      } catch {
        return undefined;
      }
    },
    write(indexes) {
      try {
        writeWhole(file, JSON.stringify({ tools: indexes }));
        keepNewest(dir, prefix, '.json', KEEP);
      } catch {
        // Not kept: the next start chooses again.
      }
    },
  };
}

/**
 * FNV-1a over the UTF-16 code units, in two 32-bit lanes (different offsets): 64 bits, 16 hex
 * digits. A name for a file, not a secret's digest; node:crypto would cost the start 3 ms to load.
 */
export function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

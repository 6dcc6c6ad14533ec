import type { Access } from '../define.js';

/** What `buildManifest` writes next to the bundle and the bin's front reads. Plain JSON. */
export interface Manifest {
  /** Protocol versions the server speaks, newest first (the SDK's list at build time). */
  protocolVersions: string[];
  serverInfo: { name: string; version: string; title?: string };
  capabilities: Record<string, unknown>;
  instructions?: string;
  /** What makes the bin start the full server at once: --help, --version, --http (as a flag or its variables). */
  fullBin: {
    /** Arguments that ask for it as they are. */
    flags: string[];
    /** Arguments that ask for it with a value (`--http=127.0.0.1:3000`). */
    valued: string[];
    /** Variables that ask for it when set. */
    env: string[];
  };
  /** V8 flags the connector declares: the front sets them before it compiles the server. */
  v8Flags: string[];
  toolsets: Record<string, { default: boolean }>;
  tools: Array<{
    name: string;
    toolset: string;
    access: Access;
    /** Offered only when the config module's `switches[name]` says so for the options. */
    switched: boolean;
    /** The tools/list entry, exactly as the live server sends it. */
    entry: Record<string, unknown>;
  }>;
  /** null: the list depends on options or I/O, so the server answers it. */
  prompts: unknown[] | null;
  resourceTemplates: unknown[] | null;
  resources: unknown[] | null;
}

/**
 * The manifest as the front holds it: without the tools/list entries, which it reads only when
 * tools/list is asked (`FrontInput.entries`). Inlined, ~60 KB of schema text would cost every start
 * about 2 ms to scan, a twentieth of a bare process's start.
 */
export type FrontManifest = Omit<Manifest, 'tools'> & {
  tools: Array<Omit<Manifest['tools'][number], 'entry'>>;
};

/**
 * What the front answers before it reads the options: the initialize result, and when not to
 * answer at all. Kept apart from the rest (and small), since every start compiles it.
 */
export type FrontHello = Pick<Manifest, 'protocolVersions' | 'serverInfo' | 'capabilities' | 'instructions' | 'fullBin'>;

/** The front's answers that depend on the options, loaded once initialize is answered. */
export interface FrontLists {
  /** What to answer with these options; undefined when they have a problem (the full bin then says it). */
  choose(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): FrontChoice | undefined;
  prompts: unknown[] | null;
  resourceTemplates: unknown[] | null;
  resources: unknown[] | null;
  /** Every variable an option reads (the build gives the front this list, for `remembered`). */
  variables: string[];
}

export interface FrontChoice {
  /** The chosen tools' places in the manifest's order (the front reads their tools/list entries). */
  indexes: readonly number[];
  /** The connector's start-up notices, as lines for stderr (named and redacted). */
  notices: string[];
  /** Start the connector's start-up check in the background, once (idempotent). */
  startupCheck(): void;
  /** Drop a start-up check not begun yet: the server handed over to schedules its own. */
  cancelStartupCheck(): void;
}

import type { Access } from '../define.js';

/** What `buildManifest` writes next to the bundle and the bin's front reads. Plain JSON. */
export interface Manifest {
  /** Protocol versions the server speaks, newest first (the SDK's list at build time). */
  protocolVersions: string[];
  serverInfo: { name: string; version: string; title?: string };
  capabilities: Record<string, unknown>;
  instructions?: string;
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
 * tools/list is asked (`toolEntries`). Inlined, ~60 KB of schema text would cost every start
 * about 2 ms to scan, a twentieth of a bare process's start.
 */
export type FrontManifest = Omit<Manifest, 'tools'> & {
  tools: Array<Omit<Manifest['tools'][number], 'entry'>>;
};

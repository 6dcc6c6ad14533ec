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

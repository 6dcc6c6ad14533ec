import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { flagOf, HELP_FLAGS, parseOptions, VERSION_FLAGS } from '../config.js';
import type { ConnectorDefinition, Disposable, KitSettings } from '../connector.js';
import type { AnyTool } from '../define.js';
import { createLogger } from '../log.js';
import { commonOptions } from '../options.js';
import type { Runtime } from '../runtime.js';
import { createServer } from '../server.js';
import { toolListEntry } from '../tool-schema.js';
import type { Manifest } from './types.js';

/**
 * What the bin's front answers without loading the server: the initialize result, every tool's
 * tools/list entry with what selection needs, and the prompt and template lists. Built at build
 * time from the live definitions by the live server itself (an in-memory client asks it), so the
 * two cannot describe the connector differently.
 *
 * `config` is the connector's zod-free config module. Every `enabled` and `check` the definition
 * uses must come from it (`switches[toolName]`, `check`, `startupCheck`): the front evaluates them from there.
 */
export async function buildManifest(
  // biome-ignore lint/suspicious/noExplicitAny: any connector
  def: ConnectorDefinition<any, Disposable>,
  config: { options?: unknown; check?: unknown; switches?: Record<string, unknown>; startupCheck?: unknown },
): Promise<Manifest> {
  if (config.options !== def.options)
    throw new Error(`${def.name}: src/config.ts must export the connector's options as \`options\``);
  if (def.check && def.check !== config.check)
    throw new Error(`${def.name}: the connector's check must be \`check\` from src/config.ts`);
  if (def.startupCheck && def.startupCheck !== config.startupCheck)
    throw new Error(`${def.name}: the connector's startupCheck must be \`startupCheck\` from src/config.ts`);
  for (const tool of def.tools as AnyTool<unknown>[]) {
    if (tool.enabled && tool.enabled !== config.switches?.[tool.name]) {
      throw new Error(`${def.name}: ${tool.name}.enabled must be \`switches.${tool.name}\` from src/config.ts`);
    }
  }
  const switched = [...(def.resources ?? []), ...(def.prompts ?? [])].some((r) => r.enabled);

  // A runtime that offers everything and never calls a service: only lists are asked of it.
  const settings = parseOptions(commonOptions, { argv: ['--toolsets', 'all'], env: {} }).values as KitSettings;
  const controller = new AbortController();
  const runtime: Runtime = {
    def,
    options: {},
    settings,
    services: {},
    log: createLogger(`patchbay-${def.name}`, 'error', () => undefined),
    shutdown: controller.signal,
    tools: def.tools,
    close: async () => controller.abort(),
    // Building the manifest reaches no service.
    startupCheck: () => undefined,
  };
  const server = createServer(runtime);
  const client = new Client({ name: 'patchbay-manifest', version: '0' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  await client.connect(a);
  try {
    const capabilities = client.getServerCapabilities() ?? {};
    const templated = (def.resources ?? []).some((r) => r.kind === 'template' && r.list);
    return {
      protocolVersions: [...SUPPORTED_PROTOCOL_VERSIONS],
      serverInfo: client.getServerVersion() as Manifest['serverInfo'],
      capabilities: capabilities as Record<string, unknown>,
      ...(client.getInstructions() ? { instructions: client.getInstructions() as string } : {}),
      fullBin: fullBinSwitches(),
      v8Flags: [...(def.v8Flags ?? [])],
      toolsets: Object.fromEntries(Object.entries(def.toolsets).map(([name, set]) => [name, { default: set.default }])),
      tools: (def.tools as AnyTool<unknown>[]).map((tool) => ({
        name: tool.name,
        toolset: tool.toolset,
        access: tool.access,
        switched: Boolean(tool.enabled),
        entry: toolListEntry(tool) as unknown as Record<string, unknown>,
      })),
      // Lists that depend on options or on I/O are left to the server.
      prompts: switched || !capabilities.prompts ? null : (await client.listPrompts()).prompts,
      resourceTemplates: switched || !capabilities.resources ? null : (await client.listResourceTemplates()).resourceTemplates,
      resources: switched || templated || !capabilities.resources ? null : (await client.listResources()).resources,
    };
  } finally {
    await client.close();
    await server.close();
  }
}

/** --help, --version and --http (a flag or its variables) are the full bin's to answer. */
function fullBinSwitches(): Manifest['fullBin'] {
  const http = `--${flagOf('http', commonOptions.http)}`;
  return { flags: [...HELP_FLAGS, ...VERSION_FLAGS, http], valued: [http], env: [...(commonOptions.http.env ?? [])] };
}

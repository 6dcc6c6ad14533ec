/**
 * @patchbay/cli as a library: the gateway's parts, for tests and for hosting it inside another
 * program. The `patchbay` bin is `cli.ts`.
 */
export { CONNECTORS, connectorNamed } from './connectors.js';
export { EmbeddedDatabase } from './embedded/postgres.js';
export { mountAll, readOnlyView, serveHttp, serverInfoOf, serveStdioGateway } from './gateway.js';
export { cloneRoot, launchFor } from './launch.js';
export type { Mounted } from './mount.js';
export { mountConnector, namespaced } from './mount.js';
export { accessFrom, createOAuth, scopeFor } from './oauth.js';
export { readConfigFile, splitArgs } from './options.js';
export { renderIndexPage } from './page.js';
export type { ConnectorEntry, Mode } from './registry.js';
export { CLIENTS, httpSnippet, stdioSnippet } from './snippets.js';

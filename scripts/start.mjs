#!/usr/bin/env node
// `pnpm start`: the Git connector over Streamable HTTP on 127.0.0.1, serving this checkout.
// Prints the URL and client configuration, then runs until Ctrl-C.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'servers/git/dist/index.js');
const port = process.env.PORT ?? '8931';

const child = spawn(process.execPath, [bin, '--http', `127.0.0.1:${port}`, '--repository', root, ...process.argv.slice(2)], {
  stdio: ['ignore', 'inherit', 'pipe'],
});
let announced = false;
child.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  const match = !announced && /listening on (\S+)/.exec(chunk.toString());
  if (!match) return;
  announced = true;
  const url = match[1];
  process.stdout.write(`
Patchbay Git is serving ${root}
  MCP endpoint (Streamable HTTP): ${url}
  Health:                         ${url.replace(/\/mcp$/, '/healthz')}

Connect a client:
  Claude Code:     claude mcp add --transport http patchbay-git ${url}
  MCP Inspector:   npx @modelcontextprotocol/inspector  (transport "Streamable HTTP", URL above)
  JSON config (clients that speak Streamable HTTP):
    { "mcpServers": { "patchbay-git": { "type": "http", "url": "${url}" } } }
  Claude Desktop (stdio, no server needed):
    { "mcpServers": { "patchbay-git": { "command": "npx", "args": ["-y", "@patchbay/git", "--repository", "${root}"] } } }

Ctrl-C stops it. PORT=<n> pnpm start picks another port; extra flags pass through (e.g. pnpm start --read-only).
`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));

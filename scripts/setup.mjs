#!/usr/bin/env node
// The machine-level set-up the tests, `pnpm start` and `pnpm bench` need, done idempotently so
// the README's commands work on a fresh machine: Node >= 20, git, a Chromium the browser
// connector can drive (never downloaded by puppeteer: Debian's package), and PostgreSQL
// binaries or a server. As root on Debian it installs what is missing; elsewhere it says how.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const say = (line) => process.stderr.write(`setup: ${line}\n`);
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  say(`Node ${process.versions.node} is too old: Patchbay needs Node 20 or newer.`);
  process.exit(1);
}

const isRoot = process.getuid?.() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
let aptUpdated = false;
function aptInstall(...packages) {
  if (!isRoot || !hasApt) return false;
  say(`installing ${packages.join(' ')} with apt-get…`);
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    aptUpdated = true;
  }
  const r = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (!onPath('git') && !aptInstall('git')) say('git is missing: install it (the Git connector and its tests need it).');

// `setup.mjs git` (for `pnpm start`) needs only git; the tests and the bench need everything.
if (process.argv[2] === 'git') process.exit(0);

const chromium = [
  process.env.PUPPETEER_EXECUTABLE_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
].find((p) => p && existsSync(p));
if (!chromium && !aptInstall('chromium')) {
  say(
    'no Chromium found: install Debian\'s "chromium" package or set PUPPETEER_EXECUTABLE_PATH (the browser connector needs one).',
  );
}

const pgBinaries =
  existsSync('/usr/lib/postgresql') &&
  readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
if (!process.env.PATCHBAY_TEST_DATABASE_URL && !pgBinaries && !aptInstall('postgresql', 'postgresql-contrib')) {
  say('no PostgreSQL binaries and no PATCHBAY_TEST_DATABASE_URL: the PostgreSQL tests will be skipped.');
}

// hypopg, for the PostgreSQL index advice (its tests skip, saying so, where it is missing): Debian
// packages it per server version, so one for each PostgreSQL installed here.
const pgVersions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
for (const version of pgVersions) {
  if (existsSync(`/usr/share/postgresql/${version}/extension/hypopg.control`)) continue;
  if (!aptInstall(`postgresql-${version}-hypopg`)) {
    say(
      `hypopg is missing for PostgreSQL ${version} (package postgresql-${version}-hypopg): the index advice tests with hypothetical indexes will be skipped.`,
    );
  }
}

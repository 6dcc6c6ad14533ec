#!/usr/bin/env node
// `pnpm start`: every connector in one process (`patchbay serve`) on 127.0.0.1, each on its
// embedded default when nothing is configured: git on this checkout (read-only), PostgreSQL on an
// embedded demo database, the browser on the system Chromium (if there is one), GitHub, Slack and
// Drive on the sandbox's emulators with their demo data. The gateway prints the index URL and one
// client entry per connector, and runs until Ctrl-C.
// PORT=<n> pnpm start picks another port; extra arguments pass through (pnpm start git postgres,
// pnpm start --git.no-read-only).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'packages/cli/dist/cli.js');
const port = process.env.PORT ?? '8931';

const child = spawn(process.execPath, [cli, 'serve', '--http', `127.0.0.1:${port}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
// Ctrl-C in a terminal reaches the whole process group; a signal sent to this process alone is
// passed on, so the gateway always stops its database, emulators and browser itself.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

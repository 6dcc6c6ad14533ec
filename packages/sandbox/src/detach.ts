/**
 * `--detach`: start the sandbox as a background process, print its lines, and exit — so that
 * `eval "$(patchbay-sandbox github --detach)"` returns (a shell waits for the command it
 * substitutes to exit, and a foreground sandbox never does). The background process logs to a
 * file and runs until it is sent SIGTERM (`kill $PATCHBAY_SANDBOX_PID`).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Printed on stdout by a detached child after its lines; never shown to the user. */
export const READY_SENTINEL = '#patchbay-sandbox-ready';
export const DETACHED_ENV = 'PATCHBAY_SANDBOX_DETACHED';

export async function runDetached(args: string[]): Promise<number> {
  const logFile = path.join(tmpdir(), `patchbay-sandbox-${process.pid}-${Date.now()}.log`);
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [fileURLToPath(new URL('./cli.js', import.meta.url)), ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', log],
    env: { ...process.env, [DETACHED_ENV]: '1' },
  });
  closeSync(log);
  const lines = await new Promise<string[] | undefined>((resolve) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf(`${READY_SENTINEL}\n`);
      if (end >= 0) resolve(out.slice(0, end).split('\n').filter(Boolean));
    });
    child.once('exit', () => resolve(undefined));
  });
  if (!lines) {
    process.stderr.write(readFileSync(logFile, 'utf8'));
    return 2;
  }
  child.stdout!.destroy();
  child.unref();
  for (const line of lines) process.stdout.write(`${line}\n`);
  process.stdout.write(`PATCHBAY_SANDBOX_PID=${child.pid}\n`);
  process.stderr.write(
    `patchbay-sandbox: running in the background (pid ${child.pid}), log in ${logFile}; stop it with: kill ${child.pid}\n`,
  );
  return 0;
}

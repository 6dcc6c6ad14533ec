/**
 * The built `patchbay-sandbox` bin as a user runs it, for the CLI tests: started with its
 * arguments, its NAME=value lines on stdout parsed once it says it is ready (stderr's "Ctrl-C to
 * stop"), and every child killed after each test. Needs `pnpm build` (the root `pnpm test` builds first).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll } from 'vitest';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');

/** Registers the file's hooks; returns `start`, which spawns the bin and waits up to `readyMs` for it. */
export function sandboxCli(readyMs = 20_000) {
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeAll(() => {
    if (!existsSync(BIN))
      throw new Error(
        `${BIN} is missing: run \`pnpm --filter @patchbay/sandbox build\` (or the root \`pnpm test\`, which builds first)`,
      );
  });

  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  return function start(args: string[]) {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const ready = new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line; stdout:\n${stdout}\nstderr:\n${stderr}`)), readyMs);
      child.stderr.on('data', () => {
        if (stderr.includes('Ctrl-C to stop')) {
          clearTimeout(timer);
          resolve(
            Object.fromEntries(
              stdout
                .trim()
                .split('\n')
                .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
            ),
          );
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, ready, exited, out: () => stdout, err: () => stderr };
  };
}

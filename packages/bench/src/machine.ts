import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import type { Machine } from './model.js';

/** What the figures were measured on, so a reader can judge them and reproduce them. */
export function describeThisMachine(extra: { chromium?: string; postgres?: string; loadAtStart: number }): Machine {
  const cpu = cpus();
  const machine: Machine = {
    cpu: (cpu[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim(),
    cores: cpu.length,
    memoryGiB: totalmem() / 1024 ** 3,
    os: `${type()} ${release()}`,
    node: process.version,
    load: { start: extra.loadAtStart, end: loadavg()[0] ?? 0 },
  };
  const git = version('git', ['--version']);
  if (git) machine.git = git;
  if (extra.chromium) {
    const chromium = version(extra.chromium, ['--version']);
    if (chromium) machine.chromium = chromium.replace(/ built on .*$/, '');
  }
  if (extra.postgres) machine.postgres = extra.postgres.split(' on ')[0] ?? extra.postgres;
  return machine;
}

function version(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')[0];
  } catch {
    return undefined;
  }
}

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseStatus, processTree, procMemory, resetPeak, startTime, TreeSampler } from '../src/memory.js';

describe('parseStatus', () => {
  it('reads VmRSS and VmHWM in KiB', () => {
    expect(parseStatus('Name:\tnode\nVmHWM:\t   51234 kB\nVmRSS:\t   40960 kB\nThreads:\t7\n')).toEqual({
      rssKb: 40960,
      hwmKb: 51234,
    });
  });

  it('is undefined for a process without memory figures (a zombie or a kernel thread)', () => {
    expect(parseStatus('Name:\tkthreadd\nState:\tS\n')).toBeUndefined();
  });
});

describe('the /proc readers on real processes', () => {
  it('find a child in the process tree and read its memory', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await once(child, 'spawn');
      const pid = child.pid as number;
      expect(processTree(process.pid)).toContain(pid);
      expect(procMemory(pid)?.rssKb).toBeGreaterThan(0);
      expect(resetPeak(process.pid)).toBe(true);
      expect(startTime(pid)).toMatch(/^\d+$/);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });

  it('end an orphan left behind by a process that exited, by its exact pid', async () => {
    // A shell that starts a background sleep and exits: the sleep is re-parented, as a browser would be.
    const shell = spawn('sh', ['-c', 'sleep 30 & echo $!; sleep 0.3'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const [line] = (await once(shell.stdout, 'data')) as [Buffer];
    const orphan = Number(line.toString().trim());
    const sampler = new TreeSampler(shell.pid as number);
    sampler.sample();
    await once(shell, 'exit');
    expect(startTime(orphan)).toBeDefined();
    expect(sampler.killLeftovers()).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 100));
    // Gone, or a zombie awaiting its new parent: either way no longer running.
    const state = /State:\s+(\w)/.exec(
      await import('node:fs').then((fs) => fs.readFileSync(`/proc/${orphan}/status`, 'utf8')).catch(() => 'State: X'),
    )?.[1];
    expect(['X', 'Z']).toContain(state);
  });
});

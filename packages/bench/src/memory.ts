import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Resident memory from /proc (Linux): VmRSS is what the process holds now, VmHWM the most it has
 * held since it started or since its peak was reset. Figures are in KiB, as the kernel gives them.
 */
export interface ProcMemory {
  rssKb: number;
  hwmKb: number;
}

/** Parse the VmRSS and VmHWM lines of /proc/<pid>/status. */
export function parseStatus(text: string): ProcMemory | undefined {
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(text);
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(text);
  if (!rss || !hwm) return undefined;
  return { rssKb: Number(rss[1]), hwmKb: Number(hwm[1]) };
}

/** The memory of one process, or undefined when it has gone (or is a zombie without memory). */
export function procMemory(pid: number): ProcMemory | undefined {
  try {
    return parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

function children(pid: number): number[] {
  const found: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const task of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ')) {
        if (child.trim()) found.push(Number(child));
      }
    } catch {
      // The thread ended while we looked.
    }
  }
  return found;
}

/** The process and all its descendants (Chromium's renderers, a shell's children…). */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...children(tree[i] as number));
  return tree;
}

/** Sum of VmRSS over a process tree. Shared pages count once per process, so this is an upper bound. */
export function treeRssKb(pids: readonly number[]): number {
  let sum = 0;
  for (const pid of pids) sum += procMemory(pid)?.rssKb ?? 0;
  return sum;
}

/** Reset a process's VmHWM to its current RSS (writing 5 to clear_refs), so a peak can be measured per call. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Start time of a process in clock ticks since boot: with the pid, it names one process for good. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Samples the tree's summed RSS on a timer while calls run, and remembers every process it saw so
 * that anything a server left behind (an orphaned browser) can be ended by its exact id.
 */
export class TreeSampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  readonly seen = new Map<number, string>();

  constructor(
    private readonly root: number,
    private readonly intervalMs = 20,
  ) {}

  /** Sample once now: the tree's pids and their summed RSS. */
  sample(): { pids: number[]; rssKb: number } {
    const pids = processTree(this.root);
    for (const pid of pids) {
      if (!this.seen.has(pid)) {
        const start = startTime(pid);
        if (start) this.seen.set(pid, start);
      }
    }
    const rssKb = treeRssKb(pids);
    if (rssKb > this.peak) this.peak = rssKb;
    return { pids, rssKb };
  }

  /** Start sampling from now; the peak restarts at the current figure. */
  start(): void {
    this.stop();
    this.peak = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stop sampling and return the highest summed RSS seen since start(). */
  stop(): number {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.sample();
    }
    return this.peak;
  }

  /** SIGKILL every process seen in the tree that is still the same process and still alive. */
  killLeftovers(): number {
    let killed = 0;
    for (const [pid, start] of this.seen) {
      if (startTime(pid) !== start) continue;
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // Already gone.
      }
    }
    return killed;
  }
}

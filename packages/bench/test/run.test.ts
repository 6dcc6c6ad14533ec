import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench } from '../src/run.js';

describe('runBench', () => {
  it('measures the floor even when no connector is selected (--only gateway)', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'patchbay-bench-test-'));
    try {
      const { floor, connectors } = await runBench({
        only: [],
        runs: 2,
        chromium: '/usr/bin/chromium',
        scratch,
        progress: () => undefined,
      });
      expect(connectors).toEqual([]);
      expect(floor.status).toBe('measured');
      expect(floor.samples).toHaveLength(2);
      expect(floor.summary?.startupMs?.median).toBeGreaterThan(0);
      expect(floor.summary?.idleRssKb?.median).toBeGreaterThan(0);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

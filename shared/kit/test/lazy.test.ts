import { describe, expect, it } from 'vitest';
import { lazy } from '../src/index.js';

describe('lazy', () => {
  it('creates once for concurrent first calls', async () => {
    let created = 0;
    const client = lazy(async () => {
      created++;
      await new Promise((r) => setTimeout(r, 20));
      return { id: created };
    });
    const all = await Promise.all([client.get(), client.get(), client.get()]);
    expect(created).toBe(1);
    expect(new Set(all).size).toBe(1);
  });

  it('tries again after a failed creation', async () => {
    let attempts = 0;
    const client = lazy(async () => {
      attempts++;
      if (attempts === 1) throw new Error('first launch failed');
      return 'ok';
    });
    await expect(client.get()).rejects.toThrow('first launch failed');
    await expect(client.get()).resolves.toBe('ok');
  });

  it('makes a new client after reset and disposes the old one', async () => {
    const disposed: number[] = [];
    let n = 0;
    const client = lazy(
      async () => ++n,
      (v) => {
        disposed.push(v);
      },
    );
    expect(await client.get()).toBe(1);
    await client.reset();
    expect(await client.get()).toBe(2);
    expect(disposed).toEqual([1]);
    await client.dispose();
    expect(disposed).toEqual([1, 2]);
    await expect(client.get()).rejects.toThrow(/shutting down/);
  });
});

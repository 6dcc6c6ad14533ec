import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadline, DeadlineError, within } from '../src/deadline.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('within', () => {
  it("gives the work's result or failure when it settles in time", async () => {
    await expect(within(Promise.resolve(7), 1_000)).resolves.toBe(7);
    await expect(within(Promise.reject(new Error('refused')), 1_000)).rejects.toThrow('refused');
  });

  it('rejects with a DeadlineError naming the wait, or with the caller’s own error', async () => {
    vi.useFakeTimers();
    const never = new Promise<never>(() => undefined);
    const plain = within(never, 250);
    const own = within(never, 250, () => Object.assign(new Error('DNS lookup timed out'), { code: 'ETIMEOUT' }));
    const caught = Promise.allSettled([plain, own]);
    await vi.advanceTimersByTimeAsync(250);
    const [first, second] = await caught;
    expect(first.status === 'rejected' && first.reason).toBeInstanceOf(DeadlineError);
    expect(first.status === 'rejected' && (first.reason as DeadlineError).message).toBe('no answer within 250 ms');
    expect(second.status === 'rejected' && second.reason).toMatchObject({ message: 'DNS lookup timed out', code: 'ETIMEOUT' });
  });

  it('drops a late failure instead of reporting it as unhandled', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      let fail: (error: Error) => void = () => undefined;
      const late = new Promise<never>((_resolve, reject) => {
        fail = reject;
      });
      const outcome = within(late, 5).catch((error: unknown) => error);
      expect(await outcome).toBeInstanceOf(DeadlineError);
      fail(new Error('too late'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('Deadline', () => {
  it('counts down from its start and never below the floor', () => {
    vi.useFakeTimers();
    const deadline = new Deadline(1_000);
    vi.advanceTimersByTime(400);
    expect(deadline.left()).toBe(600);
    vi.advanceTimersByTime(2_000);
    expect(deadline.left()).toBe(0);
    expect(deadline.left(1)).toBe(1);
  });
});

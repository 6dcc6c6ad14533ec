/**
 * A long-lived client (a pg pool, a browser) created on first use. Concurrent first calls share
 * one creation (the reference Puppeteer server raced to launch two browsers); a failed creation
 * is not cached, so the next call tries again; `reset` drops a client that died so the next call
 * makes a new one.
 */
export interface Lazy<T> {
  get(): Promise<T>;
  /** The client if it exists already, without creating it. */
  peek(): T | undefined;
  /** Forget the current client (after a crash) and dispose it in the background. */
  reset(): Promise<void>;
  dispose(): Promise<void>;
}

export function lazy<T>(create: () => Promise<T>, dispose?: (value: T) => Promise<void> | void): Lazy<T> {
  let pending: Promise<T> | undefined;
  let value: T | undefined;
  let disposed = false;

  const release = async (current: T | undefined) => {
    if (current !== undefined && dispose) await dispose(current);
  };

  return {
    get() {
      if (disposed) return Promise.reject(new Error('The server is shutting down.'));
      if (!pending) {
        pending = create().then(
          (created) => {
            value = created;
            return created;
          },
          (error: unknown) => {
            pending = undefined;
            throw error;
          },
        );
      }
      return pending;
    },
    peek: () => value,
    async reset() {
      const current = value;
      pending = undefined;
      value = undefined;
      await release(current).catch(() => undefined);
    },
    async dispose() {
      disposed = true;
      const inFlight = pending;
      pending = undefined;
      const current = value ?? (inFlight ? await inFlight.catch(() => undefined) : undefined);
      value = undefined;
      await release(current);
    },
  };
}

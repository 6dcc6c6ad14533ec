/** What `within` rejects with when the work did not settle in time. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * The work's result if it settles within `ms`, else a DeadlineError (or the caller's own error,
 * `timedOut`). Work such as a DNS lookup or a call into a browser page cannot be taken back, so it
 * goes on; its late result or failure is dropped, never reported as unhandled. The timer never
 * keeps the process alive.
 */
export function within<T>(work: Promise<T>, ms: number, timedOut: () => Error = () => new DeadlineError(ms)): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), Math.max(0, ms));
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** A point in time a whole call must answer by, shared by the steps it takes. */
export class Deadline {
  readonly at: number;
  constructor(ms: number) {
    this.at = Date.now() + ms;
  }

  /** Milliseconds left, never below `floor`. */
  left(floor = 0): number {
    return Math.max(floor, this.at - Date.now());
  }
}

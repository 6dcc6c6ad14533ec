/**
 * How many records a listing has past the page (git_log's commits, git_grep's matches): the
 * stream is read on and counted while that stays cheap — at most LOOKAHEAD records and COUNT_MS
 * of reading — so the continuation line can say "103 more commits" rather than guess; past that,
 * "at least 1000 more". Nothing is kept but the count.
 */
export const LOOKAHEAD = 1000;
const COUNT_MS = 50;

export class CountAhead {
  /** Records counted past the page. */
  count = 0;
  /** Counting stopped before the stream ended: `count` is a lower bound. */
  stopped = false;
  #since: number | undefined;

  /** Count one more record; false when counting should stop (and git with it). */
  add(): boolean {
    this.#since ??= performance.now();
    this.count++;
    if (this.count >= LOOKAHEAD || performance.now() - this.#since > COUNT_MS) {
      this.stopped = true;
      return false;
    }
    return true;
  }

  /** What the page's `rest` is: exact when the stream ended, a lower bound when counting stopped. */
  get rest(): number | { atLeast: number } {
    return this.stopped ? { atLeast: this.count } : this.count;
  }
}

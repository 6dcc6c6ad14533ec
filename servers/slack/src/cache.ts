/**
 * A bounded map whose entries expire: what the connector keeps of a workspace's people and
 * channels. Bounded, because a workspace can hold 100,000 people and a long-running server must
 * not grow with it; expiring, because names change. Least recently used entries go first (a Map
 * keeps insertion order, and a read moves an entry to the end).
 */
export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; expires: number }>();

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    // A TTL of 0 keeps nothing: every read asks Slack.
    if (this.ttlMs <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.now() + this.ttlMs });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  /** Live values, most recently used last (expired ones are skipped, not removed). */
  *values(): IterableIterator<V> {
    const now = this.now();
    for (const entry of this.#entries.values()) if (entry.expires > now) yield entry.value;
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}

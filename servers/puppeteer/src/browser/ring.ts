/**
 * A bounded log with sequence numbers. The reference server kept every console line forever;
 * here the oldest entries fall off, and readers ask for "what came after seq N" so a tool can
 * return only what is new since its last call.
 */
export class Ring<T extends { seq: number }> {
  #items: T[] = [];
  #next = 1;

  constructor(readonly capacity: number) {}

  push(item: Omit<T, 'seq'>): T {
    const entry = { ...item, seq: this.#next++ } as T;
    this.#items.push(entry);
    if (this.#items.length > this.capacity) this.#items.splice(0, this.#items.length - this.capacity);
    return entry;
  }

  after(seq: number): T[] {
    return this.#items.filter((i) => i.seq > seq);
  }

  all(): readonly T[] {
    return this.#items;
  }

  get lastSeq(): number {
    return this.#next - 1;
  }
}

export interface ConsoleEntry {
  seq: number;
  tab: string;
  time: number;
  /** error, warning, info, log, debug, plus `pageerror` for uncaught exceptions and `dialog`. */
  level: string;
  text: string;
  location?: string;
}

export interface NetworkEntry {
  seq: number;
  tab: string;
  time: number;
  method: string;
  url: string;
  type: string;
  status?: number;
  /** Why the request did not complete: the browser's error, or the policy's refusal. */
  failure?: string;
  blocked?: boolean;
  ms?: number;
}

/** Cut one logged string so a chatty page cannot fill memory with a single message. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

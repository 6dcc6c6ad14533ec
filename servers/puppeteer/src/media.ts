/** A screenshot kept for the `puppeteer://screenshots/{id}` resources. */
export interface StoredScreenshot {
  id: string;
  mimeType: 'image/png' | 'image/jpeg';
  /** base64 */
  data: string;
  bytes: number;
  width: number;
  height: number;
  url: string;
  time: number;
}

const MAX_SCREENSHOTS = 10;
const MAX_TOTAL_BYTES = 20 * 1024 * 1024;

/**
 * The most recent screenshots, bounded by count and total size: the reference server kept every
 * screenshot in memory for the life of the process.
 */
export class ScreenshotStore {
  #items: StoredScreenshot[] = [];
  #next = 1;

  add(shot: Omit<StoredScreenshot, 'id' | 'time'>): StoredScreenshot {
    const stored = { ...shot, id: `s${this.#next++}`, time: Date.now() };
    this.#items.push(stored);
    while (this.#items.length > MAX_SCREENSHOTS || this.#total() > MAX_TOTAL_BYTES) this.#items.shift();
    return stored;
  }

  get(id: string): StoredScreenshot | undefined {
    return this.#items.find((s) => s.id === id);
  }

  list(): readonly StoredScreenshot[] {
    return this.#items;
  }

  #total(): number {
    return this.#items.reduce((sum, s) => sum + s.bytes, 0);
  }
}

import { cutText, sanitizeUntrusted } from '@patchbay/kit';
import type { GitHubServices } from './client.js';
import { fencedBody, line } from './format.js';
import { WITHHELD } from './lockdown.js';

interface Scope {
  services: GitHubServices;
  signal: AbortSignal;
  budget: { bytes: number };
}

/**
 * Who may be quoted in one reply. Without `--lockdown` everyone (the text is still sanitised and
 * fenced); with it, on a public repository, only authors with push access.
 */
export class Quoting {
  private readonly trusted: Set<string> | undefined;

  constructor(
    private readonly ctx: Scope,
    private readonly repo: string,
  ) {
    this.trusted = ctx.services.lockdown ? new Set() : undefined;
  }

  /** Ask (once per author, cached per process) whether these authors may be quoted. */
  async learn(authors: Iterable<string | undefined>): Promise<this> {
    const lockdown = this.ctx.services.lockdown;
    if (!lockdown || !this.trusted) return this;
    for (const login of await lockdown.trustedAmong(this.repo, authors, this.ctx.signal)) this.trusted.add(login);
    return this;
  }

  allows(author: string | undefined): boolean {
    return this.trusted === undefined || (author !== undefined && this.trusted.has(author));
  }

  /** A one-line field (a title), or the withheld marker. */
  line(text: string | null | undefined, author: string | undefined, max?: number): string | undefined {
    if (!this.allows(author)) return WITHHELD_TITLE;
    return line(text, max);
  }

  /** A body for the text reply: fenced and labelled, or the withheld marker. */
  fenced(text: string | null | undefined, author: string | undefined, label: string): string | undefined {
    if (!this.allows(author)) return WITHHELD;
    return fencedBody(this.cap(text), label);
  }

  /** The same body for the structured reply: sanitised, not fenced. */
  plain(text: string | null | undefined, author: string | undefined): string | undefined {
    if (!this.allows(author)) return WITHHELD;
    if (!text) return undefined;
    return sanitizeUntrusted(this.cap(text) as string).text;
  }

  /**
   * One body is at most a third of the output budget (GitHub allows 65,536 characters), cut at a
   * line with a note, so an issue with a huge description or comment still shows its comments.
   */
  private cap(text: string | null | undefined): string | null | undefined {
    return text ? cutText(text, Math.floor(this.ctx.budget.bytes / 3)) : text;
  }
}

export const WITHHELD_TITLE = '[withheld]';

/** "(2 items by authors without push access withheld: --lockdown)" or nothing. */
export function withheldNote(count: number): string {
  return count > 0
    ? `\n(${count} item${count === 1 ? '' : 's'} by authors without push access withheld: this server runs with --lockdown.)`
    : '';
}

/** How many of a reply's items were withheld, read from its structured form. */
export function countWithheld(items: unknown, field: string): number {
  if (!Array.isArray(items)) return 0;
  return items.filter((x) => {
    const v = (x as Record<string, unknown>)[field];
    return v === WITHHELD || v === WITHHELD_TITLE;
  }).length;
}

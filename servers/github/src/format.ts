import { untrusted, untrustedLine } from '@patchbay/kit';

/**
 * Small pieces every tool's rendering uses: GitHub objects become what a person would read — a
 * login rather than a user object, a date rather than a timestamp with seconds, no `*_url`
 * fields, no nulls.
 */

/** The login of a GitHub user object (or a name when there is no account). */
export function login(user: { login?: string } | null | undefined): string | undefined {
  return user?.login ?? undefined;
}

/** `2024-05-01` */
export function day(iso: string | null | undefined): string | undefined {
  return iso ? iso.slice(0, 10) : undefined;
}

/** `2024-05-01 10:42` */
export function minute(iso: string | null | undefined): string | undefined {
  return iso ? iso.slice(0, 16).replace('T', ' ') : undefined;
}

/** Drop undefined, null and empty-array fields: compact projections have no nulls. */
export function compact<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[key] = v;
  }
  return out as { [K in keyof T]: Exclude<T[K], null> };
}

/** An untrusted one-line field, or undefined. */
export function line(text: string | null | undefined, max?: number): string | undefined {
  if (text === null || text === undefined) return undefined;
  const out = untrustedLine(text, max);
  return out === '' ? undefined : out;
}

/** A fenced, labelled body; nothing for an empty one. */
export function fencedBody(text: string | null | undefined, label: string): string | undefined {
  if (!text?.trim()) return undefined;
  return untrusted(text, label);
}

export const short = (sha: string | undefined) => sha?.slice(0, 7);

/** `[bug, docs]` from label objects or names. */
export function labelNames(labels: ReadonlyArray<string | { name?: string }> | undefined): string[] {
  return (labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean);
}

/** Join the defined parts with a space. */
export function words(...parts: Array<string | number | false | null | undefined>): string {
  return parts.filter((p) => p !== undefined && p !== null && p !== false && p !== '').join(' ');
}

import { ToolError } from '@patchbay/kit';
import { isTs } from './refs.js';

/**
 * Times as a model writes them, to Slack's: a window back from now (`30min`, `2h`, `1d`, `7d`,
 * `2w`, `3mo`), a date (`2025-06-01`, midnight UTC), a date and time (ISO 8601), or a Slack ts.
 * Slack's times are `seconds.microseconds` strings.
 */

const UNIT_MS: Record<string, number> = {
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  mo: 30 * 86_400_000,
};

export const TIME_HELP = 'a window back from now (30min, 2h, 1d, 7d, 2w, 3mo), a date (2025-06-01), an ISO time or a ts';

/** A window like `7d` in milliseconds, or undefined when `value` is not one. */
export function windowMs(value: string): number | undefined {
  const match = /^(\d{1,5})\s*(min|mins|minutes?|h|hours?|d|days?|w|weeks?|mo|months?)$/i.exec(value.trim());
  if (!match) return undefined;
  const unit = (match[2] as string).toLowerCase();
  const key = unit.startsWith('mi') ? 'min' : unit.startsWith('mo') ? 'mo' : (unit[0] as string);
  return Number(match[1]) * (UNIT_MS[key] as number);
}

/** Epoch ms as a Slack ts. */
export function toTs(ms: number): string {
  const micros = Math.round(ms * 1000);
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

/** A Slack ts as epoch ms. */
export function tsToMs(ts: string): number {
  return Number(ts) * 1000;
}

/** A time argument as a Slack ts (a window counts back from `now`). */
export function parseTime(input: string, argument: string, now = Date.now()): string {
  const value = input.trim();
  if (isTs(value)) return value;
  if (/^\d{9,11}$/.test(value)) return `${value}.000000`;
  const window = windowMs(value);
  if (window !== undefined) return toTs(now - window);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const withZone = /T|\s/.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value;
    const ms = Date.parse(withZone.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return toTs(ms);
  }
  throw new ToolError(`${JSON.stringify(input)} is not a time.`, { argument, hint: `Give ${TIME_HELP}.` });
}

/**
 * When to post a scheduled message, in epoch seconds: a window ahead (`in 2h`, `+30min`), an ISO
 * time, or epoch seconds.
 */
export function parseFutureTime(input: string, argument: string, now = Date.now()): number {
  const value = input.trim();
  const ahead = /^(?:in\s+|\+)(.+)$/i.exec(value);
  if (ahead) {
    const window = windowMs(ahead[1] as string);
    if (window !== undefined) return Math.floor((now + window) / 1000);
  }
  if (/^\d{9,11}$/.test(value)) return Number(value);
  if (/^\d{4}-\d{2}-\d{2}[T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?$/.test(value)) {
    const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
    const ms = Date.parse(withZone.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw new ToolError(`${JSON.stringify(input)} is not a time to post at.`, {
    argument,
    hint: 'Give "in 2h" (or +30min, in 1d), an ISO time such as 2025-06-01T09:00:00Z, or epoch seconds.',
  });
}

/** `2025-06-01 14:03Z`: minutes are enough for a conversation, and the zone is said. */
export function shortTime(ts: string): string {
  const date = new Date(tsToMs(ts));
  return Number.isNaN(date.getTime()) ? ts : `${date.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/** ISO 8601 to the second. */
export function isoTime(ts: string): string {
  const date = new Date(tsToMs(ts));
  return Number.isNaN(date.getTime()) ? ts : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

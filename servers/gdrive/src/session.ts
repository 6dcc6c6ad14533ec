import { type ToolContext, untrustedLine } from '@patchbay/kit';
import * as z from 'zod';
import type { GdriveServices, Google, Identity } from './client.js';

/** Every result names the account that answered (users' complaint: "the wrong account was used"). */
export const accountOutput = z.string();

/** What a handler needs for its Drive calls: the clients, who answers, and per-call options. */
export interface Session {
  g: Google;
  who: Identity;
  /** Per-request options for the Google clients: the caller's cancellation. */
  opts: { signal: AbortSignal };
}

/** Sign in (once per process) and learn the account (once per process). */
export async function open(ctx: Pick<ToolContext<GdriveServices>, 'services' | 'signal'>): Promise<Session> {
  const g = await ctx.services.google.get();
  const who = await ctx.services.identity(ctx.signal);
  return { g, who, opts: { signal: ctx.signal } };
}

/** The first line of a reply: what this is and which account answered. */
export function header(what: string, who: Identity): string {
  return `${what} — as ${who.email}`;
}

/** A name for a header line, from someone else's text. */
export const quoted = (text: string) => `"${untrustedLine(text, 120)}"`;

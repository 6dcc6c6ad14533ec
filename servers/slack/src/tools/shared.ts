import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { SlackServices } from '../client.js';
import type { Channel, ResolvedChannel } from '../directory.js';
import { channelTitle } from '../format.js';
import { CHANNEL_HELP, parseChannelRef, parseTs } from '../refs.js';

/** The channel argument every tool takes, the same everywhere. */
export const channelInput = z
  .string()
  .min(1)
  .max(400)
  .describe('#name, channel ID, @person (your DM with them) or a Slack message link');

export const tsInput = (what: string) =>
  z
    .string()
    .max(40)
    .describe(`${what} ts (1717250000.123456, from a message line's ts=…); not needed when channel is a link to it`);

/** A channel argument resolved to the channel (and the message a link names). */
export async function resolveChannel(services: SlackServices, input: string, argument = 'channel'): Promise<ResolvedChannel> {
  return services.directory.findChannel(parseChannelRef(input, argument), argument);
}

/** How to name a channel in a heading (a DM by its person's handle). */
export async function titleOf(services: SlackServices, channel: Channel): Promise<string> {
  if (channel.kind !== 'dm' || !channel.peer) return channelTitle(channel);
  const peer = await services.directory.person(channel.peer).catch(() => undefined);
  return channelTitle(channel, peer);
}

/** The message a call is about: `ts` (or `thread_ts`) given, or taken from a link in `channel`. */
export function messageTs(resolved: ResolvedChannel, given: string | undefined, argument: string): string {
  if (given !== undefined && given.trim() !== '') return parseTs(given, argument);
  if (resolved.ts) return resolved.ts;
  throw new ToolError('is missing.', {
    argument,
    hint: `Give the message's ts (ts=… in a message line), or pass a link to the message as channel. ${CHANNEL_HELP}`,
  });
}

/** The channel a result is about: its ID and how it is named (`#general`, `DM with @ada`). */
export const channelSchema = z.object({ id: z.string(), name: z.string() });

export function channelData(channel: Channel, title: string): z.infer<typeof channelSchema> {
  return { id: channel.id, name: title };
}

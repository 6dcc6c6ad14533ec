import { byteLength, type ReadContext, ToolError, untrustedLabel, untrustedLine } from '@patchbay/kit';
import type { SlackServices } from './client.js';
import { personName } from './directory.js';
import { messageLine, namesFor, type RawMessage, renderMessage } from './format.js';
import { template } from './kit.js';
import { parseChannelRef } from './refs.js';
import { titleOf } from './tools/shared.js';

/**
 * Two families of resources, with completion of names:
 * `slack://channels/{channel}` — a channel's recent messages (a name without `#`, or an ID), and
 * `slack://users/{user}` — a person's profile (a handle, email or ID).
 */

function decode(value: string | undefined, argument: string): string {
  try {
    return decodeURIComponent(value ?? '').trim();
  } catch {
    throw new ToolError(`"${value}" is not validly percent-encoded.`, { argument });
  }
}

/** Messages a channel resource shows at most (newest first, within the output budget). */
const RECENT = 100;

export const channelResource = template({
  name: 'slack_channel',
  title: 'Channel history',
  description:
    "A channel's most recent messages, newest first, one line each (slack://channels/general or slack://channels/C0123).",
  uriTemplate: 'slack://channels/{channel}',
  mimeType: 'text/plain',
  complete: {
    channel: (value, _context, services) => services.directory.completeChannels(value.replace(/^#/, '')),
  },
  async read(uri, variables, ctx: ReadContext<SlackServices>) {
    const name = decode(variables.channel, 'channel');
    const { services } = ctx;
    const { channel } = await services.directory.findChannel(parseChannelRef(name));
    const session = await services.reader();
    const page = await session.web.conversations.history({ channel: channel.id, limit: RECENT });
    const raw = (page.messages ?? []) as RawMessage[];
    const names = await namesFor(services.directory, raw);
    const title = await titleOf(services, channel);
    const room = ctx.budget.bytes - 512;
    const lines: string[] = [];
    let used = 0;
    for (const m of raw) {
      const line = messageLine(renderMessage(m, names));
      if (used + byteLength(line) + 1 > room) break;
      lines.push(line);
      used += byteLength(line) + 1;
    }
    const rest = raw.length - lines.length + (page.has_more ? 1 : 0);
    const text = [
      untrustedLabel(`${title} (${channel.id}), newest first`),
      '```',
      ...lines,
      '```',
      rest > 0 ? `Older messages: slack_get_channel_history with channel ${channel.id}.` : '',
    ]
      .filter(Boolean)
      .join('\n');
    return [{ uri: uri.href, mimeType: 'text/plain', text }];
  },
});

export const userResource = template({
  name: 'slack_user',
  title: 'Person',
  description: "A person's profile (slack://users/ada, slack://users/ada@example.com or slack://users/U0123).",
  uriTemplate: 'slack://users/{user}',
  mimeType: 'text/plain',
  complete: {
    user: (value, _context, services) => services.directory.completePeople(value.replace(/^@/, '')),
  },
  async read(uri, variables, ctx: ReadContext<SlackServices>) {
    const person = await ctx.services.directory.findPerson(decode(variables.user, 'user'));
    const text = [
      `@${person.handle} (${person.id})`,
      `Name: ${untrustedLine(personName(person), 120)}${person.realName && person.realName !== personName(person) ? ` (${untrustedLine(person.realName, 120)})` : ''}`,
      person.title ? `Title: ${untrustedLine(person.title, 120)}` : '',
      person.email ? `Email: ${person.email}` : '',
      person.tz ? `Time zone: ${person.tz}` : '',
      person.status ? `Status: ${untrustedLine(person.status, 160)}` : '',
      person.deleted ? 'Deactivated.' : '',
    ]
      .filter(Boolean)
      .join('\n');
    return [{ uri: uri.href, mimeType: 'text/plain', text }];
  },
});

import { cursorInput, moreSchema } from '@patchbay/kit';
import * as z from 'zod';
import { lacksScope, mapLimit, requireScope } from '../client.js';
import type { Channel, RawChannel } from '../directory.js';
import { ACTIVITY_SUBTYPES, fenced, messageLine, messageSchema, namesFor, type RawMessage, renderMessage } from '../format.js';
import { tool } from '../kit.js';
import { shortTime } from '../time.js';
import { titleOf } from './shared.js';

const TYPES = {
  channels: [
    ['public_channel', 'channels:read'],
    ['private_channel', 'groups:read'],
  ],
  dms: [
    ['im', 'im:read'],
    ['mpim', 'mpim:read'],
  ],
} as const;

/** Slack counts no further than one page of history per conversation here. */
const COUNT_MAX = 100;

const unreadSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['public', 'private', 'dm', 'group_dm']),
  unread: z.number(),
  /** The count stopped at COUNT_MAX. */
  at_least: z.boolean().optional(),
  last_read: z.string(),
  messages: z.array(messageSchema),
});

export const getUnreads = tool({
  name: 'slack_get_unreads',
  title: 'Unread summary',
  description:
    'Conversations you are in that have unread messages, with the count and the newest few, checking a page of conversations per call. ' +
    'Needs a user token (unread state is a person’s, not a bot’s).',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    types: z.enum(['all', 'channels', 'dms']).default('all').describe('Channels, DMs and group DMs, or all'),
    messages: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(3)
      .describe('Newest unread messages to show per conversation (0: counts only)'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(20)
      .describe('Conversations to check in this call (1–50); the rest come with a cursor'),
    cursor: cursorInput,
  },
  output: { conversations: z.array(unreadSchema), more: moreSchema },
  async handler({ types, messages: shown, limit }, ctx) {
    const { services } = ctx;
    const session = await services.userSession('The unread summary');
    const identity = await requireScope(session, 'The unread summary', 'channels:read', 'groups:read', 'im:read', 'mpim:read');
    const wanted = (types === 'all' ? [...TYPES.channels, ...TYPES.dms] : TYPES[types]).filter(
      ([, scope]) => !lacksScope(identity, scope),
    );
    const typesParam = wanted.map(([type]) => type).join(',');
    return ctx.paginate({
      key: 'conversations',
      unit: ['conversation', 'conversations'],
      ...fenced('Unread messages, newest first'),
      empty: 'Nothing unread in the conversations checked.',
      // Each conversation costs one or two calls: one page of them per tool call.
      maxRequests: 1,
      fetch: async (cursor: string | undefined) => {
        const page = await session.web.users.conversations({
          types: typesParam,
          exclude_archived: true,
          limit,
          ...(cursor ? { cursor } : {}),
        });
        const channels = ((page.channels ?? []) as RawChannel[]).map((raw) => services.directory.rememberChannel(raw));
        const checked = await mapLimit(channels, 4, (channel) => unreadIn(channel, shown));
        return {
          items: checked.filter((c): c is NonNullable<typeof c> => c !== undefined),
          next: page.response_metadata?.next_cursor || undefined,
        };
      },
      line: (item) => {
        const head = `${item.title} ${item.channel.id} · ${item.atLeast ? `${item.count}+` : item.count} unread since ${shortTime(item.lastRead)}`;
        return [head, ...item.rendered.map((r) => `  ${messageLine(r)}`)].join('\n');
      },
      data: (item) => ({
        id: item.channel.id,
        name: item.title,
        kind: item.channel.kind,
        unread: item.count,
        ...(item.atLeast ? { at_least: true } : {}),
        last_read: item.lastRead,
        messages: item.rendered.map((r) => r.message),
      }),
    });

    /** A conversation's unread count (and newest unread messages) after the user's read cursor. */
    async function unreadIn(channel: Channel, show: number) {
      const info = await session.web.conversations.info({ channel: channel.id });
      const state = info.channel as { last_read?: string; unread_count_display?: number } | undefined;
      const lastRead = state?.last_read ?? '0000000000.000000';
      // DMs carry their count; for channels, the messages after the read cursor are counted.
      if (typeof state?.unread_count_display === 'number' && state.unread_count_display === 0) return undefined;
      const history = await session.web.conversations.history({ channel: channel.id, oldest: lastRead, limit: COUNT_MAX });
      const unread = ((history.messages ?? []) as RawMessage[]).filter(
        (m) => !ACTIVITY_SUBTYPES.has(m.subtype ?? '') && m.user !== identity.userId,
      );
      const count = typeof state?.unread_count_display === 'number' ? state.unread_count_display : unread.length;
      if (count === 0) return undefined;
      const newest = unread.slice(0, show);
      const names = await namesFor(services.directory, newest);
      return {
        channel,
        title: await titleOf(services, channel),
        count,
        atLeast: history.has_more === true && typeof state?.unread_count_display !== 'number',
        lastRead,
        rendered: newest.map((m) => renderMessage(m, names)),
      };
    }
  },
});

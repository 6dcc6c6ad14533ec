import { cursorInput, limitInput, moreSchema, ToolError, untrustedLine } from '@patchbay/kit';
import * as z from 'zod';
import { lacksScope } from '../client.js';
import type { Channel, RawChannel } from '../directory.js';
import { tool } from '../kit.js';
import { mentions, readable } from '../mrkdwn.js';

const KINDS = {
  public: { type: 'public_channel', scope: 'channels:read' },
  private: { type: 'private_channel', scope: 'groups:read' },
  dm: { type: 'im', scope: 'im:read' },
  group_dm: { type: 'mpim', scope: 'mpim:read' },
} as const;
type Kind = keyof typeof KINDS;

const listedChannel = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['public', 'private', 'dm', 'group_dm']),
  members: z.number().optional(),
  member: z.boolean().optional(),
  archived: z.boolean().optional(),
  topic: z.string().optional(),
});

export const listChannels = tool({
  name: 'slack_list_channels',
  title: 'List channels',
  description:
    'Channels, private channels, DMs and group DMs the token can see, one line each: name, ID, members, topic. ' +
    'Filter by kind, by part of the name, or to conversations you are in. Other tools take the #name or ID.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    types: z
      .array(z.enum(['public', 'private', 'dm', 'group_dm']))
      .min(1)
      .max(4)
      .optional()
      .describe('Kinds to list (default: public and private channels, as the token’s scopes allow)'),
    name: z.string().max(80).optional().describe('Only channels whose name contains this (case-insensitive)'),
    member_only: z.boolean().default(false).describe('Only conversations the token’s owner is in'),
    include_archived: z.boolean().default(false).describe('Also list archived channels'),
    limit: limitInput(100, 1000, 'channels'),
    cursor: cursorInput,
  },
  output: { channels: z.array(listedChannel), more: moreSchema },
  async handler({ types, name, member_only, include_archived, limit }, ctx) {
    const { directory } = ctx.services;
    const session = await ctx.services.reader();
    const identity = await session.identity();
    // Asked-for kinds must be allowed by the token's scopes; by default, the ones it has.
    let kinds: Kind[];
    if (types) {
      const missing = [...new Set(types)].filter((k) => lacksScope(identity, KINDS[k].scope));
      if (missing.length) {
        const scopes = missing.map((k) => KINDS[k].scope).join(', ');
        throw new ToolError(
          `Listing ${missing.join(', ')} conversations needs the scope ${scopes}, which ${session.variable} lacks.`,
          {
            argument: 'types',
            hint: `Leave those kinds out, or add ${scopes} to the app at https://api.slack.com/apps and reinstall it.`,
          },
        );
      }
      kinds = [...new Set(types)];
    } else {
      kinds = (['public', 'private'] as const).filter((k) => !lacksScope(identity, KINDS[k].scope));
      if (kinds.length === 0) kinds = ['public'];
    }
    const filter = name?.trim().replace(/^#/, '').toLowerCase();
    // Slack filters after paging, so a page may be short; with a name filter more pages are read.
    const pageSize = filter ? 1000 : Math.min(limit, 200);
    const typesParam = kinds.map((k) => KINDS[k].type).join(',');

    return ctx.paginate({
      key: 'channels',
      unit: ['conversation', 'conversations'],
      limit: { argument: 'limit', value: limit },
      hint: filter ? undefined : 'Or filter with name.',
      fetch: async (cursor: string | undefined) => {
        const request = {
          types: typesParam,
          exclude_archived: !include_archived,
          limit: pageSize,
          ...(cursor ? { cursor } : {}),
        };
        const page = member_only ? await session.web.users.conversations(request) : await session.web.conversations.list(request);
        const channels = ((page.channels ?? []) as RawChannel[])
          .map((raw) => directory.rememberChannel(raw))
          .filter((c) => !filter || c.name.toLowerCase().includes(filter));
        // DMs are named by the person at the other end; topics mention people as <@U…>.
        const ids = channels.flatMap((c) => [...(c.peer ? [c.peer] : []), ...mentions(c.topic || c.purpose || '').users]);
        const people = await directory.personNames(ids);
        const names = { user: (id: string) => people.get(id), channel: () => undefined };
        const items = channels.map((c) => ({
          channel: c,
          peer: c.peer ? people.get(c.peer) : undefined,
          member: member_only || c.isMember,
          about: untrustedLine(readable(c.topic || c.purpose || '', names), 160),
        }));
        return { items, next: page.response_metadata?.next_cursor || undefined };
      },
      line: ({ channel, peer, member, about }) => channelLine(channel, peer, member, about),
      data: ({ channel, peer, member, about }) => ({
        id: channel.id,
        name: channel.kind === 'dm' ? `@${peer ?? channel.peer ?? channel.id}` : channel.name,
        kind: channel.kind,
        ...(channel.members !== undefined ? { members: channel.members } : {}),
        ...(member !== undefined ? { member } : {}),
        ...(channel.archived ? { archived: true } : {}),
        ...(about ? { topic: about } : {}),
      }),
    });
  },
});

/** `#general C0123 · 312 members · member · Company-wide announcements` */
function channelLine(channel: Channel, peer: string | undefined, member: boolean | undefined, about: string): string {
  const name =
    channel.kind === 'dm'
      ? `DM with @${peer ?? channel.peer ?? '?'}`
      : channel.kind === 'group_dm'
        ? `group DM ${channel.name}`
        : `#${channel.name}`;
  const parts = [`${name} ${channel.id}`];
  if (channel.kind === 'private') parts.push('private');
  if (channel.members !== undefined) parts.push(`${channel.members} members`);
  if (member) parts.push('member');
  if (channel.archived) parts.push('archived');
  if (about) parts.push(about);
  return parts.join(' · ');
}

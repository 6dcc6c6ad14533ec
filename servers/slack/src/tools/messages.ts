import { cursorInput, fenceUntrusted, limitInput, moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { requireScope, type SlackServices } from '../client.js';
import type { Channel } from '../directory.js';
import {
  ACTIVITY_SUBTYPES,
  fenced,
  messageLine,
  messageSchema,
  namesFor,
  type RawMessage,
  type Rendered,
  renderMessage,
} from '../format.js';
import { tool } from '../kit.js';
import { parseTs } from '../refs.js';
import { parseTime, shortTime, TIME_HELP } from '../time.js';
import { channelData, channelInput, channelSchema, messageTs, resolveChannel, titleOf, tsInput } from './shared.js';

/** Slack's advice for history and replies: pages of at most 200. */
const UPSTREAM_PAGE = 200;

const timeInput = (what: string) => z.string().max(40).optional().describe(`${what}: ${TIME_HELP}`);

export const getChannelHistory = tool({
  name: 'slack_get_channel_history',
  title: 'Channel history',
  description:
    "A channel's or DM's messages, newest first, one line each: time, author, readable text, replies, reactions, files, ts. " +
    'Narrow with oldest/latest (e.g. oldest "1d" for the last day). Threads: slack_get_thread with the ts.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    channel: channelInput,
    oldest: timeInput('Only messages after this'),
    latest: timeInput('Only messages before this'),
    include_activity: z.boolean().default(false).describe('Also show joins, leaves and topic changes'),
    limit: limitInput(50, 1000, 'messages'),
    cursor: cursorInput,
  },
  output: { channel: channelSchema, messages: z.array(messageSchema), more: moreSchema },
  async handler({ channel: channelArg, oldest, latest, include_activity, limit }, ctx) {
    const { services } = ctx;
    const { channel } = await resolveChannel(services, channelArg);
    const title = await titleOf(services, channel);
    const bounds = {
      ...(oldest ? { oldest: parseTime(oldest, 'oldest') } : {}),
      ...(latest ? { latest: parseTime(latest, 'latest') } : {}),
    };
    const session = await services.reader();
    const window = [
      oldest ? `after ${shortTime(bounds.oldest as string)}` : '',
      latest ? `before ${shortTime(bounds.latest as string)}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return ctx.paginate({
      key: 'messages',
      fields: { channel: channelData(channel, title) },
      unit: ['message', 'messages'],
      limit: { argument: 'limit', value: limit },
      ...fenced(`${title}${window ? ` ${window}` : ''}, newest first`),
      empty: `No messages${window ? ` ${window}` : ''}.`,
      fetch: async (cursor: string | undefined) => {
        const page = await session.web.conversations.history({
          channel: channel.id,
          limit: Math.min(limit, UPSTREAM_PAGE),
          ...bounds,
          ...(cursor ? { cursor } : {}),
        });
        const raw = ((page.messages ?? []) as RawMessage[]).filter(
          (m) => include_activity || !ACTIVITY_SUBTYPES.has(m.subtype ?? ''),
        );
        const items = await renderAll(services, raw);
        return { items, next: page.has_more ? page.response_metadata?.next_cursor || undefined : undefined };
      },
      line: (item: Rendered) => messageLine(item),
      data: (item: Rendered) => item.message,
    });
  },
});

export const getThread = tool({
  name: 'slack_get_thread',
  title: 'Thread replies',
  description:
    'A thread: its first message, then the replies oldest first, one line each. Give the channel and the thread’s ts, or a link to any message of the thread.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    channel: channelInput,
    thread_ts: tsInput("The thread's first message").optional(),
    limit: limitInput(100, 1000, 'replies'),
    cursor: cursorInput,
  },
  output: { channel: channelSchema, thread_ts: z.string(), messages: z.array(messageSchema), more: moreSchema },
  async handler({ channel: channelArg, thread_ts, limit }, ctx) {
    const { services } = ctx;
    const resolved = await resolveChannel(services, channelArg);
    const { channel } = resolved;
    // A link to a reply carries its thread; a link to the first message is the thread.
    const ts = thread_ts ? parseTs(thread_ts, 'thread_ts') : (resolved.threadTs ?? messageTs(resolved, undefined, 'thread_ts'));
    const title = await titleOf(services, channel);
    const session = await services.reader();
    return ctx.paginate({
      key: 'messages',
      fields: { channel: channelData(channel, title), thread_ts: ts },
      unit: ['message', 'messages'],
      limit: { argument: 'limit', value: limit },
      ...fenced(`Thread ${ts} in ${title}, oldest first`),
      fetch: async (cursor: string | undefined) => {
        const page = await session.web.conversations.replies({
          channel: channel.id,
          ts,
          // Slack counts the first message, which opens every page, in the limit.
          limit: Math.min(limit, UPSTREAM_PAGE) + 1,
          ...(cursor ? { cursor } : {}),
        });
        // Later pages repeat the first message: it is shown once, on the first.
        const raw = ((page.messages ?? []) as RawMessage[]).filter((m) => cursor === undefined || m.ts !== ts);
        const items = await renderAll(services, raw);
        return { items, next: page.has_more ? page.response_metadata?.next_cursor || undefined : undefined };
      },
      line: (item: Rendered) => messageLine(item),
      data: (item: Rendered) => item.message,
    });
  },
});

export const getMessage = tool({
  name: 'slack_get_message',
  title: 'Get a message',
  description:
    'One message in full, by its link (permalink) or channel and ts: the whole text, author, time, thread, who reacted, files (names and links), and its permalink.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    channel: channelInput,
    ts: tsInput('The message').optional(),
  },
  output: {
    channel: channelSchema,
    message: messageSchema,
    permalink: z.string().optional(),
    reacted_by: z.record(z.string(), z.array(z.string())).optional(),
  },
  async handler({ channel: channelArg, ts: tsArg }, ctx) {
    const { services } = ctx;
    const resolved = await resolveChannel(services, channelArg);
    const ts = messageTs(resolved, tsArg, 'ts');
    const { channel } = resolved;
    const raw = await fetchMessage(services, channel, ts, resolved.threadTs);
    const title = await titleOf(services, channel);
    const reactors = [...new Set((raw.reactions ?? []).flatMap((r) => r.users ?? []))];
    const [names, reactorNames, permalink] = await Promise.all([
      namesFor(services.directory, [raw]),
      services.directory.personNames(reactors),
      services
        .reader()
        .then((s) => s.web.chat.getPermalink({ channel: channel.id, message_ts: ts }))
        .then((answer) => answer.permalink)
        .catch(() => undefined),
    ]);
    const rendered = renderMessage(raw, names, { full: true });
    const m = rendered.message;
    const reactedBy = Object.fromEntries(
      (raw.reactions ?? []).map((r) => [r.name ?? '', (r.users ?? []).map((u) => reactorNames.get(u) ?? u)]),
    );
    const lines = [
      `${title} · ${shortTime(m.ts)} · ${m.author}${m.user ? ` (${m.user})` : ''} · ts=${m.ts}`,
      m.thread_ts && m.thread_ts !== m.ts ? `In thread ${m.thread_ts}.` : '',
      m.reply_count ? `${m.reply_count} replies: slack_get_thread with thread_ts ${m.ts}.` : '',
      ...(raw.reactions ?? []).map((r) => `:${r.name}: ${(reactedBy[r.name ?? ''] ?? []).join(', ')}`),
      ...(m.files ?? []).map((f) => `file ${f.name}${f.url ? ` <${f.url}>` : ''} (not downloaded)`),
      m.edited ? 'Edited.' : '',
      permalink ? `Link: ${permalink}` : '',
      // The text was sanitised when rendered; the label says what was taken out.
      fenceUntrusted(m.text || '(no text)', `Message by ${m.author}`, {
        ...(rendered.removed
          ? { note: `${rendered.removed} invisible character${rendered.removed === 1 ? '' : 's'} removed` }
          : {}),
      }),
    ].filter(Boolean);
    return {
      structured: {
        channel: channelData(channel, title),
        message: m,
        ...(permalink ? { permalink } : {}),
        ...(raw.reactions?.length ? { reacted_by: reactedBy } : {}),
      },
      text: lines.join('\n'),
    };
  },
});

/**
 * One message by ts. A top-level message (or a reply also sent to the channel) is in the history;
 * any other reply only in its thread, where `conversations.replies` finds it by its own ts.
 */
export async function fetchMessage(
  services: SlackServices,
  channel: Channel,
  ts: string,
  threadTs?: string,
): Promise<RawMessage> {
  const { web } = await services.reader();
  const exact = { oldest: ts, latest: ts, inclusive: true };
  if (!threadTs || threadTs === ts) {
    const history = await web.conversations.history({ channel: channel.id, ...exact, limit: 1 });
    const found = ((history.messages ?? []) as RawMessage[]).find((m) => m.ts === ts);
    if (found) return found;
  }
  try {
    const thread = await web.conversations.replies({ channel: channel.id, ts: threadTs ?? ts, ...exact, limit: 2 });
    const found = ((thread.messages ?? []) as RawMessage[]).find((m) => m.ts === ts);
    if (found) return found;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  throw new ToolError(
    `There is no message ${ts} in ${channel.name ? `#${channel.name}` : channel.id} (deleted, or the ts is wrong).`,
    {
      argument: 'ts',
      hint: 'Take the ts (or the link) from slack_get_channel_history or slack_search_messages.',
    },
  );
}

function isNotFound(error: unknown): boolean {
  const code = (error as { data?: { error?: unknown } } | undefined)?.data?.error;
  return code === 'thread_not_found' || code === 'message_not_found';
}

/** A page of messages with every name they mention looked up once. */
async function renderAll(services: SlackServices, raw: RawMessage[]): Promise<Rendered[]> {
  const names = await namesFor(services.directory, raw);
  return raw.map((m) => renderMessage(m, names));
}

/** What `search.messages` answers, per match. */
interface SearchMatch extends RawMessage {
  channel?: { id?: string; name?: string; is_im?: boolean; is_mpim?: boolean };
}

const SEARCH_QUERY_MAX = 500;

export const searchMessages = tool({
  name: 'slack_search_messages',
  title: 'Search messages',
  description:
    'Search messages with Slack\'s own query syntax: words, "phrases", -exclusions, in:#channel, from:@person, ' +
    'before:/after:/on:/during: 2025-06-01, has:link, has:reaction, is:thread. One line per match with channel and ts. Needs a user token.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    query: z
      .string()
      .min(1)
      .max(SEARCH_QUERY_MAX)
      .describe('Slack search query, e.g. "deploy failed in:#deploys after:2025-06-01"'),
    channel: channelInput.optional().describe('Only in this channel (adds in:… to the query)'),
    from: z.string().max(200).optional().describe('Only by this person: @name, email or user ID (adds from:…)'),
    sort: z.enum(['relevance', 'newest']).default('relevance').describe('Best matches first, or newest first'),
    limit: limitInput(20, 500, 'matches'),
    cursor: cursorInput,
  },
  output: { query: z.string(), total: z.number().optional(), messages: z.array(messageSchema), more: moreSchema },
  async handler({ query, channel, from, sort, limit }, ctx) {
    const { services } = ctx;
    const session = await services.userSession('Searching messages');
    await requireScope(session, 'Searching messages', 'search:read');
    // The query goes to Slack as one form field, so nothing in it can reach past it; line breaks
    // and control characters are only flattened so the query stays what the model wrote on one line.
    const parts = [query.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()];
    if (channel) {
      const { channel: c } = await resolveChannel(services, channel);
      parts.push(`in:<#${c.id}${c.name ? `|${c.name}` : ''}>`);
    }
    if (from) parts.push(`from:<@${(await services.directory.findPerson(from, 'from')).id}>`);
    const full = parts.join(' ');
    const count = Math.min(limit, 100);
    let total: number | undefined;
    const reply = await ctx.paginate({
      key: 'messages',
      fields: { query: full },
      unit: ['match', 'matches'],
      limit: { argument: 'limit', value: limit },
      ...fenced(`Messages matching ${JSON.stringify(full)}`),
      empty: 'No messages match. Loosen the query: fewer words, no quotes, a wider date range.',
      fetch: async (page: number | undefined) => {
        const current = typeof page === 'number' && page >= 1 && page <= 100 ? page : 1;
        const answer = await session.web.search.messages({
          query: full,
          count,
          page: current,
          sort: sort === 'newest' ? 'timestamp' : 'score',
          sort_dir: 'desc',
        });
        const messages = answer.messages as { matches?: SearchMatch[]; total?: number; paging?: { pages?: number } } | undefined;
        const matches = messages?.matches ?? [];
        total = messages?.total;
        const names = await namesFor(services.directory, matches);
        const items = matches.map((m) => {
          const where = m.channel?.is_im ? 'DM' : m.channel?.name ? `#${m.channel.name}` : (m.channel?.id ?? '');
          return { rendered: renderMessage(m, names, { channel: m.channel?.id ?? '' }), where };
        });
        const pages = messages?.paging?.pages ?? 1;
        return {
          items,
          next: current < Math.min(pages, 100) ? current + 1 : undefined,
          ...(total !== undefined ? { total } : {}),
        };
      },
      line: ({ rendered, where }) => messageLine(rendered, { channel: where }),
      data: ({ rendered }) => rendered.message,
    });
    if (total !== undefined) reply.structured.total = total;
    return reply;
  },
});

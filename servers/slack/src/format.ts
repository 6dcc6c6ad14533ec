import { sanitizeUntrusted, untrustedLabel, untrustedLine } from '@patchbay/kit';
import * as z from 'zod';
import type { Channel, Directory, Person } from './directory.js';
import { mentions, type Names, readable } from './mrkdwn.js';
import { isoTime, shortTime } from './time.js';

/**
 * Messages as a model reads them: one line each — time, author, the text with mentions resolved
 * and mrkdwn made readable, replies, reactions, files (names and links, never contents), and the
 * ts to act on it. Everything in a message is written by other people: it is sanitised (invisible
 * and control characters removed) and listed inside a fence under an "untrusted" label. The fence
 * cannot be closed from inside: every line starts with the time this connector writes, and a
 * message's own line breaks are shown as ⏎, so no line of the fenced block is message text.
 */

/** Slack's message object, the parts read here. */
export interface RawMessage {
  ts?: string;
  type?: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  bot_profile?: { name?: string };
  text?: string;
  thread_ts?: string;
  reply_count?: number;
  latest_reply?: string;
  reactions?: Array<{ name?: string; count?: number; users?: string[] }>;
  files?: Array<{ name?: string; title?: string; permalink?: string; url_private?: string; pretty_type?: string; size?: number }>;
  attachments?: Array<{ fallback?: string; title?: string; text?: string; pretext?: string }>;
  edited?: { ts?: string };
  channel?: { id?: string; name?: string } | string;
  permalink?: string;
}

export const messageSchema = z.object({
  ts: z.string(),
  time: z.string(),
  user: z.string().optional(),
  author: z.string(),
  text: z.string(),
  thread_ts: z.string().optional(),
  reply_count: z.number().optional(),
  /** Emoji name → how many reacted. */
  reactions: z.record(z.string(), z.number()).optional(),
  files: z.array(z.object({ name: z.string(), url: z.string().optional() })).optional(),
  edited: z.boolean().optional(),
  subtype: z.string().optional(),
  channel: z.string().optional(),
});

export type Message = z.infer<typeof messageSchema>;

/** Activity that is not conversation: joins, leaves, topic changes. Left out unless asked for. */
export const ACTIVITY_SUBTYPES = new Set([
  'channel_join',
  'channel_leave',
  'group_join',
  'group_leave',
  'channel_topic',
  'channel_purpose',
  'channel_name',
  'group_topic',
  'group_purpose',
  'group_name',
  'pinned_item',
  'unpinned_item',
  'bot_add',
  'bot_remove',
]);

/** Longest message text in a list line; the whole text is one slack_get_message away. */
export const LINE_TEXT_MAX = 2_000;

/** The names the messages of a page mention (authors, @mentions, unlabelled #channels), looked up together. */
export async function namesFor(directory: Directory, messages: readonly RawMessage[]): Promise<Names> {
  const users = new Set<string>();
  const channels = new Set<string>();
  for (const m of messages) {
    if (m.user && !m.bot_id) users.add(m.user);
    const found = mentions(`${m.text ?? ''}`);
    for (const id of found.users) users.add(id);
    for (const id of found.channels) channels.add(id);
  }
  const [people, channelNames] = await Promise.all([directory.personNames(users), directory.channelNames(channels)]);
  return { user: (id) => people.get(id), channel: (id) => channelNames.get(id) };
}

/** Who wrote a message: the person's name, the bot's, or the user ID when it could not be looked up. */
function authorOf(m: RawMessage, names: Names): string {
  if (m.bot_id && (m.bot_profile?.name || m.username)) return (m.bot_profile?.name || m.username) as string;
  if (m.user) return names.user(m.user) ?? m.user;
  return m.username || m.bot_profile?.name || 'unknown';
}

/** Text of a message that has none of its own (a bot's attachments). */
function fallbackText(m: RawMessage): string {
  const parts = (m.attachments ?? []).map((a) => [a.pretext, a.title, a.text ?? a.fallback].filter(Boolean).join(' — '));
  return parts.filter(Boolean).join(' | ');
}

export interface Rendered {
  message: Message;
  /** Invisible or control characters taken out of the text. */
  removed: number;
}

/** One message, readable and sanitised, as the structured result carries it. */
export function renderMessage(m: RawMessage, names: Names, options: { full?: boolean; channel?: string } = {}): Rendered {
  const raw = m.text || fallbackText(m);
  const clean = sanitizeUntrusted(readable(raw, names));
  let text = clean.text.trim();
  if (!options.full && text.length > LINE_TEXT_MAX) {
    text = `${text.slice(0, LINE_TEXT_MAX)}… (${(text.length - LINE_TEXT_MAX).toLocaleString('en-US')} more characters: slack_get_message has it all)`;
  }
  const ts = m.ts ?? '';
  const message: Message = {
    ts,
    time: isoTime(ts),
    ...(m.user ? { user: m.user } : {}),
    author: untrustedLine(authorOf(m, names), 80) || 'unknown',
    text,
    ...(m.thread_ts && m.thread_ts !== ts ? { thread_ts: m.thread_ts } : {}),
    ...(m.reply_count ? { reply_count: m.reply_count, thread_ts: ts } : {}),
    ...(m.reactions?.length
      ? {
          reactions: Object.fromEntries(
            m.reactions.map((r) => [untrustedLine(r.name ?? '', 60), r.count ?? r.users?.length ?? 1] as const),
          ),
        }
      : {}),
    ...(m.files?.length
      ? {
          files: m.files.map((f) => ({
            name: untrustedLine(f.name || f.title || 'file', 120),
            ...((f.permalink ?? f.url_private) ? { url: (f.permalink ?? f.url_private) as string } : {}),
          })),
        }
      : {}),
    ...(m.edited ? { edited: true } : {}),
    ...(m.subtype && m.subtype !== 'thread_broadcast' && m.subtype !== 'bot_message' ? { subtype: m.subtype } : {}),
    ...(options.channel ? { channel: options.channel } : {}),
  };
  return { message, removed: clean.invisible };
}

/** The message's own line breaks, shown so the message stays one line. */
const BREAKS = /\s*(?:\n|\u2028|\u2029)\s*/g;

/**
 * `2025-06-01 14:03Z Ada: the text ⏎ second line · 3 replies · :tada: 2 · file report.pdf <link> · edited · ts=…`
 */
export function messageLine(rendered: Rendered, options: { channel?: string } = {}): string {
  const m = rendered.message;
  const parts = [
    `${shortTime(m.ts)}${options.channel ? ` ${options.channel}` : ''} ${m.author}: ${m.text.replace(BREAKS, ' ⏎ ')}`,
  ];
  if (m.subtype) parts.push(`(${m.subtype.replace(/_/g, ' ')})`);
  if (m.reply_count) parts.push(`${m.reply_count} ${m.reply_count === 1 ? 'reply' : 'replies'}`);
  else if (m.thread_ts) parts.push(`in thread ${m.thread_ts}`);
  if (m.reactions)
    parts.push(
      Object.entries(m.reactions)
        .map(([name, count]) => `:${name}: ${count}`)
        .join(' '),
    );
  for (const file of m.files ?? []) parts.push(`file ${file.name}${file.url ? ` <${file.url}>` : ''}`);
  if (m.edited) parts.push('edited');
  if (rendered.removed) parts.push(`${rendered.removed} invisible character${rendered.removed === 1 ? '' : 's'} removed`);
  parts.push(`ts=${m.ts}`);
  return parts.join(' · ');
}

/** Above and below a page of message lines: the untrusted label and the fence. */
export function fenced(label: string): { head: string; tail: string } {
  return { head: `${untrustedLabel(label)}\n\`\`\``, tail: '```' };
}

/** `#general`, `DM with @ada`, `group DM mpdm-…` — how a channel is named in a heading. */
export function channelTitle(channel: Channel, peer?: Person): string {
  if (channel.kind === 'dm') return `DM with @${peer ? peer.handle : (channel.peer ?? channel.id)}`;
  if (channel.kind === 'group_dm') return `group DM ${channel.name}`;
  return `#${channel.name}`;
}

import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { requireScope, type Session, type SlackServices } from '../client.js';
import { switches } from '../config.js';
import type { Channel, ResolvedChannel } from '../directory.js';
import { isSlackCode } from '../errors.js';
import type { RawMessage } from '../format.js';
import { tool } from '../kit.js';
import { parseTs } from '../refs.js';
import { isoTime, parseFutureTime } from '../time.js';
import { fetchMessage } from './messages.js';
import { channelData, channelInput, channelSchema, messageTs, resolveChannel, titleOf, tsInput } from './shared.js';

/**
 * The write tools. They are offered only when the operator starts the server with --allow-write
 * (every channel) or --write-channels (these channels); --read-only hides them whatever else is
 * set. Every write checks the allowlist against the channel it resolves to before calling Slack.
 * Editing and deleting are for this server's own messages: the message is read first, and its
 * author must be the bot or the user whose token is configured.
 */

/** What the kit tells a model that calls a write tool on a server where writes are off. */
const WRITES_ON = 'the operator starts the server with --allow-write (every channel) or --write-channels #a,#b (only those)';

const TEXT_MAX = 40_000;
const textInput = z
  .string()
  .min(1)
  .max(TEXT_MAX)
  .describe('Message text in Slack mrkdwn (*bold*, _italic_, `code`, <@U…> to mention, <https://…|label> for links)');
const emojiInput = z.string().min(1).max(100).describe('Emoji name without colons: thumbsup, eyes, white_check_mark');

const postedSchema = {
  channel: channelSchema,
  ts: z.string(),
  permalink: z.string().optional(),
};

/** The channel a write goes to, refused unless writes are allowed there. */
async function writeTarget(services: SlackServices, channelArg: string): Promise<ResolvedChannel & { title: string }> {
  const resolved = await resolveChannel(services, channelArg);
  const title = await titleOf(services, resolved.channel);
  const { allowWrite, writeChannels } = services.options;
  if (!allowWrite && !allowedByList(resolved.channel, writeChannels)) {
    throw new ToolError(`Writing to ${title} is not allowed on this server: it may write only to ${writeChannels.join(', ')}.`, {
      argument: 'channel',
      hint: 'Choose one of those channels, or ask the operator to add this one to --write-channels.',
    });
  }
  return { ...resolved, title };
}

/** Whether `--write-channels` names this channel, by ID or by name. */
export function allowedByList(channel: Channel, entries: readonly string[]): boolean {
  return entries.some((entry) => {
    const value = entry.trim();
    if (/^[CGD][A-Z0-9]{6,}$/.test(value)) return value === channel.id;
    return channel.name !== '' && value.replace(/^#/, '').toLowerCase() === channel.name.toLowerCase();
  });
}

async function permalinkOf(session: Session, channel: string, ts: string): Promise<string | undefined> {
  try {
    return (await session.web.chat.getPermalink({ channel, message_ts: ts })).permalink;
  } catch {
    return undefined;
  }
}

async function posted(
  session: Session,
  target: ResolvedChannel & { title: string },
  ts: string,
  what: string,
): Promise<{ structured: { channel: z.infer<typeof channelSchema>; ts: string; permalink?: string }; text: string }> {
  const permalink = await permalinkOf(session, target.channel.id, ts);
  return {
    structured: { channel: channelData(target.channel, target.title), ts, ...(permalink ? { permalink } : {}) },
    text: `${what} in ${target.title} (ts=${ts}).${permalink ? ` ${permalink}` : ''}`,
  };
}

export const postMessage = tool({
  name: 'slack_post_message',
  title: 'Post a message',
  description:
    'Post a message to a channel or DM. Answers with the new message’s ts and link. To answer in a thread use slack_reply_to_thread.',
  toolset: 'write',
  access: 'write',
  openWorld: true,
  enabled: switches.slack_post_message,
  enabledBy: WRITES_ON,
  input: { channel: channelInput, text: textInput },
  output: postedSchema,
  async handler({ channel, text }, ctx) {
    const target = await writeTarget(ctx.services, channel);
    const session = await ctx.services.writer();
    await requireScope(session, 'Posting', 'chat:write', 'chat:write:bot', 'chat:write:user');
    const answer = await session.web.chat.postMessage({ channel: target.channel.id, text });
    return posted(session, target, answer.ts as string, 'Posted');
  },
});

export const replyToThread = tool({
  name: 'slack_reply_to_thread',
  title: 'Reply in a thread',
  description:
    'Reply in a message’s thread (starting one if it has none). Give the channel and thread_ts, or a link to the message. Answers with the reply’s link.',
  toolset: 'write',
  access: 'write',
  openWorld: true,
  enabled: switches.slack_reply_to_thread,
  enabledBy: WRITES_ON,
  input: {
    channel: channelInput,
    thread_ts: tsInput('The thread’s first message').optional(),
    text: textInput,
    broadcast: z.boolean().default(false).describe('Also show the reply in the channel'),
  },
  output: postedSchema,
  async handler({ channel, thread_ts, text, broadcast }, ctx) {
    const target = await writeTarget(ctx.services, channel);
    const threadTs = thread_ts ? parseTs(thread_ts, 'thread_ts') : (target.threadTs ?? messageTs(target, undefined, 'thread_ts'));
    const session = await ctx.services.writer();
    await requireScope(session, 'Replying', 'chat:write', 'chat:write:bot', 'chat:write:user');
    const answer = await session.web.chat.postMessage({
      channel: target.channel.id,
      thread_ts: threadTs,
      text,
      reply_broadcast: broadcast,
    });
    return posted(session, target, answer.ts as string, `Replied in thread ${threadTs}`);
  },
});

const reactionInput = {
  channel: channelInput,
  ts: tsInput('The message').optional(),
  emoji: emojiInput,
};
const reactionOutput = { channel: channelSchema, ts: z.string(), emoji: z.string(), already: z.boolean().optional() };
const emojiName = (value: string) => value.trim().replace(/^:|:$/g, '');

export const addReaction = tool({
  name: 'slack_add_reaction',
  title: 'Add a reaction',
  description: 'React to a message with an emoji. Adding one that is already there is not an error.',
  toolset: 'write',
  access: 'write',
  idempotent: true,
  openWorld: true,
  enabled: switches.slack_add_reaction,
  enabledBy: WRITES_ON,
  input: reactionInput,
  output: reactionOutput,
  async handler({ channel, ts, emoji }, ctx) {
    const target = await writeTarget(ctx.services, channel);
    const messageTsValue = messageTs(target, ts, 'ts');
    const session = await ctx.services.writer();
    await requireScope(session, 'Reacting', 'reactions:write');
    const name = emojiName(emoji);
    let already = false;
    try {
      await session.web.reactions.add({ channel: target.channel.id, timestamp: messageTsValue, name });
    } catch (error) {
      if (!isSlackCode(error, 'already_reacted')) throw error;
      already = true;
    }
    return {
      structured: {
        channel: channelData(target.channel, target.title),
        ts: messageTsValue,
        emoji: name,
        ...(already ? { already } : {}),
      },
      text: already
        ? `:${name}: was already on message ${messageTsValue} in ${target.title}.`
        : `Added :${name}: to message ${messageTsValue} in ${target.title}.`,
    };
  },
});

export const removeReaction = tool({
  name: 'slack_remove_reaction',
  title: 'Remove a reaction',
  description: 'Take back a reaction this server’s token made on a message.',
  toolset: 'write',
  access: 'write',
  idempotent: true,
  openWorld: true,
  enabled: switches.slack_remove_reaction,
  enabledBy: WRITES_ON,
  input: reactionInput,
  output: reactionOutput,
  async handler({ channel, ts, emoji }, ctx) {
    const target = await writeTarget(ctx.services, channel);
    const messageTsValue = messageTs(target, ts, 'ts');
    const session = await ctx.services.writer();
    await requireScope(session, 'Removing a reaction', 'reactions:write');
    const name = emojiName(emoji);
    await session.web.reactions.remove({ channel: target.channel.id, timestamp: messageTsValue, name });
    return {
      structured: { channel: channelData(target.channel, target.title), ts: messageTsValue, emoji: name },
      text: `Removed :${name}: from message ${messageTsValue} in ${target.title}.`,
    };
  },
});

/**
 * The token that wrote a message, among those configured, or a refusal: this server edits and
 * deletes only its own messages, even where Slack would let an admin's token touch others'.
 */
async function ownSession(services: SlackServices, message: RawMessage, what: string): Promise<Session> {
  for (const session of await services.sessions()) {
    const identity = await session.identity();
    const byBot = identity.botId !== undefined && message.bot_id === identity.botId;
    if (byBot || (message.user !== undefined && message.user === identity.userId)) return session;
  }
  throw new ToolError(`Refused: that message was not written by this server's token, and it ${what} only its own messages.`, {
    argument: 'ts',
    hint: 'Edit or delete only messages this server posted (or that the user token’s owner wrote); reply in the thread instead.',
  });
}

export const editMessage = tool({
  name: 'slack_edit_message',
  title: 'Edit own message',
  description:
    'Replace the text of a message this server’s token wrote (never someone else’s). Give channel and ts, or the message’s link.',
  toolset: 'write',
  access: 'destructive',
  idempotent: true,
  openWorld: true,
  enabled: switches.slack_edit_message,
  enabledBy: WRITES_ON,
  input: { channel: channelInput, ts: tsInput('The message').optional(), text: textInput },
  output: postedSchema,
  async handler({ channel, ts, text }, ctx) {
    const target = await writeTarget(ctx.services, channel);
    const messageTsValue = messageTs(target, ts, 'ts');
    const message = await fetchMessage(ctx.services, target.channel, messageTsValue, target.threadTs);
    const session = await ownSession(ctx.services, message, 'edits');
    await requireScope(session, 'Editing', 'chat:write', 'chat:write:bot', 'chat:write:user');
    await session.web.chat.update({ channel: target.channel.id, ts: messageTsValue, text });
    return posted(session, target, messageTsValue, 'Edited message');
  },
});

export const deleteMessage = tool({
  name: 'slack_delete_message',
  title: 'Delete own message',
  description: 'Delete a message this server’s token wrote (never someone else’s). Cannot be undone.',
  toolset: 'write',
  access: 'destructive',
  idempotent: true,
  openWorld: true,
  enabled: switches.slack_delete_message,
  enabledBy: WRITES_ON,
  input: { channel: channelInput, ts: tsInput('The message').optional() },
  output: { channel: channelSchema, ts: z.string(), deleted: z.boolean() },
  async handler({ channel, ts }, ctx) {
    const target = await writeTarget(ctx.services, channel);
    const messageTsValue = messageTs(target, ts, 'ts');
    const message = await fetchMessage(ctx.services, target.channel, messageTsValue, target.threadTs);
    const session = await ownSession(ctx.services, message, 'deletes');
    await requireScope(session, 'Deleting', 'chat:write', 'chat:write:bot', 'chat:write:user');
    await session.web.chat.delete({ channel: target.channel.id, ts: messageTsValue });
    return {
      structured: { channel: channelData(target.channel, target.title), ts: messageTsValue, deleted: true },
      text: `Deleted message ${messageTsValue} in ${target.title}.`,
    };
  },
});

export const scheduleMessage = tool({
  name: 'slack_schedule_message',
  title: 'Schedule a message',
  description: 'Schedule a message (or a thread reply) to be posted later, up to 120 days ahead. Answers with its ID and time.',
  toolset: 'write',
  access: 'write',
  openWorld: true,
  enabled: switches.slack_schedule_message,
  enabledBy: WRITES_ON,
  input: {
    channel: channelInput,
    text: textInput,
    post_at: z
      .string()
      .min(1)
      .max(40)
      .describe('When: "in 2h", "+30min", "in 1d", an ISO time (2025-06-01T09:00:00Z) or epoch seconds'),
    thread_ts: tsInput('To post as a reply: the thread’s first message').optional(),
  },
  output: { channel: channelSchema, scheduled_message_id: z.string(), post_at: z.string() },
  async handler({ channel, text, post_at, thread_ts }, ctx) {
    const target = await writeTarget(ctx.services, channel);
    const at = parseFutureTime(post_at, 'post_at');
    if (at <= Math.floor(Date.now() / 1000)) {
      throw new ToolError(`${JSON.stringify(post_at)} is not in the future.`, { argument: 'post_at' });
    }
    const session = await ctx.services.writer();
    await requireScope(session, 'Scheduling', 'chat:write', 'chat:write:bot', 'chat:write:user');
    const answer = await session.web.chat.scheduleMessage({
      channel: target.channel.id,
      text,
      post_at: at,
      ...(thread_ts ? { thread_ts: parseTs(thread_ts, 'thread_ts') } : {}),
    });
    const when = isoTime(String(answer.post_at ?? at));
    return {
      structured: {
        channel: channelData(target.channel, target.title),
        scheduled_message_id: answer.scheduled_message_id as string,
        post_at: when,
      },
      text: `Scheduled for ${when} in ${target.title} (id ${answer.scheduled_message_id}).`,
    };
  },
});

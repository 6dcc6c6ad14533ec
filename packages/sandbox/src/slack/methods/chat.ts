/**
 * Messages: `chat.postMessage` (to a channel ID or `#name`, a DM ID, or a user ID for the DM with
 * them; into a thread; limited per channel), `chat.update` and `chat.delete` (own messages only —
 * an admin's user token may delete others'; Slack's edit window), `chat.getPermalink`,
 * `chat.scheduleMessage` (delivered when its time comes), `chat.scheduledMessages.list` and
 * `chat.deleteScheduledMessage`.
 */
import { parseTs } from '../ids.js';
import { RateLimited } from '../rate-limit.js';
import { botProfileJson, messageJson } from '../serialize.js';
import type { Conversation, Message, SlackState } from '../state.js';
import { type Call, defineMethod } from '../wire.js';
import { cursorKey, pageMetadata } from './paging.js';

/** `chat:write`, or the legacy per-token-type scopes older apps still hold. */
const CHAT_WRITE = ['chat:write', 'chat:write:bot', 'chat:write:user'];

/** Slack refuses message text longer than this. */
export const MAX_TEXT = 40_000;
/** How far ahead a message may be scheduled (120 days). */
const MAX_SCHEDULE_AHEAD_S = 120 * 24 * 3600;

/** The conversation a post goes to: an ID, a `#name`/name, or a user ID (the DM with that user). */
function postTarget(call: Call): Conversation {
  const { state } = call;
  const raw = call.string('channel');
  if (raw === undefined) call.fail('channel_not_found');
  let conversation: Conversation | undefined;
  if (/^[CGD][A-Z0-9]{2,}$/.test(raw)) conversation = state.conversations.get(raw);
  else if (/^[UW][A-Z0-9]{2,}$/.test(raw)) {
    const user = state.users.get(raw);
    if (user && !user.deleted) conversation = state.openDm(call.caller.id, user.id).conversation;
  } else conversation = state.channelByName(raw);
  if (!conversation || !call.canSee(conversation)) call.fail('channel_not_found');
  if (conversation.archived) call.fail('is_archived');
  const publicPost = conversation.kind === 'public' && call.isBot && call.token.scopes.includes('chat:write.public');
  if (!call.isMember(conversation) && !publicPost) call.fail('not_in_channel');
  return conversation;
}

/** The conversation an edit, delete or permalink names by ID (`channel_not_found` when the caller cannot see it). */
function namedConversation(call: Call): Conversation {
  const id = call.string('channel');
  const conversation = id ? call.state.conversations.get(id) : undefined;
  if (!conversation || !call.canSee(conversation)) call.fail('channel_not_found');
  return conversation;
}

function namedMessage(call: Call, conversation: Conversation, argument: string): Message {
  const ts = call.string(argument);
  const message = ts ? conversation.byTs.get(ts) : undefined;
  if (!message || message.deleted) call.fail('message_not_found');
  return message;
}

interface Content {
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

/** Text, blocks and attachments as given; `no_text` when there is none, `msg_too_long` past the limit. */
function content(call: Call): Content {
  let text = call.string('text') ?? '';
  const blocks = call.json('blocks', 'invalid_blocks');
  if (blocks !== undefined && (!Array.isArray(blocks) || blocks.some((b) => !b || typeof b !== 'object' || !('type' in b))))
    call.fail('invalid_blocks');
  const attachments = call.json('attachments', 'invalid_attachments');
  if (attachments !== undefined && !Array.isArray(attachments)) call.fail('invalid_attachments');
  if (text === '' && !(blocks as unknown[] | undefined)?.length && !(attachments as unknown[] | undefined)?.length)
    call.fail('no_text');
  if (text.length > MAX_TEXT) call.fail('msg_too_long');
  if (call.flag('link_names')) text = linkNames(call.state, text);
  return {
    text,
    ...(blocks ? { blocks: blocks as unknown[] } : {}),
    ...(attachments ? { attachments: attachments as unknown[] } : {}),
  };
}

/** `link_names`: `@handle` becomes `<@U…>`, `@here`/`@channel`/`@everyone` `<!here>`…, `#name` `<#C…|name>`. */
export function linkNames(state: SlackState, text: string): string {
  return text.replace(/(^|[\s(])([@#])([a-z0-9][a-z0-9._-]*)/g, (whole, lead: string, sigil: string, name: string) => {
    if (sigil === '@') {
      if (name === 'here' || name === 'channel' || name === 'everyone') return `${lead}<!${name}>`;
      const user = state.users.byName(name);
      return user ? `${lead}<@${user.id}>` : whole;
    }
    const channel = state.channelByName(name);
    return channel && channel.kind === 'public' ? `${lead}<#${channel.id}|${channel.name}>` : whole;
  });
}

/** Whether the call's token wrote a message: a bot its own bot's messages, a person their own. */
function owns(call: Call, message: Message): boolean {
  return call.isBot ? message.botId === call.token.botId : message.user === call.caller.id && !message.botId;
}

function author(call: Call): { user: string; botId?: string; appId?: string } {
  return call.isBot ? { user: call.caller.id, botId: call.token.botId!, appId: call.token.appId } : { user: call.caller.id };
}

export const chatPostMessage = defineMethod({
  name: 'chat.postMessage',
  tier: 4,
  json: true,
  accepted: CHAT_WRITE,
  handler: (call: Call) => {
    call.needAnyScope(CHAT_WRITE, 'chat:write');
    const conversation = postTarget(call);
    const body = content(call);
    const threadTs = call.string('thread_ts');
    if (threadTs !== undefined && parseTs(threadTs) === undefined) call.fail('invalid_thread_ts');
    const { state } = call;
    const { postMessage, enabled } = state.rateLimits;
    if (enabled) {
      const retryAfter = state.windows.take(
        `${call.token.appId}:chat.postMessage:${conversation.id}`,
        postMessage.limit,
        postMessage.windowMs,
      );
      if (retryAfter !== undefined) throw new RateLimited(retryAfter);
    }
    const init = { ...author(call), ...body };
    let message: Message;
    if (threadTs !== undefined && !conversation.byTs.has(threadTs)) {
      // Slack accepts a thread_ts that names no message: the reply is stored but shows nowhere.
      message = state.post(conversation.id, init);
      conversation.timeline = conversation.timeline.filter((m) => m !== message);
      message.threadTs = threadTs;
    } else
      message = state.post(conversation.id, {
        ...init,
        ...(threadTs !== undefined ? { threadTs, broadcast: call.flag('reply_broadcast') } : {}),
      });
    return { channel: conversation.id, ts: message.ts, message: messageJson(state, message, { viewer: call.caller.id }) };
  },
});

export const chatUpdate = defineMethod({
  name: 'chat.update',
  tier: 3,
  json: true,
  accepted: CHAT_WRITE,
  handler: (call: Call) => {
    call.needAnyScope(CHAT_WRITE, 'chat:write');
    const conversation = namedConversation(call);
    const message = namedMessage(call, conversation, 'ts');
    if (!owns(call, message)) call.fail('cant_update_message');
    if (conversation.archived) call.fail('is_archived');
    const window = call.state.team.msgEditWindowMins;
    if (!call.isBot && window >= 0 && Date.now() * 1000 - message.micros > window * 60_000_000) call.fail('edit_window_closed');
    const body = content(call);
    message.text = body.text;
    if (body.blocks) message.blocks = body.blocks;
    if (body.attachments) message.attachments = body.attachments;
    message.edited = { user: call.caller.id, ts: call.state.clock.next() };
    return {
      channel: conversation.id,
      ts: message.ts,
      text: message.text,
      message: messageJson(call.state, message, { viewer: call.caller.id }),
    };
  },
});

export const chatDelete = defineMethod({
  name: 'chat.delete',
  tier: 3,
  json: true,
  accepted: CHAT_WRITE,
  handler: (call: Call) => {
    call.needAnyScope(CHAT_WRITE, 'chat:write');
    const conversation = namedConversation(call);
    const message = namedMessage(call, conversation, 'ts');
    // Workspace admins and owners may delete others' messages in channels with their own token.
    const moderator =
      !call.isBot && (call.caller.isAdmin || call.caller.isOwner) && conversation.kind !== 'im' && conversation.kind !== 'mpim';
    if (!owns(call, message) && !moderator) call.fail('cant_delete_message');
    call.state.remove(message);
    return { channel: conversation.id, ts: message.ts };
  },
});

export const chatGetPermalink = defineMethod({
  name: 'chat.getPermalink',
  tier: 4,
  json: false,
  accepted: [],
  handler: (call: Call) => {
    const conversation = namedConversation(call);
    const message = namedMessage(call, conversation, 'message_ts');
    return { channel: conversation.id, permalink: call.state.permalink(message) };
  },
});

export const chatScheduleMessage = defineMethod({
  name: 'chat.scheduleMessage',
  tier: 3,
  json: true,
  accepted: CHAT_WRITE,
  handler: (call: Call) => {
    call.needAnyScope(CHAT_WRITE, 'chat:write');
    const conversation = postTarget(call);
    const raw = call.string('post_at');
    if (raw === undefined || !/^\d+(\.\d+)?$/.test(raw)) call.fail('invalid_time');
    const postAt = Math.floor(Number(raw));
    const now = Math.floor(Date.now() / 1000);
    if (postAt <= now) call.fail('time_in_past');
    if (postAt > now + MAX_SCHEDULE_AHEAD_S) call.fail('time_too_far');
    const body = content(call);
    const { state } = call;
    const threadTs = call.string('thread_ts');
    const who = author(call);
    const id = state.mint.mint('Q0', `scheduled:${conversation.id}:${state.clock.nextMicros()}`);
    state.scheduled.set(id, {
      id,
      channel: conversation.id,
      postAt,
      dateCreated: now,
      text: body.text,
      ...who,
      ...(threadTs ? { threadTs } : {}),
      replyBroadcast: call.flag('reply_broadcast'),
      ...(body.blocks ? { blocks: body.blocks } : {}),
    });
    const profile = who.botId ? botProfileJson(state, who.botId) : undefined;
    return {
      channel: conversation.id,
      scheduled_message_id: id,
      post_at: postAt,
      message: {
        ...(who.botId ? { bot_id: who.botId } : {}),
        type: 'delayed_message',
        text: body.text,
        user: who.user,
        ...(profile ? { bot_profile: profile } : {}),
        team: state.team.id,
      },
    };
  },
});

export const chatScheduledMessagesList = defineMethod({
  name: 'chat.scheduledMessages.list',
  tier: 3,
  json: true,
  accepted: [],
  handler: (call: Call) => {
    const { state } = call;
    const channel = call.string('channel');
    if (channel !== undefined) {
      const conversation = state.conversations.get(channel);
      if (!conversation || !call.canSee(conversation)) call.fail('invalid_channel');
    }
    const seconds = (name: string) => {
      const value = call.string(name);
      return value === undefined || !/^\d+(\.\d+)?$/.test(value) ? undefined : Number(value);
    };
    const latest = seconds('latest');
    const oldest = seconds('oldest');
    const limit = call.limit(100, 100);
    const mine = [...state.scheduled.values()]
      .filter(
        (s) =>
          s.user === call.caller.id &&
          (channel === undefined || s.channel === channel) &&
          (latest === undefined || s.postAt <= latest) &&
          (oldest === undefined || s.postAt >= oldest),
      )
      .sort((a, b) => a.postAt - b.postAt || a.id.localeCompare(b.id));
    const after = cursorKey(call, 'scheduled');
    let start = 0;
    if (after !== undefined) {
      start = mine.findIndex((s) => s.id === after);
      if (start < 0) call.fail('invalid_cursor');
    }
    const page = mine.slice(start, start + limit);
    return {
      scheduled_messages: page.map((s) => ({
        id: s.id,
        channel_id: s.channel,
        post_at: s.postAt,
        date_created: s.dateCreated,
        text: s.text,
      })),
      response_metadata: pageMetadata('scheduled', mine[start + limit]?.id),
    };
  },
});

export const chatDeleteScheduledMessage = defineMethod({
  name: 'chat.deleteScheduledMessage',
  tier: 3,
  json: true,
  accepted: CHAT_WRITE,
  handler: (call: Call) => {
    call.needAnyScope(CHAT_WRITE, 'chat:write');
    const conversation = namedConversation(call);
    const id = call.string('scheduled_message_id');
    const scheduled = id ? call.state.scheduled.get(id) : undefined;
    if (!scheduled || scheduled.channel !== conversation.id || scheduled.user !== call.caller.id)
      call.fail('invalid_scheduled_message_id');
    call.state.scheduled.delete(scheduled.id);
    return {};
  },
});

export const chatMethods = [
  chatPostMessage,
  chatUpdate,
  chatDelete,
  chatGetPermalink,
  chatScheduleMessage,
  chatScheduledMessagesList,
  chatDeleteScheduledMessage,
];

/**
 * Conversations: `conversations.list` (which pages over the workspace's conversations and then
 * filters, so a page may hold fewer than `limit` — even none — while `next_cursor` says more
 * follow, as Slack's does), `info` (with the caller's read cursor, and unread counts for DMs),
 * `history` and `replies` (newest first / thread order, `oldest`/`latest`/`inclusive`, cursors),
 * `members`, `join`, `mark` and `open`.
 */
import { formatTs, parseTs } from '../ids.js';
import { conversationJson, messageJson } from '../serialize.js';
import type { Conversation, Message } from '../state.js';
import { type Call, defineMethod } from '../wire.js';
import { cursorKey, pageMetadata } from './paging.js';
import { requestedKinds } from './users.js';

const READ_SCOPES = ['channels:read', 'groups:read', 'im:read', 'mpim:read'];
const HISTORY_SCOPES = ['channels:history', 'groups:history', 'im:history', 'mpim:history'];
const WRITE_SCOPES = ['channels:write', 'groups:write', 'im:write', 'mpim:write'];

export const conversationsList = defineMethod({
  name: 'conversations.list',
  tier: 2,
  json: false,
  accepted: READ_SCOPES,
  handler: (call: Call) => {
    const kinds = requestedKinds(call);
    const excludeArchived = call.flag('exclude_archived');
    const limit = call.limit(100, 1000, 'invalid_limit');
    const { state } = call;
    const after = cursorKey(call, 'channel');
    let start = 0;
    if (after !== undefined) {
      const at = state.conversationPosition(after);
      if (at === undefined) call.fail('invalid_cursor');
      start = at;
    }
    const end = Math.min(state.conversationOrder.length, start + limit);
    const channels: Record<string, unknown>[] = [];
    for (let i = start; i < end; i++) {
      const c = state.conversations.get(state.conversationOrder[i]!)!;
      if (!kinds.has(c.kind) || (excludeArchived && c.archived) || !call.canSee(c)) continue;
      channels.push(conversationJson(state, c, { viewer: call.caller.id, membership: true, numMembers: c.kind !== 'im' }));
    }
    return { channels, response_metadata: pageMetadata('channel', state.conversationOrder[end]) };
  },
});

export const conversationsInfo = defineMethod({
  name: 'conversations.info',
  tier: 3,
  json: false,
  accepted: READ_SCOPES,
  handler: (call: Call) => {
    const conversation = call.conversation('read');
    return {
      channel: conversationJson(call.state, conversation, {
        viewer: call.caller.id,
        membership: true,
        numMembers: call.flag('include_num_members') && conversation.kind !== 'im',
        readState: true,
      }),
    };
  },
});

/** `latest`/`oldest` as microseconds; `invalid_ts_latest`/`invalid_ts_oldest` when not a timestamp. */
function bound(call: Call, name: 'latest' | 'oldest'): number | undefined {
  const value = call.string(name);
  if (value === undefined) return undefined;
  const micros = parseTs(value);
  if (micros === undefined) call.fail(`invalid_ts_${name}`);
  return micros;
}

/** The index of the first message at or after `micros` in a timeline sorted oldest first. */
function firstAtOrAfter(timeline: readonly Message[], micros: number): number {
  let lo = 0;
  let hi = timeline.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (timeline[mid]!.micros < micros) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const conversationsHistory = defineMethod({
  name: 'conversations.history',
  tier: 3,
  json: false,
  accepted: HISTORY_SCOPES,
  handler: (call: Call) => {
    const conversation = call.conversation('history');
    const latest = bound(call, 'latest');
    const oldest = bound(call, 'oldest') ?? 0;
    const inclusive = call.flag('inclusive');
    const limit = call.limit(100, 999);
    const cursor = cursorKey(call, 'next_ts');
    const cursorMicros = cursor === undefined ? undefined : parseTs(cursor);
    if (cursor !== undefined && cursorMicros === undefined) call.fail('invalid_cursor');
    const { timeline } = conversation;
    // Newest first: from just below the upper bound down to the lower bound.
    let top = latest === undefined ? timeline.length : firstAtOrAfter(timeline, inclusive ? latest + 1 : latest);
    if (cursorMicros !== undefined) top = Math.min(top, firstAtOrAfter(timeline, cursorMicros + 1));
    const bottom = firstAtOrAfter(timeline, inclusive ? oldest : oldest + 1);
    const messages: Record<string, unknown>[] = [];
    let i = top - 1;
    for (; i >= bottom && messages.length < limit; i--)
      messages.push(messageJson(call.state, timeline[i]!, { viewer: call.caller.id }));
    const hasMore = i >= bottom;
    return {
      messages,
      has_more: hasMore,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      ...(hasMore ? { response_metadata: pageMetadata('next_ts', timeline[i]!.ts) } : {}),
    };
  },
});

export const conversationsReplies = defineMethod({
  name: 'conversations.replies',
  tier: 3,
  json: false,
  accepted: HISTORY_SCOPES,
  handler: (call: Call) => {
    const conversation = call.conversation('history');
    const ts = call.string('ts');
    const target = ts ? conversation.byTs.get(ts) : undefined;
    const parent = target?.threadTs && target.threadTs !== target.ts ? conversation.byTs.get(target.threadTs) : target;
    // A reply whose thread_ts names no message (Slack accepts those) has no thread to show.
    if (!parent) call.fail('thread_not_found');
    const latest = bound(call, 'latest');
    const oldest = bound(call, 'oldest') ?? 0;
    const inclusive = call.flag('inclusive');
    const limit = call.limit(1000, 1000);
    const cursor = cursorKey(call, 'next_ts');
    const cursorMicros = cursor === undefined ? undefined : parseTs(cursor);
    if (cursor !== undefined && cursorMicros === undefined) call.fail('invalid_cursor');
    const inRange = (m: Message) =>
      (inclusive ? m.micros >= oldest : m.micros > oldest) &&
      (latest === undefined || (inclusive ? m.micros <= latest : m.micros < latest)) &&
      (cursorMicros === undefined || m.micros >= cursorMicros);
    const replies = parent.replies.filter(inRange);
    // The parent opens every page; the rest of the page is replies, oldest first.
    const room = Math.max(1, limit - 1);
    const page = replies.slice(0, room);
    const next = replies[room];
    const viewer = { viewer: call.caller.id };
    return {
      messages: [messageJson(call.state, parent, viewer), ...page.map((m) => messageJson(call.state, m, viewer))],
      has_more: next !== undefined,
      ...(next ? { response_metadata: pageMetadata('next_ts', next.ts) } : {}),
    };
  },
});

export const conversationsMembers = defineMethod({
  name: 'conversations.members',
  tier: 4,
  json: false,
  accepted: READ_SCOPES,
  handler: (call: Call) => {
    const conversation = call.conversation('read');
    const limit = call.limit(100, 1000, 'invalid_limit');
    const after = cursorKey(call, 'member');
    // The cursor names the last member given: the page starts after it.
    const page = conversation.members.page(after, limit);
    if (!page) call.fail('invalid_cursor');
    return { members: page.ids, response_metadata: pageMetadata('member', page.more ? page.ids.at(-1) : undefined) };
  },
});

export const conversationsJoin = defineMethod({
  name: 'conversations.join',
  tier: 3,
  json: true,
  accepted: ['channels:join', 'channels:write'],
  handler: (call: Call) => {
    call.needScopes(call.isBot ? 'channels:join' : 'channels:write');
    const id = call.string('channel');
    const conversation = id ? call.state.conversations.get(id) : undefined;
    if (!conversation || !call.canSee(conversation)) call.fail('channel_not_found');
    if (conversation.kind !== 'public') call.fail('method_not_supported_for_channel_type');
    if (conversation.archived) call.fail('is_archived');
    if (call.caller.isUltraRestricted || call.caller.isRestricted) call.fail('user_is_restricted');
    const view = { viewer: call.caller.id, membership: true, readState: true };
    if (call.isMember(conversation))
      return {
        channel: conversationJson(call.state, conversation, view),
        warning: 'already_in_channel',
        response_metadata: { warnings: ['already_in_channel'] },
      };
    conversation.members.add(call.caller.id);
    call.state.post(conversation.id, {
      user: call.caller.id,
      text: `<@${call.caller.id}> has joined the channel`,
      subtype: 'channel_join',
    });
    return { channel: conversationJson(call.state, conversation, view) };
  },
});

export const conversationsMark = defineMethod({
  name: 'conversations.mark',
  tier: 3,
  json: true,
  accepted: ['channels:manage', ...WRITE_SCOPES],
  handler: (call: Call) => {
    const id = call.string('channel');
    const conversation = id ? call.state.conversations.get(id) : undefined;
    if (!conversation || !call.canSee(conversation)) call.fail('channel_not_found');
    call.needConversationScope('write', conversation);
    if (!call.isMember(conversation)) call.fail('not_in_channel');
    const ts = call.string('ts');
    const micros = ts === undefined ? undefined : parseTs(ts);
    if (micros === undefined) call.fail('invalid_timestamp');
    conversation.lastRead.set(call.caller.id, formatTs(micros));
    return {};
  },
});

/** Most people in a group DM besides the one opening it. */
const MAX_GROUP_DM_OTHERS = 8;

export const conversationsOpen = defineMethod({
  name: 'conversations.open',
  tier: 3,
  json: true,
  accepted: ['im:write', 'mpim:write', 'channels:write', 'groups:write'],
  handler: (call: Call) => {
    const { state } = call;
    const existing = call.string('channel');
    const returnIm = call.flag('return_im');
    const full = (c: Conversation) => conversationJson(state, c, { viewer: call.caller.id, membership: true, readState: true });
    if (existing !== undefined) {
      const conversation = state.conversations.get(existing);
      if (!conversation || !call.isMember(conversation) || (conversation.kind !== 'im' && conversation.kind !== 'mpim'))
        call.fail('channel_not_found');
      call.needConversationScope('write', conversation);
      return {
        no_op: true,
        already_open: true,
        channel: conversation.kind === 'im' && !returnIm ? { id: conversation.id } : full(conversation),
      };
    }
    const listed = (call.string('users') ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    if (listed.length === 0) call.fail('users_list_not_supplied');
    const others = [...new Set(listed)].filter((id) => id !== call.caller.id);
    if (others.length > MAX_GROUP_DM_OTHERS) call.fail('too_many_users');
    for (const id of others.length > 0 ? others : [call.caller.id]) {
      const user = state.users.get(id);
      if (!user) call.fail('user_not_found');
      if (user.deleted) call.fail('user_disabled');
    }
    if (others.length <= 1) {
      call.needScopes('im:write');
      const { conversation, created } = state.openDm(call.caller.id, others[0] ?? call.caller.id);
      const channel = returnIm ? full(conversation) : { id: conversation.id };
      return created ? { channel } : { no_op: true, already_open: true, channel };
    }
    call.needScopes('mpim:write');
    const { conversation, created } = state.openGroupDm(call.caller.id, others);
    return created ? { channel: full(conversation) } : { no_op: true, already_open: true, channel: full(conversation) };
  },
});

export const conversationMethods = [
  conversationsList,
  conversationsInfo,
  conversationsHistory,
  conversationsReplies,
  conversationsMembers,
  conversationsJoin,
  conversationsMark,
  conversationsOpen,
];

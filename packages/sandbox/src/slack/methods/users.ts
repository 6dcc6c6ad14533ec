/**
 * People: `users.list` (cursor paging through the whole workspace, `limit_required` when a large
 * workspace is asked for everything at once), `users.info`, `users.lookupByEmail`,
 * `users.profile.get`, and `users.conversations` (what a user is in). Email addresses appear only
 * for tokens with `users:read.email`.
 */
import type { SlackUser } from '../directory.js';
import { conversationJson, profileJson, userJson } from '../serialize.js';
import type { Conversation, ConversationKind } from '../state.js';
import { type Call, defineMethod, scopeFor } from '../wire.js';
import { cursorKey, pageMetadata } from './paging.js';

/** Above this many users, `users.list` without a `limit` is refused, as Slack refuses it for large workspaces. */
export const USERS_LIST_UNLIMITED_MAX = 1000;

function userArgument(call: Call, name = 'user'): SlackUser {
  const id = call.string(name);
  const user = id ? call.state.users.get(id) : undefined;
  if (!user) call.fail('user_not_found');
  return user;
}

export const usersList = defineMethod({
  name: 'users.list',
  tier: 2,
  json: false,
  accepted: ['users:read'],
  handler: (call: Call) => {
    call.needScopes('users:read');
    const { users } = call.state;
    const asked = call.integer('limit');
    if ((asked === undefined || asked === 0) && users.size > USERS_LIST_UNLIMITED_MAX) call.fail('limit_required');
    const limit = call.limit(users.size, 1000);
    const after = cursorKey(call, 'user');
    let start = 0;
    if (after !== undefined) {
      const at = users.positionOf(after);
      if (at === undefined) call.fail('invalid_cursor');
      start = at;
    }
    const members: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(users.size, start + limit); i++)
      members.push(userJson(call.state, users.at(i)!, { email: call.seesEmail, locale: call.flag('include_locale') }));
    const next = start + limit < users.size ? users.at(start + limit)!.id : undefined;
    return { members, cache_ts: Math.floor(Date.now() / 1000), response_metadata: pageMetadata('user', next) };
  },
});

export const usersInfo = defineMethod({
  name: 'users.info',
  tier: 4,
  json: false,
  accepted: ['users:read'],
  handler: (call: Call) => {
    call.needScopes('users:read');
    const user = userArgument(call);
    return { user: userJson(call.state, user, { email: call.seesEmail, locale: call.flag('include_locale') }) };
  },
});

export const usersLookupByEmail = defineMethod({
  name: 'users.lookupByEmail',
  tier: 3,
  json: false,
  accepted: ['users:read.email'],
  handler: (call: Call) => {
    call.needScopes('users:read.email');
    const email = call.string('email');
    const user = email ? call.state.users.byEmail(email) : undefined;
    // Deactivated accounts are not found by email.
    if (!user || user.deleted) call.fail('users_not_found');
    return { user: userJson(call.state, user, { email: true }) };
  },
});

export const usersProfileGet = defineMethod({
  name: 'users.profile.get',
  tier: 4,
  json: false,
  accepted: ['users.profile:read'],
  handler: (call: Call) => {
    call.needScopes('users.profile:read');
    const user = call.string('user') === undefined ? call.caller : userArgument(call);
    return { profile: profileJson(call.state, user, { email: call.seesEmail }) };
  },
});

const TYPE_KINDS: Record<string, ConversationKind> = {
  public_channel: 'public',
  private_channel: 'private',
  mpim: 'mpim',
  im: 'im',
};

/** The `types` argument as kinds (default public channels); `invalid_types` for an unknown one; scopes for each. */
export function requestedKinds(call: Call): Set<ConversationKind> {
  const types = (call.string('types') ?? 'public_channel')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const kinds = new Set<ConversationKind>();
  for (const type of types) {
    const kind = TYPE_KINDS[type];
    if (!kind) call.fail('invalid_types');
    kinds.add(kind);
  }
  if (kinds.size === 0) kinds.add('public');
  const missing = [...kinds].map((k) => scopeFor('read', k)).filter((s) => !call.token.scopes.includes(s));
  if (missing.length > 0) call.fail('missing_scope', { needed: missing.join(','), provided: call.token.scopes.join(',') });
  return kinds;
}

export const usersConversations = defineMethod({
  name: 'users.conversations',
  tier: 3,
  json: false,
  accepted: ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  handler: (call: Call) => {
    const kinds = requestedKinds(call);
    const subject = call.string('user') === undefined ? call.caller : userArgument(call);
    const excludeArchived = call.flag('exclude_archived');
    const limit = call.limit(100, 1000, 'invalid_limit');
    const { state } = call;
    const after = cursorKey(call, 'channel');
    let position = 0;
    if (after !== undefined) {
      const at = state.conversationPosition(after);
      if (at === undefined) call.fail('invalid_cursor');
      position = at;
    }
    // Another user's private conversations are listed only where the caller is in them too.
    const shown = (c: Conversation) =>
      kinds.has(c.kind) &&
      !(excludeArchived && c.archived) &&
      c.members.has(subject.id) &&
      (c.kind === 'public' || c.members.has(call.caller.id));
    const channels: Record<string, unknown>[] = [];
    let next: string | undefined;
    for (; position < state.conversationOrder.length; position++) {
      const c = state.conversations.get(state.conversationOrder[position]!)!;
      if (!shown(c)) continue;
      if (channels.length === limit) {
        next = c.id;
        break;
      }
      channels.push(conversationJson(state, c, { viewer: call.caller.id }));
    }
    return { channels, response_metadata: pageMetadata('channel', next) };
  },
});

export const userMethods = [usersList, usersInfo, usersLookupByEmail, usersProfileGet, usersConversations];

/**
 * The workspace's objects as Slack's Web API writes them: user and profile, conversation (channel,
 * group DM, DM), message (threads, edits, reactions, files, bot profile), file, team. What a
 * caller sees depends on who it is: email addresses need `users:read.email`, read cursors and
 * unread counts are the caller's own, `is_member` is about the caller.
 */
import type { SlackUser } from './directory.js';
import type { Conversation, Message, SlackFile, SlackState } from './state.js';

type Json = Record<string, unknown>;

function avatarHash(user: SlackUser): string {
  let h = 0;
  for (const c of user.id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0').slice(0, 12);
}

function images(user: SlackUser): Json {
  const hash = avatarHash(user);
  const out: Json = {};
  for (const size of [24, 32, 48, 72, 192, 512])
    out[`image_${size}`] = `https://secure.gravatar.com/avatar/${hash}.jpg?s=${size}&d=identicon`;
  return out;
}

/** A user's profile (`users.profile.get`, and `profile` inside a user). */
export function profileJson(state: SlackState, user: SlackUser, options: { email: boolean }): Json {
  return {
    title: user.title,
    phone: user.phone,
    skype: '',
    real_name: user.realName,
    real_name_normalized: user.realName.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''),
    display_name: user.displayName,
    display_name_normalized: user.displayName.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''),
    fields: {},
    status_text: user.statusText,
    status_emoji: user.statusEmoji,
    status_expiration: 0,
    avatar_hash: avatarHash(user),
    ...(user.botId ? { bot_id: user.botId, api_app_id: user.appId ?? '', always_active: true } : {}),
    ...(options.email && user.email && !user.isBot ? { email: user.email } : {}),
    first_name: user.firstName,
    last_name: user.lastName,
    ...images(user),
    team: state.team.id,
  };
}

/** A user as `users.list` and `users.info` give it; a deactivated one has only what Slack keeps. */
export function userJson(state: SlackState, user: SlackUser, options: { email: boolean; locale?: boolean }): Json {
  const base: Json = {
    id: user.id,
    team_id: state.team.id,
    name: user.name,
    deleted: user.deleted,
  };
  if (user.deleted)
    return { ...base, profile: profileJson(state, user, options), is_bot: user.isBot, is_app_user: false, updated: user.updated };
  return {
    ...base,
    color: user.color,
    real_name: user.realName,
    tz: user.tz,
    tz_label: user.tzLabel,
    tz_offset: user.tzOffset,
    profile: profileJson(state, user, options),
    is_admin: user.isAdmin,
    is_owner: user.isOwner,
    is_primary_owner: user.isPrimaryOwner,
    is_restricted: user.isRestricted,
    is_ultra_restricted: user.isUltraRestricted,
    is_bot: user.isBot,
    is_app_user: false,
    updated: user.updated,
    ...(options.locale ? { locale: user.locale } : {}),
  };
}

export interface ConversationView {
  /** Who is asking (for `is_member`, a DM's `user`, read state). */
  viewer: string;
  /** Include `is_member` (conversations.list/info; not users.conversations). */
  membership?: boolean;
  numMembers?: boolean;
  /** Include the viewer's read cursor, and for DMs and group DMs unread counts and the latest message. */
  readState?: boolean;
}

function topicJson(topic: Conversation['topic']): Json {
  return { value: topic.value, creator: topic.creator, last_set: topic.lastSet };
}

/** A conversation object as the `conversations.*` methods write it, by kind. */
export function conversationJson(state: SlackState, c: Conversation, view: ConversationView): Json {
  const member = c.members.has(view.viewer);
  if (c.kind === 'im') {
    const peer = state.dmPeer(c, view.viewer);
    return {
      id: c.id,
      created: c.created,
      is_archived: c.archived,
      is_im: true,
      is_org_shared: false,
      user: peer,
      is_user_deleted: state.users.get(peer)?.deleted ?? false,
      priority: 0,
      ...(view.readState && member ? { is_open: true, ...readState(state, c, view.viewer, true) } : {}),
    };
  }
  return {
    id: c.id,
    name: c.name,
    is_channel: c.kind !== 'mpim',
    is_group: false,
    is_im: false,
    is_mpim: c.kind === 'mpim',
    is_private: c.kind !== 'public',
    created: c.created,
    is_archived: c.archived,
    is_general: c.general,
    unlinked: 0,
    name_normalized: c.name,
    is_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    parent_conversation: null,
    creator: c.creator,
    is_ext_shared: false,
    shared_team_ids: [state.team.id],
    pending_connected_team_ids: [],
    ...(view.membership ? { is_member: member } : {}),
    topic: topicJson(c.topic),
    purpose: topicJson(c.purpose),
    previous_names: c.previousNames,
    ...(view.numMembers ? { num_members: c.members.count() } : {}),
    ...(view.readState && member ? readState(state, c, view.viewer, c.kind === 'mpim') : {}),
  };
}

/**
 * The viewer's read state. Slack gives `last_read` for any conversation the caller is in, and
 * unread counts with the latest message only for DMs and group DMs; for a channel, a client
 * counts the messages after `last_read` with conversations.history.
 */
function readState(state: SlackState, c: Conversation, viewer: string, counts: boolean): Json {
  const lastRead = state.lastReadOf(c, viewer);
  if (!counts) return { last_read: lastRead };
  const after = c.timeline.filter((m) => m.ts > lastRead && !m.deleted);
  const latest = c.timeline.at(-1);
  return {
    last_read: lastRead,
    latest: latest ? messageJson(state, latest, { viewer }) : null,
    unread_count: after.length,
    unread_count_display: after.filter((m) => m.user !== viewer && m.subtype !== 'channel_join').length,
  };
}

/** File metadata as it appears in `files` of a message. URLs name the file; no contents are served. */
export function fileJson(state: SlackState, file: SlackFile): Json {
  const name = encodeURIComponent(file.name);
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.name,
    title: file.title,
    mimetype: file.mimetype,
    filetype: file.filetype,
    pretty_type: file.prettyType,
    user: file.user,
    user_team: state.team.id,
    editable: false,
    size: file.size,
    mode: 'hosted',
    is_external: false,
    external_type: '',
    is_public: true,
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    url_private: `https://files.slack.com/files-pri/${state.team.id}-${file.id}/${name}`,
    url_private_download: `https://files.slack.com/files-pri/${state.team.id}-${file.id}/download/${name}`,
    permalink: `https://${state.team.domain}.slack.com/files/${file.user}/${file.id}/${name}`,
    permalink_public: `https://slack-files.com/${state.team.id}-${file.id}-${file.id.slice(-6).toLowerCase()}`,
    has_rich_preview: false,
  };
}

export function botProfileJson(state: SlackState, botId: string): Json | undefined {
  const bot = state.bots.get(botId);
  if (!bot) return undefined;
  return {
    id: bot.id,
    deleted: bot.deleted,
    name: bot.name,
    updated: bot.updated,
    app_id: bot.appId,
    icons: botIcons(bot.id),
    team_id: state.team.id,
  };
}

export function botIcons(botId: string): Json {
  const base = `https://a.slack-edge.com/80588/img/plugins/app/bot_${botId.toLowerCase()}`;
  return { image_36: `${base}_36.png`, image_48: `${base}_48.png`, image_72: `${base}_72.png` };
}

/** Slack lists at most this many users in a thread's `reply_users`. */
const REPLY_USERS_SHOWN = 5;

export interface MessageView {
  viewer?: string;
}

/** A message as history, replies, reactions.get and chat.postMessage write it. */
export function messageJson(state: SlackState, m: Message, view: MessageView = {}): Json {
  if (m.deleted)
    return {
      type: 'message',
      subtype: 'tombstone',
      text: m.text,
      user: m.user,
      ts: m.ts,
      ...threadFields(m, view.viewer),
    };
  const out: Json = {
    ...(m.botId ? { bot_id: m.botId } : {}),
    type: 'message',
    ...(m.subtype ? { subtype: m.subtype } : {}),
    text: m.text,
    user: m.user,
    ts: m.ts,
    ...(m.appId ? { app_id: m.appId } : {}),
    team: state.team.id,
  };
  if (m.botId) {
    const profile = botProfileJson(state, m.botId);
    if (profile) out['bot_profile'] = profile;
  }
  if (m.blocks) out['blocks'] = m.blocks;
  if (m.attachments)
    out['attachments'] = m.attachments.map((a, i) =>
      a && typeof a === 'object' && !('id' in a) ? { id: i + 1, ...(a as Json) } : a,
    );
  if (m.files.length > 0) {
    out['files'] = m.files.map((f) => fileJson(state, f));
    out['upload'] = false;
  }
  if (m.edited) out['edited'] = { user: m.edited.user, ts: m.edited.ts };
  Object.assign(out, threadFields(m, view.viewer));
  if (m.reactions.length > 0)
    out['reactions'] = m.reactions.map((r) => ({ name: r.name, users: [...r.users], count: r.users.length }));
  return out;
}

/** Thread fields: a parent's counts and whether the viewer follows it (wrote it or replied), a reply's parent. */
function threadFields(m: Message, viewer: string | undefined): Json {
  if (m.replies.length > 0) {
    const users = [...new Set(m.replies.map((r) => r.user))];
    return {
      thread_ts: m.ts,
      reply_count: m.replies.length,
      reply_users_count: users.length,
      latest_reply: m.replies.at(-1)!.ts,
      reply_users: users.slice(0, REPLY_USERS_SHOWN),
      subscribed: viewer !== undefined && (m.user === viewer || users.includes(viewer)),
    };
  }
  if (m.threadTs && m.threadTs !== m.ts) return { thread_ts: m.threadTs, parent_user_id: m.parentUser };
  return {};
}

export function teamJson(state: SlackState): Json {
  return {
    id: state.team.id,
    name: state.team.name,
    domain: state.team.domain,
    email_domain: state.team.emailDomain,
    icon: {
      image_default: true,
      image_34: 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-34.png',
      image_44: 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-44.png',
      image_68: 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-68.png',
      image_88: 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-88.png',
      image_102: 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-102.png',
      image_132: 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-132.png',
      image_230: 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-230.png',
    },
    avatar_base_url: 'https://ca.slack-edge.com/',
    msg_edit_window_mins: state.team.msgEditWindowMins,
    created: state.team.created,
  };
}

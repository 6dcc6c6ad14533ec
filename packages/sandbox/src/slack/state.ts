/**
 * The Slack workspace the emulator serves: its team, people and bots, conversations (public and
 * private channels, DMs, group DMs) with their members and read cursors, messages with threads,
 * edits, reactions and file metadata, scheduled messages, the tokens apps hold (each a bot or a
 * user token with its own scopes), and the rate-limit windows those tokens spend.
 *
 * Seeds and tests build a workspace through the methods here; the Web API methods under
 * `methods/` read and change it.
 */
import { createHash } from 'node:crypto';
import { deterministicSecret } from '../core/state.js';
import { Members, type SlackUser, UserTable } from './directory.js';
import { formatTs, IdMint, TsClock } from './ids.js';
import { type RateLimitSettings, SlidingWindows, slackRateLimits } from './rate-limit.js';

export type ConversationKind = 'public' | 'private' | 'im' | 'mpim';

export interface Topic {
  value: string;
  /** A user ID, or '' when never set. */
  creator: string;
  lastSet: number;
}

export interface Conversation {
  id: string;
  kind: ConversationKind;
  /** Channel name without `#`; `mpdm-a--b--c-1` for a group DM; '' for a DM. */
  name: string;
  created: number;
  creator: string;
  archived: boolean;
  /** The workspace's general channel: everyone is in it and nobody can leave. */
  general: boolean;
  topic: Topic;
  purpose: Topic;
  previousNames: string[];
  members: Members;
  /** Top-level messages oldest first (thread replies hang off their parent; broadcasts are here too). */
  timeline: Message[];
  /** Every message by `ts`, replies included. */
  byTs: Map<string, Message>;
  /** Each member's read cursor (a `ts`); absent = never read. */
  lastRead: Map<string, string>;
}

export interface Reaction {
  name: string;
  /** Who reacted, in order. */
  users: string[];
}

/** A shared file's metadata. The sandbox never holds or serves contents. */
export interface SlackFile {
  id: string;
  created: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  prettyType: string;
  size: number;
  user: string;
}

export interface Message {
  ts: string;
  micros: number;
  channel: string;
  /** The author (for a bot, its bot user). */
  user: string;
  botId?: string;
  appId?: string;
  text: string;
  /** `bot_message`, `thread_broadcast`, `tombstone`, `channel_join`… */
  subtype?: string;
  /** Set on a thread's parent (its own ts) once it has replies, and on every reply. */
  threadTs?: string;
  /** On a reply: the parent's author. */
  parentUser?: string;
  /** On a parent: its replies, oldest first. */
  replies: Message[];
  edited?: { user: string; ts: string };
  reactions: Reaction[];
  files: SlackFile[];
  blocks?: unknown[];
  attachments?: unknown[];
  /** A reply also shown in the channel (`reply_broadcast`). */
  broadcast: boolean;
  /** A deleted parent that keeps its replies is shown as a tombstone. */
  deleted: boolean;
}

export type TokenType = 'bot' | 'user';

export interface SlackToken {
  token: string;
  type: TokenType;
  /** Whose token: the bot user for a bot token, the person for a user token. */
  userId: string;
  /** The app it was issued to (rate limits are counted per app). */
  appId: string;
  /** For a bot token: the bot. */
  botId?: string;
  scopes: string[];
  revoked: boolean;
}

export interface SlackBot {
  id: string;
  appId: string;
  name: string;
  /** The bot's user (a bot installed with a bot user). */
  userId: string;
  deleted: boolean;
  updated: number;
}

export interface ScheduledMessage {
  id: string;
  channel: string;
  /** Seconds since the epoch. */
  postAt: number;
  dateCreated: number;
  text: string;
  user: string;
  botId?: string;
  appId?: string;
  threadTs?: string;
  replyBroadcast: boolean;
  blocks?: unknown[];
}

export interface Team {
  id: string;
  name: string;
  /** `patchbay-demo` → https://patchbay-demo.slack.com/ */
  domain: string;
  emailDomain: string;
  /** How long after posting a message may be edited; -1 = always (Slack's default). */
  msgEditWindowMins: number;
  created: number;
}

/** The scopes a bot token of a typical read-and-post app carries. */
export const BOT_SCOPES = [
  'channels:history',
  'channels:join',
  'channels:read',
  'chat:write',
  'groups:history',
  'groups:read',
  'im:history',
  'im:read',
  'im:write',
  'mpim:history',
  'mpim:read',
  'mpim:write',
  'reactions:read',
  'reactions:write',
  'team:read',
  'users.profile:read',
  'users:read',
  'users:read.email',
];

/** The scopes a user token of the same app carries: reading as the user, search, marking read. */
export const USER_SCOPES = [
  'channels:history',
  'channels:read',
  'channels:write',
  'chat:write',
  'groups:history',
  'groups:read',
  'groups:write',
  'im:history',
  'im:read',
  'im:write',
  'mpim:history',
  'mpim:read',
  'mpim:write',
  'reactions:read',
  'reactions:write',
  'search:read',
  'team:read',
  'users.profile:read',
  'users:read',
  'users:read.email',
];

const COLORS = ['9f69e7', '4bbe2e', 'e7392d', '3c989f', 'e0a729', '674b1b', 'e96699', '5b89d5', 'dc7dbb', 'a63024'];

/** Fields a seed or test may give for a person; the rest get sensible defaults. */
export type PersonInit = Partial<Omit<SlackUser, 'id' | 'isBot'>> & { name: string; realName: string };

export class SlackState {
  readonly clock = new TsClock();
  readonly mint = new IdMint();
  team: Team = {
    id: 'T0PATCHBAY',
    name: 'Patchbay Demo',
    domain: 'patchbay-demo',
    emailDomain: 'example.com',
    msgEditWindowMins: -1,
    created: 1_600_000_000,
  };
  readonly users = new UserTable();
  readonly bots = new Map<string, SlackBot>();
  readonly apps = new Map<string, { id: string; name: string }>();
  readonly conversations = new Map<string, Conversation>();
  /** Conversation IDs in creation order (the order `conversations.list` pages through). */
  readonly conversationOrder: string[] = [];
  readonly #conversationPosition = new Map<string, number>();
  readonly #channelByName = new Map<string, string>();
  readonly #dmByPair = new Map<string, string>();
  readonly #mpimBySet = new Map<string, string>();
  readonly tokens = new Map<string, SlackToken>();
  readonly scheduled = new Map<string, ScheduledMessage>();
  rateLimits: RateLimitSettings = slackRateLimits();
  readonly windows = new SlidingWindows();
  /** The credentials `patchbay-sandbox slack` prints. */
  botToken = '';
  userToken = '';
  /** Tokens a seed issued under a name for tests (`admin`, `narrow-bot`, `inactive`…). */
  readonly namedTokens = new Map<string, string>();

  /** A token the seed issued under `name`; throws naming the known ones otherwise. */
  tokenNamed(name: string): string {
    const token = this.namedTokens.get(name);
    if (!token) throw new Error(`no token named ${name} (this seed has: ${[...this.namedTokens.keys()].join(', ')})`);
    return token;
  }

  constructor() {
    this.users.add({
      id: 'USLACKBOT',
      name: 'slackbot',
      realName: 'Slackbot',
      displayName: 'Slackbot',
      firstName: 'slackbot',
      lastName: '',
      title: '',
      phone: '',
      tz: 'America/Los_Angeles',
      tzLabel: 'Pacific Standard Time',
      tzOffset: -28800,
      color: '757575',
      isBot: false,
      deleted: false,
      isAdmin: false,
      isOwner: false,
      isPrimaryOwner: false,
      isRestricted: false,
      isUltraRestricted: false,
      statusText: '',
      statusEmoji: '',
      updated: 0,
      locale: 'en-US',
    });
  }

  // People, bots and tokens

  /** Adds a person; `name` is the handle and must be unique. */
  addPerson(init: PersonInit): SlackUser {
    if (this.users.byName(init.name)) throw new Error(`a user named ${init.name} exists already`);
    const [first = init.realName, ...rest] = init.realName.split(' ');
    return this.users.add({
      displayName: '',
      firstName: first,
      lastName: rest.join(' '),
      email: `${init.name}@${this.team.emailDomain}`,
      title: '',
      phone: '',
      tz: 'Europe/London',
      tzLabel: 'Greenwich Mean Time',
      tzOffset: 0,
      color: COLORS[this.users.size % COLORS.length]!,
      deleted: false,
      isAdmin: false,
      isOwner: false,
      isPrimaryOwner: false,
      isRestricted: false,
      isUltraRestricted: false,
      statusText: '',
      statusEmoji: '',
      updated: this.clock.seconds(),
      locale: 'en-US',
      ...init,
      id: this.mint.mint('U0', init.name),
      isBot: false,
    });
  }

  /** Adds an app with a bot and the bot's user (`@name`). */
  addBot(init: { name: string; realName: string; appName?: string }): { bot: SlackBot; user: SlackUser } {
    const appId = this.mint.mint('A0', init.name);
    this.apps.set(appId, { id: appId, name: init.appName ?? init.realName });
    const botId = this.mint.mint('B0', init.name);
    const user = this.users.add({
      id: this.mint.mint('U0', `bot:${init.name}`),
      name: init.name,
      realName: init.realName,
      displayName: '',
      firstName: init.realName,
      lastName: '',
      title: '',
      phone: '',
      tz: 'America/Los_Angeles',
      tzLabel: 'Pacific Standard Time',
      tzOffset: -28800,
      color: '3c989f',
      isBot: true,
      botId,
      appId,
      deleted: false,
      isAdmin: false,
      isOwner: false,
      isPrimaryOwner: false,
      isRestricted: false,
      isUltraRestricted: false,
      statusText: '',
      statusEmoji: '',
      updated: this.clock.seconds(),
      locale: 'en-US',
    });
    const bot: SlackBot = {
      id: botId,
      appId,
      name: init.realName,
      userId: user.id,
      deleted: false,
      updated: this.clock.seconds(),
    };
    this.bots.set(botId, bot);
    return { bot, user };
  }

  /**
   * Issues a token: a bot token (`xoxb-`) for a bot user, or a user token (`xoxp-`) for a person
   * through an app. The same arguments give the same token every run.
   */
  issueToken(init: { type: TokenType; userId: string; appId: string; scopes: readonly string[]; label?: string }): SlackToken {
    const user = this.users.get(init.userId);
    if (!user) throw new Error(`no user ${init.userId}`);
    if (init.type === 'bot' && !user.botId) throw new Error(`${user.name} is not a bot user`);
    const label = init.label ?? `${init.type}:${user.name}:${init.appId}`;
    const tail = deterministicSecret('', `slack:${label}`, init.type === 'bot' ? 24 : 32);
    const team = digits(this.team.id, 13);
    const token =
      init.type === 'bot'
        ? `xoxb-${team}-${digits(`bot:${label}`, 13)}-${tail}`
        : `xoxp-${team}-${digits(`user:${label}`, 13)}-${digits(`app:${label}`, 13)}-${tail}`;
    const issued: SlackToken = {
      token,
      type: init.type,
      userId: user.id,
      appId: init.appId,
      ...(user.botId && init.type === 'bot' ? { botId: user.botId } : {}),
      scopes: [...init.scopes],
      revoked: false,
    };
    this.tokens.set(token, issued);
    return issued;
  }

  // Conversations

  #register(conversation: Conversation): Conversation {
    this.conversations.set(conversation.id, conversation);
    this.#conversationPosition.set(conversation.id, this.conversationOrder.length);
    this.conversationOrder.push(conversation.id);
    return conversation;
  }

  conversationPosition(id: string): number | undefined {
    return this.#conversationPosition.get(id);
  }

  /** Adds a public or private channel. `members: 'everyone'` makes it the general channel's kind of membership. */
  addChannel(init: {
    name: string;
    creator: string;
    private?: boolean;
    members?: readonly string[] | 'everyone';
    topic?: string;
    purpose?: string;
    archived?: boolean;
    general?: boolean;
    created?: number;
    previousNames?: string[];
  }): Conversation {
    if (!/^[a-z0-9][a-z0-9._-]{0,79}$/.test(init.name)) throw new Error(`invalid channel name ${init.name}`);
    if (this.#channelByName.has(init.name)) throw new Error(`a channel named #${init.name} exists already`);
    const created = init.created ?? this.clock.seconds();
    const members = new Members(init.members === 'everyone' ? this.users : undefined);
    members.add(init.creator);
    if (Array.isArray(init.members)) for (const id of init.members) members.add(id);
    const conversation = this.#register({
      id: this.mint.mint('C0', `channel:${init.name}`),
      kind: init.private ? 'private' : 'public',
      name: init.name,
      created,
      creator: init.creator,
      archived: init.archived ?? false,
      general: init.general ?? false,
      topic: { value: init.topic ?? '', creator: init.topic ? init.creator : '', lastSet: init.topic ? created : 0 },
      purpose: { value: init.purpose ?? '', creator: init.purpose ? init.creator : '', lastSet: init.purpose ? created : 0 },
      previousNames: init.previousNames ?? [],
      members,
      timeline: [],
      byTs: new Map(),
      lastRead: new Map(),
    });
    this.#channelByName.set(init.name, conversation.id);
    return conversation;
  }

  channelByName(name: string): Conversation | undefined {
    const id = this.#channelByName.get(name.replace(/^#/, ''));
    return id ? this.conversations.get(id) : undefined;
  }

  /** The DM between two users, opened when it does not exist yet (a user may DM themselves). */
  openDm(a: string, b: string): { conversation: Conversation; created: boolean } {
    const key = [a, b].sort().join('|');
    const existing = this.#dmByPair.get(key);
    if (existing) return { conversation: this.conversations.get(existing)!, created: false };
    const members = new Members();
    members.add(a);
    members.add(b);
    const conversation = this.#register({
      id: this.mint.mint('D0', `dm:${key}`),
      kind: 'im',
      name: '',
      created: this.clock.seconds(),
      creator: a,
      archived: false,
      general: false,
      topic: { value: '', creator: '', lastSet: 0 },
      purpose: { value: '', creator: '', lastSet: 0 },
      previousNames: [],
      members,
      timeline: [],
      byTs: new Map(),
      lastRead: new Map(),
    });
    this.#dmByPair.set(key, conversation.id);
    return { conversation, created: true };
  }

  /** The DM between two users if it was ever opened (no side effect). */
  findDm(a: string, b: string): Conversation | undefined {
    const id = this.#dmByPair.get([a, b].sort().join('|'));
    return id ? this.conversations.get(id) : undefined;
  }

  /** The group DM of exactly these users (3–9 people, the opener included), opened when new. */
  openGroupDm(creator: string, userIds: readonly string[]): { conversation: Conversation; created: boolean } {
    const ids = [...new Set([creator, ...userIds])];
    const key = [...ids].sort().join('|');
    const existing = this.#mpimBySet.get(key);
    if (existing) return { conversation: this.conversations.get(existing)!, created: false };
    const names = ids.map((id) => this.users.get(id)?.name ?? id.toLowerCase());
    const members = new Members();
    for (const id of ids) members.add(id);
    const name = `mpdm-${names.join('--')}-1`;
    const conversation = this.#register({
      id: this.mint.mint('C0', `mpim:${key}`),
      kind: 'mpim',
      name,
      created: this.clock.seconds(),
      creator,
      archived: false,
      general: false,
      topic: { value: 'Group messaging', creator, lastSet: this.clock.seconds() },
      purpose: { value: `Group messaging with: ${names.map((n) => `@${n}`).join(' ')}`, creator, lastSet: this.clock.seconds() },
      previousNames: [],
      members,
      timeline: [],
      byTs: new Map(),
      lastRead: new Map(),
    });
    this.#mpimBySet.set(key, conversation.id);
    return { conversation, created: true };
  }

  /** For a DM: the member who is not `viewer` (or the only one, in a self-DM). */
  dmPeer(conversation: Conversation, viewer: string): string {
    const [a, b = a] = conversation.members.explicit();
    return a === viewer ? b! : a!;
  }

  // Messages

  /**
   * Posts a message now (or at the pinned clock): top level, or into a thread when `threadTs`
   * names a top-level message of the conversation (a reply's ts means its thread).
   */
  post(
    channelId: string,
    init: {
      user: string;
      text: string;
      threadTs?: string;
      broadcast?: boolean;
      botId?: string;
      appId?: string;
      subtype?: string;
      files?: SlackFile[];
      blocks?: unknown[];
      attachments?: unknown[];
      /** An explicit ts (at least the clock's next). */
      atMicros?: number;
    },
  ): Message {
    const conversation = this.conversations.get(channelId);
    if (!conversation) throw new Error(`no conversation ${channelId}`);
    let parent: Message | undefined;
    if (init.threadTs) {
      const target = conversation.byTs.get(init.threadTs);
      if (!target) throw new Error(`no message ${init.threadTs} in ${channelId}`);
      parent = target.threadTs && target.threadTs !== target.ts ? conversation.byTs.get(target.threadTs) : target;
    }
    const micros = init.atMicros !== undefined ? this.clock.atLeastMicros(init.atMicros) : this.clock.nextMicros();
    const ts = formatTs(micros);
    const message: Message = {
      ts,
      micros,
      channel: channelId,
      user: init.user,
      text: init.text,
      replies: [],
      reactions: [],
      files: init.files ?? [],
      broadcast: false,
      deleted: false,
      ...(init.botId ? { botId: init.botId } : {}),
      ...(init.appId ? { appId: init.appId } : {}),
      ...(init.subtype ? { subtype: init.subtype } : {}),
      ...(init.blocks ? { blocks: init.blocks } : {}),
      ...(init.attachments ? { attachments: init.attachments } : {}),
    };
    conversation.byTs.set(ts, message);
    if (parent) {
      parent.threadTs = parent.ts;
      message.threadTs = parent.ts;
      message.parentUser = parent.user;
      parent.replies.push(message);
      if (init.broadcast) {
        message.broadcast = true;
        message.subtype = 'thread_broadcast';
        insertByTime(conversation.timeline, message);
      }
    } else insertByTime(conversation.timeline, message);
    return message;
  }

  /** Deletes a message: a reply leaves its thread, a parent with replies becomes a tombstone. */
  remove(message: Message): void {
    const conversation = this.conversations.get(message.channel)!;
    const isReply = message.threadTs !== undefined && message.threadTs !== message.ts;
    if (isReply) {
      const parent = conversation.byTs.get(message.threadTs!);
      if (parent) {
        parent.replies = parent.replies.filter((m) => m !== message);
        if (parent.replies.length === 0) {
          delete parent.threadTs;
          if (parent.deleted) this.#drop(conversation, parent);
        }
      }
      if (message.broadcast) conversation.timeline = conversation.timeline.filter((m) => m !== message);
      conversation.byTs.delete(message.ts);
      return;
    }
    if (message.replies.length > 0) {
      message.deleted = true;
      message.subtype = 'tombstone';
      message.text = 'This message was deleted.';
      message.user = 'USLACKBOT';
      message.reactions = [];
      message.files = [];
      delete message.botId;
      delete message.appId;
      delete message.edited;
      delete message.blocks;
      delete message.attachments;
      return;
    }
    this.#drop(conversation, message);
  }

  #drop(conversation: Conversation, message: Message): void {
    const at = conversation.timeline.indexOf(message);
    if (at >= 0) conversation.timeline.splice(at, 1);
    conversation.byTs.delete(message.ts);
  }

  /** Adds a reaction; false when this user already reacted with this emoji. */
  react(message: Message, name: string, userId: string): boolean {
    let reaction = message.reactions.find((r) => r.name === name);
    if (!reaction) {
      reaction = { name, users: [] };
      message.reactions.push(reaction);
    }
    if (reaction.users.includes(userId)) return false;
    reaction.users.push(userId);
    return true;
  }

  /** Removes a reaction; false when this user had not reacted with this emoji. */
  unreact(message: Message, name: string, userId: string): boolean {
    const reaction = message.reactions.find((r) => r.name === name);
    if (!reaction?.users.includes(userId)) return false;
    reaction.users = reaction.users.filter((u) => u !== userId);
    if (reaction.users.length === 0) message.reactions = message.reactions.filter((r) => r !== reaction);
    return true;
  }

  /** File metadata for a message (`files.slack.com` URLs are built from it; no contents exist). */
  makeFile(init: Omit<SlackFile, 'id' | 'created'> & { created?: number }): SlackFile {
    return {
      ...init,
      id: this.mint.mint('F0', `${init.user}:${init.name}:${this.clock.nextMicros()}`),
      created: init.created ?? this.clock.seconds(),
    };
  }

  /** Scheduled messages whose time has come are posted (called before every request). */
  deliverDue(nowSeconds = Math.floor(Date.now() / 1000)): void {
    for (const [id, scheduled] of this.scheduled) {
      if (scheduled.postAt > nowSeconds) continue;
      this.scheduled.delete(id);
      const conversation = this.conversations.get(scheduled.channel);
      if (!conversation || conversation.archived) continue;
      const thread = scheduled.threadTs && conversation.byTs.has(scheduled.threadTs) ? scheduled.threadTs : undefined;
      this.post(scheduled.channel, {
        user: scheduled.user,
        text: scheduled.text,
        atMicros: scheduled.postAt * 1_000_000,
        ...(thread ? { threadTs: thread, broadcast: scheduled.replyBroadcast } : {}),
        ...(scheduled.botId ? { botId: scheduled.botId } : {}),
        ...(scheduled.appId ? { appId: scheduled.appId } : {}),
        ...(scheduled.blocks ? { blocks: scheduled.blocks } : {}),
      });
    }
  }

  // Reading helpers

  /** The read cursor of a member ('0000000000.000000' when never read, as Slack says). */
  lastReadOf(conversation: Conversation, userId: string): string {
    return conversation.lastRead.get(userId) ?? formatTs(0);
  }

  /** The permalink Slack gives a message (a reply's carries its thread). */
  permalink(message: Message): string {
    const base = `https://${this.team.domain}.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`;
    return message.threadTs && message.threadTs !== message.ts
      ? `${base}?thread_ts=${message.threadTs}&cid=${message.channel}`
      : base;
  }

  /** The workspace's address, as auth.test gives it (`https://patchbay-demo.slack.com/`). */
  get workspaceUrl(): string {
    return `https://${this.team.domain}.slack.com/`;
  }
}

/** `length` decimal digits derived from `name` (the numeric parts of Slack tokens). */
function digits(name: string, length: number): string {
  const hex = createHash('sha256').update(`patchbay-sandbox:slack:${name}`).digest('hex');
  return `${1 + (Number.parseInt(hex.slice(0, 2), 16) % 9)}${BigInt(`0x${hex.slice(2, 30)}`)}`.slice(0, length);
}

function insertByTime(timeline: Message[], message: Message): void {
  if (timeline.length === 0 || timeline[timeline.length - 1]!.micros < message.micros) {
    timeline.push(message);
    return;
  }
  let lo = 0;
  let hi = timeline.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (timeline[mid]!.micros < message.micros) lo = mid + 1;
    else hi = mid;
  }
  timeline.splice(lo, 0, message);
}

import { type Logger, ToolError } from '@patchbay/kit';
import { TtlCache } from './cache.js';
import { lacksScope, mapLimit, type Session } from './client.js';
import { isSlackCode } from './errors.js';
import { type ChannelRef, parseUserRef, type UserRef } from './refs.js';

/**
 * The workspace's people and channels, resolved lazily. Nothing is fetched at start-up: a
 * 100,000-person workspace costs nothing until a name is needed, and then only what that name
 * needs. An ID is one `users.info` / `conversations.info` call, cached for the TTL; a name is
 * looked for in the cache first, then by scanning Slack's lists page by page (remembering every
 * entry seen) until it turns up.
 *
 * A name is reported as unknown only after one lookup has seen the whole list. A lookup that is
 * rate-limited or runs out of pages leaves what it saw (each entry is true on its own) and its
 * position for the next call, and says "not found so far" — never "no such name".
 */

export interface Person {
  id: string;
  /** The handle: `ada`. */
  handle: string;
  realName: string;
  displayName: string;
  bot: boolean;
  deleted: boolean;
  /** A single- or multi-channel guest. */
  guest: boolean;
  admin: boolean;
  owner: boolean;
  email?: string;
  title?: string;
  phone?: string;
  tz?: string;
  status?: string;
}

export type ChannelKind = 'public' | 'private' | 'dm' | 'group_dm';

export interface Channel {
  id: string;
  /** Without `#`; '' for a DM. */
  name: string;
  kind: ChannelKind;
  archived: boolean;
  /** For a DM: the other person's ID. */
  peer?: string;
  members?: number;
  isMember?: boolean;
  topic?: string;
  purpose?: string;
}

/** What a channel argument resolved to: the channel, and the message a link pointed at. */
export interface ResolvedChannel {
  channel: Channel;
  ts?: string;
  threadTs?: string;
}

/** Slack's user object, the parts read here. */
export interface RawUser {
  id: string;
  name?: string;
  real_name?: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  tz?: string;
  profile?: {
    real_name?: string;
    display_name?: string;
    email?: string;
    title?: string;
    phone?: string;
    status_text?: string;
    status_emoji?: string;
  };
}

/** Slack's conversation object, the parts read here. */
export interface RawChannel {
  id: string;
  name?: string;
  is_im?: boolean;
  is_mpim?: boolean;
  is_private?: boolean;
  is_archived?: boolean;
  is_member?: boolean;
  user?: string;
  num_members?: number;
  topic?: { value?: string };
  purpose?: { value?: string };
}

export function toPerson(raw: RawUser): Person {
  const p = raw.profile ?? {};
  const status = [p.status_emoji, p.status_text].filter(Boolean).join(' ');
  return {
    id: raw.id,
    handle: raw.name ?? raw.id,
    realName: p.real_name || raw.real_name || '',
    displayName: p.display_name || '',
    bot: raw.is_bot === true || raw.id === 'USLACKBOT',
    deleted: raw.deleted === true,
    guest: raw.is_restricted === true || raw.is_ultra_restricted === true,
    admin: raw.is_admin === true,
    owner: raw.is_owner === true,
    ...(p.email ? { email: p.email } : {}),
    ...(p.title ? { title: p.title } : {}),
    ...(p.phone ? { phone: p.phone } : {}),
    ...(raw.tz ? { tz: raw.tz } : {}),
    ...(status ? { status } : {}),
  };
}

export function toChannel(raw: RawChannel): Channel {
  const kind: ChannelKind = raw.is_im ? 'dm' : raw.is_mpim ? 'group_dm' : raw.is_private ? 'private' : 'public';
  return {
    id: raw.id,
    name: raw.is_im ? '' : (raw.name ?? ''),
    kind,
    archived: raw.is_archived === true,
    ...(raw.user ? { peer: raw.user } : {}),
    ...(typeof raw.num_members === 'number' ? { members: raw.num_members } : {}),
    ...(typeof raw.is_member === 'boolean' ? { isMember: raw.is_member } : {}),
    ...(raw.topic?.value ? { topic: raw.topic.value } : {}),
    ...(raw.purpose?.value ? { purpose: raw.purpose.value } : {}),
  };
}

/** How a person is called in a message line: the name Slack shows (display name, else full name). */
export function personName(person: Person): string {
  return person.displayName || person.realName || person.handle;
}

const normal = (name: string) => name.normalize('NFKC').trim().replace(/^[@#]/, '').toLowerCase();

/** Pages of a Slack list scanned for names; remembers where it stopped for the next lookup. */
class Scan<T> {
  /** Where the next page starts (undefined: at the beginning). */
  #cursor: string | undefined;
  /** One scan at a time: two lookups share the position. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next: string | undefined }>) {}

  /**
   * Look through pages, from where the last lookup stopped and round to it again, for an item
   * `match` accepts. `complete` is true only when this lookup saw every page.
   */
  find<X>(match: (items: T[]) => X | undefined, maxPages: number): Promise<{ found?: X; complete: boolean; seen: number }> {
    const run = this.#queue.then(() => this.#find(match, maxPages));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #find<X>(
    match: (items: T[]) => X | undefined,
    maxPages: number,
  ): Promise<{ found?: X; complete: boolean; seen: number }> {
    const start = this.#cursor;
    let wrapped = false;
    let seen = 0;
    for (let pages = 0; pages < maxPages; pages++) {
      if (wrapped && this.#cursor === start) return { complete: true, seen };
      let page: { items: T[]; next: string | undefined };
      try {
        page = await this.fetchPage(this.#cursor);
      } catch (error) {
        // A position Slack no longer accepts: start over from the beginning next time.
        if (isSlackCode(error, 'invalid_cursor')) this.#cursor = undefined;
        throw error;
      }
      seen += page.items.length;
      this.#cursor = page.next || undefined;
      const found = match(page.items);
      if (found !== undefined) return { found, complete: false, seen };
      if (!page.next) {
        if (start === undefined) return { complete: true, seen };
        wrapped = true;
      }
    }
    return { complete: wrapped && this.#cursor === start, seen };
  }
}

export interface DirectoryOptions {
  ttlMs: number;
  maxEntries: number;
  log: Logger;
  /** Pages one name lookup may read (Slack's lists come 1,000 at a time). Default 10. */
  maxPages?: number;
}

const PAGE = 1000;
/** Above this many unknown people in one page of messages, names are read from users.list first. */
const BULK_AFTER = 24;

export class Directory {
  readonly #people: TtlCache<string, Person>;
  readonly #channels: TtlCache<string, Channel>;
  /** `h:ada`, `d:ada`, `r:ada lovelace` → user ID; `e:ada@example.com` → user ID. */
  readonly #personNames: TtlCache<string, string>;
  /** Channel name → ID; `dm:U…` → the DM's ID. */
  readonly #channelNames: TtlCache<string, string>;
  /** Lookups in flight by ID, so concurrent renders ask Slack once. */
  readonly #pending = new Map<string, Promise<unknown>>();
  readonly #peopleScan: Scan<RawUser>;
  readonly #channelScan: Scan<RawChannel>;
  readonly #dmScan: Scan<RawChannel>;
  readonly #maxPages: number;
  /** More people than one page of users.list holds: names are looked up one by one. */
  #large = false;

  constructor(
    private readonly reader: () => Promise<Session>,
    private readonly options: DirectoryOptions,
  ) {
    const { ttlMs, maxEntries } = options;
    this.#people = new TtlCache(maxEntries, ttlMs);
    this.#channels = new TtlCache(maxEntries, ttlMs);
    this.#personNames = new TtlCache(maxEntries * 3, ttlMs);
    this.#channelNames = new TtlCache(maxEntries, ttlMs);
    this.#maxPages = options.maxPages ?? 10;
    this.#peopleScan = new Scan(async (cursor) => {
      const web = (await this.reader()).web;
      const page = await web.users.list({ limit: PAGE, ...(cursor ? { cursor } : {}) });
      const members = (page.members ?? []) as RawUser[];
      for (const raw of members) this.rememberPerson(raw);
      return { items: members, next: page.response_metadata?.next_cursor || undefined };
    });
    this.#channelScan = new Scan(async (cursor) => {
      const session = await this.reader();
      const types = await this.nameTypes(session);
      const page = await session.web.conversations.list({ types, limit: PAGE, ...(cursor ? { cursor } : {}) });
      const channels = (page.channels ?? []) as RawChannel[];
      for (const raw of channels) this.rememberChannel(raw);
      return { items: channels, next: page.response_metadata?.next_cursor || undefined };
    });
    this.#dmScan = new Scan(async (cursor) => {
      const web = (await this.reader()).web;
      const page = await web.conversations.list({ types: 'im', limit: PAGE, ...(cursor ? { cursor } : {}) });
      const channels = (page.channels ?? []) as RawChannel[];
      for (const raw of channels) this.rememberChannel(raw);
      return { items: channels, next: page.response_metadata?.next_cursor || undefined };
    });
  }

  clear(): void {
    this.#people.clear();
    this.#channels.clear();
    this.#personNames.clear();
    this.#channelNames.clear();
  }

  // People

  rememberPerson(raw: RawUser): Person {
    const person = toPerson(raw);
    this.#people.set(person.id, person);
    this.#personNames.set(`h:${normal(person.handle)}`, person.id);
    if (person.displayName) this.#personNames.set(`d:${normal(person.displayName)}`, person.id);
    if (person.realName) this.#personNames.set(`r:${normal(person.realName)}`, person.id);
    if (person.email) this.#personNames.set(`e:${normal(person.email)}`, person.id);
    return person;
  }

  /** A person by ID: from the cache, else `users.info`. */
  async person(id: string): Promise<Person> {
    const cached = this.#people.get(id);
    if (cached) return cached;
    return this.#once(`user:${id}`, async () => {
      const answer = await (await this.reader()).web.users.info({ user: id });
      return this.rememberPerson(answer.user as RawUser);
    });
  }

  /**
   * Names for the IDs a page of messages mentions, as far as Slack answers: an ID that cannot be
   * looked up now (rate limit, missing scope) stays an ID in the text, and nothing is remembered
   * about it, so the next call tries again.
   */
  async personNames(ids: Iterable<string>): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const wanted: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.#people.get(id);
      if (cached) names.set(id, personName(cached));
      else wanted.push(id);
    }
    if (wanted.length === 0) return names;
    const session = await this.reader();
    const identity = await session.identity().catch(() => undefined);
    if (identity && lacksScope(identity, 'users:read')) return names;
    // Many unknown people at once (a busy channel's first page): one page of users.list (1,000
    // people, Slack's tier 2) costs less than dozens of users.info calls (tier 4, about 100 a
    // minute), and in most workspaces it holds everyone. In a larger workspace it is read once
    // (it did not hold everyone: later pages would not either), and whoever it did not cover is
    // looked up one by one — bounded work at any size.
    if (wanted.length > BULK_AFTER && !this.#large) {
      const unresolved = new Set(wanted);
      const scan = await this.#peopleScan
        .find((members) => {
          for (const m of members) unresolved.delete(m.id);
          return unresolved.size === 0 ? true : undefined;
        }, 1)
        .catch((error: unknown) => {
          this.options.log.debug('bulk name lookup stopped', { error: String(error) });
          return undefined;
        });
      if (scan && !scan.complete && scan.found === undefined) this.#large = true;
      for (const id of [...wanted]) {
        const person = this.#people.get(id);
        if (person) names.set(id, personName(person));
      }
      wanted.splice(0, wanted.length, ...wanted.filter((id) => !names.has(id)));
    }
    let failed = 0;
    await mapLimit(wanted, 8, async (id) => {
      try {
        names.set(id, personName(await this.person(id)));
      } catch {
        failed++;
      }
    });
    if (failed) this.options.log.debug('some user names were not resolved', { failed, asked: wanted.length });
    return names;
  }

  /** A person given as @name, email or ID. */
  async findPerson(input: string | UserRef, argument = 'user'): Promise<Person> {
    const ref = typeof input === 'string' ? parseUserRef(input, argument) : input;
    if (ref.kind === 'id') return this.person(ref.id);
    if (ref.kind === 'email') {
      const known = this.#personNames.get(`e:${normal(ref.email)}`);
      if (known) return this.person(known);
      const session = await this.reader();
      const identity = await session.identity();
      if (lacksScope(identity, 'users:read.email')) {
        throw new ToolError(`Looking people up by email needs the scope users:read.email, which ${session.variable} lacks.`, {
          argument,
          hint: 'Give their @name or user ID instead, or add users:read.email to the app and reinstall it.',
        });
      }
      const answer = await session.web.users.lookupByEmail({ email: ref.email });
      return this.rememberPerson(answer.user as RawUser);
    }
    const name = normal(ref.name);
    const known = ['h', 'd', 'r'].map((k) => this.#personNames.get(`${k}:${name}`)).find(Boolean);
    if (known) return this.person(known);
    const result = await this.#peopleScan.find(
      (members) =>
        members.find((m) => normal(m.name ?? '') === name) ??
        members.find((m) => normal(m.profile?.display_name ?? '') === name) ??
        members.find((m) => normal(m.profile?.real_name ?? m.real_name ?? '') === name),
      this.#maxPages,
    );
    if (result.found) return toPerson(result.found);
    if (result.complete) {
      throw new ToolError(`No one in the workspace is called @${ref.name} (handle, display name or full name).`, {
        argument,
        hint: 'Look with slack_list_users and a query (part of a name), or give their email address or user ID.',
      });
    }
    throw new ToolError(
      `@${ref.name} was not among the ${result.seen.toLocaleString('en-US')} people looked at so far; the workspace has more, and Slack lists them a page at a time.`,
      { argument, hint: 'Call again to look further, or give their email address or user ID, which is found at once.' },
    );
  }

  /** Handles of people whose handle, display or full name starts with `prefix`: what is known, else one page of the list. */
  async completePeople(prefix: string, limit = 20): Promise<string[]> {
    const p = normal(prefix);
    const known = () => {
      const out: string[] = [];
      for (const person of this.#people.values()) {
        if (out.length >= limit) break;
        if (!person.deleted && [person.handle, person.displayName, person.realName].some((n) => n && normal(n).startsWith(p))) {
          out.push(person.handle);
        }
      }
      return out.sort();
    };
    const first = known();
    if (first.length > 0) return first;
    const page = await (await this.reader()).web.users.list({ limit: PAGE });
    for (const raw of (page.members ?? []) as RawUser[]) this.rememberPerson(raw);
    return known();
  }

  // Channels

  rememberChannel(raw: RawChannel): Channel {
    const channel = toChannel(raw);
    // conversations.list gives is_member and member counts; users.conversations does not: keep
    // what a richer answer said.
    const before = this.#channels.get(channel.id);
    const merged = before ? { ...before, ...channel } : channel;
    this.#channels.set(channel.id, merged);
    if (merged.name) this.#channelNames.set(normal(merged.name), merged.id);
    if (merged.kind === 'dm' && merged.peer) this.#channelNames.set(`dm:${merged.peer}`, merged.id);
    return merged;
  }

  /** A channel by ID: from the cache, else `conversations.info`. */
  async channel(id: string): Promise<Channel> {
    const cached = this.#channels.get(id);
    if (cached) return cached;
    return this.#once(`channel:${id}`, async () => {
      const answer = await (await this.reader()).web.conversations.info({ channel: id });
      return this.rememberChannel(answer.channel as RawChannel);
    });
  }

  /** Channel names for `<#C…>` mentions without a label, as far as Slack answers (as personNames). */
  async channelNames(ids: Iterable<string>): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    await mapLimit([...new Set(ids)], 4, async (id) => {
      try {
        const channel = await this.channel(id);
        if (channel.name) names.set(id, channel.name);
      } catch {
        // stays an ID in the text
      }
    });
    return names;
  }

  /** A channel given as #name, ID, link or @person (the DM). */
  async findChannel(ref: ChannelRef, argument = 'channel'): Promise<ResolvedChannel> {
    if (ref.kind === 'id') {
      const channel = await this.channel(ref.id);
      return { channel, ...(ref.ts ? { ts: ref.ts } : {}), ...(ref.threadTs ? { threadTs: ref.threadTs } : {}) };
    }
    if (ref.kind === 'dm') return { channel: await this.findDm(ref.user, argument) };
    const name = normal(ref.name);
    const known = this.#channelNames.get(name);
    if (known) return { channel: await this.channel(known) };
    const result = await this.#channelScan.find(
      (channels) => channels.find((c) => normal(c.name ?? '') === name),
      this.#maxPages,
    );
    if (result.found) return { channel: this.rememberChannel(result.found) };
    if (result.complete) {
      throw new ToolError(`There is no channel #${ref.name} that this token can see.`, {
        argument,
        hint: 'Find it with slack_list_channels (name filter); a private channel shows only to its members (invite the app).',
      });
    }
    throw new ToolError(
      `#${ref.name} was not among the ${result.seen.toLocaleString('en-US')} channels looked at so far; Slack lists them a page at a time.`,
      { argument, hint: 'Call again to look further, or give the channel ID (C…) or a link to a message in it.' },
    );
  }

  /** Your DM with a person (found among the token's DMs). */
  async findDm(user: string, argument: string): Promise<Channel> {
    const person = await this.findPerson(user, argument);
    const known = this.#channelNames.get(`dm:${person.id}`);
    if (known) return this.channel(known);
    const result = await this.#dmScan.find((channels) => channels.find((c) => c.user === person.id), this.#maxPages);
    if (result.found) return this.rememberChannel(result.found);
    throw new ToolError(
      `There is no open DM with @${person.handle} for this token${result.complete ? '' : ' among those seen so far'}.`,
      {
        argument,
        hint: 'List DMs with slack_list_channels types=["dm"].',
      },
    );
  }

  /** Channel names that start with `prefix`, from what is known, else from the first page of the list. */
  async completeChannels(prefix: string, limit = 20): Promise<string[]> {
    const p = normal(prefix);
    const known = () => {
      const out: string[] = [];
      for (const channel of this.#channels.values()) {
        if (out.length >= limit) break;
        if (channel.name && channel.kind !== 'group_dm' && normal(channel.name).startsWith(p)) out.push(channel.name);
      }
      return out.sort();
    };
    const first = known();
    if (first.length > 0) return first;
    const session = await this.reader();
    const page = await session.web.conversations.list({
      types: await this.nameTypes(session),
      exclude_archived: true,
      limit: PAGE,
    });
    for (const raw of (page.channels ?? []) as RawChannel[]) this.rememberChannel(raw);
    return known();
  }

  /** The conversation kinds whose names the token may list (private ones need groups:read). */
  async nameTypes(session: Session): Promise<string> {
    const identity = await session.identity();
    if (!identity.scopes) return 'public_channel,private_channel';
    const types = [
      identity.scopes.has('channels:read') ? 'public_channel' : undefined,
      identity.scopes.has('groups:read') ? 'private_channel' : undefined,
      identity.scopes.has('mpim:read') ? 'mpim' : undefined,
    ].filter(Boolean);
    return types.length ? types.join(',') : 'public_channel';
  }

  #once<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    const pending = this.#pending.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const promise = fetch().finally(() => this.#pending.delete(key));
    this.#pending.set(key, promise);
    return promise;
  }
}

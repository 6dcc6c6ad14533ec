/**
 * The workspace's people and who is in which conversation, built so that a 100,000-user
 * workspace costs nothing until it is read: a seed can declare a range of generated users (made
 * from their index on demand) beside the users it adds one by one, and a conversation can hold
 * "everyone" (like #general) without a 100,000-entry set.
 */

/** A member of the workspace: a person, a bot user, or Slackbot. */
export interface SlackUser {
  id: string;
  /** The handle (`ada`), unique in the workspace. */
  name: string;
  realName: string;
  /** What others see; may be empty (Slack then shows the real name). */
  displayName: string;
  firstName: string;
  lastName: string;
  /** Absent for bots and Slackbot. */
  email?: string;
  title: string;
  phone: string;
  /** IANA zone (`Europe/Berlin`), its label and its offset in seconds. */
  tz: string;
  tzLabel: string;
  tzOffset: number;
  /** Six hex digits, the colour of the name in clients. */
  color: string;
  isBot: boolean;
  /** For bot users: the bot and app they belong to. */
  botId?: string;
  appId?: string;
  /** Deactivated: still listed (`deleted: true`), cannot use a token, cannot be messaged. */
  deleted: boolean;
  isAdmin: boolean;
  isOwner: boolean;
  isPrimaryOwner: boolean;
  /** Multi-channel guest. */
  isRestricted: boolean;
  /** Single-channel guest. */
  isUltraRestricted: boolean;
  statusText: string;
  statusEmoji: string;
  /** Seconds since the epoch. */
  updated: number;
  locale: string;
}

/** A range of users made from their index when read (the large-workspace seed). */
export interface GeneratedUsers {
  count: number;
  /** The user at `index` (0-based). Called on every read: it must be cheap and deterministic. */
  make(index: number): SlackUser;
  /** The index of a generated ID, or undefined when the ID is not one of this range. */
  indexOf(id: string): number | undefined;
  /** The index for an email address, or undefined. */
  indexOfEmail(email: string): number | undefined;
}

/**
 * Every user of the workspace, in a stable order (the order `users.list` pages through): the
 * users added one by one, then the generated range. Lookups by ID and email are O(1) either way.
 */
export class UserTable {
  readonly #listed: SlackUser[] = [];
  readonly #position = new Map<string, number>();
  readonly #byEmail = new Map<string, string>();
  /** Generated users that were changed after generation (deactivated by a test, say). */
  readonly #overrides = new Map<string, SlackUser>();
  #generated: GeneratedUsers | undefined;
  #version = 0;

  /** Changes whenever a user is added or changed (derived counts key their caches on it). */
  get version(): number {
    return this.#version;
  }

  add(user: SlackUser): SlackUser {
    if (this.get(user.id)) throw new Error(`user ${user.id} exists already`);
    this.#version++;
    this.#position.set(user.id, this.#listed.length);
    this.#listed.push(user);
    if (user.email) this.#byEmail.set(user.email.toLowerCase(), user.id);
    return user;
  }

  /** Declares the generated range (once). */
  generate(range: GeneratedUsers): void {
    if (this.#generated) throw new Error('the generated user range is declared once');
    this.#version++;
    this.#generated = range;
  }

  get size(): number {
    return this.#listed.length + (this.#generated?.count ?? 0);
  }

  get(id: string): SlackUser | undefined {
    const at = this.#position.get(id);
    if (at !== undefined) return this.#listed[at];
    const override = this.#overrides.get(id);
    if (override) return override;
    const index = this.#generated?.indexOf(id);
    return index === undefined ? undefined : this.#generated!.make(index);
  }

  byEmail(email: string): SlackUser | undefined {
    const key = email.trim().toLowerCase();
    const id = this.#byEmail.get(key);
    if (id) return this.get(id);
    const index = this.#generated?.indexOfEmail(key);
    return index === undefined ? undefined : this.get(this.#generated!.make(index).id);
  }

  /** Finds a user by handle among the users added one by one (seeds and `link_names` use it). */
  byName(name: string): SlackUser | undefined {
    return this.#listed.find((u) => u.name === name);
  }

  /** The user at a list position (0 … size-1). */
  at(position: number): SlackUser | undefined {
    if (position < this.#listed.length) return this.#listed[position];
    const index = position - this.#listed.length;
    if (!this.#generated || index >= this.#generated.count) return undefined;
    const made = this.#generated.make(index);
    return this.#overrides.get(made.id) ?? made;
  }

  /** Where a user sits in the list order (for cursors). */
  positionOf(id: string): number | undefined {
    const at = this.#position.get(id);
    if (at !== undefined) return at;
    const index = this.#generated?.indexOf(id);
    return index === undefined ? undefined : this.#listed.length + index;
  }

  /** Changes a user in place (a generated one becomes an override). */
  update(id: string, change: (user: SlackUser) => void): SlackUser {
    const user = this.get(id);
    if (!user) throw new Error(`no user ${id}`);
    change(user);
    this.#version++;
    if (!this.#position.has(id)) this.#overrides.set(id, user);
    return user;
  }

  /** The users added one by one (seeds iterate these; the generated range is never iterated whole). */
  listed(): readonly SlackUser[] {
    return this.#listed;
  }
}

/**
 * Who is in a conversation. Most hold an explicit list in join order; `everyone` (the
 * workspace's general channel) holds every active full member without listing them, plus anyone
 * added explicitly (bots join it like any other channel; guests only when added).
 */
export class Members {
  readonly #ids: string[] = [];
  readonly #index = new Map<string, number>();
  readonly #everyone: UserTable | undefined;
  #counted: { version: number; members: number; count: number } | undefined;

  constructor(everyone?: UserTable) {
    this.#everyone = everyone;
  }

  get isEveryone(): boolean {
    return this.#everyone !== undefined;
  }

  has(id: string): boolean {
    if (this.#index.has(id)) return true;
    if (!this.#everyone) return false;
    const user = this.#everyone.get(id);
    // Everyone who is a full member: not bots (they join), Slackbot, guests or deactivated accounts.
    return (
      user !== undefined &&
      !user.isBot &&
      !user.deleted &&
      !user.isRestricted &&
      !user.isUltraRestricted &&
      user.id !== 'USLACKBOT'
    );
  }

  add(id: string): boolean {
    if (this.has(id)) return false;
    this.#index.set(id, this.#ids.length);
    this.#ids.push(id);
    return true;
  }

  /** How many members (for `everyone`, counted once and cached until a member is added). */
  count(): number {
    const table = this.#everyone;
    if (!table) return this.#ids.length;
    const cached = this.#counted;
    if (cached && cached.version === table.version && cached.members === this.#ids.length) return cached.count;
    let count = 0;
    for (let i = 0; i < table.size; i++) if (this.has(table.at(i)!.id)) count++;
    this.#counted = { version: table.version, members: this.#ids.length, count };
    return count;
  }

  /**
   * Up to `limit` member IDs from the one after `afterId` (from the start when undefined), and
   * whether more follow. Undefined when `afterId` is not a member (a stale cursor).
   */
  page(afterId: string | undefined, limit: number): { ids: string[]; more: boolean } | undefined {
    const ids: string[] = [];
    if (!this.#everyone) {
      let start = 0;
      if (afterId !== undefined) {
        const at = this.#index.get(afterId);
        if (at === undefined) return undefined;
        start = at + 1;
      }
      ids.push(...this.#ids.slice(start, start + limit));
      return { ids, more: start + limit < this.#ids.length };
    }
    let position = 0;
    if (afterId !== undefined) {
      const at = this.#everyone.positionOf(afterId);
      if (at === undefined) return undefined;
      position = at + 1;
    }
    for (; position < this.#everyone.size; position++) {
      const user = this.#everyone.at(position)!;
      if (!this.has(user.id)) continue;
      if (ids.length === limit) return { ids, more: true };
      ids.push(user.id);
    }
    return { ids, more: false };
  }

  /** Explicit members, in join order (for a small conversation: all of them). */
  explicit(): readonly string[] {
    return this.#ids;
  }
}

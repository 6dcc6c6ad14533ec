/**
 * The Drive emulator's state: users with their My Drive, shared drives, files (blobs, folders,
 * Google-native Docs/Sheets/Slides) with parents, permissions, revisions and a `version` that
 * grows on every change; and the OAuth side — clients, authorization codes, refresh and access
 * tokens with their scopes and expiry, service accounts with RS256 keys. Seeds and tests build and
 * change it through the methods here (`addDocument`, `share`, `editAs`, `expireAccessToken`,
 * `revokeRefreshToken`, `serviceAccountKeyFile`…); routes read and write the same records.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Clock, deterministicSecret, IdSequence } from '../core/state.js';
import {
  type Cell,
  MIME,
  markdownToDocument,
  type NativeModel,
  type PresentationModel,
  type SpreadsheetModel,
} from './documents.js';

export type Role = 'owner' | 'organizer' | 'fileOrganizer' | 'writer' | 'commenter' | 'reader';

/** Higher is more. */
export const ROLE_RANK: Record<Role, number> = { reader: 1, commenter: 2, writer: 3, fileOrganizer: 4, organizer: 5, owner: 6 };

export const SCOPE_PREFIX = 'https://www.googleapis.com/auth/';

/** `drive.readonly` → its URL; URLs and OpenID scopes (`openid`, `email`, `profile`) stay as they are. */
export function scopeUrl(scope: string): string {
  return scope.includes(':') || ['openid', 'email', 'profile'].includes(scope) ? scope : SCOPE_PREFIX + scope;
}

/** `https://www.googleapis.com/auth/drive.readonly` → `drive.readonly`. */
export function shortScope(scope: string): string {
  return scope.startsWith(SCOPE_PREFIX) ? scope.slice(SCOPE_PREFIX.length) : scope;
}

export interface DriveUser {
  email: string;
  displayName: string;
  /** The id every permission for this user has. */
  permissionId: string;
  domain: string;
  /** The user's My Drive root folder. */
  rootId: string;
  photoLink: string;
  kind: 'user' | 'serviceAccount';
  storageLimit: number;
}

export interface PermissionRecord {
  id: string;
  type: 'user' | 'group' | 'domain' | 'anyone';
  role: Role;
  emailAddress?: string;
  domain?: string;
  /** For `domain`/`anyone`: whether the file can be found by search (false = "anyone with the link"). */
  allowFileDiscovery?: boolean;
  expirationTime?: Date;
  createdTime: Date;
}

export interface SharedDriveRecord {
  id: string;
  name: string;
  createdTime: Date;
  hidden: boolean;
  colorRgb: string;
  themeId: string;
  /** Members by email with their role on the drive. */
  members: Map<string, Role>;
}

export type Content =
  | { kind: 'blob'; data: Buffer }
  | { kind: 'folder' }
  | { kind: 'native'; model: NativeModel | undefined }
  | { kind: 'shortcut'; targetId: string };

export interface RevisionRecord {
  id: string;
  modifiedTime: Date;
  lastModifyingUser: string;
  mimeType: string;
  /** A snapshot of the content at that revision. */
  content: Content;
  keepForever: boolean;
  originalFilename?: string;
}

export interface FileRecord {
  id: string;
  name: string;
  mimeType: string;
  description?: string;
  /** Zero or one parent (Drive no longer lets an item have several). */
  parents: string[];
  /** Set for items in a shared drive (and for the drive's root folder). */
  driveId?: string;
  /** The owner (My Drive items only; shared drives own their items). */
  ownerEmail?: string;
  createdTime: Date;
  modifiedTime: Date;
  /** Grows on every change to the file: content, metadata, sharing. */
  version: number;
  trashed: boolean;
  explicitlyTrashed: boolean;
  trashedTime?: Date;
  trashingUser?: string;
  starred: boolean;
  properties: Record<string, string>;
  appProperties: Record<string, string>;
  lastModifyingUser: string;
  content: Content;
  revisions: RevisionRecord[];
  permissions: PermissionRecord[];
  originalFilename?: string;
  /** Per user: when they last viewed or modified it. */
  viewedByMe: Map<string, Date>;
  modifiedByMe: Map<string, Date>;
  /** OAuth clients that created or opened the file (what the `drive.file` scope may reach). */
  clients: Set<string>;
  writersCanShare: boolean;
  copyRequiresWriterPermission: boolean;
  folderColorRgb?: string;
  /** A My Drive root or a shared drive's root folder. */
  isRoot?: boolean;
}

export interface OAuthClientRecord {
  clientId: string;
  clientSecret: string;
  name: string;
  /** `installed` (desktop): any loopback redirect URI is accepted, as Google does for desktop clients. */
  type: 'installed' | 'web';
  redirectUris: string[];
}

export interface AccessTokenRecord {
  token: string;
  /** Whose Drive it acts on (a user, or a service account's own identity). */
  subject: string;
  /** The OAuth client it was issued to (absent for service accounts). */
  clientId?: string;
  /** The service account that obtained it (with or without domain-wide delegation). */
  serviceAccount?: string;
  /** Full scope URLs (and `openid`/`email`/`profile`). */
  scopes: string[];
  /** ms since the epoch. */
  expiresAt: number;
  /** The refresh token it came from, so revoking that revokes it too. */
  refreshToken?: string;
  revoked: boolean;
}

export interface RefreshTokenRecord {
  token: string;
  clientId: string;
  subject: string;
  scopes: string[];
  revoked: boolean;
}

export interface AuthCodeRecord {
  code: string;
  clientId: string;
  redirectUri: string;
  subject: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  /** Whether a refresh token comes with it (`access_type=offline` and consent given now). */
  withRefreshToken: boolean;
  expiresAt: number;
  used: boolean;
}

export interface ServiceAccountRecord {
  email: string;
  /** The numeric OAuth client id Google gives a service account (what an admin authorizes for delegation). */
  clientId: string;
  projectId: string;
  keyId: string;
  /** Scopes an administrator granted it for domain-wide delegation (empty: no `sub` allowed). */
  delegatedScopes: string[];
  /** The Workspace domain whose users it may act as. */
  domain: string;
}

export interface KeyPair {
  keyId: string;
  publicKeyPem: string;
  privateKeyPem: string;
}

// Generating an RSA key takes tens of milliseconds: one per service account per process, kept
// across resets so that a key file a test wrote keeps working after `sandbox.reset()`.
const keyCache = new Map<string, KeyPair>();

function numericId(seed: string, digits: number): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  let out = '';
  for (let i = 0; out.length < digits; i++) out += (Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16) % 10).toString();
  return out.replace(/^0/, '1');
}

export function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

export interface FileInit {
  name: string;
  /** Folder id to create it in (default: the owner's My Drive root; a shared drive's id for its root). */
  parent?: string;
  /** Owner (My Drive) — default the state's default user. Ignored in shared drives. */
  owner?: string;
  /** Who created/last changed it (default: the owner, or the first organizer of the shared drive). */
  by?: string;
  description?: string;
  starred?: boolean;
  properties?: Record<string, string>;
  appProperties?: Record<string, string>;
  /** When it was created (seeds lay down history with the clock). */
  at?: Date | string;
}

export class GdriveState {
  readonly clock = new Clock();
  readonly users = new Map<string, DriveUser>();
  readonly drives = new Map<string, SharedDriveRecord>();
  readonly files = new Map<string, FileRecord>();
  readonly clients = new Map<string, OAuthClientRecord>();
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly authCodes = new Map<string, AuthCodeRecord>();
  readonly serviceAccounts = new Map<string, ServiceAccountRecord>();
  /** Clients a user has consented to, with the scopes granted (a refresh token is issued on first consent only). */
  readonly consents = new Map<string, Set<string>>();
  /** Resumable upload sessions by upload id (see routes/upload.ts). */
  readonly uploads = new Map<string, unknown>();
  /** Ids handed out by files.generateIds and not yet used. */
  readonly generatedIds = new Set<string>();

  /** Lifetime of issued access tokens, in seconds (Google: 3599). Tests set it to 1 to see refreshes. */
  accessTokenLifetimeSeconds = 3599;
  /** The user the authorization endpoint signs in as when no `login_hint` names another. */
  browserUser = '';
  /** What the authorization endpoint's auto-consent answers (`deny`: the user pressed Cancel). */
  consentDecision: 'approve' | 'deny' = 'approve';
  /** The user the default credentials belong to. */
  defaultUser = '';
  /** The default access token (`sandbox.token`). */
  defaultAccessToken = '';
  /** The refresh token `patchbay-sandbox gdrive` hands out. */
  defaultRefreshToken = '';
  defaultClientId = '';
  /** Which credential `env` hands out: the OAuth client and refresh token, or a service-account key file. */
  credentialKind: 'oauth' | 'serviceAccount' = 'oauth';
  defaultServiceAccount = '';
  /** Google refuses to export more than 10 MB; tests can lower it. */
  exportLimitBytes = 10 * 1024 * 1024;

  readonly #fileSeq = new IdSequence();
  readonly #revisionSeq = new IdSequence();
  readonly #driveSeq = new IdSequence();
  readonly #tokenSeq = new IdSequence();

  // -------------------------------------------------------------------------------------------
  // People and drives

  addUser(init: { email: string; displayName: string; kind?: 'user' | 'serviceAccount'; storageLimit?: number }): DriveUser {
    const email = init.email.toLowerCase();
    const rootId = `0A${deterministicSecret('', `root:${email}`, 11)}Uk9PVA`;
    const user: DriveUser = {
      email,
      displayName: init.displayName,
      permissionId: numericId(`user:${email}`, 20),
      domain: email.split('@')[1] ?? '',
      rootId,
      photoLink: `https://lh3.googleusercontent.com/a/default-user=s64`,
      kind: init.kind ?? 'user',
      storageLimit: init.storageLimit ?? 15 * 1024 ** 3,
    };
    this.users.set(email, user);
    const at = this.clock.now();
    this.files.set(
      rootId,
      this.#record({ id: rootId, name: 'My Drive', mimeType: MIME.folder, parents: [], ownerEmail: email, at, by: email }),
    );
    this.files.get(rootId)!.isRoot = true;
    if (!this.defaultUser) this.defaultUser = email;
    if (!this.browserUser) this.browserUser = email;
    return user;
  }

  user(email: string): DriveUser {
    const user = this.users.get(email.toLowerCase());
    if (!user) throw new Error(`gdrive state: no user ${email} (known: ${[...this.users.keys()].join(', ')})`);
    return user;
  }

  addSharedDrive(init: { name: string; members: Record<string, Role>; hidden?: boolean; colorRgb?: string }): SharedDriveRecord {
    const id = `0A${deterministicSecret('', `drive:${this.#driveSeq.next()}`, 11)}Uk9PVA`;
    const createdTime = this.clock.now();
    const drive: SharedDriveRecord = {
      id,
      name: init.name,
      createdTime,
      hidden: init.hidden ?? false,
      colorRgb: init.colorRgb ?? '#4986e7',
      themeId: 'abacus',
      members: new Map(Object.entries(init.members).map(([email, role]) => [email.toLowerCase(), role])),
    };
    this.drives.set(id, drive);
    const organizer = [...drive.members].find(([, role]) => role === 'organizer')?.[0] ?? this.defaultUser;
    const root = this.#record({
      id,
      name: init.name,
      mimeType: MIME.folder,
      parents: [],
      driveId: id,
      at: createdTime,
      by: organizer,
    });
    root.isRoot = true;
    this.files.set(id, root);
    return drive;
  }

  // -------------------------------------------------------------------------------------------
  // Files

  /** A new file id, as Drive's look: 33 characters starting with `1`. */
  newFileId(): string {
    return `1${deterministicSecret('', `file:${this.#fileSeq.next()}`, 32)}`;
  }

  addFolder(init: FileInit): FileRecord {
    return this.#add(init, MIME.folder, { kind: 'folder' });
  }

  /** A binary or text file (`content` as bytes or UTF-8 text). */
  addFile(init: FileInit & { mimeType: string; content: Buffer | string; originalFilename?: string }): FileRecord {
    const data = Buffer.isBuffer(init.content) ? init.content : Buffer.from(init.content, 'utf8');
    const file = this.#add(init, init.mimeType, { kind: 'blob', data });
    file.originalFilename = init.originalFilename ?? init.name;
    file.revisions[0]!.originalFilename = file.originalFilename;
    return file;
  }

  /** A Google Doc written in Markdown (headings, lists, tables, links, bold, italic). */
  addDocument(init: FileInit & { markdown: string }): FileRecord {
    return this.#add(init, MIME.document, { kind: 'native', model: markdownToDocument(init.markdown) });
  }

  /** A Google Sheet; each sheet's `sheetId` (its gid) defaults to a stable number that is not its position. */
  addSpreadsheet(init: FileInit & { sheets: { title: string; rows: Cell[][]; sheetId?: number }[] }): FileRecord {
    const model: SpreadsheetModel = {
      kind: 'spreadsheet',
      locale: 'en_US',
      timeZone: 'Europe/London',
      sheets: init.sheets.map((s, i) => ({
        sheetId: s.sheetId ?? (i === 0 ? 0 : Number(numericId(`${init.name}:${i}`, 9))),
        title: s.title,
        rows: s.rows,
      })),
    };
    return this.#add(init, MIME.spreadsheet, { kind: 'native', model });
  }

  /** A Google Slides deck: each slide is the text of its shapes in reading order. */
  addPresentation(init: FileInit & { slides: { texts: string[]; notes?: string }[] }): FileRecord {
    const model: PresentationModel = {
      kind: 'presentation',
      slides: init.slides.map((s, i) => ({ objectId: `p${i + 1}`, texts: s.texts, ...(s.notes ? { notes: s.notes } : {}) })),
    };
    return this.#add(init, MIME.presentation, { kind: 'native', model });
  }

  /** Another Google-native type with no content the emulator renders (a Form, a Drawing). */
  addNative(init: FileInit & { mimeType: string }): FileRecord {
    return this.#add(init, init.mimeType, { kind: 'native', model: undefined });
  }

  addShortcut(init: FileInit & { targetId: string }): FileRecord {
    return this.#add(init, MIME.shortcut, { kind: 'shortcut', targetId: init.targetId });
  }

  /** The file, or an error naming the id (for seeds and tests; routes answer Drive's 404). */
  file(id: string): FileRecord {
    const file = this.files.get(id);
    if (!file) throw new Error(`gdrive state: no file ${id}`);
    return file;
  }

  /** Files by exact name (for tests). */
  findByName(name: string): FileRecord[] {
    return [...this.files.values()].filter((f) => f.name === name);
  }

  /** Shares a file: a permission for a user, group, domain or anyone. */
  share(
    fileId: string,
    grant: { role: Role; type?: PermissionRecord['type']; emailAddress?: string; domain?: string; allowFileDiscovery?: boolean },
  ): PermissionRecord {
    const file = this.file(fileId);
    const type = grant.type ?? 'user';
    const permission: PermissionRecord = {
      id: this.permissionIdFor(type, grant.emailAddress ?? grant.domain ?? '', grant.allowFileDiscovery),
      type,
      role: grant.role,
      createdTime: this.clock.now(),
      ...(grant.emailAddress ? { emailAddress: grant.emailAddress.toLowerCase() } : {}),
      ...(grant.domain ? { domain: grant.domain } : {}),
      ...(type === 'domain' || type === 'anyone' ? { allowFileDiscovery: grant.allowFileDiscovery ?? false } : {}),
    };
    const existing = file.permissions.findIndex((p) => p.id === permission.id);
    if (existing >= 0) file.permissions[existing] = permission;
    else file.permissions.push(permission);
    this.bump(file);
    return permission;
  }

  /** Drive's permission ids: a user's is the same on every file; `anyoneWithLink`/`anyone`; a domain's ends in `k`. */
  permissionIdFor(type: PermissionRecord['type'], who: string, allowFileDiscovery?: boolean): string {
    if (type === 'anyone') return allowFileDiscovery ? 'anyone' : 'anyoneWithLink';
    if (type === 'domain') return `${numericId(`domain:${who}`, 20)}k`;
    const user = this.users.get(who.toLowerCase());
    return user ? user.permissionId : numericId(`${type}:${who.toLowerCase()}`, 20);
  }

  /**
   * Another person edits the file now — a concurrent change as a connector sees it: `version`,
   * `modifiedTime` and (for content) a new revision, as if it happened in the browser.
   */
  editAs(
    email: string,
    fileId: string,
    change: { content?: Buffer | string; markdown?: string; name?: string; description?: string },
  ): FileRecord {
    const file = this.file(fileId);
    if (change.name !== undefined) file.name = change.name;
    if (change.description !== undefined) file.description = change.description;
    let contentChanged = false;
    if (change.content !== undefined) {
      file.content = {
        kind: 'blob',
        data: Buffer.isBuffer(change.content) ? change.content : Buffer.from(change.content, 'utf8'),
      };
      contentChanged = true;
    }
    if (change.markdown !== undefined) {
      file.content = { kind: 'native', model: markdownToDocument(change.markdown) };
      contentChanged = true;
    }
    this.touch(file, email.toLowerCase(), { content: contentChanged });
    return file;
  }

  /** Records a change: the version grows, and the modified time; a content change adds a revision. */
  touch(file: FileRecord, by: string, options: { content?: boolean } = {}): void {
    const now = this.clock.now();
    file.modifiedTime = now;
    file.lastModifyingUser = by;
    file.modifiedByMe.set(by, now);
    if (options.content) file.revisions.push(this.newRevision(file, now, by));
    this.bump(file);
  }

  /** A change that does not count as a modification (sharing, starring, trashing): the version still grows. */
  bump(file: FileRecord): void {
    file.version += 1;
  }

  /** The folder chain above a file, nearest first (stops at a root or a missing parent). */
  ancestors(file: FileRecord): FileRecord[] {
    const out: FileRecord[] = [];
    const seen = new Set<string>([file.id]);
    let current = file;
    while (current.parents[0]) {
      const parent = this.files.get(current.parents[0]);
      if (!parent || seen.has(parent.id)) break;
      out.push(parent);
      seen.add(parent.id);
      current = parent;
    }
    return out;
  }

  /** Every item below a folder. */
  descendants(folder: FileRecord): FileRecord[] {
    const out: FileRecord[] = [];
    const queue = [folder.id];
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const f of this.files.values())
        if (f.parents.includes(id)) {
          out.push(f);
          if (f.mimeType === MIME.folder) queue.push(f.id);
        }
    }
    return out;
  }

  /**
   * What `email` may do with a file: ownership, shared-drive membership, and permissions on the
   * file or any folder above it (Drive's inheritance), the highest wins. Null: no access at all.
   * `discoverable` is false when the only access is an "anyone with the link" kind of grant,
   * which opens the file by id but keeps it out of search results.
   */
  access(file: FileRecord, email: string): { role: Role; discoverable: boolean } | null {
    const who = email.toLowerCase();
    const user = this.users.get(who);
    let best: Role | null = null;
    let discoverable = false;
    const consider = (role: Role, findable: boolean) => {
      if (!best || ROLE_RANK[role] > ROLE_RANK[best]) best = role;
      discoverable ||= findable;
    };
    if (file.ownerEmail === who) consider('owner', true);
    if (file.driveId) {
      const member = this.drives.get(file.driveId)?.members.get(who);
      if (member) consider(member, true);
    }
    const now = Date.now();
    for (const item of [file, ...this.ancestors(file)]) {
      // The owner of a folder can edit what others put in it (but does not own it).
      if (item.ownerEmail === who && item !== file) consider('writer', true);
      for (const p of item.permissions) {
        if (p.expirationTime && p.expirationTime.getTime() < now) continue;
        if (p.type === 'user' && p.emailAddress === who) consider(p.role, true);
        else if (p.type === 'domain' && user && p.domain === user.domain) consider(p.role, p.allowFileDiscovery ?? false);
        else if (p.type === 'anyone') consider(p.role, p.allowFileDiscovery ?? false);
      }
    }
    return best ? { role: best, discoverable } : null;
  }

  /** Bytes a user's files take (their storage usage). */
  usage(email: string): { total: number; trash: number } {
    let total = 0;
    let trash = 0;
    for (const f of this.files.values()) {
      if (f.ownerEmail !== email || f.content.kind !== 'blob') continue;
      const bytes = f.revisions.reduce((sum, r) => sum + (r.content.kind === 'blob' ? r.content.data.length : 0), 0);
      total += bytes;
      if (f.trashed) trash += bytes;
    }
    return { total, trash };
  }

  // -------------------------------------------------------------------------------------------
  // OAuth clients and tokens

  addOAuthClient(init: { name: string; type?: 'installed' | 'web'; redirectUris?: string[] }): OAuthClientRecord {
    const n = this.clients.size + 1;
    const client: OAuthClientRecord = {
      clientId: `${numericId(`client:${init.name}`, 12)}-${deterministicSecret('', `client-id:${init.name}:${n}`, 32).toLowerCase()}.apps.googleusercontent.com`,
      clientSecret: deterministicSecret('GOCSPX-', `client-secret:${init.name}:${n}`, 28),
      name: init.name,
      type: init.type ?? 'installed',
      redirectUris: init.redirectUris ?? ['http://localhost'],
    };
    this.clients.set(client.clientId, client);
    if (!this.defaultClientId) this.defaultClientId = client.clientId;
    return client;
  }

  /**
   * Issues an access token (`ya29.…`) as Google's token endpoint does, for `lifetimeSeconds`
   * (default: `accessTokenLifetimeSeconds`). Scopes may be short (`drive.readonly`) or URLs.
   */
  issueAccessToken(init: {
    subject: string;
    scopes: string[];
    clientId?: string;
    serviceAccount?: string;
    refreshToken?: string;
    lifetimeSeconds?: number;
    /** Deterministic token text (seeds: the same default token every run). */
    name?: string;
  }): AccessTokenRecord {
    const token = init.name
      ? deterministicSecret('ya29.', `access:${init.name}`, 60)
      : `ya29.${randomBytes(45).toString('base64url')}`;
    const record: AccessTokenRecord = {
      token,
      subject: init.subject.toLowerCase(),
      scopes: init.scopes.map(scopeUrl),
      expiresAt: Date.now() + (init.lifetimeSeconds ?? this.accessTokenLifetimeSeconds) * 1000,
      revoked: false,
      ...(init.clientId ? { clientId: init.clientId } : {}),
      ...(init.serviceAccount ? { serviceAccount: init.serviceAccount } : {}),
      ...(init.refreshToken ? { refreshToken: init.refreshToken } : {}),
    };
    this.#tokenSeq.next();
    this.accessTokens.set(token, record);
    return record;
  }

  /** Issues a refresh token (`1//…`) for a user and client. */
  issueRefreshToken(init: { subject: string; clientId: string; scopes: string[]; name?: string }): RefreshTokenRecord {
    const token = init.name
      ? deterministicSecret('1//', `refresh:${init.name}`, 100)
      : `1//${randomBytes(75).toString('base64url')}`;
    const record: RefreshTokenRecord = {
      token,
      clientId: init.clientId,
      subject: init.subject.toLowerCase(),
      scopes: init.scopes.map(scopeUrl),
      revoked: false,
    };
    this.refreshTokens.set(token, record);
    return record;
  }

  /** Makes an access token expire now: the next call with it gets 401 `authError`. */
  expireAccessToken(token: string): void {
    const record = this.accessTokens.get(token);
    if (!record) throw new Error('gdrive state: no such access token');
    record.expiresAt = Date.now() - 1;
  }

  /** Expires every access token (of one subject, when given). */
  expireAccessTokens(subject?: string): number {
    let n = 0;
    for (const record of this.accessTokens.values())
      if (!subject || record.subject === subject.toLowerCase()) {
        record.expiresAt = Date.now() - 1;
        n++;
      }
    return n;
  }

  /**
   * Revokes a refresh token, as the user removing the app's access does: it, and every access
   * token refreshed from it, stops working; the token endpoint answers `invalid_grant`.
   */
  revokeRefreshToken(token: string): void {
    const record = this.refreshTokens.get(token);
    if (!record) throw new Error('gdrive state: no such refresh token');
    record.revoked = true;
    for (const access of this.accessTokens.values()) if (access.refreshToken === token) access.revoked = true;
  }

  /** Revokes every refresh token a user gave a client (what "Remove access" in the account settings does). */
  revokeConsent(subject: string, clientId: string): void {
    this.consents.delete(`${clientId} ${subject.toLowerCase()}`);
    for (const record of this.refreshTokens.values())
      if (record.subject === subject.toLowerCase() && record.clientId === clientId) this.revokeRefreshToken(record.token);
  }

  /** The live access token record, or why it is not usable. */
  resolveAccessToken(token: string): { record: AccessTokenRecord } | { problem: 'unknown' | 'expired' | 'revoked' } {
    const record = this.accessTokens.get(token);
    if (!record) return { problem: 'unknown' };
    if (record.revoked) return { problem: 'revoked' };
    if (record.expiresAt <= Date.now()) return { problem: 'expired' };
    return { record };
  }

  // -------------------------------------------------------------------------------------------
  // Service accounts

  /**
   * A service account: it has its own (empty) My Drive and sees what is shared with its email;
   * with `delegatedScopes` an administrator has allowed it to act as the users of `domain`
   * (a JWT with `sub`).
   */
  addServiceAccount(init: {
    name: string;
    projectId?: string;
    delegatedScopes?: string[];
    domain?: string;
  }): ServiceAccountRecord {
    const projectId = init.projectId ?? 'patchbay-sandbox';
    const email = `${init.name}@${projectId}.iam.gserviceaccount.com`;
    const record: ServiceAccountRecord = {
      email,
      clientId: numericId(`sa:${email}`, 21),
      projectId,
      keyId: createHash('sha1').update(`key:${email}`).digest('hex'),
      delegatedScopes: (init.delegatedScopes ?? []).map(scopeUrl),
      domain: init.domain ?? this.users.get(this.defaultUser)?.domain ?? 'example.com',
    };
    this.serviceAccounts.set(email, record);
    this.addUser({ email, displayName: init.name, kind: 'serviceAccount', storageLimit: 0 });
    if (!this.defaultServiceAccount) this.defaultServiceAccount = email;
    return record;
  }

  /** The service account's RSA key pair (PEM), made on first use and kept for the process. */
  serviceAccountKey(email: string): KeyPair {
    const account = this.serviceAccounts.get(email);
    if (!account) throw new Error(`gdrive state: no service account ${email}`);
    let pair = keyCache.get(email);
    if (!pair) {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      pair = { keyId: account.keyId, publicKeyPem: publicKey, privateKeyPem: privateKey };
      keyCache.set(email, pair);
    }
    return pair;
  }

  /** The public key a JWT from this service account must verify against, if its key was ever made. */
  publicKeyOf(email: string): string | undefined {
    return this.serviceAccounts.has(email) ? keyCache.get(email)?.publicKeyPem : undefined;
  }

  /**
   * The JSON key file Google's console hands out for a service account, with `token_uri` pointing
   * at this sandbox's token endpoint (`{url}/token`).
   */
  serviceAccountKeyFile(email: string, sandboxUrl: string): Record<string, string> {
    const account = this.serviceAccounts.get(email);
    if (!account) throw new Error(`gdrive state: no service account ${email}`);
    const key = this.serviceAccountKey(email);
    const base = sandboxUrl.replace(/\/$/, '');
    return {
      type: 'service_account',
      project_id: account.projectId,
      private_key_id: key.keyId,
      private_key: key.privateKeyPem,
      client_email: email,
      client_id: account.clientId,
      auth_uri: `${base}/o/oauth2/auth`,
      token_uri: `${base}/token`,
      auth_provider_x509_cert_url: `${base}/oauth2/v1/certs`,
      client_x509_cert_url: `${base}/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
      universe_domain: 'googleapis.com',
    };
  }

  // -------------------------------------------------------------------------------------------

  /** Creates a file from a seed/test description. */
  #add(init: FileInit, mimeType: string, content: Content): FileRecord {
    const parentId = init.parent ?? this.user(init.owner ?? this.defaultUser).rootId;
    const parent = this.files.get(parentId);
    if (!parent) throw new Error(`gdrive state: no folder ${parentId} to put "${init.name}" in`);
    const driveId = parent.driveId;
    const owner = driveId ? undefined : (init.owner ?? parent.ownerEmail ?? this.defaultUser).toLowerCase();
    const drive = driveId ? this.drives.get(driveId) : undefined;
    const by = (
      init.by ??
      owner ??
      [...(drive?.members ?? [])].find(([, r]) => r === 'organizer')?.[0] ??
      this.defaultUser
    ).toLowerCase();
    if (init.at) this.clock.at(init.at);
    const at = this.clock.now();
    const file = this.#record({
      id: this.newFileId(),
      name: init.name,
      mimeType,
      parents: [parentId],
      content,
      at,
      by,
      ...(owner ? { ownerEmail: owner } : {}),
      ...(driveId ? { driveId } : {}),
    });
    if (init.description !== undefined) file.description = init.description;
    if (init.starred) file.starred = true;
    if (init.properties) file.properties = { ...init.properties };
    if (init.appProperties) file.appProperties = { ...init.appProperties };
    this.files.set(file.id, file);
    return file;
  }

  /** A new record with its first revision (folders and shortcuts have none). */
  #record(init: {
    id: string;
    name: string;
    mimeType: string;
    parents: string[];
    ownerEmail?: string;
    driveId?: string;
    content?: Content;
    at: Date;
    by: string;
  }): FileRecord {
    const file: FileRecord = {
      id: init.id,
      name: init.name,
      mimeType: init.mimeType,
      parents: init.parents,
      createdTime: init.at,
      modifiedTime: init.at,
      version: 1,
      trashed: false,
      explicitlyTrashed: false,
      starred: false,
      properties: {},
      appProperties: {},
      lastModifyingUser: init.by,
      content: init.content ?? { kind: 'folder' },
      revisions: [],
      permissions: [],
      viewedByMe: new Map(),
      modifiedByMe: new Map([[init.by, init.at]]),
      clients: new Set(),
      writersCanShare: true,
      copyRequiresWriterPermission: false,
      ...(init.ownerEmail ? { ownerEmail: init.ownerEmail } : {}),
      ...(init.driveId ? { driveId: init.driveId } : {}),
    };
    if (file.content.kind === 'blob' || file.content.kind === 'native')
      file.revisions.push(this.newRevision(file, init.at, init.by));
    return file;
  }

  /** A revision holding the file's current content (Docs number theirs; binary files get opaque ids). */
  newRevision(file: FileRecord, at: Date, by: string): RevisionRecord {
    const n = this.#revisionSeq.next();
    const native = file.content.kind === 'native';
    return {
      // Docs number their revisions; binary files get opaque ids.
      id: native ? String(file.revisions.length + 1) : `0B${deterministicSecret('', `revision:${n}`, 40)}`,
      modifiedTime: at,
      lastModifyingUser: by,
      mimeType: file.mimeType,
      content: snapshot(file.content),
      keepForever: false,
      ...(file.originalFilename ? { originalFilename: file.originalFilename } : {}),
    };
  }
}

/** A copy of content that later edits cannot reach (revisions keep the past). */
export function snapshot(content: Content): Content {
  if (content.kind === 'blob') return { kind: 'blob', data: Buffer.from(content.data) };
  if (content.kind === 'native') return { kind: 'native', model: content.model ? structuredClone(content.model) : undefined };
  return { ...content };
}

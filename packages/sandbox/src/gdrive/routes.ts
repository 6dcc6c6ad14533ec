/**
 * Drive v3 routes, in the discovery document's paths under `/drive/v3/` (and `/upload/drive/v3/`
 * for content), each named by its discovery method id so faults, the log and the fidelity tests
 * can find it. Authentication, parameter and scope checks happen before a handler runs (see
 * api.ts); handlers throw Google's errors.
 */

import type { Route } from '../core/emulator.js';
import type { SandboxRequest } from '../core/http.js';
import { emptyResponse } from '../core/http.js';
import { type Caller, callerOf, decodePageToken, encodePageToken, findFile, flag, intParam, json, respond } from './api.js';
import { EXPORT_FORMATS, IMPORT_FORMATS, indexableText, isGoogleNative, MIME } from './documents.js';
import { badRequest, driveError, fileNotFound, insufficientFilePermissions, invalidValue } from './errors.js';
import { copyFile, createFile, deleteFile, readMetadata, updateFile } from './files.js';
import { download, exportFile } from './media.js';
import {
  compare,
  DRIVE_FIELDS,
  evaluate,
  FILE_FIELDS,
  fullTextContains,
  mentions,
  nameContains,
  parseQuery,
  type QueryNode,
  QuerySyntaxError,
} from './query.js';
import {
  DEFAULT_FILE_FIELDS,
  DEFAULT_PERMISSION_FIELDS,
  DEFAULT_REVISION_FIELDS,
  driveJson,
  fileJson,
  permissionJson,
  permissionsOf,
  revisionJson,
  userJson,
  visibility,
} from './serialize.js';
import { type FileRecord, type GdriveState, type PermissionRecord, ROLE_RANK, type Role } from './state.js';
import { continueUpload, startUpload } from './upload.js';

type Term = Extract<QueryNode, { kind: 'term' }>;

const supportsAll = (req: SandboxRequest) => flag(req, 'supportsAllDrives') || flag(req, 'supportsTeamDrives');

function viewerOf(state: GdriveState, caller: Caller, file: FileRecord) {
  return { email: caller.email, role: state.access(file, caller.email)?.role ?? ('reader' as Role) };
}

function parseQ(source: string | null, fields = FILE_FIELDS): QueryNode | undefined {
  if (source === null || source.trim() === '') return undefined;
  try {
    return parseQuery(source, fields);
  } catch (error) {
    if (error instanceof QuerySyntaxError) throw invalidValue('q');
    throw error;
  }
}

/** The text `fullText contains` searches: name, description and content. */
function searchableText(file: FileRecord): string {
  let content = '';
  if (file.content.kind === 'native') content = indexableText(file.content.model);
  else if (file.content.kind === 'blob' && /^(text\/|application\/(json|xml|javascript))/.test(file.mimeType))
    content = file.content.data.toString('utf8');
  return `${file.name}\n${file.description ?? ''}\n${content}`;
}

function fileTerm(state: GdriveState, caller: Caller, file: FileRecord, t: Term): boolean {
  const v = t.value;
  const person = (s: string) => (s === 'me' ? caller.email : s.toLowerCase());
  switch (t.field) {
    case 'name':
      return t.op === 'contains' ? nameContains(file.name, v as string) : compare(t.op, file.name, v as string);
    case 'fullText':
      return fullTextContains(searchableText(file), v as string);
    case 'mimeType':
      return t.op === 'contains' ? file.mimeType.includes(v as string) : compare(t.op, file.mimeType, v as string);
    case 'modifiedTime':
      return compare(t.op, file.modifiedTime.getTime(), (v as Date).getTime());
    case 'createdTime':
      return compare(t.op, file.createdTime.getTime(), (v as Date).getTime());
    case 'viewedByMeTime': {
      const viewed = file.viewedByMe.get(caller.email);
      return viewed !== undefined && compare(t.op, viewed.getTime(), (v as Date).getTime());
    }
    case 'trashed':
      return compare(t.op, file.trashed, v as boolean);
    case 'starred':
      return compare(t.op, file.starred, v as boolean);
    case 'sharedWithMe':
      return compare(t.op, isSharedWithMe(file, caller.email), v as boolean);
    case 'parents': {
      const id = v === 'root' ? caller.user.rootId : (v as string);
      return file.parents.includes(id);
    }
    case 'owners':
      return file.ownerEmail === person(v as string);
    case 'writers':
    case 'readers': {
      const access = state.access(file, person(v as string));
      return access !== null && ROLE_RANK[access.role] >= ROLE_RANK[t.field === 'writers' ? 'writer' : 'reader'];
    }
    case 'properties':
    case 'appProperties': {
      const kv = v as { key: string; value: string };
      return file[t.field][kv.key] === kv.value;
    }
    case 'visibility':
      return compare(t.op, visibility(file), v as string);
    case 'shortcutDetails.targetId':
      return compare(t.op, file.content.kind === 'shortcut' ? file.content.targetId : '', v as string);
    default:
      return false;
  }
}

function isSharedWithMe(file: FileRecord, email: string): boolean {
  return (
    !file.driveId && file.ownerEmail !== email && file.permissions.some((p) => p.type === 'user' && p.emailAddress === email)
  );
}

const ORDER_KEYS = new Set([
  'createdTime',
  'folder',
  'modifiedByMeTime',
  'modifiedTime',
  'name',
  'name_natural',
  'quotaBytesUsed',
  'recency',
  'sharedWithMeTime',
  'starred',
  'viewedByMeTime',
]);

type Comparator = (a: FileRecord, b: FileRecord) => number;

function orderBy(spec: string | null, caller: Caller): Comparator {
  const keys = (spec ?? 'modifiedTime desc')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const [key = '', dir, extra] = part.split(/\s+/);
      if (!ORDER_KEYS.has(key) || extra !== undefined || (dir !== undefined && dir !== 'desc' && dir !== 'asc'))
        throw invalidValue('orderBy');
      return { key, desc: dir === 'desc' };
    });
  const time = (d: Date | undefined) => d?.getTime() ?? 0;
  const value = (f: FileRecord, key: string): number | string => {
    switch (key) {
      case 'folder':
        return f.mimeType === MIME.folder ? 0 : 1;
      case 'createdTime':
        return time(f.createdTime);
      case 'modifiedTime':
        return time(f.modifiedTime);
      case 'modifiedByMeTime':
        return time(f.modifiedByMe.get(caller.email));
      case 'viewedByMeTime':
        return time(f.viewedByMe.get(caller.email));
      case 'sharedWithMeTime':
        return time(f.permissions.find((p) => p.emailAddress === caller.email)?.createdTime);
      case 'recency':
        return Math.max(time(f.modifiedTime), time(f.viewedByMe.get(caller.email)), time(f.modifiedByMe.get(caller.email)));
      case 'quotaBytesUsed':
        return f.content.kind === 'blob' ? f.content.data.length : 0;
      case 'starred':
        return f.starred ? 0 : 1;
      default:
        return f.name.toLowerCase();
    }
  };
  const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return (a, b) => {
    for (const { key, desc } of keys) {
      const va = value(a, key);
      const vb = value(b, key);
      const d = key === 'name_natural' ? natural.compare(a.name, b.name) : va < vb ? -1 : va > vb ? 1 : 0;
      if (d !== 0) return desc ? -d : d;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

const CORPORA = new Set(['user', 'drive', 'domain', 'allDrives']);

function listFiles(req: SandboxRequest, state: GdriveState, baseUrl: string) {
  const caller = callerOf(req);
  const includeAll = flag(req, 'includeItemsFromAllDrives') || flag(req, 'includeTeamDriveItems');
  const driveId = req.query.get('driveId') ?? req.query.get('teamDriveId');
  const corpora = (req.query.get('corpora') ?? req.query.get('corpus') ?? 'user').split(',');
  if (corpora.some((c) => !CORPORA.has(c))) throw invalidValue('corpora');
  if ((driveId !== null) !== corpora.includes('drive'))
    throw driveError(
      400,
      'teamDriveIdRequiresTeamDriveCorpora',
      'The driveId parameter must be specified if and only if corpora is set to drive.',
    );
  if ((driveId !== null || corpora.includes('drive') || corpora.includes('allDrives')) && !includeAll)
    throw driveError(
      403,
      'teamDriveParametersRequired',
      'The includeItemsFromAllDrives parameter must be set to true when driveId is specified or corpora contains drive or allDrives.',
    );
  if (includeAll && !supportsAll(req))
    throw driveError(
      403,
      'teamDriveParametersRequired',
      'The includeItemsFromAllDrives parameter can only be set to true when supportsAllDrives is also set to true.',
    );
  if (driveId !== null && !state.drives.get(driveId)?.members.has(caller.email))
    throw driveError(404, 'notFound', `Shared drive not found: ${driveId}`, { location: 'driveId' });
  const pageSize = intParam(req, 'pageSize', 100, 1, 1000);
  const spaces = (req.query.get('spaces') ?? 'drive').split(',');
  if (spaces.some((s) => !['drive', 'appDataFolder', 'photos'].includes(s))) throw invalidValue('spaces');
  const query = parseQ(req.query.get('q'));
  if (query && mentions(query, 'fullText') && req.query.has('orderBy'))
    throw driveError(
      400,
      'invalid',
      'Sorting is not supported for queries with fullText terms. Results are always sorted by relevance.',
      {
        location: 'orderBy',
      },
    );
  const sort = orderBy(req.query.get('orderBy'), caller);

  const matches: FileRecord[] = [];
  if (spaces.includes('drive'))
    for (const file of state.files.values()) {
      if (file.isRoot) continue;
      const access = state.access(file, caller.email);
      if (!access?.discoverable) continue;
      if (caller.fileLimited && !file.clients.has(caller.clientId)) continue;
      if (file.driveId) {
        if (!includeAll) continue;
        if (corpora.includes('drive') && file.driveId !== driveId) continue;
      } else if (corpora.includes('drive')) continue;
      if (query && !evaluate(query, (t) => fileTerm(state, caller, file, t))) continue;
      matches.push(file);
    }
  matches.sort(sort);
  const key = JSON.stringify([caller.email, req.query.get('q'), corpora, driveId, includeAll, req.query.get('orderBy'), spaces]);
  const offset = decodePageToken(req.query.get('pageToken'), Buffer.from(key).toString('base64url').slice(-24));
  const page = matches.slice(offset, offset + pageSize);
  const next =
    offset + pageSize < matches.length
      ? encodePageToken(offset + pageSize, Buffer.from(key).toString('base64url').slice(-24))
      : undefined;
  const body: Record<string, unknown> = {
    kind: 'drive#fileList',
    ...(next ? { nextPageToken: next } : {}),
    incompleteSearch: false,
    files: page.map((f) => fileJson(state, baseUrl, f, viewerOf(state, caller, f))),
  };
  return respond(req, 200, body, 'FileList', `kind,incompleteSearch,nextPageToken,files(${DEFAULT_FILE_FIELDS})`);
}

function getFile(req: SandboxRequest, state: GdriveState, baseUrl: string) {
  const caller = callerOf(req);
  const { file, role } = findFile(state, caller, req.params['fileId']!, { supportsAllDrives: supportsAll(req) });
  if (req.query.get('alt') === 'media') return download(req, file.content, file.mimeType);
  return respond(req, 200, fileJson(state, baseUrl, file, { email: caller.email, role }), 'File', DEFAULT_FILE_FIELDS);
}

function answerFile(req: SandboxRequest, state: GdriveState, baseUrl: string, caller: Caller, file: FileRecord) {
  return respond(req, 200, fileJson(state, baseUrl, file, viewerOf(state, caller, file)), 'File', DEFAULT_FILE_FIELDS);
}

// ---------------------------------------------------------------------------------------------
// Permissions

const ROLES = new Set<Role>(['owner', 'organizer', 'fileOrganizer', 'writer', 'commenter', 'reader']);
const TYPES = new Set(['user', 'group', 'domain', 'anyone']);

/** Who may change sharing: the owner, or a writer when writers may share; in a shared drive a writer or above. */
function mayShare(file: FileRecord, role: Role): boolean {
  if (file.driveId) return ROLE_RANK[role] >= ROLE_RANK.writer;
  return role === 'owner' || (role === 'writer' && file.writersCanShare);
}

function permissionTarget(state: GdriveState, req: SandboxRequest, forChange: boolean) {
  const caller = callerOf(req);
  const { file, role } = findFile(state, caller, req.params['fileId']!, { supportsAllDrives: supportsAll(req) });
  if (forChange && !mayShare(file, role)) throw insufficientFilePermissions(file.id);
  return { caller, file, role };
}

function findPermission(state: GdriveState, file: FileRecord, id: string): Record<string, unknown> {
  const found = permissionsOf(state, file).find((p) => p['id'] === id);
  if (!found) throw driveError(404, 'notFound', `Permission not found: ${id}.`, { location: 'permissionId' });
  return found;
}

function createPermission(req: SandboxRequest, state: GdriveState) {
  const { caller, file } = permissionTarget(state, req, true);
  const body = (req.json<Record<string, unknown>>() ?? {}) as Record<string, unknown>;
  const role = body['role'] as Role | undefined;
  const type = body['type'] as PermissionRecord['type'] | undefined;
  if (!role) throw driveError(400, 'required', 'The permission role field is required.', { location: 'permission.role' });
  if (!type) throw driveError(400, 'required', 'The permission type field is required.', { location: 'permission.type' });
  if (!ROLES.has(role)) throw driveError(400, 'invalid', `Invalid permission role: ${role}.`, { location: 'permission.role' });
  if (!TYPES.has(type)) throw driveError(400, 'invalid', `Invalid permission type: ${type}.`, { location: 'permission.type' });
  const email = typeof body['emailAddress'] === 'string' ? body['emailAddress'].toLowerCase() : undefined;
  const domain = typeof body['domain'] === 'string' ? body['domain'] : undefined;
  if ((type === 'user' || type === 'group') && !email)
    throw driveError(400, 'required', 'The permission emailAddress field is required.', { location: 'permission.emailAddress' });
  if (type === 'domain' && !domain)
    throw driveError(400, 'required', 'The permission domain field is required.', { location: 'permission.domain' });
  if (file.driveId && role === 'owner')
    throw driveError(
      403,
      'teamDrivesOwnershipTransferNotSupported',
      'Transferring ownership of a shared drive item is not supported.',
    );
  if (!file.driveId && role === 'organizer')
    throw driveError(
      400,
      'invalidSharingRequest',
      'Bad Request. User message: "The organizer role is only for shared drive items."',
    );
  if (role === 'owner') {
    if (!flag(req, 'transferOwnership'))
      throw driveError(403, 'forbidden', "The transferOwnership parameter must be enabled when the permission role is 'owner'.", {
        location: 'transferOwnership',
      });
    if (file.ownerEmail !== caller.email) throw insufficientFilePermissions(file.id);
    const previous = file.ownerEmail;
    file.ownerEmail = email!;
    file.permissions = file.permissions.filter((p) => p.emailAddress !== email);
    state.share(file.id, { role: 'writer', type: 'user', emailAddress: previous });
    return respond(
      req,
      200,
      permissionJson(state, {
        id: state.permissionIdFor('user', email!),
        type: 'user',
        role: 'owner',
        emailAddress: email!,
        createdTime: new Date(),
      }),
      'Permission',
      DEFAULT_PERMISSION_FIELDS,
    );
  }
  const record = state.share(file.id, {
    role,
    type,
    ...(email ? { emailAddress: email } : {}),
    ...(domain ? { domain } : {}),
    ...(typeof body['allowFileDiscovery'] === 'boolean' ? { allowFileDiscovery: body['allowFileDiscovery'] } : {}),
  });
  if (typeof body['expirationTime'] === 'string') record.expirationTime = new Date(body['expirationTime']);
  // sendNotificationEmail and emailMessage are accepted and ignored: the sandbox sends no mail.
  return respond(req, 200, permissionJson(state, record), 'Permission', DEFAULT_PERMISSION_FIELDS);
}

function updatePermission(req: SandboxRequest, state: GdriveState) {
  const { file } = permissionTarget(state, req, true);
  const id = req.params['permissionId']!;
  findPermission(state, file, id);
  const record = file.permissions.find((p) => p.id === id);
  if (!record)
    throw driveError(403, 'cannotModifyInheritedPermission', 'Inherited and owner permissions cannot be changed on this item.');
  const body = (req.json<Record<string, unknown>>() ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(body))
    if (!['role', 'expirationTime', 'kind', 'type'].includes(key))
      throw driveError(403, 'fieldNotWritable', 'The resource body includes fields which are not directly writable.');
  if (body['type'] !== undefined && body['type'] !== record.type)
    throw driveError(403, 'fieldNotWritable', 'The permission type cannot be changed.');
  if (body['role'] !== undefined) {
    if (!ROLES.has(body['role'] as Role) || body['role'] === 'owner')
      throw driveError(400, 'invalid', `Invalid permission role: ${String(body['role'])}.`, { location: 'permission.role' });
    record.role = body['role'] as Role;
  }
  if (typeof body['expirationTime'] === 'string') record.expirationTime = new Date(body['expirationTime']);
  if (flag(req, 'removeExpiration')) delete record.expirationTime;
  state.bump(file);
  return respond(req, 200, permissionJson(state, record), 'Permission', DEFAULT_PERMISSION_FIELDS);
}

function deletePermission(req: SandboxRequest, state: GdriveState) {
  const { file } = permissionTarget(state, req, true);
  const id = req.params['permissionId']!;
  const found = findPermission(state, file, id);
  if (found['role'] === 'owner') throw driveError(403, 'cannotRemoveOwner', 'The owner of a file cannot be removed.');
  const index = file.permissions.findIndex((p) => p.id === id);
  if (index < 0)
    throw driveError(403, 'cannotDeleteInheritedPermission', 'Inherited permissions cannot be removed from this item.');
  file.permissions.splice(index, 1);
  state.bump(file);
  return emptyResponse(204);
}

// ---------------------------------------------------------------------------------------------
// Revisions

function revisionTarget(state: GdriveState, req: SandboxRequest) {
  const caller = callerOf(req);
  // revisions.* take no supportsAllDrives: shared-drive items are reachable by id.
  const { file, role } = findFile(state, caller, req.params['fileId']!, { supportsAllDrives: true });
  if (ROLE_RANK[role] < ROLE_RANK.writer) throw insufficientFilePermissions(file.id);
  if (file.content.kind === 'folder' || file.content.kind === 'shortcut')
    throw driveError(403, 'revisionsNotSupported', 'The file does not support revisions.');
  return { caller, file };
}

// ---------------------------------------------------------------------------------------------
// Drives and about

function listDrives(req: SandboxRequest, state: GdriveState) {
  const caller = callerOf(req);
  const pageSize = intParam(req, 'pageSize', 10, 1, 100);
  const query = parseQ(req.query.get('q'), DRIVE_FIELDS);
  const drives = [...state.drives.values()]
    .filter((d) => d.members.has(caller.email))
    .filter((d) => (query ? evaluate(query, (t) => driveTerm(d, t)) : !d.hidden))
    .sort((a, b) => a.createdTime.getTime() - b.createdTime.getTime() || (a.id < b.id ? -1 : 1));
  const key = `drives:${caller.email}:${req.query.get('q') ?? ''}`;
  const offset = decodePageToken(req.query.get('pageToken'), Buffer.from(key).toString('base64url').slice(-24));
  const page = drives.slice(offset, offset + pageSize);
  const next =
    offset + pageSize < drives.length
      ? encodePageToken(offset + pageSize, Buffer.from(key).toString('base64url').slice(-24))
      : undefined;
  return respond(
    req,
    200,
    {
      kind: 'drive#driveList',
      ...(next ? { nextPageToken: next } : {}),
      drives: page.map((d) => driveJson(d, d.members.get(caller.email)!)),
    },
    'DriveList',
    'kind,nextPageToken,drives(kind,id,name,colorRgb,backgroundImageLink,capabilities,themeId,createdTime,hidden,restrictions)',
  );
}

function driveTerm(drive: { name: string; hidden: boolean; createdTime: Date; members: Map<string, Role> }, t: Term): boolean {
  switch (t.field) {
    case 'name':
      return t.op === 'contains' ? nameContains(drive.name, t.value as string) : compare(t.op, drive.name, t.value as string);
    case 'hidden':
      return compare(t.op, drive.hidden, t.value as boolean);
    case 'createdTime':
      return compare(t.op, drive.createdTime.getTime(), (t.value as Date).getTime());
    case 'memberCount':
      return compare(t.op, drive.members.size, t.value as number);
    case 'organizerCount':
      return compare(t.op, [...drive.members.values()].filter((r) => r === 'organizer').length, t.value as number);
    default:
      return false;
  }
}

function about(req: SandboxRequest, state: GdriveState) {
  const caller = callerOf(req);
  if (!req.query.has('fields'))
    throw driveError(400, 'required', "The 'fields' parameter is required for this method.", { location: 'fields' });
  const usage = state.usage(caller.email);
  const importFormats: Record<string, string[]> = {};
  for (const [from, to] of Object.entries(IMPORT_FORMATS)) importFormats[from] = [...to];
  const body = {
    kind: 'drive#about',
    user: userJson(state, caller.email, caller.email),
    storageQuota: {
      limit: String(caller.user.storageLimit),
      usage: String(usage.total),
      usageInDrive: String(usage.total),
      usageInDriveTrash: String(usage.trash),
    },
    importFormats,
    exportFormats: Object.fromEntries(Object.entries(EXPORT_FORMATS).map(([k, v]) => [k, [...v]])),
    maxImportSizes: { [MIME.document]: '10485760', [MIME.spreadsheet]: '104857600', [MIME.presentation]: '104857600' },
    maxUploadSize: '5242880000000',
    appInstalled: false,
    folderColorPalette: [
      '#ac725e',
      '#d06b64',
      '#f83a22',
      '#fa573c',
      '#ff7537',
      '#ffad46',
      '#42d692',
      '#16a765',
      '#7bd148',
      '#b3dc6c',
      '#8f8f8f',
      '#4986e7',
    ],
    canCreateDrives: caller.user.kind === 'user',
    canCreateTeamDrives: caller.user.kind === 'user',
    driveThemes: [
      {
        id: 'abacus',
        backgroundImageLink: 'https://ssl.gstatic.com/team_drive_themes/abacus_background.jpg',
        colorRgb: '#4986e7',
      },
    ],
  };
  return respond(req, 200, body, 'About');
}

// ---------------------------------------------------------------------------------------------

export function driveRoutes(): Route<GdriveState>[] {
  return [
    { method: 'GET', path: '/drive/v3/about', operation: 'drive.about.get', handler: (req, { state }) => about(req, state) },
    {
      method: 'GET',
      path: '/drive/v3/drives',
      operation: 'drive.drives.list',
      handler: (req, { state }) => listDrives(req, state),
    },
    {
      method: 'GET',
      path: '/drive/v3/drives/{driveId}',
      operation: 'drive.drives.get',
      handler: (req, { state }) => {
        const caller = callerOf(req);
        const drive = state.drives.get(req.params['driveId']!);
        const role = drive?.members.get(caller.email);
        if (!drive || !role)
          throw driveError(404, 'notFound', `Shared drive not found: ${req.params['driveId']}`, { location: 'driveId' });
        return respond(req, 200, driveJson(drive, role), 'Drive');
      },
    },
    {
      method: 'GET',
      path: '/drive/v3/files',
      operation: 'drive.files.list',
      handler: (req, { state, url }) => listFiles(req, state, url),
    },
    {
      method: 'POST',
      path: '/drive/v3/files',
      operation: 'drive.files.create',
      handler: (req, { state, url }) => {
        const caller = callerOf(req);
        const file = createFile(state, req, caller, readMetadata(req.json(), 'create'));
        return answerFile(req, state, url, caller, file);
      },
    },
    {
      method: 'GET',
      path: '/drive/v3/files/generateIds',
      operation: 'drive.files.generateIds',
      handler: (req, { state }) => {
        const count = intParam(req, 'count', 10, 1, 1000);
        const space = req.query.get('space') ?? 'drive';
        const type = req.query.get('type') ?? 'files';
        if (!['drive', 'appDataFolder'].includes(space)) throw invalidValue('space');
        if (!['files', 'shortcuts'].includes(type)) throw invalidValue('type');
        const ids = Array.from({ length: count }, () => state.newFileId());
        for (const id of ids) state.generatedIds.add(id);
        return json(req, 200, { kind: 'drive#generatedIds', space, ids });
      },
    },
    {
      method: 'DELETE',
      path: '/drive/v3/files/trash',
      operation: 'drive.files.emptyTrash',
      handler: (req, { state }) => {
        const caller = callerOf(req);
        const driveId = req.query.get('driveId');
        if (driveId !== null && state.drives.get(driveId)?.members.get(caller.email) !== 'organizer')
          throw driveError(
            403,
            'insufficientFilePermissions',
            `The user does not have sufficient permissions for shared drive ${driveId}.`,
          );
        for (const file of [...state.files.values()])
          if (file.explicitlyTrashed && (driveId === null ? file.ownerEmail === caller.email : file.driveId === driveId)) {
            for (const item of state.descendants(file)) state.files.delete(item.id);
            state.files.delete(file.id);
          }
        return emptyResponse(204);
      },
    },
    {
      method: 'GET',
      path: '/drive/v3/files/{fileId}',
      operation: 'drive.files.get',
      handler: (req, { state, url }) => getFile(req, state, url),
    },
    {
      method: 'PATCH',
      path: '/drive/v3/files/{fileId}',
      operation: 'drive.files.update',
      handler: (req, { state, url }) => {
        const caller = callerOf(req);
        const file = updateFile(state, req, caller, req.params['fileId']!, readMetadata(req.json(), 'update'));
        return answerFile(req, state, url, caller, file);
      },
    },
    {
      method: 'DELETE',
      path: '/drive/v3/files/{fileId}',
      operation: 'drive.files.delete',
      handler: (req, { state }) => {
        deleteFile(state, req, callerOf(req), req.params['fileId']!);
        return emptyResponse(204);
      },
    },
    {
      method: 'POST',
      path: '/drive/v3/files/{fileId}/copy',
      operation: 'drive.files.copy',
      handler: (req, { state, url }) => {
        const caller = callerOf(req);
        const file = copyFile(state, req, caller, req.params['fileId']!, readMetadata(req.json(), 'copy'));
        return answerFile(req, state, url, caller, file);
      },
    },
    {
      method: 'GET',
      path: '/drive/v3/files/{fileId}/export',
      operation: 'drive.files.export',
      handler: (req, { state }) => {
        // files.export takes no supportsAllDrives: it reaches shared-drive items by id.
        const { file } = findFile(state, callerOf(req), req.params['fileId']!, { supportsAllDrives: true });
        return exportFile(state, file, file.content, req.query.get('mimeType')!);
      },
    },
    {
      method: 'GET',
      path: '/drive/v3/files/{fileId}/permissions',
      operation: 'drive.permissions.list',
      handler: (req, { state }) => {
        const { file, role } = permissionTarget(state, req, false);
        const pageSize = intParam(req, 'pageSize', 100, 1, 100);
        const all =
          ROLE_RANK[role] >= ROLE_RANK.writer || file.ownerEmail === callerOf(req).email ? permissionsOf(state, file) : [];
        if (all.length === 0 && ROLE_RANK[role] < ROLE_RANK.writer) throw insufficientFilePermissions(file.id);
        const key = `perm:${file.id}`;
        const offset = decodePageToken(req.query.get('pageToken'), Buffer.from(key).toString('base64url').slice(-24));
        const next =
          offset + pageSize < all.length
            ? encodePageToken(offset + pageSize, Buffer.from(key).toString('base64url').slice(-24))
            : undefined;
        return respond(
          req,
          200,
          {
            kind: 'drive#permissionList',
            ...(next ? { nextPageToken: next } : {}),
            permissions: all.slice(offset, offset + pageSize),
          },
          'PermissionList',
          `kind,nextPageToken,permissions(${DEFAULT_PERMISSION_FIELDS})`,
        );
      },
    },
    {
      method: 'POST',
      path: '/drive/v3/files/{fileId}/permissions',
      operation: 'drive.permissions.create',
      handler: (req, { state }) => createPermission(req, state),
    },
    {
      method: 'GET',
      path: '/drive/v3/files/{fileId}/permissions/{permissionId}',
      operation: 'drive.permissions.get',
      handler: (req, { state }) => {
        const { file } = permissionTarget(state, req, false);
        return respond(
          req,
          200,
          findPermission(state, file, req.params['permissionId']!),
          'Permission',
          DEFAULT_PERMISSION_FIELDS,
        );
      },
    },
    {
      method: 'PATCH',
      path: '/drive/v3/files/{fileId}/permissions/{permissionId}',
      operation: 'drive.permissions.update',
      handler: (req, { state }) => updatePermission(req, state),
    },
    {
      method: 'DELETE',
      path: '/drive/v3/files/{fileId}/permissions/{permissionId}',
      operation: 'drive.permissions.delete',
      handler: (req, { state }) => deletePermission(req, state),
    },
    {
      method: 'GET',
      path: '/drive/v3/files/{fileId}/revisions',
      operation: 'drive.revisions.list',
      handler: (req, { state, url }) => {
        const { caller, file } = revisionTarget(state, req);
        const pageSize = intParam(req, 'pageSize', 200, 1, 1000);
        const key = `rev:${file.id}`;
        const offset = decodePageToken(req.query.get('pageToken'), Buffer.from(key).toString('base64url').slice(-24));
        const next =
          offset + pageSize < file.revisions.length
            ? encodePageToken(offset + pageSize, Buffer.from(key).toString('base64url').slice(-24))
            : undefined;
        const revisions = file.revisions
          .slice(offset, offset + pageSize)
          .map((r) => revisionJson(state, url, file, r, caller.email));
        return respond(
          req,
          200,
          { kind: 'drive#revisionList', ...(next ? { nextPageToken: next } : {}), revisions },
          'RevisionList',
          `kind,nextPageToken,revisions(${DEFAULT_REVISION_FIELDS})`,
        );
      },
    },
    {
      method: 'GET',
      path: '/drive/v3/files/{fileId}/revisions/{revisionId}',
      operation: 'drive.revisions.get',
      handler: (req, { state, url }) => {
        const { caller, file } = revisionTarget(state, req);
        const wanted = req.params['revisionId']!;
        const revision = wanted === 'head' ? file.revisions.at(-1) : file.revisions.find((r) => r.id === wanted);
        if (!revision) throw driveError(404, 'notFound', `Revision not found: ${wanted}.`, { location: 'revisionId' });
        if (req.query.get('alt') === 'media') {
          if (isGoogleNative(file.mimeType))
            throw driveError(
              403,
              'fileNotDownloadable',
              'Only files with binary content can be downloaded. Use Export with Docs Editors files.',
              {
                location: 'alt',
              },
            );
          return download(req, revision.content, revision.mimeType);
        }
        return respond(req, 200, revisionJson(state, url, file, revision, caller.email), 'Revision', DEFAULT_REVISION_FIELDS);
      },
    },
    // Content uploads. Google's client libraries start resumable sessions at
    // /upload/…?uploadType=resumable; the discovery document names /resumable/upload/… — both work.
    {
      method: 'POST',
      path: '/upload/drive/v3/files',
      operation: 'drive.files.create',
      handler: (req, { state, url }) => startUpload(state, req, url, callerOf(req)),
    },
    {
      method: 'PATCH',
      path: '/upload/drive/v3/files/{fileId}',
      operation: 'drive.files.update',
      handler: (req, { state, url }) => startUpload(state, req, url, callerOf(req), req.params['fileId']!),
    },
    {
      method: 'POST',
      path: '/resumable/upload/drive/v3/files',
      operation: 'drive.files.create',
      handler: (req, { state, url }) => startUpload(state, req, url, callerOf(req)),
    },
    {
      method: 'PATCH',
      path: '/resumable/upload/drive/v3/files/{fileId}',
      operation: 'drive.files.update',
      handler: (req, { state, url }) => startUpload(state, req, url, callerOf(req), req.params['fileId']!),
    },
    {
      method: 'PUT',
      path: '/upload/drive/v3/files',
      operation: 'drive.files.create',
      handler: (req, { state, url }) => continueUpload(state, req, url),
    },
    {
      method: 'PUT',
      path: '/upload/drive/v3/files/{fileId}',
      operation: 'drive.files.update',
      handler: (req, { state, url }) => continueUpload(state, req, url),
    },
    {
      // A revision's export link (Drive gives these in `exportLinks`; Google serves them from
      // docs.google.com, the sandbox from here, with the same bearer token).
      method: 'GET',
      path: '/feeds/download/export',
      operation: 'docs.revisions.export',
      handler: (req, { state }) => {
        const caller = callerOf(req);
        const id = req.query.get('id') ?? '';
        const { file, role } = findFile(state, caller, id, { supportsAllDrives: true, location: 'id' });
        if (ROLE_RANK[role] < ROLE_RANK.writer) throw insufficientFilePermissions(file.id);
        const revision = file.revisions.find((r) => r.id === req.query.get('revision'));
        if (!revision) throw fileNotFound(id, 'revision');
        const target = req.query.get('mimeType');
        if (!target) throw badRequest('mimeType is required', 'mimeType');
        return exportFile(state, file, revision.content, target);
      },
    },
  ];
}

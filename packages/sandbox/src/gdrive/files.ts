/**
 * The file operations shared by the metadata routes and the upload routes: creating a file (with
 * or without content, converting an upload to a Doc or Sheet), updating metadata and content,
 * moving, trashing, copying and deleting — each with Drive's checks (writable fields, one parent,
 * roles, storage quota) and Drive's errors.
 */
import type { SandboxRequest } from '../core/http.js';
import { type Caller, findFile, flag } from './api.js';
import {
  delimitedToSpreadsheet,
  htmlToDocument,
  IMPORT_FORMATS,
  isGoogleNative,
  MIME,
  markdownToDocument,
  type NativeModel,
  textToDocument,
} from './documents.js';
import { badRequest, driveError, insufficientFilePermissions } from './errors.js';
import { type Content, type FileRecord, type GdriveState, ROLE_RANK, type Role, snapshot } from './state.js';

/** Fields a request body may set on create; anything else the schema has is not writable. */
const CREATE_WRITABLE = new Set([
  'id',
  'name',
  'mimeType',
  'parents',
  'description',
  'starred',
  'properties',
  'appProperties',
  'folderColorRgb',
  'originalFilename',
  'createdTime',
  'modifiedTime',
  'viewedByMeTime',
  'writersCanShare',
  'copyRequiresWriterPermission',
  'contentHints',
  'contentRestrictions',
  'shortcutDetails',
  'trashed',
  'kind',
]);
const UPDATE_WRITABLE = new Set([
  'name',
  'mimeType',
  'description',
  'starred',
  'trashed',
  'properties',
  'appProperties',
  'folderColorRgb',
  'originalFilename',
  'modifiedTime',
  'viewedByMeTime',
  'writersCanShare',
  'copyRequiresWriterPermission',
  'contentHints',
  'contentRestrictions',
  'kind',
]);
const COPY_WRITABLE = new Set([...CREATE_WRITABLE].filter((f) => f !== 'shortcutDetails' && f !== 'trashed'));

export interface FileMetadata {
  id?: string;
  name?: string;
  mimeType?: string;
  parents?: string[];
  description?: string;
  starred?: boolean;
  trashed?: boolean;
  properties?: Record<string, string | null>;
  appProperties?: Record<string, string | null>;
  folderColorRgb?: string;
  originalFilename?: string;
  createdTime?: string;
  modifiedTime?: string;
  writersCanShare?: boolean;
  copyRequiresWriterPermission?: boolean;
  shortcutDetails?: { targetId?: string };
}

export interface Media {
  data: Buffer;
  contentType: string;
}

function notWritable(field: string): never {
  if (field === 'parents')
    throw driveError(
      403,
      'fieldNotWritable',
      'The parents field is not directly writable in update requests. Use the addParents and removeParents parameters instead.',
    );
  throw driveError(403, 'fieldNotWritable', 'The resource body includes fields which are not directly writable.');
}

/** The request body as file metadata, refusing fields Drive does not let a client write. */
export function readMetadata(body: unknown, mode: 'create' | 'update' | 'copy'): FileMetadata {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Invalid JSON payload received. Expected an object.');
  const writable = mode === 'create' ? CREATE_WRITABLE : mode === 'update' ? UPDATE_WRITABLE : COPY_WRITABLE;
  for (const key of Object.keys(body)) if (!writable.has(key)) notWritable(key);
  const m = body as Record<string, unknown>;
  const expect = (key: string, type: 'string' | 'boolean' | 'object') => {
    if (m[key] !== undefined && (typeof m[key] !== type || (type === 'object' && (m[key] === null || Array.isArray(m[key])))))
      throw badRequest(`Invalid value for ${key}: expected ${type === 'object' ? 'an object' : `a ${type}`}.`);
  };
  for (const key of [
    'id',
    'name',
    'mimeType',
    'description',
    'folderColorRgb',
    'originalFilename',
    'createdTime',
    'modifiedTime',
  ])
    expect(key, 'string');
  for (const key of ['starred', 'trashed', 'writersCanShare', 'copyRequiresWriterPermission']) expect(key, 'boolean');
  for (const key of ['properties', 'appProperties', 'shortcutDetails']) expect(key, 'object');
  if (m['parents'] !== undefined && (!Array.isArray(m['parents']) || m['parents'].some((p) => typeof p !== 'string')))
    throw badRequest('Invalid value for parents: expected a list of folder ids.');
  for (const key of ['createdTime', 'modifiedTime'])
    if (typeof m[key] === 'string' && Number.isNaN(Date.parse(m[key] as string)))
      throw driveError(400, 'invalid', 'Invalid Value', { location: key });
  return m as FileMetadata;
}

/** Converts uploaded bytes to a native model (Drive's import), or says it cannot. */
function importContent(media: Media, target: string): NativeModel {
  const type = media.contentType.split(';')[0]!.trim().toLowerCase();
  const text = media.data.toString('utf8');
  if (!(IMPORT_FORMATS[type] ?? []).includes(target))
    throw driveError(
      400,
      'conversionUnsupportedConversionPath',
      'Conversion of the uploaded content to the requested output type is not supported.',
    );
  if (target === MIME.document) {
    if (type === 'text/markdown' || type === 'text/x-markdown') return markdownToDocument(text);
    if (type === 'text/plain') return textToDocument(text);
    if (type === 'text/html') return htmlToDocument(text);
  }
  if (target === MIME.spreadsheet) {
    if (type === 'text/csv') return delimitedToSpreadsheet(text, ',');
    if (type === 'text/tab-separated-values') return delimitedToSpreadsheet(text, '\t');
  }
  throw driveError(
    400,
    'conversionUnsupportedConversionPath',
    `Conversion of the uploaded content to the requested output type is not supported. (Google Drive converts ${type} to ${target}; the sandbox's emulator does not.)`,
  );
}

/** Empty content for a native file created without an upload. */
function emptyNative(mimeType: string): Content {
  if (mimeType === MIME.folder) return { kind: 'folder' };
  if (mimeType === MIME.document) return { kind: 'native', model: { kind: 'document', blocks: [] } };
  if (mimeType === MIME.spreadsheet)
    return {
      kind: 'native',
      model: { kind: 'spreadsheet', locale: 'en_US', timeZone: 'Etc/GMT', sheets: [{ sheetId: 0, title: 'Sheet1', rows: [] }] },
    };
  if (mimeType === MIME.presentation)
    return { kind: 'native', model: { kind: 'presentation', slides: [{ objectId: 'p1', texts: [] }] } };
  return { kind: 'native', model: undefined };
}

/** 403 when the owner's storage cannot take `bytes` more (service accounts have none). */
function checkQuota(state: GdriveState, owner: string | undefined, bytes: number): void {
  if (!owner || bytes === 0) return;
  const user = state.users.get(owner);
  if (!user) return;
  if (user.kind === 'serviceAccount')
    throw driveError(
      403,
      'storageQuotaExceeded',
      'Service Accounts do not have storage quota. Leverage shared drives (https://developers.google.com/workspace/drive/api/guides/about-shareddrives), or use OAuth delegation (http://support.google.com/a/answer/7281227) instead.',
    );
  if (state.usage(owner).total + bytes > user.storageLimit)
    throw driveError(403, 'storageQuotaExceeded', "The user's Drive storage quota has been exceeded.");
}

function atLeast(role: Role, wanted: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[wanted];
}

/** The folder a new item goes into, checked: it exists for the caller, is a folder, and they may add to it. */
function targetFolder(state: GdriveState, caller: Caller, parentId: string, supportsAllDrives: boolean): FileRecord {
  const { file: parent, role } = findFile(state, caller, parentId, { supportsAllDrives });
  if (parent.mimeType !== MIME.folder) throw badRequest('The specified parent is not a folder.', 'parents');
  if (!atLeast(role, 'writer') || parent.trashed) throw insufficientFilePermissions(parent.id);
  return parent;
}

function applyProperties(target: Record<string, string>, changes: Record<string, string | null> | undefined): void {
  if (!changes) return;
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete target[key];
    else target[key] = String(value);
  }
}

/** files.create: a new file or folder, with content when `media` is given. */
export function createFile(
  state: GdriveState,
  req: SandboxRequest,
  caller: Caller,
  metadata: FileMetadata,
  media?: Media,
): FileRecord {
  const supportsAllDrives = flag(req, 'supportsAllDrives') || flag(req, 'supportsTeamDrives');
  const parents = metadata.parents ?? [];
  if (parents.length > 1) throw driveError(403, 'cannotAddParent', 'Increasing the number of parents is not allowed.');
  const parent = targetFolder(state, caller, parents[0] ?? 'root', supportsAllDrives);
  let id: string;
  if (metadata.id !== undefined) {
    if (!state.generatedIds.has(metadata.id) || state.files.has(metadata.id))
      throw driveError(400, 'invalid', 'The provided file ID is not usable.', { location: 'file.id' });
    state.generatedIds.delete(metadata.id);
    id = metadata.id;
  } else id = state.newFileId();

  const declared = metadata.mimeType;
  let mimeType: string;
  let content: Content;
  if (metadata.shortcutDetails?.targetId !== undefined || declared === MIME.shortcut) {
    const targetId = metadata.shortcutDetails?.targetId;
    if (!targetId)
      throw driveError(400, 'required', 'A shortcut needs shortcutDetails.targetId.', { location: 'shortcutDetails.targetId' });
    findFile(state, caller, targetId, { supportsAllDrives: true, location: 'shortcutDetails.targetId' });
    mimeType = MIME.shortcut;
    content = { kind: 'shortcut', targetId };
  } else if (media) {
    if (declared && isGoogleNative(declared)) {
      mimeType = declared;
      content = { kind: 'native', model: importContent(media, declared) };
    } else {
      mimeType = declared ?? (media.contentType.split(';')[0]!.trim() || 'application/octet-stream');
      content = { kind: 'blob', data: media.data };
    }
  } else if (declared && isGoogleNative(declared)) {
    mimeType = declared;
    content = emptyNative(declared);
  } else {
    mimeType = declared ?? 'application/octet-stream';
    content = { kind: 'blob', data: Buffer.alloc(0) };
  }

  const owner = parent.driveId ? undefined : caller.email;
  if (content.kind === 'blob') checkQuota(state, owner, content.data.length);
  const at = state.clock.now();
  const createdTime = metadata.createdTime ? new Date(metadata.createdTime) : at;
  const file: FileRecord = {
    id,
    name: metadata.name ?? 'Untitled',
    mimeType,
    parents: [parent.id],
    createdTime,
    modifiedTime: metadata.modifiedTime ? new Date(metadata.modifiedTime) : at,
    version: 1,
    trashed: false,
    explicitlyTrashed: false,
    starred: metadata.starred ?? false,
    properties: {},
    appProperties: {},
    lastModifyingUser: caller.email,
    content,
    revisions: [],
    permissions: [],
    viewedByMe: new Map([[caller.email, at]]),
    modifiedByMe: new Map([[caller.email, at]]),
    clients: new Set(caller.clientId ? [caller.clientId] : []),
    writersCanShare: metadata.writersCanShare ?? true,
    copyRequiresWriterPermission: metadata.copyRequiresWriterPermission ?? false,
    ...(owner ? { ownerEmail: owner } : {}),
    ...(parent.driveId ? { driveId: parent.driveId } : {}),
    ...(metadata.description !== undefined ? { description: metadata.description } : {}),
    ...(metadata.folderColorRgb ? { folderColorRgb: metadata.folderColorRgb } : {}),
  };
  applyProperties(file.properties, metadata.properties);
  applyProperties(file.appProperties, metadata.appProperties);
  if (content.kind === 'blob') file.originalFilename = metadata.originalFilename ?? file.name;
  if (content.kind === 'blob' || content.kind === 'native')
    file.revisions.push(state.newRevision(file, file.modifiedTime, caller.email));
  state.files.set(id, file);
  if (metadata.trashed) trash(state, file, caller.email, true);
  return file;
}

/** Trashes or restores an item; a folder's contents follow (without being "explicitly" trashed). */
export function trash(state: GdriveState, file: FileRecord, by: string, trashed: boolean): void {
  const now = state.clock.now();
  if (trashed) {
    if (!file.trashed || !file.explicitlyTrashed) {
      Object.assign(file, { trashed: true, explicitlyTrashed: true, trashedTime: now, trashingUser: by });
      state.bump(file);
      for (const child of state.descendants(file))
        if (!child.trashed) {
          Object.assign(child, { trashed: true, explicitlyTrashed: false, trashedTime: now, trashingUser: by });
          state.bump(child);
        }
    }
    return;
  }
  if (!file.trashed) return;
  const restore = (f: FileRecord) => {
    f.trashed = false;
    f.explicitlyTrashed = false;
    delete f.trashedTime;
    delete f.trashingUser;
    state.bump(f);
  };
  restore(file);
  for (const child of state.descendants(file)) if (child.trashed && !child.explicitlyTrashed) restore(child);
}

/** Whether a role may trash (or untrash) an item: its owner in My Drive, a file organizer or organizer in a shared drive. */
export function mayTrash(file: FileRecord, role: Role): boolean {
  return file.driveId ? atLeast(role, 'fileOrganizer') : role === 'owner';
}

/** files.update: metadata, parents (addParents/removeParents), and content when `media` is given. */
export function updateFile(
  state: GdriveState,
  req: SandboxRequest,
  caller: Caller,
  fileId: string,
  metadata: FileMetadata,
  media?: Media,
): FileRecord {
  const supportsAllDrives = flag(req, 'supportsAllDrives') || flag(req, 'supportsTeamDrives');
  const { file, role } = findFile(state, caller, fileId, { supportsAllDrives });
  const writer = atLeast(role, 'writer');
  const changesContent = media !== undefined;
  const changesMetadata =
    metadata.name !== undefined ||
    metadata.description !== undefined ||
    metadata.properties !== undefined ||
    metadata.mimeType !== undefined ||
    metadata.folderColorRgb !== undefined ||
    metadata.originalFilename !== undefined ||
    metadata.writersCanShare !== undefined ||
    metadata.copyRequiresWriterPermission !== undefined ||
    metadata.modifiedTime !== undefined;
  if ((changesContent || changesMetadata || metadata.appProperties !== undefined) && !writer)
    throw insufficientFilePermissions(file.id);
  if (metadata.trashed !== undefined && !mayTrash(file, role)) throw insufficientFilePermissions(file.id);

  const add = (req.query.get('addParents') ?? '').split(',').filter(Boolean);
  const remove = (req.query.get('removeParents') ?? '').split(',').filter(Boolean);
  if (add.length > 0 || remove.length > 0) move(state, caller, file, role, add, remove, supportsAllDrives);

  if (media) {
    if (file.content.kind === 'folder' || file.content.kind === 'shortcut')
      throw badRequest('Only files with content can be updated with media.');
    if (file.content.kind === 'native') file.content = { kind: 'native', model: importContent(media, file.mimeType) };
    else {
      if (!file.driveId) checkQuota(state, file.ownerEmail, media.data.length);
      file.content = { kind: 'blob', data: media.data };
      if (metadata.mimeType === undefined && media.contentType && media.contentType !== 'application/octet-stream')
        file.mimeType = media.contentType.split(';')[0]!.trim();
    }
  }
  if (metadata.mimeType !== undefined && metadata.mimeType !== file.mimeType) {
    if (isGoogleNative(metadata.mimeType) || isGoogleNative(file.mimeType))
      throw driveError(
        403,
        'fieldNotWritable',
        'The mimeType of a file cannot be changed to or from a Google Docs Editors type.',
      );
    file.mimeType = metadata.mimeType;
  }
  if (metadata.name !== undefined) file.name = metadata.name;
  if (metadata.description !== undefined) file.description = metadata.description;
  if (metadata.folderColorRgb !== undefined) file.folderColorRgb = metadata.folderColorRgb;
  if (metadata.originalFilename !== undefined) file.originalFilename = metadata.originalFilename;
  if (metadata.writersCanShare !== undefined) file.writersCanShare = metadata.writersCanShare;
  if (metadata.copyRequiresWriterPermission !== undefined)
    file.copyRequiresWriterPermission = metadata.copyRequiresWriterPermission;
  applyProperties(file.properties, metadata.properties);
  applyProperties(file.appProperties, metadata.appProperties);
  if (metadata.starred !== undefined && metadata.starred !== file.starred) {
    file.starred = metadata.starred;
    state.bump(file);
  }
  if (changesContent || changesMetadata) {
    state.touch(file, caller.email, { content: changesContent });
    if (metadata.modifiedTime !== undefined) file.modifiedTime = new Date(metadata.modifiedTime);
  } else if (metadata.appProperties !== undefined) state.bump(file);
  if (metadata.trashed !== undefined) trash(state, file, caller.email, metadata.trashed);
  if (caller.clientId) file.clients.add(caller.clientId);
  return file;
}

/** addParents/removeParents: Drive allows one parent, so a move names both. */
function move(
  state: GdriveState,
  caller: Caller,
  file: FileRecord,
  role: Role,
  add: string[],
  remove: string[],
  supportsAllDrives: boolean,
): void {
  if (file.isRoot) throw driveError(403, 'cannotMoveRoot', 'The root folder cannot be moved.');
  const mayMove = file.driveId ? atLeast(role, 'fileOrganizer') || atLeast(role, 'writer') : atLeast(role, 'writer');
  if (!mayMove) throw insufficientFilePermissions(file.id);
  const removeIds = remove.map((id) => (id === 'root' ? caller.user.rootId : id));
  const next = file.parents.filter((p) => !removeIds.includes(p));
  const targets = add.map((id) => targetFolder(state, caller, id, supportsAllDrives));
  for (const t of targets) if (!next.includes(t.id)) next.push(t.id);
  if (next.length > 1) throw driveError(403, 'cannotAddParent', 'Increasing the number of parents is not allowed.');
  if (next.length === 0) throw driveError(403, 'cannotRemoveParent', 'A file must have a parent.');
  const target = state.files.get(next[0]!)!;
  for (const t of targets)
    if (t.id === file.id || state.ancestors(t).some((a) => a.id === file.id))
      throw driveError(400, 'invalidParent', 'A folder cannot be moved into itself or one of its subfolders.', {
        location: 'addParents',
      });
  file.parents = next;
  // Crossing between My Drive and a shared drive changes who owns the item and everything in it.
  if (target.driveId !== file.driveId) {
    for (const item of [file, ...state.descendants(file)]) {
      if (target.driveId) {
        item.driveId = target.driveId;
        delete item.ownerEmail;
      } else {
        delete item.driveId;
        item.ownerEmail = caller.email;
      }
      state.bump(item);
    }
    return;
  }
  state.bump(file);
}

/** files.copy: a new file with the same content, owned by the caller. */
export function copyFile(
  state: GdriveState,
  req: SandboxRequest,
  caller: Caller,
  fileId: string,
  metadata: FileMetadata,
): FileRecord {
  const supportsAllDrives = flag(req, 'supportsAllDrives') || flag(req, 'supportsTeamDrives');
  const { file, role } = findFile(state, caller, fileId, { supportsAllDrives });
  if (file.mimeType === MIME.folder || (file.copyRequiresWriterPermission && !atLeast(role, 'writer')))
    throw driveError(403, 'cannotCopyFile', 'This file cannot be copied by the user.');
  let parents = metadata.parents;
  if (!parents) {
    const original = file.parents[0] ? state.files.get(file.parents[0]) : undefined;
    const canWriteThere = original && (state.access(original, caller.email)?.role ?? 'reader');
    parents = original && canWriteThere && atLeast(canWriteThere, 'writer') ? [original.id] : ['root'];
  }
  const content = snapshot(file.content);
  const copy = createFile(
    state,
    req,
    caller,
    {
      ...metadata,
      name: metadata.name ?? `Copy of ${file.name}`,
      mimeType: file.mimeType,
      parents,
      ...(metadata.description === undefined && file.description !== undefined ? { description: file.description } : {}),
    },
    content.kind === 'blob' ? { data: content.data, contentType: file.mimeType } : undefined,
  );
  if (content.kind === 'native') {
    copy.content = content;
    copy.revisions = [{ ...copy.revisions[0]!, content: snapshot(content) }];
  }
  return copy;
}

/** files.delete: permanent, for the owner (My Drive) or an organizer (shared drive); a folder takes its contents with it. */
export function deleteFile(state: GdriveState, req: SandboxRequest, caller: Caller, fileId: string): void {
  const supportsAllDrives = flag(req, 'supportsAllDrives') || flag(req, 'supportsTeamDrives');
  const { file, role } = findFile(state, caller, fileId, { supportsAllDrives });
  const may = file.driveId ? role === 'organizer' : role === 'owner';
  if (!may || file.isRoot) throw insufficientFilePermissions(file.id);
  for (const item of state.descendants(file)) state.files.delete(item.id);
  state.files.delete(file.id);
}

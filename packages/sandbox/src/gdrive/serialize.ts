/**
 * State records → Drive v3 JSON (`drive#file`, `drive#permission`, `drive#revision`,
 * `drive#drive`, `drive#user`), seen by one caller: `ownedByMe`, `capabilities`, `me` and the
 * per-user times depend on who asks. Routes serialize in full and then apply the `fields` mask
 * (or Drive's default selection when the request names none).
 */
import { createHash } from 'node:crypto';
import { EXPORT_FORMATS, isGoogleNative, MIME } from './documents.js';
import {
  type DriveUser,
  type FileRecord,
  type GdriveState,
  type PermissionRecord,
  type RevisionRecord,
  ROLE_RANK,
  type Role,
  type SharedDriveRecord,
} from './state.js';

/** Drive writes times with milliseconds: `2024-05-01T12:00:00.000Z`. */
export function driveTime(date: Date): string {
  return date.toISOString();
}

export function userJson(state: GdriveState, email: string, me: string): Record<string, unknown> {
  const user = state.users.get(email);
  return {
    kind: 'drive#user',
    displayName: user?.displayName ?? email.split('@')[0],
    photoLink: user?.photoLink ?? 'https://lh3.googleusercontent.com/a/default-user=s64',
    me: email === me,
    permissionId: user?.permissionId ?? state.permissionIdFor('user', email),
    emailAddress: email,
  };
}

function webViewLink(file: FileRecord): string {
  switch (file.mimeType) {
    case MIME.document:
      return `https://docs.google.com/document/d/${file.id}/edit?usp=drivesdk`;
    case MIME.spreadsheet:
      return `https://docs.google.com/spreadsheets/d/${file.id}/edit?usp=drivesdk`;
    case MIME.presentation:
      return `https://docs.google.com/presentation/d/${file.id}/edit?usp=drivesdk`;
    case MIME.folder:
      return `https://drive.google.com/drive/folders/${file.id}`;
    default:
      return `https://drive.google.com/file/d/${file.id}/view?usp=drivesdk`;
  }
}

/** `report.final.pdf` → `pdf` / `final.pdf`. */
function extensions(name: string): { fileExtension?: string; fullFileExtension?: string } {
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) return {};
  return { fileExtension: name.slice(name.lastIndexOf('.') + 1), fullFileExtension: name.slice(dot + 1) };
}

/** Links that export a native file, pointing at this emulator's export method. */
export function exportLinks(baseUrl: string, file: FileRecord, revisionId?: string): Record<string, string> | undefined {
  const formats = EXPORT_FORMATS[file.mimeType];
  if (!formats) return undefined;
  const links: Record<string, string> = {};
  for (const mime of formats)
    links[mime] = revisionId
      ? `${baseUrl}/feeds/download/export?id=${file.id}&revision=${revisionId}&mimeType=${encodeURIComponent(mime)}`
      : `${baseUrl}/drive/v3/files/${file.id}/export?mimeType=${encodeURIComponent(mime)}`;
  return links;
}

export interface Viewer {
  email: string;
  role: Role;
}

/** What a role may do with a file, as Drive reports it in `capabilities`. */
export function capabilities(file: FileRecord, role: Role): Record<string, boolean> {
  const rank = ROLE_RANK[role];
  const folder = file.mimeType === MIME.folder;
  const inDrive = file.driveId !== undefined;
  const owner = role === 'owner';
  const organizer = role === 'organizer';
  const writer = rank >= ROLE_RANK.writer && !file.trashed;
  const canTrash = inDrive ? rank >= ROLE_RANK.fileOrganizer : owner;
  return {
    canAddChildren: folder && writer,
    canChangeCopyRequiresWriterPermission: owner || organizer,
    canChangeViewersCanCopyContent: owner || organizer,
    canComment: rank >= ROLE_RANK.commenter,
    canCopy: !folder && (writer || !file.copyRequiresWriterPermission),
    canDelete: inDrive ? organizer : owner,
    canDeleteChildren: folder && inDrive && organizer,
    canDownload: true,
    canEdit: writer,
    canListChildren: folder,
    canModifyContent: writer && !folder,
    canMoveItemWithinDrive: inDrive ? rank >= ROLE_RANK.fileOrganizer : writer,
    canReadDrive: inDrive,
    canReadRevisions: rank >= ROLE_RANK.writer,
    canRemoveChildren: folder && writer,
    canRename: writer,
    canShare: inDrive ? rank >= ROLE_RANK.writer : owner || (writer && file.writersCanShare),
    canTrash,
    canTrashChildren: folder && inDrive && rank >= ROLE_RANK.fileOrganizer,
    canUntrash: canTrash,
  };
}

/** Drive's `visibility` search term: how far link or domain sharing reaches. */
export function visibility(file: FileRecord): string {
  const anyone = file.permissions.find((p) => p.type === 'anyone');
  if (anyone) return anyone.allowFileDiscovery ? 'anyoneCanFind' : 'anyoneWithLink';
  const domain = file.permissions.find((p) => p.type === 'domain');
  if (domain) return domain.allowFileDiscovery ? 'domainCanFind' : 'domainWithLink';
  return 'limited';
}

/** The full `drive#file` for one viewer. */
export function fileJson(state: GdriveState, baseUrl: string, file: FileRecord, viewer: Viewer): Record<string, unknown> {
  const blob = file.content.kind === 'blob' ? file.content.data : undefined;
  const head = file.revisions[file.revisions.length - 1];
  const native = isGoogleNative(file.mimeType);
  const viewed = file.viewedByMe.get(viewer.email);
  const modifiedByMe = file.modifiedByMe.get(viewer.email);
  const direct = file.permissions.find((p) => p.type === 'user' && p.emailAddress === viewer.email);
  const sharedWithMe = !file.driveId && file.ownerEmail !== viewer.email ? direct : undefined;
  const canSeePermissions = ROLE_RANK[viewer.role] >= ROLE_RANK.writer || file.ownerEmail === viewer.email;
  const permissions = canSeePermissions ? permissionsOf(state, file) : undefined;
  const out: Record<string, unknown> = {
    kind: 'drive#file',
    id: file.id,
    name: file.name,
    mimeType: file.mimeType,
    ...(file.description !== undefined ? { description: file.description } : {}),
    starred: file.starred,
    trashed: file.trashed,
    explicitlyTrashed: file.explicitlyTrashed,
    ...(file.trashedTime ? { trashedTime: driveTime(file.trashedTime) } : {}),
    ...(file.trashingUser ? { trashingUser: userJson(state, file.trashingUser, viewer.email) } : {}),
    ...(file.parents.length > 0 ? { parents: [...file.parents] } : {}),
    ...(Object.keys(file.properties).length > 0 ? { properties: { ...file.properties } } : {}),
    ...(Object.keys(file.appProperties).length > 0 ? { appProperties: { ...file.appProperties } } : {}),
    spaces: ['drive'],
    version: String(file.version),
    ...(blob ? { webContentLink: `https://drive.google.com/uc?id=${file.id}&export=download` } : {}),
    webViewLink: webViewLink(file),
    iconLink: `https://drive-thirdparty.googleusercontent.com/16/type/${file.mimeType}`,
    hasThumbnail: false,
    thumbnailVersion: '0',
    viewedByMe: viewed !== undefined,
    ...(viewed ? { viewedByMeTime: driveTime(viewed) } : {}),
    createdTime: driveTime(file.createdTime),
    modifiedTime: driveTime(file.modifiedTime),
    ...(modifiedByMe ? { modifiedByMeTime: driveTime(modifiedByMe) } : {}),
    modifiedByMe: modifiedByMe !== undefined,
    ...(sharedWithMe ? { sharedWithMeTime: driveTime(sharedWithMe.createdTime) } : {}),
    ...(sharedWithMe && file.ownerEmail ? { sharingUser: userJson(state, file.ownerEmail, viewer.email) } : {}),
    ...(file.ownerEmail ? { owners: [userJson(state, file.ownerEmail, viewer.email)] } : {}),
    ...(file.driveId ? { driveId: file.driveId, teamDriveId: file.driveId } : {}),
    lastModifyingUser: userJson(state, file.lastModifyingUser, viewer.email),
    shared: file.permissions.length > 0,
    ownedByMe: file.ownerEmail === viewer.email,
    capabilities: capabilities(file, viewer.role),
    viewersCanCopyContent: !file.copyRequiresWriterPermission,
    copyRequiresWriterPermission: file.copyRequiresWriterPermission,
    writersCanShare: file.writersCanShare,
    ...(permissions ? { permissions, permissionIds: permissions.map((p) => p['id'] as string) } : {}),
    ...(file.originalFilename ? { originalFilename: file.originalFilename } : {}),
    ...(blob ? extensions(file.name) : {}),
    ...(blob
      ? {
          md5Checksum: createHash('md5').update(blob).digest('hex'),
          sha1Checksum: createHash('sha1').update(blob).digest('hex'),
          sha256Checksum: createHash('sha256').update(blob).digest('hex'),
          size: String(blob.length),
        }
      : {}),
    quotaBytesUsed: String(blob?.length ?? 0),
    // Drive gives a head revision id only for files with binary content.
    ...(blob && head ? { headRevisionId: head.id } : {}),
    isAppAuthorized: false,
    ...(native ? { exportLinks: exportLinks(baseUrl, file) } : {}),
    ...(file.content.kind === 'shortcut'
      ? {
          shortcutDetails: {
            targetId: file.content.targetId,
            targetMimeType: state.files.get(file.content.targetId)?.mimeType ?? '',
          },
        }
      : {}),
    ...(file.mimeType === MIME.folder ? { folderColorRgb: file.folderColorRgb ?? '#8f8f8f' } : {}),
    inheritedPermissionsDisabled: false,
  };
  return out;
}

/** Drive's default selection for a file when a request names no `fields`. */
export const DEFAULT_FILE_FIELDS = 'kind,id,name,mimeType,driveId,teamDriveId';

/**
 * Every permission that applies to a file: its owner's, its own, and those inherited from the
 * folders above it (for shared-drive items: the drive's members, with `permissionDetails`).
 */
export function permissionsOf(state: GdriveState, file: FileRecord): Record<string, unknown>[] {
  const out = new Map<string, Record<string, unknown>>();
  const add = (permission: Record<string, unknown>) => {
    const seen = out.get(permission['id'] as string);
    if (!seen || ROLE_RANK[permission['role'] as Role] > ROLE_RANK[seen['role'] as Role])
      out.set(permission['id'] as string, permission);
  };
  if (file.ownerEmail) add(userPermissionJson(state, file.ownerEmail, 'owner'));
  if (file.driveId) {
    const drive = state.drives.get(file.driveId);
    for (const [email, role] of drive?.members ?? []) {
      const p = userPermissionJson(state, email, role);
      p['permissionDetails'] = [{ permissionType: 'member', role, inheritedFrom: file.driveId, inherited: true }];
      add(p);
    }
  }
  for (const item of [file, ...state.ancestors(file)])
    for (const record of item.permissions) {
      const p = permissionJson(state, record);
      if (file.driveId)
        p['permissionDetails'] = [
          {
            permissionType: 'file',
            role: record.role,
            inherited: item !== file,
            ...(item !== file ? { inheritedFrom: item.id } : {}),
          },
        ];
      add(p);
    }
  return [...out.values()];
}

function userPermissionJson(state: GdriveState, email: string, role: Role): Record<string, unknown> {
  const user: DriveUser | undefined = state.users.get(email);
  return {
    kind: 'drive#permission',
    id: state.permissionIdFor('user', email),
    type: 'user',
    emailAddress: email,
    role,
    displayName: user?.displayName ?? email,
    photoLink: user?.photoLink ?? 'https://lh3.googleusercontent.com/a/default-user=s64',
    deleted: false,
    pendingOwner: false,
  };
}

export function permissionJson(state: GdriveState, record: PermissionRecord): Record<string, unknown> {
  if (record.type === 'user' && record.emailAddress) {
    const p = userPermissionJson(state, record.emailAddress, record.role);
    if (record.expirationTime) p['expirationTime'] = driveTime(record.expirationTime);
    return p;
  }
  return {
    kind: 'drive#permission',
    id: record.id,
    type: record.type,
    role: record.role,
    ...(record.emailAddress ? { emailAddress: record.emailAddress, displayName: record.emailAddress } : {}),
    ...(record.domain ? { domain: record.domain, displayName: record.domain } : {}),
    ...(record.allowFileDiscovery !== undefined ? { allowFileDiscovery: record.allowFileDiscovery } : {}),
    ...(record.expirationTime ? { expirationTime: driveTime(record.expirationTime) } : {}),
    deleted: false,
    pendingOwner: false,
  };
}

export const DEFAULT_PERMISSION_FIELDS = 'kind,id,type,emailAddress,domain,role,allowFileDiscovery';

export function revisionJson(
  state: GdriveState,
  baseUrl: string,
  file: FileRecord,
  revision: RevisionRecord,
  viewer: string,
): Record<string, unknown> {
  const blob = revision.content.kind === 'blob' ? revision.content.data : undefined;
  const native = isGoogleNative(file.mimeType);
  return {
    kind: 'drive#revision',
    id: revision.id,
    mimeType: revision.mimeType,
    modifiedTime: driveTime(revision.modifiedTime),
    keepForever: revision.keepForever,
    published: false,
    lastModifyingUser: userJson(state, revision.lastModifyingUser, viewer),
    ...(blob
      ? {
          md5Checksum: createHash('md5').update(blob).digest('hex'),
          size: String(blob.length),
          ...(revision.originalFilename ? { originalFilename: revision.originalFilename } : {}),
        }
      : {}),
    ...(native ? { exportLinks: exportLinks(baseUrl, file, revision.id) } : {}),
  };
}

export const DEFAULT_REVISION_FIELDS = 'kind,id,mimeType,modifiedTime';

export function driveJson(drive: SharedDriveRecord, role: Role): Record<string, unknown> {
  const rank = ROLE_RANK[role];
  const organizer = role === 'organizer';
  return {
    kind: 'drive#drive',
    id: drive.id,
    name: drive.name,
    colorRgb: drive.colorRgb,
    backgroundImageLink: `https://ssl.gstatic.com/team_drive_themes/${drive.themeId}_background.jpg`,
    themeId: drive.themeId,
    createdTime: driveTime(drive.createdTime),
    hidden: drive.hidden,
    capabilities: {
      canAddChildren: rank >= ROLE_RANK.writer,
      canChangeDriveBackground: organizer,
      canComment: rank >= ROLE_RANK.commenter,
      canCopy: true,
      canDeleteChildren: organizer,
      canDeleteDrive: organizer,
      canDownload: true,
      canEdit: rank >= ROLE_RANK.writer,
      canListChildren: true,
      canManageMembers: organizer,
      canReadRevisions: rank >= ROLE_RANK.writer,
      canRename: organizer,
      canRenameDrive: organizer,
      canShare: rank >= ROLE_RANK.writer,
      canTrashChildren: rank >= ROLE_RANK.fileOrganizer,
    },
    restrictions: {
      adminManagedRestrictions: false,
      copyRequiresWriterPermission: false,
      domainUsersOnly: false,
      driveMembersOnly: false,
      sharingFoldersRequiresOrganizerPermission: false,
    },
  };
}

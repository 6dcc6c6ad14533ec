/**
 * Drive files as the model reads them: one compact line, or one small object, per file. File
 * names and descriptions are written by whoever owns the file, so they pass through
 * `untrustedLine` (invisible and control characters removed, one line).
 */
import type { drive_v3 } from '@googleapis/drive';
import { untrustedLine } from '@patchbay/kit';
import * as z from 'zod';

export const MIME = {
  folder: 'application/vnd.google-apps.folder',
  document: 'application/vnd.google-apps.document',
  spreadsheet: 'application/vnd.google-apps.spreadsheet',
  presentation: 'application/vnd.google-apps.presentation',
  form: 'application/vnd.google-apps.form',
  drawing: 'application/vnd.google-apps.drawing',
  shortcut: 'application/vnd.google-apps.shortcut',
} as const;

/** Fields of a file in lists: enough to tell files apart and pick one, nothing per sub-resource. */
export const LIST_FIELDS =
  'id,name,mimeType,modifiedTime,size,driveId,parents,trashed,owners(displayName,emailAddress),lastModifyingUser(displayName,emailAddress),shortcutDetails(targetId,targetMimeType)';

/** Fields of one file in full (gdrive_get_file). */
export const FILE_FIELDS = `${LIST_FIELDS},version,createdTime,description,webViewLink,md5Checksum,headRevisionId,starred,shared,originalFilename,viewedByMeTime,sharingUser(displayName,emailAddress),capabilities(canEdit,canShare,canTrash,canDelete,canRename,canCopy,canDownload,canReadRevisions,canModifyContent,canAddChildren)`;

/** A file's kind in a word or two. */
export function kindOf(mimeType: string | null | undefined): string {
  switch (mimeType) {
    case MIME.folder:
      return 'folder';
    case MIME.document:
      return 'Doc';
    case MIME.spreadsheet:
      return 'Sheet';
    case MIME.presentation:
      return 'Slides';
    case MIME.form:
      return 'Form';
    case MIME.drawing:
      return 'Drawing';
    case MIME.shortcut:
      return 'shortcut';
    case 'application/pdf':
      return 'PDF';
    default:
      if (!mimeType) return 'file';
      if (mimeType.startsWith('application/vnd.google-apps.')) return mimeType.slice('application/vnd.google-apps.'.length);
      return mimeType;
  }
}

export const fileSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  modified: z.string().optional(),
  size: z.number().optional(),
  owner: z.string().optional(),
  modified_by: z.string().optional(),
  shared_drive: z.string().optional(),
  parent_id: z.string().optional(),
  trashed: z.boolean().optional(),
  shortcut_to: z.string().optional(),
});
export type FileSummary = z.infer<typeof fileSummarySchema>;

/** A person as a name or an email, whichever Drive gave. */
export function personOf(
  user: { displayName?: string | null; emailAddress?: string | null } | undefined | null,
): string | undefined {
  if (!user) return undefined;
  return untrustedLine(user.displayName ?? user.emailAddress ?? '') || undefined;
}

export function summarize(file: drive_v3.Schema$File, drives?: ReadonlyMap<string, string>): FileSummary {
  const size = file.size ? Number(file.size) : undefined;
  const owner = personOf(file.owners?.[0]);
  const modifiedBy = personOf(file.lastModifyingUser);
  return {
    id: file.id ?? '',
    name: untrustedLine(file.name ?? ''),
    type: kindOf(file.mimeType),
    ...(file.modifiedTime ? { modified: file.modifiedTime } : {}),
    ...(size !== undefined && Number.isFinite(size) ? { size } : {}),
    ...(owner ? { owner } : {}),
    ...(modifiedBy ? { modified_by: modifiedBy } : {}),
    ...(file.driveId ? { shared_drive: drives?.get(file.driveId) ?? file.driveId } : {}),
    ...(file.parents?.[0] ? { parent_id: file.parents[0] } : {}),
    ...(file.trashed ? { trashed: true } : {}),
    ...(file.shortcutDetails?.targetId ? { shortcut_to: file.shortcutDetails.targetId } : {}),
  };
}

/** `Apollo plan · Doc · 12 KB · modified 2024-01-09 by Alex Rivera · in Engineering · id 1AbC…` */
export function fileLine(f: FileSummary): string {
  const parts = [f.name || '(untitled)', f.type];
  if (f.size !== undefined && f.type !== 'folder') parts.push(formatSize(f.size));
  if (f.modified) parts.push(`modified ${day(f.modified)}${f.modified_by ? ` by ${f.modified_by}` : ''}`);
  if (f.owner && f.owner !== f.modified_by) parts.push(`owner ${f.owner}`);
  if (f.shared_drive) parts.push(`in ${f.shared_drive}`);
  if (f.trashed) parts.push('in the trash');
  if (f.shortcut_to) parts.push(`shortcut to ${f.shortcut_to}`);
  parts.push(`id ${f.id}`);
  return parts.join(' · ');
}

/** `2024-01-09 10:00` from an RFC 3339 time (UTC, minutes). */
export function day(time: string): string {
  return time.replace('T', ' ').replace(/:\d{2}(\.\d+)?Z$/, '');
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** Types whose bytes are text a model can read directly. */
export function isTextType(mimeType: string): boolean {
  const type = mimeType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type.endsWith('+json') ||
    type.endsWith('+xml') ||
    [
      'application/json',
      'application/xml',
      'application/javascript',
      'application/x-javascript',
      'application/ecmascript',
      'application/x-yaml',
      'application/yaml',
      'application/toml',
      'application/x-sh',
      'application/sql',
      'application/x-sql',
      'application/csv',
      'application/x-ndjson',
      'application/x-httpd-php',
      'application/rtf',
    ].includes(type)
  );
}

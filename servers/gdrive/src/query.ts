/**
 * Drive's `q` search language, written by the connector only: every value a caller gives is a
 * quoted string literal (backslash and single quote escaped, the only escapes Drive reads) or is
 * checked and re-written (an id, a date), so no argument can add a term, close a quote or turn
 * `and` into `or`. A caller never writes query syntax.
 */
import { ToolError } from '@patchbay/kit';
import { MIME } from './files.js';

/** A Drive string literal: `'O\'Brien'`. */
export function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** What `type` may be, as Drive mime types (or a prefix). */
export const TYPES = {
  doc: { mime: MIME.document },
  sheet: { mime: MIME.spreadsheet },
  slides: { mime: MIME.presentation },
  folder: { mime: MIME.folder },
  form: { mime: MIME.form },
  drawing: { mime: MIME.drawing },
  shortcut: { mime: MIME.shortcut },
  pdf: { mime: 'application/pdf' },
  image: { prefix: 'image/' },
  video: { prefix: 'video/' },
  audio: { prefix: 'audio/' },
  text: { prefix: 'text/' },
} as const satisfies Record<string, { mime: string } | { prefix: string }>;

export type FileType = keyof typeof TYPES;
export const TYPE_NAMES = Object.keys(TYPES) as [FileType, ...FileType[]];

export interface SearchFilters {
  name?: string | undefined;
  fullText?: string | undefined;
  type?: FileType | undefined;
  folder?: string | undefined;
  owner?: string | undefined;
  modifiedAfter?: string | undefined;
  modifiedBefore?: string | undefined;
  sharedWithMe?: boolean | undefined;
  starred?: boolean | undefined;
  trashed?: boolean | undefined;
}

/** A Drive id: letters, digits, `-` and `_` (or `root`). Anything else cannot be one. */
export function checkId(value: string, argument: string): string {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(value)) {
    throw new ToolError(`"${value.slice(0, 80)}" is not a Drive id (letters, digits, - and _ only).`, {
      argument,
      hint: 'Use the id from a gdrive_search or gdrive_list_folder result, or the part of a Drive link after /d/ or ?id=.',
    });
  }
  return value;
}

/** An id, or a Drive link the id can be read from (`…/d/<id>/edit`, `…?id=<id>`, `…/folders/<id>`). */
export function idFrom(value: string, argument: string): string {
  const trimmed = value.trim();
  const fromLink =
    /\/(?:d|folders|file\/d)\/([A-Za-z0-9_-]{10,})/.exec(trimmed)?.[1] ?? /[?&]id=([A-Za-z0-9_-]{10,})/.exec(trimmed)?.[1];
  return checkId(fromLink ?? trimmed, argument);
}

/** An RFC 3339 time for Drive, from a date or time the caller gave. */
export function driveTime(value: string, argument: string): string {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) {
    throw new ToolError(`"${value.slice(0, 80)}" is not a date.`, {
      argument,
      hint: 'Use a date like 2024-03-01 or a time like 2024-03-01T09:00:00Z.',
    });
  }
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** The `q` for these filters; untrashed items unless `trashed` says otherwise. */
export function buildQuery(f: SearchFilters): string {
  const terms: string[] = [];
  if (f.name) terms.push(`name contains ${literal(f.name)}`);
  if (f.fullText) terms.push(`fullText contains ${literal(f.fullText)}`);
  if (f.type) {
    const t = TYPES[f.type];
    terms.push('mime' in t ? `mimeType = ${literal(t.mime)}` : `mimeType contains ${literal(t.prefix)}`);
  }
  if (f.folder) terms.push(`${literal(checkId(f.folder, 'folder_id'))} in parents`);
  if (f.owner) terms.push(`${literal(f.owner)} in owners`);
  if (f.modifiedAfter) terms.push(`modifiedTime > ${literal(driveTime(f.modifiedAfter, 'modified_after'))}`);
  if (f.modifiedBefore) terms.push(`modifiedTime < ${literal(driveTime(f.modifiedBefore, 'modified_before'))}`);
  if (f.sharedWithMe) terms.push('sharedWithMe');
  if (f.starred) terms.push('starred = true');
  terms.push(`trashed = ${f.trashed ? 'true' : 'false'}`);
  return terms.join(' and ');
}

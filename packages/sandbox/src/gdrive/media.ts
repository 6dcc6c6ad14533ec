/**
 * Content out of Drive: `alt=media` downloads of binary files (and of a revision), with single
 * `Range` requests answered 206 + `Content-Range` (416 when out of bounds), and `files.export`
 * of Google-native files with Drive's refusals: 403 `fileNotDownloadable` for `alt=media` on a
 * Doc, 403 `fileNotExportable` for exporting a binary file, 400 `badRequest` for a conversion
 * Google does not offer, 403 `exportSizeLimitExceeded` past the export limit.
 */
import type { SandboxRequest, SandboxResponse } from '../core/http.js';
import { exportNative, isGoogleNative } from './documents.js';
import { driveError, driveErrorResponse } from './errors.js';
import type { Content, FileRecord, GdriveState } from './state.js';

function notDownloadable(): never {
  throw driveError(
    403,
    'fileNotDownloadable',
    'Only files with binary content can be downloaded. Use Export with Docs Editors files.',
    {
      location: 'alt',
    },
  );
}

/** Parses `bytes=a-b`, `bytes=a-` and `bytes=-n` against a size; null when absent or not a single range. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** The bytes of binary content, whole or the requested range. */
export function download(req: SandboxRequest, content: Content, mimeType: string): SandboxResponse {
  if (content.kind !== 'blob') notDownloadable();
  const data = content.data;
  const range = parseRange(req.header('range'), data.length);
  if (range === 'unsatisfiable') {
    const response = driveErrorResponse(416, 'requestedRangeNotSatisfiable', 'Request range not satisfiable');
    return { ...response, headers: { ...response.headers, 'content-range': `bytes */${data.length}` } };
  }
  if (range)
    return {
      status: 206,
      headers: { 'content-type': mimeType, 'content-range': `bytes ${range.start}-${range.end}/${data.length}` },
      body: data.subarray(range.start, range.end + 1),
    };
  return { status: 200, headers: { 'content-type': mimeType }, body: data };
}

/** files.export (and a revision's export link): a native file converted to `target`. */
export function exportFile(state: GdriveState, file: FileRecord, content: Content, target: string): SandboxResponse {
  if (!isGoogleNative(file.mimeType) || content.kind !== 'native')
    throw driveError(403, 'fileNotExportable', 'Export only supports Docs Editors files.');
  const result = exportNative(content.model, file.mimeType, target);
  if (!result.ok) {
    const message =
      result.why === 'unsupported'
        ? 'The requested conversion is not supported.'
        : `The requested conversion is not supported. (Google Drive exports this file as ${target}; the sandbox's emulator does not render that format.)`;
    throw driveError(400, 'badRequest', message, { location: 'convertTo' });
  }
  if (result.body.length > state.exportLimitBytes)
    throw driveError(403, 'exportSizeLimitExceeded', 'This file is too large to be exported.');
  return { status: 200, headers: { 'content-type': result.contentType }, body: result.body };
}

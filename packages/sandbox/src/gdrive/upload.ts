/**
 * Content into Drive, the three ways Google offers under `/upload/drive/v3/files[/{fileId}]`:
 *  - `uploadType=media`: the body is the content;
 *  - `uploadType=multipart`: `multipart/related` with the metadata (JSON) then the content;
 *  - `uploadType=resumable`: the first request carries the metadata and answers 200 with the
 *    session URI in `Location`; then `PUT`s to it send the content in chunks with
 *    `Content-Range: bytes a-b/total` (each but the last a multiple of 256 KiB), each answered
 *    308 "Resume Incomplete" with the `Range` received so far, and the last with the file.
 *    `Content-Range: bytes * /total` asks how far an interrupted upload got. As with Google, the
 *    session URI is the credential: the PUTs need no Authorization header.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../core/http.js';
import { type Caller, respond } from './api.js';
import { badRequest, driveError, invalidValue } from './errors.js';
import { createFile, type FileMetadata, type Media, readMetadata, updateFile } from './files.js';
import { DEFAULT_FILE_FIELDS, fileJson } from './serialize.js';
import type { FileRecord, GdriveState } from './state.js';

/** Google's chunk granularity for resumable uploads. */
export const CHUNK_MULTIPLE = 256 * 1024;

interface UploadSession {
  id: string;
  target: { kind: 'create' } | { kind: 'update'; fileId: string };
  metadata: FileMetadata;
  contentType: string;
  total: number | undefined;
  chunks: Buffer[];
  received: number;
  caller: Caller;
  /** The initiating request's query (fields, supportsAllDrives, …) applies to the final answer. */
  query: URLSearchParams;
}

function sessions(state: GdriveState): Map<string, UploadSession> {
  return state.uploads as Map<string, UploadSession>;
}

/** Splits a `multipart/related` body into its parts (headers and bytes). */
export function parseMultipart(body: Buffer, contentType: string): { headers: Record<string, string>; data: Buffer }[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw badRequest('Multipart upload needs a Content-Type of multipart/related with a boundary.');
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const source = Buffer.concat([Buffer.from('\r\n'), body]);
  const parts: { headers: Record<string, string>; data: Buffer }[] = [];
  let at = source.indexOf(delimiter);
  if (at < 0) throw badRequest('Multipart body has no boundary.');
  while (at >= 0) {
    const after = at + delimiter.length;
    if (source.subarray(after, after + 2).toString() === '--') break;
    const headerStart = source.indexOf('\r\n', after);
    const headerEnd = source.indexOf('\r\n\r\n', headerStart);
    const next = source.indexOf(delimiter, after);
    if (headerStart < 0 || next < 0) throw badRequest('Multipart body is not terminated by its boundary.');
    const headers: Record<string, string> = {};
    const headerText = headerEnd >= 0 && headerEnd < next ? source.subarray(headerStart + 2, headerEnd).toString('utf8') : '';
    for (const line of headerText.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const dataStart = headerEnd >= 0 && headerEnd < next ? headerEnd + 4 : headerStart + 2;
    parts.push({ headers, data: source.subarray(dataStart, next) });
    at = next;
  }
  return parts;
}

function metadataOf(data: Buffer, mode: 'create' | 'update'): FileMetadata {
  if (data.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    throw driveError(400, 'parseError', 'Invalid JSON payload received. Unexpected token.');
  }
  return readMetadata(parsed, mode);
}

function answer(state: GdriveState, req: SandboxRequest, baseUrl: string, caller: Caller, file: FileRecord): SandboxResponse {
  const role = state.access(file, caller.email)?.role ?? 'reader';
  return respond(req, 200, fileJson(state, baseUrl, file, { email: caller.email, role }), 'File', DEFAULT_FILE_FIELDS);
}

/** POST /upload/drive/v3/files and PATCH /upload/drive/v3/files/{fileId}: the first (or only) upload request. */
export function startUpload(
  state: GdriveState,
  req: SandboxRequest,
  baseUrl: string,
  caller: Caller,
  fileId?: string,
): SandboxResponse {
  const mode = fileId === undefined ? 'create' : 'update';
  const run = (metadata: FileMetadata, media: Media) =>
    mode === 'create'
      ? createFile(state, req, caller, metadata, media)
      : updateFile(state, req, caller, fileId!, metadata, media);
  const uploadType = req.query.get('uploadType');
  const contentType = req.header('content-type') ?? '';
  switch (uploadType) {
    case 'media':
      return answer(
        state,
        req,
        baseUrl,
        caller,
        run({}, { data: req.body, contentType: contentType || 'application/octet-stream' }),
      );
    case 'multipart': {
      if (!/^multipart\/related/i.test(contentType))
        throw badRequest('Multipart upload needs a Content-Type of multipart/related with a boundary.');
      const parts = parseMultipart(req.body, contentType);
      if (parts.length !== 2) throw badRequest(`Multipart upload must have two parts, metadata and media (got ${parts.length}).`);
      const [meta, media] = parts as [(typeof parts)[0], (typeof parts)[0]];
      const metadata = metadataOf(meta.data, mode);
      return answer(
        state,
        req,
        baseUrl,
        caller,
        run(metadata, { data: media.data, contentType: media.headers['content-type'] ?? 'application/octet-stream' }),
      );
    }
    case 'resumable': {
      const metadata = metadataOf(req.body, mode);
      const declaredLength = req.header('x-upload-content-length');
      if (declaredLength !== undefined && !/^\d+$/.test(declaredLength)) throw invalidValue('X-Upload-Content-Length');
      const id = `AHVrFx${randomBytes(24).toString('base64url')}`;
      sessions(state).set(id, {
        id,
        target: fileId === undefined ? { kind: 'create' } : { kind: 'update', fileId },
        metadata,
        contentType: req.header('x-upload-content-type') ?? metadata.mimeType ?? 'application/octet-stream',
        total: declaredLength === undefined ? undefined : Number(declaredLength),
        chunks: [],
        received: 0,
        caller,
        query: new URLSearchParams(req.query),
      });
      const query = new URLSearchParams(req.query);
      query.set('upload_id', id);
      const location = `${baseUrl}/upload/drive/v3/files${fileId === undefined ? '' : `/${encodeURIComponent(fileId)}`}?${query}`;
      return {
        status: 200,
        headers: { location, 'x-guploader-uploadid': id, 'content-type': 'text/plain; charset=utf-8' },
        body: '',
      };
    }
    default:
      throw invalidValue('uploadType', `Invalid upload type: ${uploadType ?? '(none)'}. Use media, multipart or resumable.`);
  }
}

/** The session a PUT names, if it exists (PUTs authenticate by it). */
export function sessionFor(state: GdriveState, req: SandboxRequest): UploadSession | undefined {
  const id = req.query.get('upload_id');
  return id ? sessions(state).get(id) : undefined;
}

/** PUT to a session URI: one chunk, a status query, or the whole content. */
export function continueUpload(state: GdriveState, req: SandboxRequest, baseUrl: string): SandboxResponse {
  const session = sessionFor(state, req);
  if (!session)
    throw driveError(404, 'notFound', 'Not Found: the upload session does not exist or has expired.', { location: 'upload_id' });
  const rangeHeader = req.header('content-range');
  let start = session.received;
  let total = session.total;
  const incomplete = (): SandboxResponse => ({
    status: 308,
    headers: {
      'x-guploader-uploadid': session.id,
      ...(session.received > 0 ? { range: `bytes=0-${session.received - 1}` } : {}),
      'content-type': 'text/plain; charset=utf-8',
    },
    body: '',
  });
  if (rangeHeader) {
    const status = /^bytes \*\/(\d+|\*)$/.exec(rangeHeader);
    const chunk = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(rangeHeader);
    if (status) {
      if (status[1] !== '*') total = Number(status[1]);
      if (req.body.length > 0) throw badRequest('A status query (Content-Range: bytes */total) must have an empty body.');
      if (total !== undefined && session.received === total && session.total === undefined) session.total = total;
      if (session.total !== undefined && session.received === session.total) return finish(state, req, baseUrl, session);
      return incomplete();
    }
    if (!chunk) throw badRequest(`Invalid Content-Range header: ${rangeHeader}`);
    start = Number(chunk[1]);
    const end = Number(chunk[2]);
    if (chunk[3] !== '*') total = Number(chunk[3]);
    if (end - start + 1 !== req.body.length)
      throw badRequest(`Content-Range ${rangeHeader} does not match the ${req.body.length} bytes sent.`);
  } else total = session.received + req.body.length;

  if (session.total !== undefined && total !== undefined && total !== session.total)
    throw badRequest(`The total size ${total} does not match the ${session.total} bytes declared when the upload started.`);
  if (start > session.received)
    throw badRequest(
      `Invalid request. According to the Content-Range header, the upload offset is ${start} byte(s), which exceeds already uploaded size of ${session.received} byte(s).`,
    );
  const fresh = req.body.subarray(session.received - start);
  const isLast = total !== undefined && start + req.body.length >= total;
  if (!isLast && req.body.length % CHUNK_MULTIPLE !== 0)
    throw badRequest(
      `Invalid request. The number of bytes uploaded is required to be equal or greater than ${CHUNK_MULTIPLE}, except for the final request (it's recommended to be the exact multiple of ${CHUNK_MULTIPLE}). The received request contained ${req.body.length} bytes, which does not meet this requirement.`,
    );
  session.chunks.push(Buffer.from(fresh));
  session.received += fresh.length;
  if (total !== undefined) session.total = total;
  if (session.total !== undefined && session.received > session.total)
    throw badRequest('More bytes were sent than the upload declared.');
  if (session.total !== undefined && session.received === session.total) return finish(state, req, baseUrl, session);
  return incomplete();
}

function finish(state: GdriveState, req: SandboxRequest, baseUrl: string, session: UploadSession): SandboxResponse {
  sessions(state).delete(session.id);
  // The final answer is shaped by the parameters of the request that opened the session.
  const origin = { ...req, query: session.query } as SandboxRequest;
  const media: Media = { data: Buffer.concat(session.chunks), contentType: session.contentType };
  const file =
    session.target.kind === 'create'
      ? createFile(state, origin, session.caller, session.metadata, media)
      : updateFile(state, origin, session.caller, session.target.fileId, session.metadata, media);
  return answer(state, origin, baseUrl, session.caller, file);
}

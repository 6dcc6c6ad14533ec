/**
 * Content into Drive with a resumable upload, always: a session is started with the metadata (it
 * creates nothing yet, so starting it again is harmless), then the bytes are PUT in chunks with
 * `Content-Range`. A chunk that fails is not guessed at: Drive is asked how far it got
 * (`Content-Range: bytes * /total`) and the upload resumes from there. So an upload that meets a
 * 5xx or a dropped connection finishes once, never twice — which a multipart POST cannot promise.
 *
 * googleapis does not do resumable uploads (and sends its own uploads to www.googleapis.com
 * whatever `rootUrl` says), so this speaks the protocol itself, through the same fetch (retries,
 * rate-limit gate) and the same OAuth client as every other call.
 */
import type { drive_v3 } from '@googleapis/drive';
import { ToolError } from '@patchbay/kit';
import type { Session } from './session.js';

/** Drive wants chunks in multiples of 256 KiB (all but the last). */
export const CHUNK_BYTES = 32 * 256 * 1024;
/** How often one upload asks where it stands and resumes before giving up. */
const MAX_RESUMES = 4;

export interface UploadRequest {
  /** Update an existing file's content (PATCH); absent: create a file (POST). */
  fileId?: string;
  metadata: drive_v3.Schema$File;
  content: Buffer;
  contentType: string;
  /** Fields of the file Drive answers with. */
  fields: string;
}

export async function resumableUpload(s: Session, request: UploadRequest): Promise<drive_v3.Schema$File> {
  const url = new URL(`upload/drive/v3/files${request.fileId ? `/${encodeURIComponent(request.fileId)}` : ''}`, s.g.rootUrl);
  url.searchParams.set('uploadType', 'resumable');
  url.searchParams.set('supportsAllDrives', 'true');
  url.searchParams.set('fields', request.fields);
  const started = await s.g.auth.client.request({
    url: url.href,
    method: request.fileId ? 'PATCH' : 'POST',
    data: request.metadata,
    headers: {
      'Content-Type': 'application/json; charset=UTF-8',
      'X-Upload-Content-Type': request.contentType,
      'X-Upload-Content-Length': String(request.content.length),
    },
    signal: s.opts.signal,
    retry: false,
  });
  const location = headerOf(started.headers, 'location');
  if (!location) throw new Error('Drive started no upload session (no Location header in its answer)');
  const session = new URL(location, s.g.rootUrl);
  // The session URI is the upload's credential; it must be where the upload was started.
  if (session.origin !== url.origin)
    throw new Error(`Drive's upload session is at another origin (${session.origin}): not followed`);

  const total = request.content.length;
  let offset = 0;
  let resumes = 0;
  for (;;) {
    const end = Math.min(offset + CHUNK_BYTES, total);
    let response: Response;
    try {
      response = await s.g.fetch(session.href, {
        method: 'PUT',
        headers: { 'Content-Range': total === 0 ? 'bytes */0' : `bytes ${offset}-${end - 1}/${total}` },
        body: request.content.subarray(offset, end),
        signal: s.opts.signal,
      });
    } catch (error) {
      if (s.opts.signal.aborted || ++resumes > MAX_RESUMES) throw error;
      const stands = await whereItStands(s, session, total);
      if (typeof stands !== 'number') return stands;
      offset = stands;
      continue;
    }
    if (response.status === 200 || response.status === 201) return (await response.json()) as drive_v3.Schema$File;
    if (response.status === 308) {
      offset = receivedUpTo(response);
      await response.body?.cancel();
      continue;
    }
    if (response.status >= 500 && ++resumes <= MAX_RESUMES) {
      await response.body?.cancel();
      const stands = await whereItStands(s, session, total);
      if (typeof stands !== 'number') return stands;
      offset = stands;
      continue;
    }
    if (response.status === 404 || response.status === 410) {
      throw new ToolError(
        'Drive dropped the upload session before it finished (it expires after a week, or was cancelled); nothing was changed.',
        {
          hint: 'Call again to upload from the start.',
        },
      );
    }
    throw await uploadError(response);
  }
}

/**
 * Ask Drive how many bytes of the session it has (`bytes * /total`): where to go on from, or the
 * file when everything had arrived (the answer to the last chunk was what got lost).
 */
async function whereItStands(s: Session, session: URL, total: number): Promise<number | drive_v3.Schema$File> {
  const response = await s.g.fetch(session.href, {
    method: 'PUT',
    headers: { 'Content-Range': `bytes */${total}` },
    signal: s.opts.signal,
  });
  if (response.status === 308) {
    await response.body?.cancel();
    return receivedUpTo(response);
  }
  if (response.status === 200 || response.status === 201) return (await response.json()) as drive_v3.Schema$File;
  throw await uploadError(response);
}

/** `Range: bytes=0-524287` → 524288; no Range: nothing received yet. */
function receivedUpTo(response: Response): number {
  const match = /bytes=0-(\d+)/.exec(response.headers.get('range') ?? '');
  return match ? Number(match[1]) + 1 : 0;
}

/** An upload's failure as the error a gaxios call would give, so the error table reads it alike. */
async function uploadError(response: Response): Promise<Error> {
  const text = await response.text().catch(() => '');
  let data: unknown = text;
  try {
    data = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  const error = new Error(`upload failed with ${response.status}`) as Error & { status: number; response: unknown };
  error.status = response.status;
  error.response = { status: response.status, headers: response.headers, data };
  return error;
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  if (headers && typeof headers === 'object') {
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/**
 * Reading a file's content, whatever it is: a Doc as Markdown, a spreadsheet as CSV per sheet, a
 * presentation as text, a stored text file a Range at a time. Anything Drive cannot turn into text
 * (a PDF, an image, an Office file) answers with its details and says so: Drive exports only its
 * own types, and nothing here downloads megabytes to guess.
 */
import type { drive_v3 } from '@googleapis/drive';
import { sanitizeUntrusted, type ToolContext, ToolError, untrustedLine } from '@patchbay/kit';
import type { GdriveServices } from './client.js';
import { GOOGLE } from './endpoints.js';
import { isTextType, kindOf, MIME } from './files.js';
import type { Session } from './session.js';
import { readSpreadsheet } from './sheets.js';
import { fencedPage, type PageOut, pastTheEnd, rangedPage, windowOf } from './text.js';

type Ctx = ToolContext<GdriveServices>;

export type Format = 'markdown' | 'csv' | 'text' | 'none';

/** Prose keeps HTML comments out (a reader of the document never sees them); code shows everything. */
const PROSE = new Set(['text/plain', 'text/markdown', 'text/x-markdown', 'text/csv', 'text/tab-separated-values', 'text/rtf']);

export interface ReadTarget {
  file: drive_v3.Schema$File;
  /** A past revision to read instead of the current content. */
  revision?: drive_v3.Schema$Revision;
}

/** What a reader gives the tool besides the paged text. */
export interface ReadResult extends PageOut {
  format: Format;
}

/**
 * The content of a file (or of one of its revisions) as one page of text, with the account, the
 * file and the format in `fields`.
 */
export async function readContent(
  ctx: Ctx,
  s: Session,
  args: Record<string, unknown>,
  target: ReadTarget,
  choice: { sheet?: string | undefined; range?: string | undefined },
  fields: Record<string, unknown>,
  head: string,
): Promise<ReadResult> {
  const { file, revision } = target;
  const fileId = file.id ?? '';
  const mimeType = file.mimeType ?? '';
  const name = untrustedLine(file.name ?? fileId);
  const label = revision ? `${name}, revision ${revision.id}` : name;

  if (mimeType === MIME.folder) {
    throw new ToolError(`${fileId} is a folder.`, { argument: 'file_id', hint: 'List it with gdrive_list_folder.' });
  }
  if ((choice.sheet !== undefined || choice.range !== undefined) && mimeType !== MIME.spreadsheet) {
    throw new ToolError(`applies to spreadsheets only; ${name} is a ${kindOf(mimeType)}.`, {
      argument: choice.sheet !== undefined ? 'sheet' : 'range',
    });
  }

  if (mimeType === MIME.document || mimeType === MIME.presentation) {
    const exportAs = mimeType === MIME.document ? 'text/markdown' : 'text/plain';
    const text = revision ? await exportRevision(s, revision, exportAs) : await exportFile(s, fileId, exportAs);
    const format: Format = mimeType === MIME.document ? 'markdown' : 'text';
    const note =
      mimeType === MIME.presentation
        ? '\n(Slides as Drive exports them: the text of every slide in order, speaker notes left out; slide boundaries are not marked.)'
        : '';
    return {
      format,
      ...fencedPage(ctx, {
        text,
        head: `${head}${note}`,
        label: `${label} (${format === 'markdown' ? 'Markdown' : 'text'})`,
        fields: { ...fields, format },
        ...(format === 'markdown' ? { language: 'markdown' } : {}),
      }),
    };
  }

  if (mimeType === MIME.spreadsheet) {
    if (revision) {
      // The Sheets API reads only the current values; a past revision exports as CSV (first sheet).
      const text = await exportRevision(s, revision, 'text/csv');
      return {
        format: 'csv',
        ...fencedPage(ctx, {
          text,
          head: `${head}\n(A past revision: Drive exports only its first sheet as CSV.)`,
          label: `${label} (CSV, first sheet)`,
          fields: { ...fields, format: 'csv' },
          language: 'csv',
        }),
      };
    }
    const book = await readSpreadsheet(s.g.sheets, fileId, choice, s.opts);
    const listing = book.sheets
      .map((sh) => `${untrustedLine(sh.title)}${sh.shown ? '' : ' (not shown)'} — ${sh.rows} rows × ${sh.columns} columns`)
      .join('; ');
    return {
      format: 'csv',
      ...fencedPage(ctx, {
        text: book.text,
        head: `${head}\nSheets: ${listing}${book.range ? `\nRange: ${untrustedLine(book.range)}` : ''}`,
        label: `${label} (CSV${book.range ? `, ${book.range}` : book.sheets.length > 1 ? ', one section per sheet' : ''})`,
        fields: { ...fields, format: 'csv', sheets: book.sheets, ...(book.range ? { range: book.range } : {}) },
        language: 'csv',
      }),
    };
  }

  if (mimeType.startsWith('application/vnd.google-apps.')) {
    return metadataOnly(
      fields,
      head,
      `Drive offers no text export for a ${kindOf(mimeType)}: only its details are shown. Open it at its link (gdrive_get_file).`,
    );
  }

  if (isTextType(mimeType)) {
    const page = await rangedPage(ctx, args, {
      read: (start, length) => readRange(s, fileId, revision?.id ?? undefined, start, length),
      head,
      label,
      fields: { ...fields, format: 'text' },
      code: !PROSE.has(mimeType.split(';')[0]!.trim().toLowerCase()),
    });
    return { format: 'text', ...page };
  }

  const why =
    mimeType === 'application/pdf'
      ? 'Drive exports text only from Google Docs, Sheets and Slides, not from a PDF. To read it, open it in Drive with "Open with → Google Docs" (which makes a Doc copy), then read that Doc.'
      : mimeType.includes('officedocument') ||
          mimeType.includes('msword') ||
          mimeType.includes('ms-excel') ||
          mimeType.includes('ms-powerpoint')
        ? 'An Office file is not text. To read it, open it in Drive with "Open with → Google Docs/Sheets/Slides" (which makes a Google copy), then read that copy.'
        : `A ${mimeType || 'binary'} file is not text: only its details are shown.`;
  return metadataOnly(fields, head, why);
}

function metadataOnly(fields: Record<string, unknown>, head: string, why: string): ReadResult {
  return { format: 'none', structured: { ...fields, format: 'none', note: why }, text: `${head}\n${why}` };
}

async function exportFile(s: Session, fileId: string, mimeType: string): Promise<string> {
  const { data } = await s.g.drive.files.export({ fileId, mimeType }, { ...s.opts, responseType: 'text' });
  return stripBom(String(data ?? ''));
}

/**
 * A past revision of a Google file, exported through its `exportLinks`. The link comes from Drive,
 * and the bearer token goes with the request: it is followed only to Google's Docs host or to the
 * configured API origin, never anywhere else.
 */
async function exportRevision(s: Session, revision: drive_v3.Schema$Revision, mimeType: string): Promise<string> {
  const links = revision.exportLinks ?? {};
  const link = links[mimeType] ?? (mimeType === 'text/markdown' ? links['text/plain'] : undefined);
  if (!link) {
    throw new ToolError(`Drive offers no ${mimeType} export of revision ${revision.id}.`, { argument: 'revision_id' });
  }
  const url = new URL(link);
  if (url.origin !== new URL(s.g.rootUrl).origin && url.origin !== GOOGLE.docsOrigin) {
    throw new Error(`Drive gave an export link to ${url.origin}, which is neither Google Docs nor the API: not followed`);
  }
  const res = await s.g.auth.client.request<string>({
    url: url.href,
    method: 'GET',
    responseType: 'text',
    signal: s.opts.signal,
    retry: false,
  });
  return stripBom(String(res.data ?? ''));
}

/** A window of a stored file's bytes (or a past revision's), with Range. */
async function readRange(s: Session, fileId: string, revisionId: string | undefined, start: number, length: number) {
  const headers = { Range: `bytes=${start}-${start + length - 1}` };
  // Drive answers 416 when the range starts at or past the end; that is a cursor gone stale.
  const validateStatus = (status: number) => (status >= 200 && status < 300) || status === 416;
  const res = revisionId
    ? await s.g.drive.revisions.get(
        { fileId, revisionId, alt: 'media' },
        { ...s.opts, responseType: 'arraybuffer', headers, validateStatus },
      )
    : await s.g.drive.files.get(
        { fileId, alt: 'media', supportsAllDrives: true },
        { ...s.opts, responseType: 'arraybuffer', headers, validateStatus },
      );
  if (res.status === 416) {
    if (start === 0) return { data: Buffer.alloc(0), start: 0, total: 0 };
    throw pastTheEnd();
  }
  return windowOf(res.status, res.headers as unknown as Headers, Buffer.from(res.data as unknown as ArrayBuffer), start);
}

function stripBom(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
}

/**
 * A file's text in one piece, for a resource read or a prompt: at most `maxBytes` of it (the rest
 * cut at a line with a note), sanitised, not fenced. Undefined when Drive has no text for the type.
 */
export async function wholeText(
  s: Session,
  file: drive_v3.Schema$File,
  maxBytes: number,
): Promise<{ text: string; mimeType: string; cut: boolean } | undefined> {
  const fileId = file.id ?? '';
  const mimeType = file.mimeType ?? '';
  let text: string;
  let type: string;
  if (mimeType === MIME.document) {
    text = await exportFile(s, fileId, 'text/markdown');
    type = 'text/markdown';
  } else if (mimeType === MIME.presentation) {
    text = await exportFile(s, fileId, 'text/plain');
    type = 'text/plain';
  } else if (mimeType === MIME.spreadsheet) {
    text = (await readSpreadsheet(s.g.sheets, fileId, {}, s.opts)).text;
    type = 'text/csv';
  } else if (isTextType(mimeType) && !mimeType.startsWith('application/vnd.google-apps.')) {
    const window = await readRange(s, fileId, undefined, 0, maxBytes + 1);
    text = window.data.toString('utf8');
    type = mimeType;
  } else {
    return undefined;
  }
  const clean = sanitizeUntrusted(text, { code: !PROSE.has(type) && !type.startsWith('text/markdown') }).text;
  if (Buffer.byteLength(clean) <= maxBytes) return { text: clean, mimeType: type, cut: false };
  const head = Buffer.from(clean, 'utf8')
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  const line = head.lastIndexOf('\n');
  return { text: line > maxBytes / 2 ? head.slice(0, line) : head, mimeType: type, cut: true };
}

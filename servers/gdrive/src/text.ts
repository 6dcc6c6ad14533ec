/**
 * A document's text, a budget-sized piece at a time, fenced as untrusted. Two ways in:
 *
 * - `fencedPage`: text Drive hands over whole (a Doc exported as Markdown, a sheet as CSV) goes
 *   through the kit's `pageText` (cut at a line break, cursor at the exact character), and the
 *   piece is put inside a fence made for the whole text.
 * - `rangedPage`: a stored file's bytes are read with an HTTP `Range` a window at a time, so a
 *   100 MB log costs one budget-sized request per page, never a download of the whole file. The
 *   cursor holds the byte where the next window starts.
 */
import {
  argumentsKey,
  byteLength,
  continuationLine,
  describeChanges,
  fenceFor,
  jsonSize,
  type More,
  makeCursor,
  type SanitizeOptions,
  sanitizeUntrusted,
  type ToolContext,
  ToolError,
  untrustedLabel,
} from '@patchbay/kit';
import type { GdriveServices } from './client.js';

type Ctx = ToolContext<GdriveServices>;

export interface PageOut {
  structured: Record<string, unknown>;
  text: string;
}

/** One long text (already in memory), from the cursor's character on, fenced. */
export function fencedPage(
  ctx: Ctx,
  input: {
    text: string;
    head: string;
    label: string;
    fields: Record<string, unknown>;
    hint?: string;
    code?: boolean;
    language?: string;
  },
): PageOut {
  const options: SanitizeOptions = { code: input.code ?? false };
  const clean = sanitizeUntrusted(input.text, options);
  const fence = fenceFor(clean.text);
  const opening = `${input.head}\n${untrustedLabel(input.label, describeChanges(clean, options))}\n${fence}${input.language ?? ''}`;
  const reply = ctx.pageText({
    text: clean.text,
    head: opening,
    fields: input.fields,
    ...(input.hint ? { hint: input.hint } : {}),
  });
  const structured = reply.structured as { text: string; more?: More };
  const body = structured.text.replace(/\n$/, '');
  const more = structured.more;
  const text = `${opening}\n${body}${body ? '\n' : ''}${fence}${more ? continuationLine(more, ['line', 'lines'], { cause: 'output budget' }) : ''}`;
  return { structured: reply.structured, text };
}

/** A window of a file's bytes, as the Range request answered it. */
export interface ByteWindow {
  data: Buffer;
  /** Offset of `data[0]` in the file. */
  start: number;
  /** The file's size, when the answer said it. */
  total: number | undefined;
}

/** Room the reply needs besides the text itself (label, fences, fields, continuation line). */
const RESERVE = 1024;

/**
 * A piece of a stored text file, read with a Range from the cursor's byte on: cut at the last line
 * break in the window (a character boundary for a line longer than the budget), sanitised and
 * fenced; the cursor says where the next piece starts.
 */
export async function rangedPage(
  ctx: Ctx,
  args: Record<string, unknown>,
  input: {
    read: (start: number, length: number) => Promise<ByteWindow>;
    head: string;
    label: string;
    fields: Record<string, unknown>;
    code: boolean;
  },
): Promise<PageOut> {
  const start = ctx.position.offset;
  const room = Math.max(1024, ctx.budget.bytes - RESERVE - jsonSize(input.fields) - byteLength(input.head));
  const window = await input.read(start, room);
  const total = window.total;
  const atEnd = total !== undefined ? window.start + window.data.length >= total : window.data.length < room;
  let bytes = atEnd ? window.data : cutAtLine(window.data);
  // JSON escapes quotes, backslashes and control characters: shrink until the structured copy fits.
  let text = bytes.toString('utf8');
  while (bytes.length > 0 && jsonSize(text) > room) {
    bytes = cutAtLine(bytes.subarray(0, Math.floor(bytes.length * 0.75)));
    text = bytes.toString('utf8');
  }
  const end = window.start + bytes.length;
  const options: SanitizeOptions = { code: input.code };
  const clean = sanitizeUntrusted(text, options);
  const fence = fenceFor(clean.text);
  const opening = `${input.head}\n${untrustedLabel(input.label, describeChanges(clean, options))}\n${fence}`;
  let more: More;
  if (total === undefined ? !atEnd : end < total) {
    const cursor = makeCursor(argumentsKey(ctx.tool, args), { offset: end, state: undefined });
    more = {
      omitted: total === undefined ? 0 : total - end,
      cursor,
      hint: `Call ${ctx.tool} again with the same arguments and this cursor for the rest.`,
    };
  }
  const body = clean.text.replace(/\n$/, '');
  return {
    structured: {
      ...input.fields,
      text: clean.text,
      start_byte: window.start,
      end_byte: end,
      ...(total !== undefined ? { size: total } : {}),
      ...(more ? { more } : {}),
    },
    text: `${opening}\n${body}${body ? '\n' : ''}${fence}${more ? continuationLine(more, ['byte', 'bytes'], { cause: 'output budget' }) : ''}`,
  };
}

/** The bytes up to and including the last line break, or to the last whole UTF-8 character. */
function cutAtLine(data: Buffer): Buffer {
  const newline = data.lastIndexOf(0x0a);
  if (newline >= data.length / 2) return data.subarray(0, newline + 1);
  let end = data.length;
  // Step back over continuation bytes (10xxxxxx) and the lead byte of a character cut short.
  let back = 0;
  while (back < 4 && end - back - 1 >= 0 && (data[end - back - 1]! & 0xc0) === 0x80) back++;
  const lead = data[end - back - 1];
  if (lead !== undefined && lead >= 0xc0) {
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (back + 1 < need) end -= back + 1;
  }
  return data.subarray(0, end);
}

/** Read `Content-Range: bytes a-b/total` (or a whole 200 answer) into a window. */
export function windowOf(status: number, headers: Headers | Record<string, unknown>, data: Buffer, start: number): ByteWindow {
  const get = (name: string) =>
    headers instanceof Headers ? (headers.get(name) ?? undefined) : (headers[name] as string | undefined);
  if (status === 206) {
    const match = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(get('content-range') ?? '');
    return {
      data,
      start: match ? Number(match[1]) : start,
      total: match && match[3] !== '*' ? Number(match[3]) : undefined,
    };
  }
  // The server sent the whole file: keep the window asked for.
  return { data: data.subarray(start), start, total: data.length };
}

/** The error for a cursor past the end of a file that has shrunk since. */
export function pastTheEnd(): ToolError {
  return new ToolError('is past the end of the file: it has changed since that page was read.', {
    argument: 'cursor',
    hint: 'Call again without cursor to read it from the start.',
  });
}

import { type ReadContext, type ResourceContents, untrustedLine } from '@patchbay/kit';
import type { GdriveServices } from './client.js';
import { wholeText } from './content.js';
import { kindOf, LIST_FIELDS, MIME } from './files.js';
import { template } from './kit.js';
import { checkId, literal } from './query.js';
import { open } from './session.js';

/** Binary files up to this size are returned as bytes; larger ones as their details. */
const MAX_BLOB = 1024 * 1024;

/**
 * Every file as `gdrive:///{fileId}` — the reference server's URI, so clients that saved those
 * keep working: a Doc as Markdown, a spreadsheet as CSV with every sheet (the reference gives the
 * first only), Slides and text files as text, small binary files as bytes. Completion finds ids by
 * name; the listing is the 50 files changed most recently.
 */
export const fileResource = template({
  name: 'gdrive_file',
  title: 'Drive file',
  description:
    'A Drive file by id: Docs as Markdown, spreadsheets as CSV (every sheet), Slides and text as text, small binary files as bytes.',
  uriTemplate: 'gdrive:///{fileId}',
  async list(services) {
    const s = await open({ services, signal: AbortSignal.timeout(15_000) });
    const { data } = await s.g.drive.files.list(
      {
        q: 'trashed = false',
        pageSize: 50,
        orderBy: 'modifiedTime desc',
        fields: `files(${LIST_FIELDS})`,
        corpora: 'allDrives',
        includeItemsFromAllDrives: true,
        supportsAllDrives: true,
      },
      s.opts,
    );
    return (data.files ?? [])
      .filter((f) => f.mimeType !== MIME.folder)
      .map((f) => ({
        uri: `gdrive:///${f.id}`,
        name: untrustedLine(f.name ?? f.id ?? ''),
        title: `${untrustedLine(f.name ?? '')} (${kindOf(f.mimeType)})`,
        ...(f.mimeType ? { mimeType: f.mimeType } : {}),
      }));
  },
  complete: {
    fileId: async (value, _context, services) => {
      const s = await open({ services, signal: AbortSignal.timeout(10_000) });
      const trimmed = value.trim();
      const { data } = await s.g.drive.files.list(
        {
          q: `${trimmed ? `name contains ${literal(trimmed)} and ` : ''}trashed = false and mimeType != ${literal(MIME.folder)}`,
          pageSize: 20,
          fields: 'files(id)',
          corpora: 'allDrives',
          includeItemsFromAllDrives: true,
          supportsAllDrives: true,
          ...(trimmed ? {} : { orderBy: 'modifiedTime desc' }),
        },
        s.opts,
      );
      return (data.files ?? []).map((f) => f.id ?? '').filter(Boolean);
    },
  },
  async read(uri, variables, ctx: ReadContext<GdriveServices>): Promise<ResourceContents[]> {
    const s = await open(ctx);
    const fileId = checkId(decodeURIComponent(variables.fileId ?? ''), 'fileId');
    const { data: file } = await s.g.drive.files.get(
      { fileId, fields: 'id,name,mimeType,size,modifiedTime', supportsAllDrives: true },
      s.opts,
    );
    if (file.mimeType === MIME.folder) {
      return [{ uri: uri.href, mimeType: 'text/plain', text: `${untrustedLine(file.name ?? '')} is a folder (id ${fileId}).` }];
    }
    const whole = await wholeText(s, file, ctx.budget.bytes - 256);
    if (whole) {
      return [
        {
          uri: uri.href,
          mimeType: whole.mimeType,
          text: whole.cut ? `${whole.text}\n… cut to fit the output budget; gdrive_read_file pages the rest.` : whole.text,
        },
      ];
    }
    const size = Number(file.size ?? Number.NaN);
    if (!file.mimeType?.startsWith('application/vnd.google-apps.') && Number.isFinite(size) && size <= MAX_BLOB) {
      const res = await s.g.drive.files.get(
        { fileId, alt: 'media', supportsAllDrives: true },
        { ...s.opts, responseType: 'arraybuffer' },
      );
      return [
        {
          uri: uri.href,
          mimeType: file.mimeType ?? 'application/octet-stream',
          blob: Buffer.from(res.data as unknown as ArrayBuffer).toString('base64'),
        },
      ];
    }
    return [
      {
        uri: uri.href,
        mimeType: 'text/plain',
        text: `${untrustedLine(file.name ?? '')} is a ${kindOf(file.mimeType)}${Number.isFinite(size) ? ` of ${size} bytes` : ''}: no text to show. gdrive_get_file has its details.`,
      },
    ];
  },
});

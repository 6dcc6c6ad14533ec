/**
 * Content in and out: downloads with Range, exports of each native type, the three upload types
 * (resumable driven by hand, as Google's Node client has no resumable upload), the Sheets API
 * reads that give every sheet, and how a connector detects a concurrent edit.
 */
import { describe, expect, it } from 'vitest';
import { ALEX, failure, jsonOf, reasonOf, SAM, useDrive } from './harness.js';

const h = useDrive();

async function exported(fileId: string, mimeType: string): Promise<string> {
  const { data } = await h.drive.files.export({ fileId, mimeType }, { responseType: 'text' });
  return data as unknown as string;
}

describe('downloads', () => {
  it('serves alt=media whole, and a Range as 206 with Content-Range; 416 past the end', async () => {
    const fileId = h.id('server.log');
    const whole = await h.drive.files.get({ fileId, alt: 'media' }, { responseType: 'text' });
    const text = whole.data as unknown as string;
    expect(text.split('\n')).toHaveLength(2000);
    const part = await h.drive.files.get({ fileId, alt: 'media' }, { responseType: 'text', headers: { Range: 'bytes=0-29' } });
    expect(part.status).toBe(206);
    expect((part.headers as unknown as Headers).get('content-range')).toBe(`bytes 0-29/${Buffer.byteLength(text)}`);
    expect(part.data).toBe(text.slice(0, 30));
    const tail = await h.drive.files.get({ fileId, alt: 'media' }, { responseType: 'text', headers: { Range: 'bytes=-10' } });
    expect(tail.data).toBe(text.slice(-10));
    const beyond = await failure(
      h.drive.files.get({ fileId, alt: 'media' }, { responseType: 'text', headers: { Range: 'bytes=999999-' }, retry: false }),
    );
    expect(beyond.status).toBe(416);
    const png = await h.drive.files.get({ fileId: h.id('logo.png'), alt: 'media' }, { responseType: 'arraybuffer' });
    expect(
      Buffer.from(png.data as unknown as ArrayBuffer)
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('refuses alt=media on a Google Doc with 403 fileNotDownloadable', async () => {
    const error = await failure(
      h.drive.files.get({ fileId: h.id('Apollo project plan'), alt: 'media' }, { responseType: 'text' }),
    );
    expect(error.status).toBe(403);
    expect(JSON.parse(error.data).error.errors[0]).toMatchObject({ reason: 'fileNotDownloadable', location: 'alt' });
  });
});

describe('exports', () => {
  it('exports a Doc as Markdown with headings, lists, a table and links', async () => {
    const md = await exported(h.id('Apollo project plan'), 'text/markdown');
    expect(md).toContain('# Apollo project plan\n');
    expect(md).toContain('## Goals\n\n* Search that finds files by *content*, not only by name\n');
    expect(md).toContain('   * the Engineering drive first');
    expect(md).toContain('1. Prototype by March\n2. Beta with two teams');
    expect(md).toContain('| Area | Owner | Due |\n| :---- | :---- | :---- |\n| Search | Alex Rivera | 2024-03-01 |');
    expect(md).toContain('[design notes](https://example.com/apollo/design)');
    expect(md).toContain('**Apollo**');
  });

  it('exports a Doc as plain text with a byte-order mark and CRLF, and as HTML with Google’s link redirector', async () => {
    const fileId = h.id('Apollo project plan');
    const { data } = await h.drive.files.export({ fileId, mimeType: 'text/plain' }, { responseType: 'arraybuffer' });
    const bytes = Buffer.from(data as unknown as ArrayBuffer);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('Apollo project plan\r\nThe plan for Apollo');
    const html = await exported(fileId, 'text/html');
    expect(html).toMatch(/<h1 id="h\.\w+"><span><span>Apollo project plan<\/span><\/span><\/h1>/);
    expect(html).toContain('href="https://www.google.com/url?q=https%3A%2F%2Fexample.com%2Fapollo%2Fdesign&amp;sa=D');
    const pdf = await h.drive.files.export({ fileId, mimeType: 'application/pdf' }, { responseType: 'arraybuffer' });
    expect(
      Buffer.from(pdf.data as unknown as ArrayBuffer)
        .subarray(0, 8)
        .toString(),
    ).toBe('%PDF-1.4');
  });

  it('exports a spreadsheet as CSV of its first sheet only (rectangular, quoted) and as TSV', async () => {
    const fileId = h.id('Apollo budget');
    expect(await exported(fileId, 'text/csv')).toBe(
      'Quarter,Revenue,Costs,Margin\r\nQ1,120000,80000,40000\r\nQ2,135000,90500,44500',
    );
    expect((await exported(h.id('Release tracker'), 'text/csv')).split('\r\n')).toEqual([
      'Item,Owner',
      'Shared drives,Alex',
      'Retries,Sam',
    ]);
    expect(await exported(fileId, 'text/tab-separated-values')).toContain('Q1\t120000\t80000\t40000');
  });

  it('exports a deck as plain text, slide by slide', async () => {
    expect(await exported(h.id('Apollo kickoff'), 'text/plain')).toBe(
      'Apollo\nKickoff, January 2024\n\nWhy\nDocuments are spread over five tools\n\nNext steps\nPrototype by March',
    );
  });

  it('answers Google’s errors: 400 convertTo for an unsupported type, 403 for a binary file, 403 past the export limit', async () => {
    const unsupported = await failure(
      h.drive.files.export({ fileId: h.id('Apollo project plan'), mimeType: 'text/csv' }, { responseType: 'text' }),
    );
    expect(unsupported.status).toBe(400);
    expect(JSON.parse(unsupported.data).error.errors[0]).toMatchObject({
      reason: 'badRequest',
      message: 'The requested conversion is not supported.',
      location: 'convertTo',
    });
    const docx = await failure(
      h.drive.files.export(
        {
          fileId: h.id('Apollo project plan'),
          mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        },
        { responseType: 'text' },
      ),
    );
    expect(JSON.parse(docx.data).error.message).toMatch(/sandbox's emulator does not render/);
    const binary = await failure(
      h.drive.files.export({ fileId: h.id('notes.txt'), mimeType: 'text/plain' }, { responseType: 'text' }),
    );
    expect(JSON.parse(binary.data).error.errors[0]).toMatchObject({
      reason: 'fileNotExportable',
      message: 'Export only supports Docs Editors files.',
    });
    h.sandbox.state.exportLimitBytes = 100;
    const big = await failure(
      h.drive.files.export({ fileId: h.id('Apollo project plan'), mimeType: 'text/markdown' }, { responseType: 'text' }),
    );
    expect(big.status).toBe(403);
    expect(JSON.parse(big.data).error.errors[0].reason).toBe('exportSizeLimitExceeded');
  });
});

describe('every sheet through the Sheets API', () => {
  it('lists the sheets with spreadsheets.get and reads each with values.get and values:batchGet', async () => {
    const spreadsheetId = h.id('Apollo budget');
    const meta = await h.sheets.spreadsheets.get({ spreadsheetId, fields: 'sheets.properties(sheetId,title,index)' });
    const titles = meta.data.sheets?.map((s) => s.properties?.title);
    expect(titles).toEqual(['Summary', 'Q1 sales', 'Q2 sales']);
    expect(meta.data.sheets?.[0]?.properties).toEqual({ sheetId: 0, title: 'Summary', index: 0 });
    const q1 = await h.sheets.spreadsheets.values.get({ spreadsheetId, range: "'Q1 sales'" });
    expect(q1.data).toEqual({
      range: "'Q1 sales'!A1:Z1000",
      majorDimension: 'ROWS',
      values: [
        ['Region', 'Customer', 'Amount', 'Note'],
        ['North', 'Acme, Inc.', '42000', 'renewal'],
        ['South', 'Globex', '38000', 'said "yes" on a call'],
        ['West', 'Initech', '40000'],
      ],
    });
    const batch = await h.sheets.spreadsheets.values.batchGet({ spreadsheetId, ranges: titles!.map((t) => `'${t}'`) });
    expect(batch.data.valueRanges?.map((r) => r.values?.length)).toEqual([3, 4, 3]);
    const formulas = await h.sheets.spreadsheets.values.get({
      spreadsheetId,
      range: 'Summary!D2:D3',
      valueRenderOption: 'FORMULA',
    });
    expect(formulas.data.values).toEqual([['=B2-C2'], ['=B3-C3']]);
    const raw = await h.sheets.spreadsheets.values.get({
      spreadsheetId,
      range: 'Summary!B2:B3',
      valueRenderOption: 'UNFORMATTED_VALUE',
      majorDimension: 'COLUMNS',
    });
    expect(raw.data).toEqual({ range: 'Summary!B2:B3', majorDimension: 'COLUMNS', values: [[120000, 135000]] });
  });

  it('answers the Sheets API’s errors: a bad range, a file that is not a spreadsheet, no such file', async () => {
    const spreadsheetId = h.id('Apollo budget');
    const bad = await failure(h.sheets.spreadsheets.values.get({ spreadsheetId, range: 'Nope!A1' }));
    expect(bad.data).toEqual({ error: { code: 400, message: 'Unable to parse range: Nope!A1', status: 'INVALID_ARGUMENT' } });
    const notSheet = await failure(h.sheets.spreadsheets.get({ spreadsheetId: h.id('Apollo project plan') }));
    expect(notSheet.data.error.status).toBe('FAILED_PRECONDITION');
    expect((await failure(h.sheets.spreadsheets.get({ spreadsheetId: 'missing' }))).status).toBe(404);
  });
});

describe('uploads', () => {
  it('creates with uploadType=media and multipart, and converts Markdown to a Doc that exports back', async () => {
    const media = await h.drive.files.create(
      { media: { mimeType: 'application/octet-stream', body: Buffer.from([0, 1, 2, 3]) }, fields: 'id,name,size,mimeType' },
      h.upload,
    );
    expect(media.data).toMatchObject({ name: 'Untitled', size: '4', mimeType: 'application/octet-stream' });
    const doc = await h.drive.files.create(
      {
        requestBody: { name: 'From markdown', mimeType: 'application/vnd.google-apps.document' },
        media: { mimeType: 'text/markdown', body: '# Title\n\n* one\n* two\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n' },
        fields: 'id,mimeType,headRevisionId,size',
      },
      h.upload,
    );
    expect(doc.data).toEqual({ id: expect.any(String), mimeType: 'application/vnd.google-apps.document' });
    expect(await exported(doc.data.id!, 'text/markdown')).toBe(
      '# Title\n\n* one\n* two\n\n| a | b |\n| :---- | :---- |\n| 1 | 2 |\n',
    );
    const csv = await h.drive.files.create(
      {
        requestBody: { name: 'From CSV', mimeType: 'application/vnd.google-apps.spreadsheet' },
        media: { mimeType: 'text/csv', body: 'a,b\n"x, y",2\n' },
      },
      h.upload,
    );
    expect(await exported(csv.data.id!, 'text/csv')).toBe('a,b\r\n"x, y",2');
  });

  it('uploads resumably: Location session URI, 256 KiB chunks answered 308 with Range, a status query, then the file', async () => {
    const content = Buffer.alloc(600 * 1024, 'abcdefghij');
    const start = await fetch(`${h.sandbox.url}/upload/drive/v3/files?uploadType=resumable&fields=id,name,size,md5Checksum`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${h.sandbox.token}`,
        'content-type': 'application/json; charset=UTF-8',
        'x-upload-content-type': 'text/plain',
        'x-upload-content-length': String(content.length),
      },
      body: JSON.stringify({ name: 'big.txt' }),
    });
    expect(start.status).toBe(200);
    const session = start.headers.get('location')!;
    expect(session).toMatch(/\/upload\/drive\/v3\/files\?.*upload_id=/);
    const put = (from: number, to: number) =>
      fetch(session, {
        method: 'PUT',
        headers: { 'content-range': `bytes ${from}-${to - 1}/${content.length}` },
        body: content.subarray(from, to),
      });
    const first = await put(0, 256 * 1024);
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${256 * 1024 - 1}`);
    const odd = await put(256 * 1024, 256 * 1024 + 1000);
    expect(odd.status).toBe(400);
    const status = await fetch(session, { method: 'PUT', headers: { 'content-range': `bytes */${content.length}` } });
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBe(`bytes=0-${256 * 1024 - 1}`);
    expect((await put(256 * 1024, 512 * 1024)).status).toBe(308);
    const done = await put(512 * 1024, content.length);
    expect(done.status).toBe(200);
    const file = await jsonOf(done);
    expect(file).toEqual({
      id: expect.any(String),
      name: 'big.txt',
      size: String(content.length),
      md5Checksum: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const back = await h.drive.files.get({ fileId: file.id, alt: 'media' }, { responseType: 'arraybuffer' });
    expect(Buffer.from(back.data as unknown as ArrayBuffer).equals(content)).toBe(true);
    expect((await fetch(session, { method: 'PUT', body: 'x' })).status).toBe(404);
    // The discovery document's own path for resumable sessions starts one too.
    const other = await fetch(`${h.sandbox.url}/resumable/upload/drive/v3/files?uploadType=resumable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.sandbox.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'small.txt', mimeType: 'text/plain' }),
    });
    const small = await fetch(other.headers.get('location')!, { method: 'PUT', body: 'tiny' });
    expect(await jsonOf(small)).toMatchObject({ name: 'small.txt', mimeType: 'text/plain' });
  });

  it('refuses a service account’s upload to its own My Drive: it has no storage quota', async () => {
    const drive = h.driveWith(h.jwt());
    const error = await failure(
      drive.files.create({ requestBody: { name: 'robot.txt' }, media: { mimeType: 'text/plain', body: 'hi' } }, h.upload),
    );
    expect(error.status).toBe(403);
    expect(reasonOf(error.data).reason).toBe('storageQuotaExceeded');
  });
});

describe('changes and concurrent edits', () => {
  it('moves version, modifiedTime and headRevisionId on every change, so a connector can see a concurrent edit', async () => {
    const fileId = h.id('notes.txt');
    const fields = 'version,modifiedTime,headRevisionId,md5Checksum,lastModifyingUser/emailAddress';
    const before = (await h.drive.files.get({ fileId, fields })).data;
    // Sam edits the file in the browser meanwhile.
    h.sandbox.state.editAs(SAM, fileId, { content: 'Sam was here\n' });
    const now = (await h.drive.files.get({ fileId, fields })).data;
    expect(Number(now.version)).toBeGreaterThan(Number(before.version));
    expect(now.headRevisionId).not.toBe(before.headRevisionId);
    expect(now.md5Checksum).not.toBe(before.md5Checksum);
    expect(Date.parse(now.modifiedTime!)).toBeGreaterThan(Date.parse(before.modifiedTime!));
    expect(now.lastModifyingUser?.emailAddress).toBe(SAM);
    // Drive v3 has no If-Match on files.update: an update after that succeeds and overwrites,
    // which is why the connector must compare the version it read first.
    const after = await h.drive.files.update(
      { fileId, media: { mimeType: 'text/plain', body: 'Alex overwrote it\n' }, fields: 'version' },
      { ...h.upload, headers: { 'If-Match': `"${before.version}"` } },
    );
    expect(Number(after.data.version)).toBe(Number(now.version) + 1);
    expect(
      (await h.drive.files.get({ fileId, fields: 'lastModifyingUser/emailAddress' })).data.lastModifyingUser?.emailAddress,
    ).toBe(ALEX);
  });

  it('bumps the version for sharing and trashing but keeps modifiedTime, and a Doc has no headRevisionId', async () => {
    const fileId = h.id('Apollo project plan');
    const before = (await h.drive.files.get({ fileId, fields: 'version,modifiedTime,headRevisionId' })).data;
    expect(before.headRevisionId).toBeUndefined();
    await h.drive.permissions.create({ fileId, requestBody: { type: 'user', role: 'commenter', emailAddress: SAM } });
    await h.drive.files.update({ fileId, requestBody: { trashed: true } });
    const after = (await h.drive.files.get({ fileId, fields: 'version,modifiedTime,trashed,explicitlyTrashed' })).data;
    expect(Number(after.version)).toBe(Number(before.version) + 2);
    expect(after).toMatchObject({ modifiedTime: before.modifiedTime, trashed: true, explicitlyTrashed: true });
  });

  it('trashes a folder with its contents and restores them together', async () => {
    const apollo = h.id('Apollo');
    await h.drive.files.update({ fileId: apollo, requestBody: { trashed: true } });
    const child = (await h.drive.files.get({ fileId: h.id('notes.txt'), fields: 'trashed,explicitlyTrashed' })).data;
    expect(child).toEqual({ trashed: true, explicitlyTrashed: false });
    await h.drive.files.update({ fileId: apollo, requestBody: { trashed: false } });
    expect((await h.drive.files.get({ fileId: h.id('notes.txt'), fields: 'trashed' })).data.trashed).toBe(false);
    // Alex only reads Sam's handbook: trashing it is the owner's call.
    const notOwner = await failure(h.drive.files.update({ fileId: h.id('Team handbook'), requestBody: { trashed: true } }));
    expect(notOwner.status).toBe(403);
    expect(reasonOf(notOwner.data).reason).toBe('insufficientFilePermissions');
  });
});

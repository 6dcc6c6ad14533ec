/**
 * files.list as a connector uses it, through @googleapis/drive: the `q` language (parsed, with
 * escaping that keeps user text literal), paging, `fields`, `orderBy`, shared drives and corpora,
 * visibility rules and scopes.
 */
import { describe, expect, it } from 'vitest';
import { parseQuery, QuerySyntaxError } from '../../src/gdrive/query.js';
import { ALEX, failure, reasonOf, SAM, useDrive } from './harness.js';

const h = useDrive();

/** Names matching a query, sorted. */
async function names(q: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const { data } = await h.drive.files.list({ q, pageSize: 1000, fields: 'files(name)', ...extra });
  return (data.files ?? []).map((f) => f.name!).sort();
}

/** Drive's rule for a string literal in q: backslash-escape backslashes and single quotes. */
function literal(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

describe('the q language', () => {
  it('name contains matches the start of a word, case-insensitively; name = is exact', async () => {
    expect(await names("name contains 'apollo'")).toEqual([
      'Apollo',
      'Apollo brief.pdf',
      'Apollo budget',
      'Apollo kickoff',
      'Apollo project plan',
    ]);
    expect(await names("name contains 'PLAN'")).toEqual(['Apollo project plan']);
    expect(await names("name contains 'lan'")).toEqual([]);
    expect(await names("name = 'Apollo'")).toEqual(['Apollo']);
    expect(await names("name != 'Apollo' and name contains 'apollo'")).toHaveLength(4);
  });

  it('fullText contains finds whole words in a Doc, a Sheet, a deck and a text file', async () => {
    expect(await names("fullText contains 'milestones'")).toEqual(['Apollo project plan']);
    expect(await names("fullText contains 'Globex'")).toEqual(['Apollo budget']);
    expect(await names("fullText contains 'kickoff january'")).toEqual(['Apollo kickoff']);
    expect(await names("fullText contains 'checklist'")).toEqual(['notes.txt']);
    expect(await names("fullText contains 'checkl'")).toEqual([]);
  });

  it('combines mimeType, parents, owners, sharedWithMe, trashed, dates with and, or, not and parentheses', async () => {
    const apollo = h.id('Apollo');
    expect(await names(`'${apollo}' in parents and mimeType = 'application/vnd.google-apps.spreadsheet'`)).toEqual([
      'Apollo budget',
    ]);
    expect(await names(`'${apollo}' in parents and (mimeType contains 'image/' or mimeType = 'application/pdf')`)).toEqual([
      'Apollo brief.pdf',
      'logo.png',
    ]);
    expect(await names(`'${apollo}' in parents and not mimeType contains 'google-apps'`)).toEqual([
      'Apollo brief.pdf',
      'logo.png',
      'notes.txt',
    ]);
    expect(await names(`'${SAM}' in owners`)).toEqual(['Team handbook']);
    expect(await names('sharedWithMe')).toEqual(['Team handbook']);
    expect(await names('sharedWithMe = true and trashed = false')).toEqual(['Team handbook']);
    expect(await names('trashed = true')).toEqual(['Old draft']);
    expect(await names("'root' in parents and trashed = false and mimeType = 'application/vnd.google-apps.folder'")).toEqual([
      'Archive',
      'Projects',
      'Shared with the robot',
    ]);
    expect(
      await names("modifiedTime > '2024-02-15T00:00:00' and 'me' in owners and mimeType != 'application/vnd.google-apps.folder'"),
    ).toContain('Roadmap 2024');
    expect(await names("modifiedTime < '2024-01-09T00:00:00Z'")).toEqual(['Apollo', 'Projects']);
  });

  it('keeps user text literal: an injection attempt inside quotes stays a name, and escapes round-trip', async () => {
    // The text x' or '1'='1, escaped: it must match nothing, not "everything".
    expect(await names(`name contains ${literal("x' or '1'='1")}`)).toEqual([]);
    expect(await names("name contains 'x\\' or \\'1\\'=\\'1'")).toEqual([]);
    expect(await names(`name = ${literal("O'Brien contract.txt")}`)).toEqual(["O'Brien contract.txt"]);
    await h.drive.files.create({ requestBody: { name: 'back\\slash' } });
    expect(await names(`name = ${literal('back\\slash')}`)).toEqual(['back\\slash']);
  });

  it('answers a malformed query with Google’s 400 invalid / Invalid Value / location q', async () => {
    for (const q of [
      "name contains 'x' or '1'='1'",
      "name contains 'unterminated",
      'name contains x',
      "title contains 'x'",
      "fullText = 'x'",
      "modifiedTime > 'last week'",
      "name contains 'a' and",
      "(name contains 'a'",
      "name contains 'a\\n'",
    ]) {
      const error = await failure(h.drive.files.list({ q }));
      expect({ q, status: error.status, body: error.data }).toEqual({
        q,
        status: 400,
        body: {
          error: {
            code: 400,
            message: 'Invalid Value',
            errors: [{ message: 'Invalid Value', domain: 'global', reason: 'invalid', location: 'q', locationType: 'parameter' }],
            status: 'INVALID_ARGUMENT',
          },
        },
      });
    }
  });

  it('parses to a tree with and binding tighter than or', () => {
    expect(parseQuery("name = 'a' or name = 'b' and trashed = false")).toMatchObject({
      kind: 'or',
      right: { kind: 'and', right: { field: 'trashed', value: false } },
    });
    expect(() => parseQuery("'x' in name")).toThrow(QuerySyntaxError);
  });
});

describe('paging, fields and order', () => {
  it('pages with pageSize and nextPageToken until every file is seen once', async () => {
    const all = await names('trashed = false');
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const { data } = await h.drive.files.list({
        q: 'trashed = false',
        pageSize: 4,
        fields: 'nextPageToken,files(name)',
        ...(pageToken ? { pageToken } : {}),
      });
      expect(data.files!.length).toBeLessThanOrEqual(4);
      seen.push(...data.files!.map((f) => f.name!));
      pageToken = data.nextPageToken ?? undefined;
      pages++;
    } while (pageToken);
    expect(seen.sort()).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 4));
    const bad = await failure(h.drive.files.list({ pageToken: 'garbage' }));
    expect(reasonOf(bad.data)).toMatchObject({ reason: 'invalid', location: 'pageToken' });
    const other = await h.drive.files.list({ q: 'trashed = false', pageSize: 2 });
    const mismatched = await failure(h.drive.files.list({ q: 'trashed = true', pageToken: other.data.nextPageToken! }));
    expect(mismatched.status).toBe(400);
    expect((await failure(h.drive.files.list({ pageSize: 1001 }))).status).toBe(400);
  });

  it('returns exactly the selected fields, Drive’s default selection without fields, everything with *', async () => {
    const { data } = await h.drive.files.list({ q: "name = 'notes.txt'", fields: 'files(id,name),nextPageToken' });
    expect(data).toEqual({ files: [{ id: h.id('notes.txt'), name: 'notes.txt' }] });
    const plain = await h.drive.files.list({ q: "name = 'notes.txt'" });
    expect(plain.data).toEqual({
      kind: 'drive#fileList',
      incompleteSearch: false,
      files: [{ kind: 'drive#file', id: h.id('notes.txt'), name: 'notes.txt', mimeType: 'text/plain' }],
    });
    const star = await h.drive.files.get({ fileId: h.id('notes.txt'), fields: '*' });
    expect(Object.keys(star.data)).toEqual(
      expect.arrayContaining(['owners', 'capabilities', 'md5Checksum', 'version', 'modifiedTime', 'parents']),
    );
    const nested = await h.drive.files.get({
      fileId: h.id('notes.txt'),
      fields: 'owners/emailAddress,capabilities(canEdit,canShare)',
    });
    expect(nested.data).toEqual({ owners: [{ emailAddress: ALEX }], capabilities: { canEdit: true, canShare: true } });
    const invalid = await failure(h.drive.files.get({ fileId: h.id('notes.txt'), fields: 'id,title' }));
    expect(reasonOf(invalid.data)).toMatchObject({
      reason: 'invalidParameter',
      location: 'fields',
      message: 'Invalid field selection title',
    });
  });

  it('sorts by orderBy keys (name, folder first, modifiedTime desc) and rejects unknown keys', async () => {
    const apollo = h.id('Apollo');
    const byName = await h.drive.files.list({ q: `'${apollo}' in parents`, orderBy: 'name', fields: 'files(name)' });
    expect(byName.data.files?.map((f) => f.name)).toEqual([
      'Apollo brief.pdf',
      'Apollo budget',
      'Apollo kickoff',
      'Apollo project plan',
      'logo.png',
      'notes.txt',
    ]);
    const folders = await h.drive.files.list({
      q: `'${h.id('Projects')}' in parents`,
      orderBy: 'folder,name desc',
      fields: 'files(name)',
    });
    expect(folders.data.files?.map((f) => f.name)).toEqual(['Apollo', 'server.log', 'Roadmap 2024']);
    const bad = await failure(h.drive.files.list({ orderBy: 'size' }));
    expect(reasonOf(bad.data)).toMatchObject({ reason: 'invalid', location: 'orderBy' });
    const fullText = await failure(h.drive.files.list({ q: "fullText contains 'apollo'", orderBy: 'name' }));
    expect(fullText.status).toBe(400);
  });
});

describe('shared drives and corpora', () => {
  it('leaves shared-drive items out unless includeItemsFromAllDrives, and needs supportsAllDrives with it', async () => {
    expect(await names("name contains 'release'")).toEqual([]);
    expect(await names("name contains 'release'", { includeItemsFromAllDrives: true, supportsAllDrives: true })).toEqual([
      'Release tracker',
    ]);
    const without = await failure(h.drive.files.list({ includeItemsFromAllDrives: true }));
    expect(without.status).toBe(403);
    expect(
      await names("name contains 'campaign'", { corpora: 'allDrives', includeItemsFromAllDrives: true, supportsAllDrives: true }),
    ).toEqual([]);
  });

  it('lists one drive with corpora=drive and driveId, with Google’s errors for the parameters it needs', async () => {
    const engineering = [...h.sandbox.state.drives.values()].find((d) => d.name === 'Engineering')!;
    const inDrive = await h.drive.files.list({
      corpora: 'drive',
      driveId: engineering.id,
      includeItemsFromAllDrives: true,
      supportsAllDrives: true,
      fields: 'files(name,driveId)',
    });
    expect(inDrive.data.files?.map((f) => [f.name, f.driveId]).sort()).toEqual([
      ['Drive connector spec', engineering.id],
      ['Release tracker', engineering.id],
      ['Specs', engineering.id],
    ]);
    const noDriveId = await failure(
      h.drive.files.list({ corpora: 'drive', includeItemsFromAllDrives: true, supportsAllDrives: true }),
    );
    expect(reasonOf(noDriveId.data)).toMatchObject({
      reason: 'teamDriveIdRequiresTeamDriveCorpora',
      message: 'The driveId parameter must be specified if and only if corpora is set to drive.',
    });
    const noInclude = await failure(h.drive.files.list({ corpora: 'drive', driveId: engineering.id }));
    expect(noInclude.status).toBe(403);
    expect((await failure(h.drive.files.list({ corpora: 'everything' }))).status).toBe(400);
  });

  it('answers 404 for a shared-drive item without supportsAllDrives, as Drive does', async () => {
    const spec = h.id('Drive connector spec');
    expect((await failure(h.drive.files.get({ fileId: spec }))).status).toBe(404);
    const { data } = await h.drive.files.get({
      fileId: spec,
      supportsAllDrives: true,
      fields: 'name,driveId,owners,capabilities/canTrash',
    });
    expect(data).toEqual({ name: 'Drive connector spec', driveId: expect.any(String), capabilities: { canTrash: true } });
    const campaign = h.id('Campaign brief');
    expect((await failure(h.drive.files.get({ fileId: campaign, supportsAllDrives: true }))).status).toBe(404);
  });
});

describe('visibility and scopes', () => {
  it('opens a link-shared file by id but never lists it', async () => {
    const link = h.id('Public announcement.txt');
    expect((await h.drive.files.get({ fileId: link, fields: 'name' })).data.name).toBe('Public announcement.txt');
    expect(await names("name contains 'public'")).toEqual([]);
  });

  it('with drive.file sees only the files its app created', async () => {
    const app = h.sandbox.state.addOAuthClient({ name: 'Other app' });
    const drive = h.as(ALEX, ['drive.file'], app.clientId);
    expect(await (async () => (await drive.files.list({ fields: 'files(name)' })).data.files)()).toEqual([]);
    await drive.files.create({ requestBody: { name: 'made by the app' } });
    expect((await drive.files.list({ fields: 'files(name)' })).data.files).toEqual([{ name: 'made by the app' }]);
    expect((await failure(drive.files.get({ fileId: h.id('notes.txt') }))).status).toBe(404);
  });

  it('refuses what the token’s scopes do not cover with 403 insufficientPermissions', async () => {
    const readonly = h.as(ALEX, ['drive.readonly']);
    expect((await readonly.files.list({ pageSize: 1 })).status).toBe(200);
    const write = await failure(readonly.files.create({ requestBody: { name: 'nope' } }));
    expect(write.status).toBe(403);
    expect(write.data.error.message).toBe('Request had insufficient authentication scopes.');
    expect(reasonOf(write.data)).toMatchObject({ reason: 'insufficientPermissions', message: 'Insufficient Permission' });
    const metadata = h.as(ALEX, ['drive.metadata.readonly']);
    expect((await metadata.files.get({ fileId: h.id('notes.txt'), fields: 'name' })).data.name).toBe('notes.txt');
    expect(
      (await failure(metadata.files.get({ fileId: h.id('notes.txt'), alt: 'media' }, { responseType: 'text' }))).status,
    ).toBe(403);
    expect(
      (await failure(metadata.files.export({ fileId: h.id('Roadmap 2024'), mimeType: 'text/plain' }, { responseType: 'text' })))
        .status,
    ).toBe(403);
  });

  it('answers an unknown query parameter and a malformed boolean as Google’s front end does', async () => {
    const unknown = await failure(h.drive.files.list({ foo: 'bar' } as never));
    expect(unknown.status).toBe(400);
    expect(unknown.data.error.message).toMatch(/Unknown name "foo": Cannot bind query parameter/);
    const bool = await failure(h.drive.files.get({ fileId: h.id('notes.txt'), supportsAllDrives: 'yes' as never }));
    expect(bool.data.error.message).toBe('Invalid value at \'supports_all_drives\' (TYPE_BOOL), "yes"');
  });
});

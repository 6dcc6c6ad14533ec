/**
 * Every Drive method the emulator serves, called through Google's own Node client, success and
 * error: the harness checks each exchange against the discovery document (parameters, request
 * and response schemas, error shape), and the last test fails when a served method went
 * unchecked.
 */
import { describe, expect, it } from 'vitest';
import { driveDiscovery } from '../../src/gdrive/discovery.js';
import { ALEX, failure, reasonOf, SAM, useDrive } from './harness.js';

const h = useDrive();

describe('Drive v3 through @googleapis/drive, checked against the discovery document', () => {
  it('about.get answers the user and quota, and requires fields', async () => {
    const { data } = await h.drive.about.get({
      fields: 'user(emailAddress,displayName),storageQuota,exportFormats,importFormats',
    });
    expect(data.user).toEqual({ emailAddress: ALEX, displayName: 'Alex Rivera' });
    expect(Number(data.storageQuota?.usage)).toBeGreaterThan(0);
    expect(data.exportFormats?.['application/vnd.google-apps.document']).toContain('text/markdown');
    const missing = await failure(h.drive.about.get({}));
    expect(missing.status).toBe(400);
    expect(reasonOf(missing.data)).toMatchObject({ reason: 'required', location: 'fields' });
  });

  it('drives.list and drives.get show the shared drives the user is a member of', async () => {
    const { data } = await h.drive.drives.list({});
    expect(data.drives?.map((d) => d.name)).toEqual(['Engineering']);
    const one = await h.drive.drives.get({ driveId: data.drives![0]!.id! });
    expect(one.data).toMatchObject({ kind: 'drive#drive', name: 'Engineering', capabilities: { canManageMembers: true } });
    const marketing = [...h.sandbox.state.drives.values()].find((d) => d.name === 'Marketing')!;
    expect((await failure(h.drive.drives.get({ driveId: marketing.id }))).status).toBe(404);
  });

  it('files.list, files.get and files.generateIds', async () => {
    const list = await h.drive.files.list({
      q: "name = 'Apollo project plan'",
      fields: 'files(id,name,owners,capabilities/canEdit)',
    });
    expect(list.data.files).toEqual([
      {
        id: h.id('Apollo project plan'),
        name: 'Apollo project plan',
        owners: [expect.objectContaining({ emailAddress: ALEX, me: true })],
        capabilities: { canEdit: true },
      },
    ]);
    const got = await h.drive.files.get({ fileId: h.id('notes.txt'), fields: '*' });
    expect(got.data).toMatchObject({ name: 'notes.txt', mimeType: 'text/plain', size: '77', version: '1' });
    expect(got.data.md5Checksum).toMatch(/^[0-9a-f]{32}$/);
    const missing = await failure(h.drive.files.get({ fileId: 'nope' }));
    expect(missing.status).toBe(404);
    expect(reasonOf(missing.data)).toEqual({
      reason: 'notFound',
      message: 'File not found: nope.',
      location: 'fileId',
      locationType: 'parameter',
      domain: 'global',
    });
    const ids = await h.drive.files.generateIds({ count: 3 });
    expect(ids.data.ids).toHaveLength(3);
  });

  it('files.create makes folders and files, with content in one multipart request', async () => {
    const folder = await h.drive.files.create({
      requestBody: { name: 'Reports', mimeType: 'application/vnd.google-apps.folder' },
      fields: 'id,parents',
    });
    const file = await h.drive.files.create(
      {
        requestBody: { name: 'hello.txt', parents: [folder.data.id!] },
        media: { mimeType: 'text/plain', body: 'hello, drive' },
        fields: 'id,name,mimeType,size,parents',
      },
      h.upload,
    );
    expect(file.data).toMatchObject({ name: 'hello.txt', mimeType: 'text/plain', size: '12', parents: [folder.data.id] });
    const notWritable = await failure(h.drive.files.create({ requestBody: { name: 'x', size: '3' } }));
    expect(notWritable.status).toBe(403);
    expect(reasonOf(notWritable.data).reason).toBe('fieldNotWritable');
  });

  it('files.update renames, moves and replaces content; files.copy copies', async () => {
    const id = h.id('notes.txt');
    const projects = h.id('Projects');
    const apollo = h.id('Apollo');
    const moved = await h.drive.files.update({
      fileId: id,
      addParents: projects,
      removeParents: apollo,
      requestBody: { name: 'moved notes.txt' },
      fields: 'name,parents,version',
    });
    expect(moved.data).toMatchObject({ name: 'moved notes.txt', parents: [projects] });
    const content = await h.drive.files.update(
      { fileId: id, media: { mimeType: 'text/plain', body: 'new text' }, fields: 'size,headRevisionId' },
      h.upload,
    );
    expect(content.data.size).toBe('8');
    const copy = await h.drive.files.copy({ fileId: id, requestBody: { name: 'copy.txt' }, fields: 'id,name,parents' });
    expect(copy.data).toMatchObject({ name: 'copy.txt', parents: [projects] });
    const twoParents = await failure(h.drive.files.update({ fileId: id, addParents: apollo }));
    expect(reasonOf(twoParents.data).reason).toBe('cannotAddParent');
    const folderCopy = await failure(h.drive.files.copy({ fileId: apollo }));
    expect(reasonOf(folderCopy.data).reason).toBe('cannotCopyFile');
  });

  it('files.delete removes for good (the owner only); files.emptyTrash empties the trash', async () => {
    await h.drive.files.delete({ fileId: h.id('logo.png') });
    expect(h.sandbox.state.findByName('logo.png')).toEqual([]);
    const notOwner = await failure(h.drive.files.delete({ fileId: h.id('Team handbook') }));
    expect(notOwner.status).toBe(403);
    expect(reasonOf(notOwner.data).reason).toBe('insufficientFilePermissions');
    await h.drive.files.emptyTrash({});
    expect(h.sandbox.state.findByName('Old draft')).toEqual([]);
  });

  it('files.export converts a Doc; a binary file is refused', async () => {
    const md = await h.drive.files.export(
      { fileId: h.id('Apollo project plan'), mimeType: 'text/markdown' },
      { responseType: 'text' },
    );
    expect(md.data).toContain('# Apollo project plan');
    const binary = await failure(
      h.drive.files.export({ fileId: h.id('notes.txt'), mimeType: 'text/plain' }, { responseType: 'text' }),
    );
    expect(binary.status).toBe(403);
  });

  it('permissions: list, get, create, update, delete', async () => {
    const fileId = h.id('Apollo project plan');
    const created = await h.drive.permissions.create({
      fileId,
      sendNotificationEmail: false,
      requestBody: { type: 'user', role: 'reader', emailAddress: SAM },
    });
    expect(created.data).toMatchObject({ kind: 'drive#permission', type: 'user', role: 'reader', emailAddress: SAM });
    const list = await h.drive.permissions.list({ fileId, fields: 'permissions(id,role,emailAddress)' });
    expect(list.data.permissions?.map((p) => [p.emailAddress, p.role])).toEqual([
      [ALEX, 'owner'],
      [SAM, 'reader'],
    ]);
    const updated = await h.drive.permissions.update({ fileId, permissionId: created.data.id!, requestBody: { role: 'writer' } });
    expect(updated.data.role).toBe('writer');
    const one = await h.drive.permissions.get({ fileId, permissionId: created.data.id!, fields: 'id,role,displayName' });
    expect(one.data).toEqual({ id: created.data.id, role: 'writer', displayName: 'Sam Chen' });
    await h.drive.permissions.delete({ fileId, permissionId: created.data.id! });
    const owner = list.data.permissions![0]!.id!;
    const removeOwner = await failure(h.drive.permissions.delete({ fileId, permissionId: owner }));
    expect(reasonOf(removeOwner.data).reason).toBe('cannotRemoveOwner');
    const badRole = await failure(
      h.drive.permissions.create({ fileId, requestBody: { type: 'user', role: 'boss', emailAddress: SAM } }),
    );
    expect(badRole.status).toBe(400);
  });

  it('revisions: list and get, with alt=media of a past revision', async () => {
    const fileId = h.id('notes.txt');
    await h.drive.files.update({ fileId, media: { mimeType: 'text/plain', body: 'second version' } }, h.upload);
    const list = await h.drive.revisions.list({
      fileId,
      fields: 'revisions(id,modifiedTime,size,lastModifyingUser/emailAddress)',
    });
    expect(list.data.revisions).toHaveLength(2);
    const first = list.data.revisions![0]!;
    const meta = await h.drive.revisions.get({ fileId, revisionId: first.id! });
    expect(meta.data.id).toBe(first.id);
    const old = await h.drive.revisions.get({ fileId, revisionId: first.id!, alt: 'media' }, { responseType: 'text' });
    expect(old.data).toBe('Call Sam about the budget.\nApollo launch checklist: search, sharing, export.\n');
    const docRevisions = await h.drive.revisions.list({
      fileId: h.id('Roadmap 2024'),
      fields: 'revisions(id,lastModifyingUser/emailAddress)',
    });
    expect(docRevisions.data.revisions?.map((r) => [r.id, r.lastModifyingUser?.emailAddress])).toEqual([
      ['1', ALEX],
      ['2', SAM],
      ['3', ALEX],
    ]);
    expect((await failure(h.drive.revisions.get({ fileId, revisionId: 'nope' }))).status).toBe(404);
  });
});

describe('coverage', () => {
  it('every Drive method the emulator serves was validated against the discovery document in this file', () => {
    const served = new Set(
      h.sandbox
        .routes()
        .map((r) => r.operation)
        .filter((op): op is string => op?.startsWith('drive.') ?? false),
    );
    expect([...served].sort()).toEqual(Object.keys(driveDiscovery.methods).sort());
    const unchecked = [...served].filter((op) => !h.recorder.validated.get(op)?.ok);
    expect(unchecked).toEqual([]);
  });
});

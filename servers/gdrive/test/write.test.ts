/**
 * Changing Drive: create (text, a Doc from Markdown, a Sheet from CSV, folders), replace content
 * only at the version read (a concurrent edit is refused, never overwritten), rename, move, copy,
 * trash and restore, permanent delete behind the operator flag, share and unshare — and uploads
 * that resume instead of repeating.
 */
import { call, callError, callOk } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { ALEX, SAM, useDrive } from './helpers.js';

const d = useDrive();

interface Written {
  account: string;
  file: { id: string; name: string; type: string; version?: string; parent_id?: string; trashed?: boolean };
}

/** The emulator's record of a file. */
const stored = (id: string) =>
  d.sandbox.state.file(id) as {
    name: string;
    mimeType: string;
    parents: string[];
    trashed: boolean;
    version: number;
    driveId?: string;
    content: { kind: string; data?: Buffer };
    permissions: Array<{ emailAddress?: string; type: string; role: string; allowFileDiscovery?: boolean }>;
  };
const textOf = (id: string) => stored(id).content.data?.toString('utf8');

describe('creating', () => {
  it('creates a text file, a Doc from Markdown and a Sheet from CSV, in My Drive or a folder', async () => {
    const { client } = await d.connect();
    const text = await callOk<Written>(client, 'gdrive_create_file', {
      name: 'todo.md',
      content: '# Todo\n\n- one\n',
      mime_type: 'text/markdown',
    });
    expect(text.data.account).toBe(ALEX);
    expect(stored(text.data.file.id)).toMatchObject({ name: 'todo.md', mimeType: 'text/markdown' });
    expect(textOf(text.data.file.id)).toBe('# Todo\n\n- one\n');
    const apollo = d.id('Apollo');
    const doc = await callOk<Written>(client, 'gdrive_create_file', {
      name: 'Minutes',
      as: 'doc',
      content: '# Minutes\n\n* decided **this**\n',
      folder_id: apollo,
    });
    expect(doc.data.file).toMatchObject({ type: 'Doc', parent_id: apollo });
    const back = await callOk<{ text: string }>(client, 'gdrive_read_file', { file_id: doc.data.file.id });
    expect(back.data.text).toContain('# Minutes');
    expect(back.data.text).toContain('decided **this**');
    const sheet = await callOk<Written>(client, 'gdrive_create_file', {
      name: 'Numbers',
      as: 'sheet',
      content: 'a,b\n1,"x, y"\n',
    });
    expect(sheet.data.file.type).toBe('Sheet');
    const csv = await callOk<{ text: string }>(client, 'gdrive_read_file', { file_id: sheet.data.file.id });
    expect(csv.data.text).toContain('a,b\n1,"x, y"');
  });

  it('creates folders, in a shared drive too, and refuses a file as the parent', async () => {
    const { client } = await d.connect();
    const engineering = [...d.sandbox.state.drives.values()].find((x: { name: string }) => x.name === 'Engineering') as {
      id: string;
    };
    const folder = await callOk<Written>(client, 'gdrive_create_folder', { name: 'Designs', folder_id: engineering.id });
    expect(stored(folder.data.file.id)).toMatchObject({
      mimeType: 'application/vnd.google-apps.folder',
      driveId: engineering.id,
    });
    expect(await callError(client, 'gdrive_create_folder', { name: 'x', folder_id: d.id('notes.txt') })).toMatch(
      /folder_id.*not a folder/,
    );
  });

  it('sends a big file in resumable chunks, and a lost chunk answer is resumed, not repeated', async () => {
    const { client } = await d.connect();
    const content = `${'0123456789abcdef'.repeat(64)}\n`.repeat(8704); // 8.9 MB: two chunks of at most 8 MiB
    d.sandbox.faults.add({ kind: 'reset', when: 'after', method: 'PUT', times: 1 });
    const mark = d.sandbox.log.entries().length;
    const r = await callOk<Written>(client, 'gdrive_create_file', { name: 'big.txt', content });
    expect(textOf(r.data.file.id)).toBe(content);
    expect(d.sandbox.state.findByName('big.txt')).toHaveLength(1);
    const puts = d.sandbox.log
      .entries()
      .slice(mark)
      .filter((e: { method: string }) => e.method === 'PUT');
    expect(puts.length).toBeGreaterThanOrEqual(2);
  });

  it('a create whose answer is lost, or that meets a 500, is checked by its reserved id and made exactly once', async () => {
    const { client } = await d.connect();
    // Created, answer lost: found by its id, not created again.
    d.sandbox.faults.add({ kind: 'reset', when: 'after', route: 'drive.files.create', times: 1 });
    const mark = d.sandbox.log.entries().length;
    const r = await callOk<Written>(client, 'gdrive_create_folder', { name: 'Exactly once' });
    expect(d.sandbox.state.findByName('Exactly once')).toHaveLength(1);
    expect(r.data.file.id).toBe(d.id('Exactly once'));
    const creates = d.sandbox.log
      .entries()
      .slice(mark)
      .filter((e: { operation: string | null }) => e.operation === 'drive.files.create');
    expect(creates).toHaveLength(1);
    // Refused with a 500 before anything happened: not there, so sent again, once.
    d.sandbox.faults.add({ kind: 'error', status: 500, route: 'drive.files.create', times: 1 });
    await callOk<Written>(client, 'gdrive_create_folder', { name: 'Sent again' });
    expect(d.sandbox.state.findByName('Sent again')).toHaveLength(1);
    // Three 500s in a row: reported, with no duplicate made on the way.
    d.sandbox.faults.add({ kind: 'error', status: 500, route: 'drive.files.create', times: 3 });
    expect(await callError(client, 'gdrive_create_folder', { name: 'Never' })).toMatch(/Google Drive failed \(500/);
    expect(d.sandbox.state.findByName('Never')).toHaveLength(0);
  });
});

describe('gdrive_update_file', () => {
  it('replaces a text file at the version read, and the old content stays a revision', async () => {
    const { client } = await d.connect();
    const id = d.id('notes.txt');
    const read = await callOk<{ file: { version: string } }>(client, 'gdrive_read_file', { file_id: id });
    const r = await callOk<Written & { previous_version: string }>(client, 'gdrive_update_file', {
      file_id: id,
      content: 'New notes\n',
      version: read.data.file.version,
    });
    expect(textOf(id)).toBe('New notes\n');
    expect(Number(r.data.file.version)).toBeGreaterThan(Number(read.data.file.version));
    expect(r.data.previous_version).toBe(read.data.file.version);
    const revisions = await callOk<{ revisions: unknown[] }>(client, 'gdrive_list_revisions', { file_id: id });
    expect(revisions.data.revisions).toHaveLength(2);
  });

  it('refuses when someone else changed the file since it was read, and writes nothing', async () => {
    const { client } = await d.connect();
    const id = d.id('Apollo project plan');
    const read = await callOk<{ file: { version: string } }>(client, 'gdrive_read_file', { file_id: id });
    d.sandbox.state.editAs(SAM, id, { markdown: '# Apollo project plan\n\nSam rewrote this.\n' });
    const refused = await callError(client, 'gdrive_update_file', {
      file_id: id,
      content: '# Mine\n',
      version: read.data.file.version,
    });
    expect(refused).toMatch(
      /`version`: Apollo project plan changed since version 1: it is at version 2, last modified .* by Sam Chen\. Nothing was written\./,
    );
    expect(refused).toMatch(/Read it again/);
    const now = await callOk<{ text: string; file: { version: string } }>(client, 'gdrive_read_file', { file_id: id });
    expect(now.data.text).toContain('Sam rewrote this.');
    // With the new version it goes through: a Doc replaced from Markdown.
    await callOk(client, 'gdrive_update_file', {
      file_id: id,
      content: '# Plan\n\nMerged with Sam.\n',
      version: now.data.file.version,
    });
    const after = await callOk<{ text: string }>(client, 'gdrive_read_file', { file_id: id });
    expect(after.data.text).toContain('Merged with Sam.');
  });

  it('reports a change that lands between the version check and the write (kept as a revision)', async () => {
    const { client } = await d.connect();
    const id = d.id('notes.txt');
    const version = String(stored(id).version);
    // Hold the upload session's start for a while, and let Sam edit the file meanwhile.
    d.sandbox.faults.add({ kind: 'latency', ms: 1500, route: 'drive.files.update', method: 'PATCH', times: 1 });
    const since = d.sandbox.log.entries().at(-1)?.seq ?? 0;
    const writing = callOk<{ overwritten?: { by?: string; revision_id: string } }>(client, 'gdrive_update_file', {
      file_id: id,
      content: 'Mine\n',
      version,
    });
    const checked = () =>
      d.sandbox.log
        .entries({ since })
        .some((e: { operation: string | null; method: string }) => e.operation === 'drive.files.get' && e.method === 'GET');
    for (let i = 0; i < 200 && !checked(); i++) await new Promise((r) => setTimeout(r, 10));
    d.sandbox.state.editAs(SAM, id, { content: 'Sam, in between\n' });
    const r = await writing;
    expect(textOf(id)).toBe('Mine\n');
    expect(r.data.overwritten).toMatchObject({ by: 'Sam Chen' });
    expect(r.text).toMatch(/Warning: another change \(revision .* by Sam Chen\) landed between the version check and this write/);
  });

  it('refuses spreadsheets, presentations and binary files', async () => {
    const { client } = await d.connect();
    for (const name of ['Apollo budget', 'Apollo kickoff', 'logo.png']) {
      const text = await callError(client, 'gdrive_update_file', { file_id: d.id(name), content: 'x', version: '1' });
      expect(text).toMatch(/Nothing was written/);
    }
    expect(stored(d.id('Apollo budget')).version).toBe(1);
  });

  it('says plainly when the account may only view the file', async () => {
    const { client } = await d.connect();
    const id = d.id('Team handbook');
    const version = String(stored(id).version);
    expect(await callError(client, 'gdrive_update_file', { file_id: id, content: '# Mine\n', version })).toMatch(
      /alex@example.com may not edit Team handbook/,
    );
  });
});

describe('rename, move, copy, trash', () => {
  it('renames, moves between folders and into a shared drive, and copies', async () => {
    const { client } = await d.connect();
    const id = d.id('notes.txt');
    const renamed = await callOk<Written & { previous_name: string }>(client, 'gdrive_rename_file', {
      file_id: id,
      name: 'notes-2024.txt',
    });
    expect(renamed.data.previous_name).toBe('notes.txt');
    expect(stored(id).name).toBe('notes-2024.txt');
    const projects = d.id('Projects');
    const moved = await callOk<Written & { previous_parent_id: string }>(client, 'gdrive_move_file', {
      file_id: id,
      folder_id: projects,
    });
    expect(moved.data.previous_parent_id).toBe(d.id('Apollo'));
    expect(stored(id).parents).toEqual([projects]);
    const engineering = [...d.sandbox.state.drives.values()].find((x: { name: string }) => x.name === 'Engineering') as {
      id: string;
    };
    await callOk(client, 'gdrive_move_file', { file_id: id, folder_id: engineering.id });
    expect(stored(id).driveId).toBe(engineering.id);
    const copy = await callOk<Written & { source_id: string }>(client, 'gdrive_copy_file', {
      file_id: d.id('Apollo budget'),
      name: 'Budget copy',
      folder_id: projects,
    });
    expect(copy.data.file).toMatchObject({ name: 'Budget copy', type: 'Sheet', parent_id: projects });
    expect(d.sandbox.state.findByName('Budget copy')).toHaveLength(1);
  });

  it('trashes and restores; permanent delete is not offered unless the operator allows it, and then only from the trash', async () => {
    const { client } = await d.connect();
    const id = d.id('notes.txt');
    const trashed = await callOk<Written>(client, 'gdrive_trash_file', { file_id: id });
    expect(trashed.data.file.trashed).toBe(true);
    expect(stored(id).trashed).toBe(true);
    await callOk(client, 'gdrive_trash_file', { file_id: id, restore: true });
    expect(stored(id).trashed).toBe(false);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('gdrive_delete_file');
    expect(await callError(client, 'gdrive_delete_file', { file_id: id })).toMatch(
      /not offered: an operator option switches it off/,
    );

    const allowed = await d.connect({ argv: ['--allow-permanent-delete'] });
    expect(await callError(allowed.client, 'gdrive_delete_file', { file_id: id })).toMatch(
      /not in the trash.*Nothing was deleted/,
    );
    expect(d.sandbox.state.files.has(id)).toBe(true);
    await callOk(allowed.client, 'gdrive_trash_file', { file_id: id });
    const gone = await callOk<{ deleted: { name: string } }>(allowed.client, 'gdrive_delete_file', { file_id: id });
    expect(gone.data.deleted.name).toBe('notes.txt');
    expect(d.sandbox.state.files.has(id)).toBe(false);
  });
});

describe('sharing', () => {
  it('shares with a person, with anyone by link, and removes access again', async () => {
    const { client } = await d.connect();
    const id = d.id('Apollo project plan');
    const shared = await callOk<{ granted: { role: string; who: string; permission_id: string } }>(client, 'gdrive_share_file', {
      file_id: id,
      role: 'commenter',
      email: SAM,
      notify: false,
    });
    expect(shared.data.granted).toMatchObject({ role: 'commenter', who: SAM });
    expect(stored(id).permissions).toEqual(
      expect.arrayContaining([expect.objectContaining({ emailAddress: SAM, role: 'commenter' })]),
    );
    const link = await callOk<{ granted: { who: string } }>(client, 'gdrive_share_file', {
      file_id: id,
      role: 'reader',
      type: 'anyone',
    });
    expect(link.data.granted.who).toBe('anyone with the link');
    expect(link.text).toContain('(only with the link)');
    expect(stored(id).permissions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'anyone', allowFileDiscovery: false })]),
    );
    await callOk(client, 'gdrive_unshare_file', { file_id: id, who: 'anyone' });
    await callOk(client, 'gdrive_unshare_file', { file_id: id, who: SAM.toUpperCase() });
    // Only the owner is left (the emulator keeps the owner apart from the shared permissions).
    expect(stored(id).permissions).toEqual([]);
  });

  it('checks its arguments, keeps the owner, and points inherited access at where it comes from', async () => {
    const { client } = await d.connect();
    const id = d.id('Apollo project plan');
    expect(await callError(client, 'gdrive_share_file', { file_id: id, role: 'reader' })).toMatch(/`email`: is needed/);
    expect(await callError(client, 'gdrive_share_file', { file_id: id, role: 'reader', type: 'anyone', email: SAM })).toMatch(
      /`email`: is for type user or group/,
    );
    expect(await callError(client, 'gdrive_unshare_file', { file_id: id, who: ALEX })).toMatch(
      /owns "Apollo project plan"; an owner's access cannot be removed/,
    );
    expect(await callError(client, 'gdrive_unshare_file', { file_id: id, who: 'nobody@example.com' })).toMatch(/nobody matching/);
    const spec = d.id('Drive connector spec');
    expect(await callError(client, 'gdrive_unshare_file', { file_id: spec, who: SAM })).toMatch(/inherited/);
  });

  it('marks sharing and trash destructive, and offers none of the writes read-only', async () => {
    const { client } = await d.connect();
    const tools = (await client.listTools()).tools;
    for (const name of ['gdrive_share_file', 'gdrive_unshare_file', 'gdrive_trash_file']) {
      expect(tools.find((t) => t.name === name)?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    }
    const readOnly = await d.connect({ argv: ['--read-only'] });
    const offered = (await readOnly.client.listTools()).tools;
    expect(offered.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    const refused = await call(readOnly.client, 'gdrive_create_file', { name: 'x', content: 'y' });
    expect(refused.text).toMatch(/read-only/);
  });
});

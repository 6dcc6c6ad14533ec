/**
 * Finding files: gdrive_search (every filter, shared drives included, the account named, `q`
 * built from literals so an injection attempt stays a name), gdrive_list_folder, gdrive_get_file
 * and gdrive_list_shared_drives — Google's real client against the sandbox's Drive emulator.
 */
import { call, callError, callOk } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { ALEX, SAM, useDrive } from './helpers.js';

const d = useDrive();

interface FileItem {
  id: string;
  name: string;
  type: string;
  shared_drive?: string;
  owner?: string;
}
interface Listing {
  account: string;
  query: string;
  files: FileItem[];
  more?: { omitted: number; cursor?: string; hint: string };
}

const names = (files: FileItem[]) => files.map((f) => f.name).sort();

describe('gdrive_search', () => {
  it('finds by words in the name across My Drive, shared with me and shared drives, with ids, naming the account', async () => {
    const { client } = await d.connect();
    const { data, text } = await callOk<Listing>(client, 'gdrive_search', { name: 'apollo' });
    expect(names(data.files)).toEqual(['Apollo', 'Apollo brief.pdf', 'Apollo budget', 'Apollo kickoff', 'Apollo project plan']);
    expect(data.account).toBe(ALEX);
    expect(text.split('\n')[0]).toContain(`as ${ALEX}`);
    // Every result has its id, in the text too (the reference server's search gives names only).
    for (const f of data.files) {
      expect(f.id).toBe(d.id(f.name));
      expect(text).toContain(`id ${f.id}`);
    }
    const everywhere = await callOk<Listing>(client, 'gdrive_search', { name: 'tracker' });
    expect(everywhere.data.files).toEqual([
      expect.objectContaining({ name: 'Release tracker', type: 'Sheet', shared_drive: 'Engineering' }),
    ]);
    const shared = await callOk<Listing>(client, 'gdrive_search', { name: 'handbook' });
    expect(shared.data.files).toEqual([expect.objectContaining({ name: 'Team handbook', owner: 'Sam Chen' })]);
    // Sam's Marketing drive, which Alex is not in, stays out.
    expect((await callOk<Listing>(client, 'gdrive_search', { name: 'campaign' })).data.files).toEqual([]);
  });

  it('searches the text of Docs, Sheets, Slides and text files', async () => {
    const { client } = await d.connect();
    expect(names((await callOk<Listing>(client, 'gdrive_search', { text: 'Globex' })).data.files)).toEqual(['Apollo budget']);
    expect(names((await callOk<Listing>(client, 'gdrive_search', { text: 'milestones' })).data.files)).toEqual([
      'Apollo project plan',
    ]);
    expect(names((await callOk<Listing>(client, 'gdrive_search', { text: 'checklist' })).data.files)).toEqual(['notes.txt']);
  });

  it('filters by type, folder, owner, dates, shared with me, one shared drive and the trash', async () => {
    const { client } = await d.connect();
    const search = async (args: Record<string, unknown>) =>
      names((await callOk<Listing>(client, 'gdrive_search', args)).data.files);
    expect(await search({ type: 'sheet' })).toEqual(['Apollo budget', 'Release tracker']);
    expect(await search({ type: 'image' })).toEqual(['logo.png']);
    expect(await search({ type: 'pdf' })).toEqual(['Apollo brief.pdf']);
    expect(await search({ folder_id: d.id('Apollo'), type: 'doc' })).toEqual(['Apollo project plan']);
    // A Drive link works as well as an id.
    expect(await search({ folder_id: `https://drive.google.com/drive/folders/${d.id('Apollo')}`, type: 'slides' })).toEqual([
      'Apollo kickoff',
    ]);
    expect(await search({ owner: SAM })).toEqual(['Team handbook']);
    expect(await search({ shared_with_me: true })).toEqual(['Team handbook']);
    expect(await search({ modified_before: '2024-01-09' })).toEqual(['Apollo', 'Projects']);
    expect(await search({ modified_after: '2024-02-15', owner: 'me', type: 'doc' })).toEqual(['Roadmap 2024']);
    const engineering = [...d.sandbox.state.drives.values()].find((x: { name: string }) => x.name === 'Engineering') as {
      id: string;
    };
    expect(await search({ shared_drive_id: engineering.id })).toEqual(['Drive connector spec', 'Release tracker', 'Specs']);
    expect(await search({ include_trashed: true })).toEqual(['Old draft']);
  });

  it('keeps every argument literal: an injection attempt in a name matches nothing, quotes and backslashes round-trip', async () => {
    const { client } = await d.connect();
    const mark = d.sandbox.log.entries().length;
    const attempt = await callOk<Listing>(client, 'gdrive_search', { name: "x' or '1'='1" });
    expect(attempt.data.files).toEqual([]);
    expect(attempt.data.query).toBe("name contains 'x\\' or \\'1\\'=\\'1' and trashed = false");
    // What reached Drive is that one literal: no `or` became an operator.
    const sent = d.sandbox.log
      .entries()
      .slice(mark)
      .find((e: { path: string }) => e.path === '/drive/v3/files');
    expect(sent?.query.q).toBe("name contains 'x\\' or \\'1\\'=\\'1' and trashed = false");
    expect(sent?.status).toBe(200);
    for (const name of ["') or trashed = true or name contains ('", "\\' or 1=1 --", 'a\\', "O'Brien"]) {
      const r = await callOk<Listing>(client, 'gdrive_search', { name });
      expect(r.data.files.every((f) => f.name === "O'Brien contract.txt")).toBe(true);
    }
    expect(names((await callOk<Listing>(client, 'gdrive_search', { name: "O'Brien" })).data.files)).toEqual([
      "O'Brien contract.txt",
    ]);
    // An owner is a literal too, and a folder must look like an id.
    expect((await callOk<Listing>(client, 'gdrive_search', { owner: "x' in owners or 'a" })).data.files).toEqual([]);
    expect(await callError(client, 'gdrive_search', { folder_id: "root' in parents or '1" })).toMatch(
      /folder_id.*not a Drive id/,
    );
    expect(await callError(client, 'gdrive_search', { modified_after: "2024' or '1" })).toMatch(/modified_after.*not a date/);
  });

  it('pages across Drive pages with a cursor, never repeating or skipping a file', async () => {
    const { client } = await d.connect();
    const folder = d.sandbox.state.addFolder({ name: 'Many' });
    for (let i = 0; i < 45; i++)
      d.sandbox.state.addFile({
        name: `item ${String(i).padStart(2, '0')}`,
        parent: folder.id,
        mimeType: 'text/plain',
        content: `${i}`,
      });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { data, text } = await callOk<Listing>(client, 'gdrive_search', {
        folder_id: folder.id,
        order: 'name',
        limit: 20,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...data.files.map((f) => f.name));
      cursor = data.more?.cursor;
      if (cursor) expect(text).toMatch(/more files not shown \(limit=20\)/);
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => `item ${String(i).padStart(2, '0')}`));
    // A cursor is bound to its arguments.
    const first = await callOk<Listing>(client, 'gdrive_search', { folder_id: folder.id, order: 'name', limit: 20 });
    expect(
      await callError(client, 'gdrive_search', { folder_id: folder.id, limit: 20, cursor: first.data.more?.cursor }),
    ).toMatch(/cursor.*different arguments/);
  });
});

describe('gdrive_list_folder', () => {
  it('lists My Drive, a folder by id or link, and a shared drive, folders first', async () => {
    const { client } = await d.connect();
    const root = await callOk<Listing & { folder: { name: string } }>(client, 'gdrive_list_folder', {});
    expect(root.data.folder.name).toBe('My Drive');
    expect(root.data.files.map((f) => f.name)).toEqual([
      'Archive',
      'Projects',
      'Shared with the robot',
      'Feedback form',
      "O'Brien contract.txt",
    ]);
    const apollo = await callOk<Listing>(client, 'gdrive_list_folder', {
      folder_id: `https://drive.google.com/drive/folders/${d.id('Apollo')}`,
    });
    expect(apollo.data.files.map((f) => f.name)).toEqual([
      'Apollo brief.pdf',
      'Apollo budget',
      'Apollo kickoff',
      'Apollo project plan',
      'logo.png',
      'notes.txt',
    ]);
    const engineering = [...d.sandbox.state.drives.values()].find((x: { name: string }) => x.name === 'Engineering') as {
      id: string;
    };
    const drive = await callOk<Listing & { folder: { shared_drive?: string } }>(client, 'gdrive_list_folder', {
      folder_id: engineering.id,
    });
    expect(drive.data.folder.shared_drive).toBe('Engineering');
    expect(drive.data.files.map((f) => f.name)).toEqual(['Specs', 'Release tracker']);
  });

  it('says when the id is a file, and when it is nothing the account can see', async () => {
    const { client } = await d.connect();
    expect(await callError(client, 'gdrive_list_folder', { folder_id: d.id('notes.txt') })).toMatch(
      /folder_id.*text\/plain, not a folder/,
    );
    const marketing = [...d.sandbox.state.drives.values()].find((x: { name: string }) => x.name === 'Marketing') as {
      id: string;
    };
    const hidden = await callError(client, 'gdrive_list_folder', { folder_id: marketing.id });
    expect(hidden).toMatch(/404/);
    expect(hidden).toMatch(/does not exist, or it exists and the account alex@example.com has no access/);
  });
});

describe('gdrive_get_file', () => {
  it('gives the path, version, owner, link and what the account may do', async () => {
    const { client } = await d.connect();
    const { data, text } = await callOk<{ file: Record<string, unknown> }>(client, 'gdrive_get_file', {
      file_id: d.id('Apollo project plan'),
    });
    expect(data.file).toMatchObject({
      name: 'Apollo project plan',
      type: 'Doc',
      path: 'My Drive/Projects/Apollo',
      version: '1',
      owner: 'Alex Rivera',
    });
    expect((data.file.capabilities as Record<string, boolean>).canEdit).toBe(true);
    expect(text).toContain('path: My Drive/Projects/Apollo');
    const spec = await callOk<{ file: Record<string, unknown> }>(client, 'gdrive_get_file', {
      file_id: d.id('Drive connector spec'),
    });
    expect(spec.data.file).toMatchObject({ path: 'Engineering (shared drive)/Specs', shared_drive: 'Engineering' });
    const handbook = await callOk<{ file: Record<string, unknown> }>(client, 'gdrive_get_file', {
      file_id: `https://docs.google.com/document/d/${d.id('Team handbook')}/edit`,
    });
    expect(handbook.data.file).toMatchObject({ shared_by: 'Sam Chen', owner: 'Sam Chen' });
    expect((handbook.data.file.capabilities as Record<string, boolean>).canEdit).toBe(false);
  });

  it('refuses what cannot be an id before asking Drive', async () => {
    const { client } = await d.connect();
    const mark = d.sandbox.log.entries().length;
    expect(await callError(client, 'gdrive_get_file', { file_id: '../../etc/passwd' })).toMatch(/file_id.*not a Drive id/);
    expect(
      d.sandbox.log
        .entries()
        .slice(mark)
        .filter((e: { path: string }) => e.path.startsWith('/drive/v3/files/')),
    ).toEqual([]);
  });
});

describe('gdrive_list_shared_drives', () => {
  it('lists the shared drives the account is in, by name', async () => {
    const { client } = await d.connect();
    const { data } = await callOk<{ drives: Array<{ name: string; id: string }> }>(client, 'gdrive_list_shared_drives', {});
    expect(data.drives.map((x) => x.name)).toEqual(['Engineering']);
    const none = await call(client, 'gdrive_list_shared_drives', { name: 'Marketing' });
    expect(none.text).toContain('No shared drive name contains "Marketing"');
  });
});

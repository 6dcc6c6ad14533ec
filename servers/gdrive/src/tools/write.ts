import type { drive_v3 } from '@googleapis/drive';
import { byteLength, ToolError, untrustedLine } from '@patchbay/kit';
import * as z from 'zod';
import { switches } from '../config.js';
import { day, isTextType, kindOf, MIME, personOf } from '../files.js';
import { tool } from '../kit.js';
import { idFrom } from '../query.js';
import { accountOutput, header, open, quoted, type Session } from '../session.js';
import { resumableUpload } from '../upload.js';

/** The most text one call may write: Drive's import limits are far above, a model's output far below. */
const MAX_CONTENT_BYTES = 10 * 1024 * 1024;

const WRITTEN_FIELDS = 'id,name,mimeType,version,modifiedTime,parents,driveId,webViewLink,trashed';

const writtenSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  version: z.string().optional(),
  modified: z.string().optional(),
  parent_id: z.string().optional(),
  link: z.string().optional(),
  trashed: z.boolean().optional(),
});

function written(file: drive_v3.Schema$File) {
  return {
    id: file.id ?? '',
    name: untrustedLine(file.name ?? ''),
    type: kindOf(file.mimeType),
    ...(file.version ? { version: file.version } : {}),
    ...(file.modifiedTime ? { modified: file.modifiedTime } : {}),
    ...(file.parents?.[0] ? { parent_id: file.parents[0] } : {}),
    ...(file.webViewLink ? { link: file.webViewLink } : {}),
    ...(file.trashed ? { trashed: true } : {}),
  };
}

const fileLineOf = (f: ReturnType<typeof written>) =>
  `${f.type} ${quoted(f.name)} · id ${f.id}${f.version ? ` · version ${f.version}` : ''}${f.link ? ` · ${f.link}` : ''}`;

function checkContent(content: string): Buffer {
  const bytes = Buffer.from(content, 'utf8');
  if (bytes.length > MAX_CONTENT_BYTES) {
    throw new ToolError(`is ${bytes.length} bytes; one call writes at most ${MAX_CONTENT_BYTES}.`, { argument: 'content' });
  }
  return bytes;
}

/** The folder a new item goes into, checked to be a folder (a file id there is a common slip). */
async function folderFor(s: Session, value: string | undefined, argument: string): Promise<string> {
  if (!value) return 'root';
  const id = idFrom(value, argument);
  const { data } = await s.g.drive.files.get({ fileId: id, fields: 'id,mimeType,trashed', supportsAllDrives: true }, s.opts);
  if (data.mimeType !== MIME.folder) {
    throw new ToolError(`${id} is a ${kindOf(data.mimeType)}, not a folder.`, {
      argument,
      hint: 'Pass a folder id (gdrive_list_folder, gdrive_search type "folder").',
    });
  }
  if (data.trashed) throw new ToolError(`the folder ${id} is in the trash.`, { argument });
  return data.id ?? id;
}

/** Whether a failed request may not have reached Drive (no answer, or a 5xx), so trying again is the question. */
function mayBeUnapplied(error: unknown): boolean {
  const e = error as { status?: unknown; response?: { status?: unknown } };
  const status = typeof e.response?.status === 'number' ? e.response.status : typeof e.status === 'number' ? e.status : undefined;
  return status === undefined || status >= 500;
}

/**
 * Create something with an id reserved beforehand (files.generateIds), so a create that meets a
 * 5xx or a dropped connection can be checked — did the file appear? — and sent again only if it
 * did not. A POST is never repeated blindly: that is how duplicates are made.
 */
async function createOnce(s: Session, make: (id: string) => Promise<drive_v3.Schema$File>): Promise<drive_v3.Schema$File> {
  const { data } = await s.g.drive.files.generateIds({ count: 1, space: 'drive' }, s.opts);
  const id = data.ids?.[0];
  if (!id) return make('');
  for (let attempt = 1; ; attempt++) {
    try {
      return await make(id);
    } catch (error) {
      if (s.opts.signal.aborted || attempt >= 3 || !mayBeUnapplied(error)) throw error;
      const existing = await s.g.drive.files
        .get({ fileId: id, fields: WRITTEN_FIELDS, supportsAllDrives: true }, s.opts)
        .then((r) => r.data)
        .catch(() => undefined);
      if (existing) return existing;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

export const createFile = tool({
  name: 'gdrive_create_file',
  title: 'Create a file',
  description:
    'Create a text file, a Google Doc from Markdown, or a Google Sheet from CSV, in My Drive or folder_id. Returns its id.',
  toolset: 'write',
  access: 'write',
  openWorld: true,
  input: {
    name: z.string().min(1).max(500).describe('File name'),
    content: z.string().describe('The text (Markdown for a Doc, CSV for a Sheet)'),
    as: z
      .enum(['text', 'doc', 'sheet'])
      .default('text')
      .describe('text: a stored file; doc: a Google Doc from Markdown; sheet: a Google Sheet from CSV'),
    mime_type: z
      .string()
      .regex(/^[a-z]+\/[A-Za-z0-9.+-]+$/)
      .optional()
      .describe('For as=text: the type (text/markdown, text/csv, application/json…); default text/plain'),
    folder_id: z.string().optional().describe('Folder id or link (a shared drive id for its top level); default My Drive'),
  },
  output: { account: accountOutput, file: writtenSchema },
  async handler(args, ctx) {
    const s = await open(ctx);
    const bytes = checkContent(args.content);
    if (args.mime_type && args.as !== 'text') throw new ToolError('applies to as=text only.', { argument: 'mime_type' });
    if (args.mime_type && !isTextType(args.mime_type)) {
      throw new ToolError(`${args.mime_type} is not a text type; this tool writes text.`, { argument: 'mime_type' });
    }
    const parent = await folderFor(s, args.folder_id, 'folder_id');
    const target = args.as === 'doc' ? MIME.document : args.as === 'sheet' ? MIME.spreadsheet : undefined;
    const contentType = args.as === 'doc' ? 'text/markdown' : args.as === 'sheet' ? 'text/csv' : (args.mime_type ?? 'text/plain');
    const file = await createOnce(s, (id) =>
      resumableUpload(s, {
        metadata: { ...(id ? { id } : {}), name: args.name, parents: [parent], ...(target ? { mimeType: target } : {}) },
        content: bytes,
        contentType,
        fields: WRITTEN_FIELDS,
      }),
    );
    const out = written(file);
    return {
      structured: { account: s.who.email, file: out },
      text: `${header('Created', s.who)}\n${fileLineOf(out)}${args.as === 'text' ? '' : `\n(${byteLength(args.content)} bytes of ${args.as === 'doc' ? 'Markdown converted to a Doc' : 'CSV converted to a Sheet'})`}`,
    };
  },
});

export const createFolder = tool({
  name: 'gdrive_create_folder',
  title: 'Create a folder',
  description: 'Create a folder, in My Drive or in folder_id (a folder or a shared drive). Returns its id.',
  toolset: 'write',
  access: 'write',
  openWorld: true,
  input: {
    name: z.string().min(1).max(500).describe('Folder name'),
    folder_id: z.string().optional().describe('Parent folder id or link, or a shared drive id; default My Drive'),
  },
  output: { account: accountOutput, file: writtenSchema },
  async handler(args, ctx) {
    const s = await open(ctx);
    const parent = await folderFor(s, args.folder_id, 'folder_id');
    const file = await createOnce(s, async (id) => {
      const { data } = await s.g.drive.files.create(
        {
          requestBody: { ...(id ? { id } : {}), name: args.name, mimeType: MIME.folder, parents: [parent] },
          fields: WRITTEN_FIELDS,
          supportsAllDrives: true,
        },
        s.opts,
      );
      return data;
    });
    const out = written(file);
    return { structured: { account: s.who.email, file: out }, text: `${header('Created', s.who)}\n${fileLineOf(out)}` };
  },
});

export const updateFile = tool({
  name: 'gdrive_update_file',
  title: 'Replace a file’s content',
  description:
    'Replace a text file’s content, or a Doc’s from Markdown. Pass the `version` you read: if the file changed since, nothing is written. ' +
    'The old content stays a revision. Not for Sheets or Slides.',
  toolset: 'write',
  access: 'write',
  openWorld: true,
  input: {
    file_id: z.string().describe('File id or Drive link'),
    content: z.string().describe('The whole new content (Markdown for a Doc)'),
    version: z
      .string()
      .regex(/^\d+$/)
      .describe('The file’s version when you read it: the write happens only if it is still that'),
  },
  output: {
    account: accountOutput,
    file: writtenSchema,
    previous_version: z.string(),
    overwritten: z.object({ revision_id: z.string(), by: z.string().optional(), at: z.string().optional() }).optional(),
  },
  async handler(args, ctx) {
    const s = await open(ctx);
    const fileId = idFrom(args.file_id, 'file_id');
    const bytes = checkContent(args.content);
    const { data: now } = await s.g.drive.files.get(
      {
        fileId,
        fields:
          'id,name,mimeType,version,modifiedTime,lastModifyingUser(displayName,emailAddress),capabilities(canModifyContent)',
        supportsAllDrives: true,
      },
      s.opts,
    );
    const name = untrustedLine(now.name ?? fileId);
    const mimeType = now.mimeType ?? '';
    if (mimeType !== MIME.document && !(isTextType(mimeType) && !mimeType.startsWith('application/vnd.google-apps'))) {
      const why =
        mimeType === MIME.spreadsheet || mimeType === MIME.presentation
          ? `Replacing a ${kindOf(mimeType)} from text would keep only one sheet or lose the slides.`
          : `${name} is a ${kindOf(mimeType)}, not text.`;
      throw new ToolError(`${why} Nothing was written.`, {
        argument: 'file_id',
        hint: 'Write text to a text file or a Doc; make a new file with gdrive_create_file.',
      });
    }
    // The precondition: Drive has no If-Match on files.update, so the version is read here, just before the write.
    if (now.version !== args.version) {
      const by = personOf(now.lastModifyingUser);
      throw new ToolError(
        `${name} changed since version ${args.version}: it is at version ${now.version}, last modified ${now.modifiedTime ? day(now.modifiedTime) : ''}${by ? ` by ${by}` : ''}. Nothing was written.`,
        {
          argument: 'version',
          hint: 'Read it again (gdrive_read_file), merge your change into what it is now, and call again with the new version.',
        },
      );
    }
    if (now.capabilities?.canModifyContent === false) {
      throw new ToolError(`${s.who.email} may not edit ${name} (view or comment access only). Nothing was written.`, {
        argument: 'file_id',
        hint: 'The owner must share it with this account as an editor.',
      });
    }
    const checkedAt = Date.now();
    const file = await resumableUpload(s, {
      fileId,
      metadata: {},
      content: bytes,
      contentType: mimeType === MIME.document ? 'text/markdown' : mimeType,
      fields: WRITTEN_FIELDS,
    });
    const overwritten = await changeBetween(s, fileId, checkedAt);
    const out = written(file);
    const note = overwritten
      ? `\nWarning: another change (revision ${overwritten.revision_id}${overwritten.by ? ` by ${overwritten.by}` : ''}) landed between the version check and this write. It is kept in the history: compare with gdrive_read_revision.`
      : '';
    return {
      structured: { account: s.who.email, file: out, previous_version: args.version, ...(overwritten ? { overwritten } : {}) },
      text: `${header(`Replaced the content of ${quoted(out.name)}`, s.who)}\n${fileLineOf(out)} (was version ${args.version})${note}`,
    };
  },
});

/**
 * The revision just before this write, if someone else made it after the version check (the
 * window Drive's missing precondition leaves): the write went over it, and it says so.
 */
async function changeBetween(s: Session, fileId: string, since: number) {
  try {
    const { data } = await s.g.drive.revisions.list(
      { fileId, pageSize: 200, fields: 'revisions(id,modifiedTime,lastModifyingUser(displayName,emailAddress))' },
      s.opts,
    );
    const revisions = data.revisions ?? [];
    const before = revisions[revisions.length - 2];
    if (!before?.modifiedTime || Date.parse(before.modifiedTime) < since - 1000) return undefined;
    const email = before.lastModifyingUser?.emailAddress?.toLowerCase();
    if (email === s.who.email.toLowerCase()) return undefined;
    const by = personOf(before.lastModifyingUser);
    return { revision_id: before.id ?? '', ...(by ? { by } : {}), at: before.modifiedTime };
  } catch {
    // Revisions need edit access; without them there is nothing more to say.
    return undefined;
  }
}

async function patchFile(
  s: Session,
  fileId: string,
  change: drive_v3.Params$Resource$Files$Update,
): Promise<drive_v3.Schema$File> {
  const { data } = await s.g.drive.files.update({ ...change, fileId, fields: WRITTEN_FIELDS, supportsAllDrives: true }, s.opts);
  return data;
}

export const renameFile = tool({
  name: 'gdrive_rename_file',
  title: 'Rename a file',
  description: 'Give a file or folder a new name. Its id, content and sharing stay.',
  toolset: 'write',
  access: 'write',
  idempotent: true,
  openWorld: true,
  input: {
    file_id: z.string().describe('File or folder id or link'),
    name: z.string().min(1).max(500).describe('The new name'),
  },
  output: { account: accountOutput, file: writtenSchema, previous_name: z.string() },
  async handler(args, ctx) {
    const s = await open(ctx);
    const fileId = idFrom(args.file_id, 'file_id');
    const { data: before } = await s.g.drive.files.get({ fileId, fields: 'name', supportsAllDrives: true }, s.opts);
    const out = written(await patchFile(s, fileId, { requestBody: { name: args.name } }));
    const previous = untrustedLine(before.name ?? '');
    return {
      structured: { account: s.who.email, file: out, previous_name: previous },
      text: `${header(`Renamed ${quoted(previous)}`, s.who)}\n${fileLineOf(out)}`,
    };
  },
});

export const moveFile = tool({
  name: 'gdrive_move_file',
  title: 'Move a file',
  description: 'Move a file or folder into another folder or a shared drive (a shared drive owns what is in it).',
  toolset: 'write',
  access: 'write',
  idempotent: true,
  openWorld: true,
  input: {
    file_id: z.string().describe('File or folder id or link'),
    folder_id: z.string().describe('Destination folder id or link, a shared drive id, or "root" for My Drive'),
  },
  output: { account: accountOutput, file: writtenSchema, previous_parent_id: z.string().optional() },
  async handler(args, ctx) {
    const s = await open(ctx);
    const fileId = idFrom(args.file_id, 'file_id');
    const destination = args.folder_id === 'root' ? 'root' : await folderFor(s, args.folder_id, 'folder_id');
    const { data: before } = await s.g.drive.files.get({ fileId, fields: 'parents', supportsAllDrives: true }, s.opts);
    const previous = before.parents?.[0];
    const out = written(
      await patchFile(s, fileId, {
        addParents: destination,
        ...(before.parents?.length ? { removeParents: before.parents.join(',') } : {}),
      }),
    );
    return {
      structured: { account: s.who.email, file: out, ...(previous ? { previous_parent_id: previous } : {}) },
      text: `${header('Moved', s.who)}\n${fileLineOf(out)} · now in folder ${out.parent_id ?? destination}${previous ? ` (was ${previous})` : ''}`,
    };
  },
});

export const copyFile = tool({
  name: 'gdrive_copy_file',
  title: 'Copy a file',
  description: 'Copy a file (not a folder), optionally with a new name and folder. Returns the copy’s id.',
  toolset: 'write',
  access: 'write',
  openWorld: true,
  input: {
    file_id: z.string().describe('File id or link'),
    name: z.string().min(1).max(500).optional().describe('Name of the copy'),
    folder_id: z.string().optional().describe('Folder for the copy (id, link or shared drive id)'),
  },
  output: { account: accountOutput, file: writtenSchema, source_id: z.string() },
  async handler(args, ctx) {
    const s = await open(ctx);
    const fileId = idFrom(args.file_id, 'file_id');
    const parent = args.folder_id ? await folderFor(s, args.folder_id, 'folder_id') : undefined;
    const file = await createOnce(s, async (id) => {
      const { data } = await s.g.drive.files.copy(
        {
          fileId,
          requestBody: {
            ...(id ? { id } : {}),
            ...(args.name ? { name: args.name } : {}),
            ...(parent ? { parents: [parent] } : {}),
          },
          fields: WRITTEN_FIELDS,
          supportsAllDrives: true,
        },
        s.opts,
      );
      return data;
    });
    const out = written(file);
    return {
      structured: { account: s.who.email, file: out, source_id: fileId },
      text: `${header(`Copied ${fileId}`, s.who)}\n${fileLineOf(out)}`,
    };
  },
});

export const trashFile = tool({
  name: 'gdrive_trash_file',
  title: 'Move to the trash',
  description: 'Move a file or folder to the trash (restorable for 30 days); restore=true takes it back out.',
  toolset: 'write',
  access: 'destructive',
  idempotent: true,
  openWorld: true,
  input: {
    file_id: z.string().describe('File or folder id or link'),
    restore: z.boolean().optional().describe('Take it out of the trash instead'),
  },
  output: { account: accountOutput, file: writtenSchema },
  async handler(args, ctx) {
    const s = await open(ctx);
    const fileId = idFrom(args.file_id, 'file_id');
    const out = written(await patchFile(s, fileId, { requestBody: { trashed: !args.restore } }));
    return {
      structured: { account: s.who.email, file: out },
      text: `${header(args.restore ? 'Restored from the trash' : 'Moved to the trash', s.who)}\n${fileLineOf(out)}${args.restore ? '' : '\nUndo with gdrive_trash_file restore=true.'}`,
    };
  },
});

export const deleteFile = tool({
  name: 'gdrive_delete_file',
  title: 'Delete for good',
  description:
    'Delete a file or folder that is in the trash, for good: it cannot be restored. Trash it first with gdrive_trash_file.',
  toolset: 'write',
  access: 'destructive',
  idempotent: true,
  openWorld: true,
  enabled: switches.gdrive_delete_file,
  enabledBy: 'the operator starts the server with --allow-permanent-delete',
  input: {
    file_id: z.string().describe('Id of a file or folder in the trash'),
  },
  output: { account: accountOutput, deleted: z.object({ id: z.string(), name: z.string(), type: z.string() }) },
  async handler(args, ctx) {
    const s = await open(ctx);
    const fileId = idFrom(args.file_id, 'file_id');
    const { data } = await s.g.drive.files.get({ fileId, fields: 'id,name,mimeType,trashed', supportsAllDrives: true }, s.opts);
    const name = untrustedLine(data.name ?? fileId);
    if (!data.trashed) {
      throw new ToolError(`${quoted(name)} is not in the trash; only trashed items are deleted for good. Nothing was deleted.`, {
        argument: 'file_id',
        hint: 'Move it to the trash with gdrive_trash_file first (which can be undone), then delete it.',
      });
    }
    await s.g.drive.files.delete({ fileId, supportsAllDrives: true }, s.opts);
    const deleted = { id: fileId, name, type: kindOf(data.mimeType) };
    return {
      structured: { account: s.who.email, deleted },
      text: `${header('Deleted for good', s.who)}\n${deleted.type} ${quoted(name)} · id ${fileId}`,
    };
  },
});

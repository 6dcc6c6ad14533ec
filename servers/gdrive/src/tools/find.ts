import type { drive_v3 } from '@googleapis/drive';
import { cursorInput, limitInput, moreSchema, ToolError, untrustedLine } from '@patchbay/kit';
import * as z from 'zod';
import { FILE_FIELDS, type FileSummary, fileLine, fileSummarySchema, LIST_FIELDS, MIME, summarize } from '../files.js';
import { tool } from '../kit.js';
import { buildQuery, checkId, idFrom, literal, TYPE_NAMES } from '../query.js';
import { accountOutput, header, open, quoted } from '../session.js';

const listFields = `nextPageToken,incompleteSearch,files(${LIST_FIELDS})`;

export const search = tool({
  name: 'gdrive_search',
  title: 'Search Drive',
  description:
    'Find files in My Drive, shared with you and in shared drives, by name, text, type, folder, owner or date. Newest first ' +
    '(relevance with `text`). Each result has its id. Arguments are matched literally, not as query syntax.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    name: z.string().min(1).max(500).optional().describe('Words the name contains (each word matched from its start)'),
    text: z.string().min(1).max(500).optional().describe('Words in the name, description or content'),
    type: z.enum(TYPE_NAMES).optional().describe('Only this kind of file'),
    folder_id: z.string().optional().describe('Only items directly in this folder (an id or a Drive link; "root" for My Drive)'),
    owner: z.string().max(320).optional().describe('Only files this person owns: an email, or "me"'),
    modified_after: z.string().optional().describe('Only files changed after this date or time (2024-03-01, or RFC 3339)'),
    modified_before: z.string().optional().describe('Only files changed before this date or time'),
    shared_with_me: z.boolean().optional().describe('Only files others shared with you directly'),
    shared_drive_id: z
      .string()
      .optional()
      .describe('Only this shared drive (see gdrive_list_shared_drives); default: everywhere'),
    include_trashed: z.boolean().optional().describe('Search the trash instead'),
    order: z.enum(['recent', 'name']).optional().describe('recent (default) or name; ignored with `text` (relevance)'),
    limit: limitInput(25, 200, 'files'),
    cursor: cursorInput,
  },
  output: {
    account: accountOutput,
    query: z.string(),
    files: z.array(fileSummarySchema),
    incomplete: z.boolean().optional(),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const s = await open(ctx);
    const folder = args.folder_id ? idFrom(args.folder_id, 'folder_id') : undefined;
    const driveId = args.shared_drive_id ? idFrom(args.shared_drive_id, 'shared_drive_id') : undefined;
    const q = buildQuery({
      name: args.name,
      fullText: args.text,
      type: args.type,
      folder,
      owner: args.owner,
      modifiedAfter: args.modified_after,
      modifiedBefore: args.modified_before,
      sharedWithMe: args.shared_with_me,
      trashed: args.include_trashed,
    });
    const drives = await ctx.services.driveNames(ctx.signal);
    let incomplete = false;
    const described = [
      args.name && `name ${quoted(args.name)}`,
      args.text && `text ${quoted(args.text)}`,
      args.type,
      folder && `in folder ${folder}`,
      args.owner && `owned by ${untrustedLine(args.owner)}`,
      args.modified_after && `changed after ${args.modified_after}`,
      args.modified_before && `changed before ${args.modified_before}`,
      args.shared_with_me && 'shared with me',
      driveId && `in shared drive ${drives.get(driveId) ?? driveId}`,
      args.include_trashed && 'in the trash',
    ].filter(Boolean);
    const reply = await ctx.paginate({
      key: 'files',
      fields: { account: s.who.email, query: q },
      head: header(`Drive search${described.length ? `: ${described.join(', ')}` : ' (everything, newest first)'}`, s.who),
      unit: ['file', 'files'],
      limit: { argument: 'limit', value: args.limit },
      empty: header('No files match', s.who),
      line: (f: FileSummary) => fileLine(f),
      hint: 'Or narrow the search (type, folder_id, modified_after).',
      fetch: async (pageToken?: string) => {
        const { data } = await s.g.drive.files.list(
          {
            q,
            pageSize: Math.min(args.limit, 100),
            fields: listFields,
            supportsAllDrives: true,
            includeItemsFromAllDrives: true,
            ...(driveId ? { corpora: 'drive', driveId } : { corpora: 'allDrives' }),
            ...(args.text ? {} : { orderBy: args.order === 'name' ? 'name_natural' : 'modifiedTime desc' }),
            ...(pageToken ? { pageToken } : {}),
          },
          s.opts,
        );
        if (data.incompleteSearch) incomplete = true;
        return { items: (data.files ?? []).map((f) => summarize(f, drives)), next: data.nextPageToken ?? undefined };
      },
    });
    if (incomplete) {
      reply.structured.incomplete = true;
      reply.text += '\n(Drive searched only some shared drives for this query: name a shared_drive_id to search one fully.)';
    }
    return reply;
  },
});

export const listFolder = tool({
  name: 'gdrive_list_folder',
  title: 'List a folder',
  description:
    'The items in one folder, folders first: My Drive by default, a folder, or a shared drive by its id. gdrive_search looks across folders.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    folder_id: z.string().optional().describe('Folder id or link, or a shared drive id; default "root" (My Drive)'),
    limit: limitInput(50, 500, 'items'),
    cursor: cursorInput,
  },
  output: {
    account: accountOutput,
    folder: z.object({ id: z.string(), name: z.string(), shared_drive: z.string().optional() }),
    files: z.array(fileSummarySchema),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const s = await open(ctx);
    const folderId = args.folder_id ? idFrom(args.folder_id, 'folder_id') : 'root';
    const drives = await ctx.services.driveNames(ctx.signal);
    const { data: folder } = await s.g.drive.files.get(
      { fileId: folderId, fields: 'id,name,mimeType,driveId', supportsAllDrives: true },
      s.opts,
    );
    if (folder.mimeType !== MIME.folder) {
      throw new ToolError(`${folderId} is a ${folder.mimeType ?? 'file'}, not a folder.`, {
        argument: 'folder_id',
        hint: 'Read a file with gdrive_read_file; list the folder it is in with its parent_id.',
      });
    }
    const driveName = folder.driveId ? (drives.get(folder.driveId) ?? folder.driveId) : undefined;
    const name = folderId === 'root' ? 'My Drive' : untrustedLine(folder.name ?? folderId);
    return ctx.paginate({
      key: 'files',
      fields: {
        account: s.who.email,
        folder: { id: folder.id ?? folderId, name, ...(driveName ? { shared_drive: driveName } : {}) },
      },
      head: header(`Folder ${quoted(name)}${driveName ? ` in shared drive ${quoted(driveName)}` : ''} (id ${folder.id})`, s.who),
      empty: header(`Folder ${quoted(name)} is empty`, s.who),
      unit: ['item', 'items'],
      limit: { argument: 'limit', value: args.limit },
      line: (f: FileSummary) => fileLine(f),
      fetch: async (pageToken?: string) => {
        const { data } = await s.g.drive.files.list(
          {
            q: `'${checkId(folder.id ?? folderId, 'folder_id')}' in parents and trashed = false`,
            pageSize: Math.min(args.limit, 100),
            fields: listFields,
            orderBy: 'folder,name_natural',
            supportsAllDrives: true,
            includeItemsFromAllDrives: true,
            ...(folder.driveId ? { corpora: 'drive', driveId: folder.driveId } : {}),
            ...(pageToken ? { pageToken } : {}),
          },
          s.opts,
        );
        return { items: (data.files ?? []).map((f) => summarize(f, drives)), next: data.nextPageToken ?? undefined };
      },
    });
  },
});

const capabilitiesSchema = z.record(z.string(), z.boolean());

export const getFile = tool({
  name: 'gdrive_get_file',
  title: 'File details',
  description:
    'One file’s details, not its content: path, size, owner, last change, version (for gdrive_update_file), link, what you may do.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    file_id: z.string().describe('File id or Drive link'),
  },
  output: {
    account: accountOutput,
    file: fileSummarySchema.extend({
      mime_type: z.string(),
      path: z.string(),
      version: z.string().optional(),
      created: z.string().optional(),
      description: z.string().optional(),
      link: z.string().optional(),
      md5: z.string().optional(),
      head_revision_id: z.string().optional(),
      starred: z.boolean().optional(),
      shared: z.boolean().optional(),
      shared_by: z.string().optional(),
      capabilities: capabilitiesSchema.optional(),
    }),
  },
  async handler(args, ctx) {
    const s = await open(ctx);
    const fileId = idFrom(args.file_id, 'file_id');
    const drives = await ctx.services.driveNames(ctx.signal);
    const { data } = await s.g.drive.files.get({ fileId, fields: FILE_FIELDS, supportsAllDrives: true }, s.opts);
    const path = await pathOf(s, data, drives);
    const summary = summarize(data, drives);
    const sharedBy = data.sharingUser ? (data.sharingUser.displayName ?? data.sharingUser.emailAddress ?? undefined) : undefined;
    const caps = Object.fromEntries(Object.entries(data.capabilities ?? {}).filter(([, v]) => typeof v === 'boolean')) as Record<
      string,
      boolean
    >;
    const file = {
      ...summary,
      mime_type: data.mimeType ?? '',
      path,
      ...(data.version ? { version: data.version } : {}),
      ...(data.createdTime ? { created: data.createdTime } : {}),
      ...(data.description ? { description: untrustedLine(data.description, 1000) } : {}),
      ...(data.webViewLink ? { link: data.webViewLink } : {}),
      ...(data.md5Checksum ? { md5: data.md5Checksum } : {}),
      ...(data.headRevisionId ? { head_revision_id: data.headRevisionId } : {}),
      ...(data.starred ? { starred: true } : {}),
      ...(data.shared ? { shared: true } : {}),
      ...(sharedBy ? { shared_by: untrustedLine(sharedBy) } : {}),
      ...(Object.keys(caps).length ? { capabilities: caps } : {}),
    };
    const may = Object.entries(caps)
      .filter(([, v]) => v)
      .map(([k]) =>
        k
          .replace(/^can/, '')
          .replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)
          .trim(),
      );
    const lines = [
      header(`${summary.type} ${quoted(summary.name)}`, s.who),
      `id: ${summary.id}`,
      `path: ${path}`,
      `type: ${summary.type}${data.mimeType && summary.type !== data.mimeType ? ` (${data.mimeType})` : ''}`,
      file.version && `version: ${file.version}`,
      summary.size !== undefined && `size: ${summary.size} bytes`,
      summary.modified && `modified: ${summary.modified}${summary.modified_by ? ` by ${summary.modified_by}` : ''}`,
      file.created && `created: ${file.created}`,
      summary.owner && `owner: ${summary.owner}`,
      file.shared_by && `shared with you by: ${file.shared_by}`,
      summary.trashed && 'in the trash',
      file.starred && 'starred',
      file.description && `description: ${file.description}`,
      file.link && `link: ${file.link}`,
      file.head_revision_id && `head revision: ${file.head_revision_id}`,
      summary.shortcut_to && `shortcut to: ${summary.shortcut_to} (read that id)`,
      may.length > 0 && `you may: ${may.join(', ')}`,
    ].filter((l): l is string => typeof l === 'string' && l !== '');
    return { structured: { account: s.who.email, file }, text: lines.join('\n') };
  },
});

/** `My Drive/Projects/Apollo` or `Engineering (shared drive)/Specs`: the folders above a file, at most 12 up. */
async function pathOf(
  s: Awaited<ReturnType<typeof open>>,
  file: drive_v3.Schema$File,
  drives: ReadonlyMap<string, string>,
): Promise<string> {
  const names: string[] = [];
  let parent = file.parents?.[0];
  for (let depth = 0; parent && depth < 12; depth++) {
    const { data } = await s.g.drive.files
      .get({ fileId: parent, fields: 'id,name,parents,driveId', supportsAllDrives: true }, s.opts)
      .catch(() => ({ data: undefined }));
    // A parent the account cannot see (a file shared without its folder) ends the path.
    if (!data) {
      names.unshift('…');
      break;
    }
    const isDriveRoot = data.driveId !== undefined && data.driveId !== null && data.id === data.driveId;
    if (!data.parents?.length) {
      names.unshift(isDriveRoot ? `${drives.get(data.id ?? '') ?? untrustedLine(data.name ?? '')} (shared drive)` : 'My Drive');
      break;
    }
    names.unshift(untrustedLine(data.name ?? ''));
    parent = data.parents[0];
  }
  if (names.length === 0)
    names.push(file.driveId ? `${drives.get(file.driveId) ?? file.driveId} (shared drive)` : '(shared with you)');
  return names.join('/');
}

export const listSharedDrives = tool({
  name: 'gdrive_list_shared_drives',
  title: 'List shared drives',
  description: 'Shared drives the account is in, with ids for gdrive_list_folder and gdrive_search.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    name: z.string().max(200).optional().describe('Only drives whose name contains this'),
    limit: limitInput(50, 200, 'drives'),
    cursor: cursorInput,
  },
  output: {
    account: accountOutput,
    drives: z.array(z.object({ id: z.string(), name: z.string() })),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const s = await open(ctx);
    const q = args.name ? `name contains ${literal(args.name)}` : undefined;
    return ctx.paginate({
      key: 'drives',
      fields: { account: s.who.email },
      head: header('Shared drives', s.who),
      empty: header(args.name ? `No shared drive name contains ${quoted(args.name)}` : 'No shared drives', s.who),
      unit: ['drive', 'drives'],
      limit: { argument: 'limit', value: args.limit },
      line: (d: { id: string; name: string }) => `${d.name} · id ${d.id}`,
      fetch: async (pageToken?: string) => {
        const { data } = await s.g.drive.drives.list(
          {
            pageSize: Math.min(args.limit, 100),
            fields: 'nextPageToken,drives(id,name)',
            ...(q ? { q } : {}),
            ...(pageToken ? { pageToken } : {}),
          },
          s.opts,
        );
        return {
          items: (data.drives ?? []).map((d) => ({ id: d.id ?? '', name: untrustedLine(d.name ?? '') })),
          next: data.nextPageToken ?? undefined,
        };
      },
    });
  },
});

import { byteLength, cursorInput, moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { parseTreeLine } from '../blob.js';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { safePath, safeSingleRevision } from '../validate.js';

const KIND = { blob: 'file', tree: 'folder', commit: 'submodule' } as const;

const entrySchema = z.object({
  path: z.string(),
  type: z.enum(['file', 'folder', 'symlink', 'submodule']),
  size: z.number().optional(),
});
type Entry = z.infer<typeof entrySchema>;

const line = (e: Entry) =>
  e.type === 'folder'
    ? `${e.path}/`
    : e.type === 'file'
      ? e.path
      : `${e.path} (${e.type === 'symlink' ? 'symlink' : 'submodule'})`;

export const filesTool = tool({
  name: 'git_files',
  title: 'List files at a revision',
  description:
    'Files tracked at a revision (default HEAD), optionally under one folder; recursive=false lists one level with folders. Paged by the output budget with a cursor.',
  toolset: 'repository',
  access: 'read',
  input: {
    repository: repositoryInput,
    revision: z.string().max(256).default('HEAD').describe('Commit, branch or tag (default HEAD)'),
    path: z.string().max(4096).optional().describe('Only under this folder (relative to the repository)'),
    recursive: z.boolean().default(true).describe("List every file below (default), or only the folder's direct entries"),
    cursor: cursorInput,
  },
  output: {
    repository: z.string(),
    revision: z.string(),
    total: z.number().describe('Entries in the whole listing'),
    entries: z.array(entrySchema),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const revision = safeSingleRevision(args.revision, 'revision');
    const folder =
      args.path === undefined || args.path === '.' || args.path === ''
        ? undefined
        : safePath(args.path.replace(/\/+$/, ''), 'path');
    const skip = ctx.position.offset;

    // The whole listing is streamed to count it; entries are kept only while they could still be
    // on this page (more than a budget's worth of lines is more than a page shows).
    const entries: Entry[] = [];
    let kept = 0;
    let total = 0;
    // A folder with a trailing "/" lists its children; -r lists every file below instead.
    // (ls-tree takes no "--": it would be read as a path; paths were checked not to start with "-".)
    const spec = folder ? [args.recursive ? folder : `${folder}/`] : [];
    await repo.run(
      ['ls-tree', '-z', '-l', '--full-tree', ...(args.recursive ? ['-r'] : []), '--end-of-options', revision, ...spec],
      {
        separator: '\0',
        onRecord(record) {
          const parsed = parseTreeLine(record);
          if (!parsed) return undefined;
          total++;
          if (total <= skip || kept > ctx.budget.bytes) return undefined;
          const type = parsed.mode === '120000' ? 'symlink' : KIND[parsed.type];
          const entry: Entry = { path: parsed.path, type, ...(parsed.type === 'blob' ? { size: parsed.size } : {}) };
          entries.push(entry);
          kept += byteLength(line(entry)) + 1;
          return undefined;
        },
      },
    );
    if (folder && total === 0) {
      throw new ToolError(`"${folder}" is not a folder at ${revision}.`, {
        argument: 'path',
        hint: 'Call git_files without path to see the top level.',
      });
    }
    return ctx.page({
      key: 'entries',
      fields: { repository: repo.path, revision, total },
      items: entries,
      rest: Math.max(0, total - skip - entries.length),
      head: (shown) =>
        shown.length
          ? `${total} entr${total === 1 ? 'y' : 'ies'} at ${revision}${folder ? ` under ${folder}/` : ''}${skip ? ` (from #${skip + 1})` : ''}:`
          : '',
      line,
      unit: ['entry', 'entries'],
      empty: 'No files.',
      hint: 'Or list one folder with path.',
    });
  },
});

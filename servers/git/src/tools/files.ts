import { defineTool, jsonSize, more, moreLine, moreSchema, type ToolContext, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { parseTreeLine } from '../blob.js';
import type { GitServices } from '../client.js';
import { cursorInput, repositoryInput } from '../inputs.js';
import { argumentsKey, readSkip, skipCursor } from '../paging.js';
import { safePath, safeSingleRevision } from '../validate.js';

const KIND = { blob: 'file', tree: 'folder', commit: 'submodule' } as const;

const entrySchema = z.object({
  path: z.string(),
  type: z.enum(['file', 'folder', 'symlink', 'submodule']),
  size: z.number().optional(),
});
type Entry = z.infer<typeof entrySchema>;

export const filesTool = defineTool({
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
  async handler(args, ctx: ToolContext<GitServices>) {
    const repo = await ctx.services.open(args.repository, ctx);
    const revision = safeSingleRevision(args.revision, 'revision');
    const folder =
      args.path === undefined || args.path === '.' || args.path === ''
        ? undefined
        : safePath(args.path.replace(/\/+$/, ''), 'path');
    const key = argumentsKey(revision, folder, args.recursive);
    const skip = readSkip(args.cursor, key, 'git_files');

    const entries: Entry[] = [];
    const meter = ctx.budget.meter(700);
    let total = 0;
    let stoppedAt: number | undefined;
    {
      // A folder with a trailing "/" lists its children; -r lists every file below instead.
      // (ls-tree takes no "--": it would be read as a path; paths were checked not to start with "-".)
      const spec = folder ? [args.recursive ? folder : `${folder}/`] : [];
      await repo.run(
        ['ls-tree', '-z', '-l', '--full-tree', ...(args.recursive ? ['-r'] : []), '--end-of-options', revision, ...spec],
        {
          separator: '\0',
          onRecord(line) {
            const parsed = parseTreeLine(line);
            if (!parsed) return undefined;
            total++;
            if (total <= skip || stoppedAt !== undefined) return undefined;
            const type = parsed.mode === '120000' ? 'symlink' : KIND[parsed.type];
            const entry: Entry = { path: parsed.path, type, ...(parsed.type === 'blob' ? { size: parsed.size } : {}) };
            if (!meter.fits(jsonSize(entry) + 1)) stoppedAt = total - 1;
            else entries.push(entry);
            return undefined;
          },
        },
      );
    }
    if (folder && total === 0) {
      throw new ToolError(`"${folder}" is not a folder at ${revision}.`, {
        argument: 'path',
        hint: 'Call git_files without path to see the top level.',
      });
    }
    const moreInfo =
      stoppedAt !== undefined
        ? more(
            total - stoppedAt,
            'Call git_files again with the same arguments and this cursor, or list one folder with path.',
            skipCursor(key, stoppedAt),
          )
        : undefined;
    const lines = entries.map((e) =>
      e.type === 'folder'
        ? `${e.path}/`
        : e.type === 'symlink'
          ? `${e.path} (symlink)`
          : e.type === 'submodule'
            ? `${e.path} (submodule)`
            : e.path,
    );
    const text = entries.length
      ? `${total} entr${total === 1 ? 'y' : 'ies'} at ${revision}${folder ? ` under ${folder}/` : ''}${skip ? ` (from #${skip + 1})` : ''}:\n${lines.join('\n')}${moreLine(moreInfo, 'entries')}`
      : 'No files.';
    return { structured: { repository: repo.path, revision, total, entries, more: moreInfo }, text };
  },
});

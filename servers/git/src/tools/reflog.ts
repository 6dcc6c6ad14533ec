import { cursorInput, limitInput, moreSchema } from '@patchbay/kit';
import * as z from 'zod';
import { CountAhead, LOOKAHEAD } from '../count-ahead.js';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { safeSingleRevision } from '../validate.js';

const FIELD = '\x1f';

const entrySchema = z.object({
  selector: z.string().describe('"HEAD@{3}": pass it (or commit) to other tools'),
  commit: z.string(),
  date: z.string().describe('When the ref moved there'),
  action: z
    .string()
    .describe('What moved it: "commit: …", "checkout: moving from a to b", "rebase (finish): …", "reset: moving to …"'),
});
type Entry = z.infer<typeof entrySchema>;

export const reflogTool = tool({
  name: 'git_reflog',
  title: 'Where a ref has been',
  description:
    'The reflog, newest first: each commit HEAD (or a branch) pointed at and what moved it (commit, checkout, reset, rebase, merge). ' +
    'Finds commits a reset or rebase left behind; recover one with git_create_branch base=<commit>.',
  toolset: 'history',
  access: 'read',
  input: {
    repository: repositoryInput,
    ref: z.string().max(256).default('HEAD').describe('HEAD (default), a branch, or "stash"'),
    max_count: limitInput(30, 500, 'entries'),
    cursor: cursorInput,
  },
  output: { repository: z.string(), ref: z.string(), entries: z.array(entrySchema), more: moreSchema },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const ref = safeSingleRevision(args.ref, 'ref');
    const first = ctx.position.offset;
    const entries: Entry[] = [];
    const after = new CountAhead();
    // %gd with a date format is the entry's own time (not the commit's); its index is its position.
    await repo.run(
      [
        'log',
        '--walk-reflogs',
        '-z',
        '--date=iso-strict',
        `--format=%H${FIELD}%gd${FIELD}%gs`,
        `--max-count=${args.max_count + LOOKAHEAD}`,
        `--skip=${first}`,
        '--end-of-options',
        ref,
        '--',
      ],
      {
        separator: '\0',
        onRecord(record) {
          if (entries.length >= args.max_count) return after.add();
          const [commit = '', selector = '', action = ''] = record.split(FIELD);
          if (!commit) return undefined;
          const date = /@\{(.*)\}$/.exec(selector)?.[1] ?? '';
          entries.push({ selector: `${ref}@{${first + entries.length}}`, commit, date, action });
          return undefined;
        },
      },
    );
    return ctx.page({
      key: 'entries',
      fields: { repository: repo.path, ref },
      items: entries,
      rest: after.rest,
      limit: { argument: 'max_count', value: args.max_count },
      line: (e) => `${e.selector}  ${e.commit.slice(0, 10)}  ${e.date.slice(0, 16).replace('T', ' ')}  ${e.action}`,
      unit: ['entry', 'entries'],
      empty: `${ref} has no reflog entries.`,
    });
  },
});

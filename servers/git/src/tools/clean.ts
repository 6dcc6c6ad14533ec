import { createHash } from 'node:crypto';
import { moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { Repository } from '../client.js';
import { pathsInput, repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { insideWorktree } from '../validate.js';
import { change } from '../worktree.js';

/**
 * git_clean deletes untracked files, which no git command can bring back. So it never deletes on
 * the first call: a dry run lists what would go and returns a confirmation that stands for exactly
 * that list (and these arguments); only a call that passes it back deletes, and only if a fresh
 * dry run still lists exactly the same paths — which are then named to git one by one.
 */

interface Plan {
  flags: string[];
  paths: string[];
  listed: string[];
  confirmation: string;
}

/** What `git clean` would remove now, and the confirmation for exactly that. */
async function dryRun(repo: Repository, args: { directories: boolean; ignored: boolean }, paths: string[]): Promise<Plan> {
  // Never -f twice: a nested repository (an untracked folder with its own .git) is always kept.
  const flags = [...(args.directories ? ['-d'] : []), ...(args.ignored ? ['-x'] : [])];
  const listed: string[] = [];
  await repo.run(['clean', '--dry-run', ...flags, '--', ...paths], {
    separator: '\n',
    onRecord(line) {
      if (line.startsWith('Would remove ')) listed.push(unquote(line.slice('Would remove '.length)));
      return listed.length > 100_000 ? false : undefined;
    },
  });
  const confirmation = createHash('sha256')
    .update(JSON.stringify([repo.path, flags, paths, listed]))
    .digest('hex')
    .slice(0, 16);
  return { flags, paths, listed, confirmation };
}

/** A path as git prints it: quoted in C style ("a\"b", octal bytes) when it has unusual characters. */
export function unquote(value: string): string {
  if (!(value.length >= 2 && value.startsWith('"') && value.endsWith('"'))) return value;
  const bytes: number[] = [];
  const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  const body = value.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1))?.[0];
    if (octal) {
      bytes.push(Number.parseInt(octal, 8));
      i += 3;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export const cleanTool = tool({
  name: 'git_clean',
  title: 'Delete untracked files',
  description:
    'DESTRUCTIVE: delete untracked files (folders too with directories=true, ignored files only with ignored=true) in two calls. ' +
    'Without confirm it is a dry run: it lists them and returns a confirmation. With that confirm and the same arguments it deletes exactly that list, if it is unchanged.',
  toolset: 'workspace',
  access: 'destructive',
  input: {
    repository: repositoryInput,
    paths: pathsInput('Only under these files or folders'),
    directories: z.boolean().default(false).describe('Also untracked folders (as a whole)'),
    ignored: z.boolean().default(false).describe('Also files .gitignore excludes (build output, dependencies, local config)'),
    confirm: z.string().max(64).optional().describe('The confirmation a dry run returned: deletes exactly what it listed'),
  },
  output: {
    repository: z.string(),
    deleted: z.boolean().describe('false for a dry run'),
    paths: z.array(z.string()).describe('Deleted, or that a dry run would delete (folders end in /)'),
    confirm: z.string().optional().describe('Dry run: pass it back to delete exactly these paths'),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const paths: string[] = [];
    for (const p of args.paths ?? [])
      paths.push(p === '.' ? p : await insideWorktree(repo.path, p.replace(/\/+$/, '') || p, 'paths'));
    const plan = await dryRun(repo, args, paths);
    const count = `${plan.listed.length} untracked path${plan.listed.length === 1 ? '' : 's'}`;
    if (args.confirm === undefined || plan.listed.length === 0) {
      return ctx.page({
        key: 'paths',
        fields: { repository: repo.path, deleted: false, ...(plan.listed.length ? { confirm: plan.confirmation } : {}) },
        items: plan.listed,
        ...(plan.listed.length
          ? {
              head: `Dry run: ${count} would be deleted; nothing was deleted. To delete exactly ${plan.listed.length === 1 ? 'it' : 'these'}, call git_clean again with the same arguments and confirm="${plan.confirmation}".`,
            }
          : {}),
        line: (p) => p,
        unit: ['path', 'paths'],
        empty:
          args.confirm === undefined
            ? 'Nothing to clean: no untracked files here.'
            : 'Nothing to clean any more: no untracked files here.',
        hint: 'The confirmation covers all of them; narrow it with paths.',
      });
    }
    if (args.confirm !== plan.confirmation) {
      throw new ToolError('does not match what git_clean would delete now, so nothing was deleted.', {
        argument: 'confirm',
        hint: 'The untracked files changed since the dry run, or the other arguments differ. Call git_clean without confirm to see the current list.',
      });
    }
    // Exactly the listed paths, as literal pathspecs (GIT_LITERAL_PATHSPECS) after "--", a few
    // hundred per git run so a long list never exceeds the command-line limit.
    for (let i = 0; i < plan.listed.length; i += 500) {
      await change(repo, ['clean', '--force', '--quiet', ...plan.flags, '--', ...plan.listed.slice(i, i + 500)]);
    }
    return ctx.page({
      key: 'paths',
      fields: { repository: repo.path, deleted: true },
      items: plan.listed,
      head: `Deleted ${count}:`,
      line: (p) => p,
      unit: ['path', 'paths'],
      hint: 'The list of deleted paths was cut.',
    });
  },
});

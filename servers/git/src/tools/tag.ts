import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { repositoryInput } from '../inputs.js';
import { tool } from '../kit.js';
import { safeRefName, safeSingleRevision } from '../validate.js';
import { change, refExists, resolveCommit } from '../worktree.js';

export const createTagTool = tool({
  name: 'git_create_tag',
  title: 'Create a tag',
  description:
    'Tag a commit (HEAD unless target is given); with a message the tag is annotated (and signed if the repository requires it: a signing failure creates nothing), without one lightweight. Never moves an existing tag.',
  toolset: 'write',
  access: 'write',
  input: {
    repository: repositoryInput,
    name: z.string().min(1).max(250).describe('Tag name, e.g. "v1.2.0"'),
    target: z.string().max(256).optional().describe('Commit, branch or tag to tag (default: HEAD)'),
    message: z.string().max(20_000).optional().describe('Makes an annotated tag with this message'),
  },
  output: {
    repository: z.string(),
    tag: z.string(),
    commit: z.string(),
    annotated: z.boolean(),
  },
  async handler(args, ctx) {
    const repo = await ctx.services.open(args.repository, ctx);
    const name = safeRefName(args.name, 'name');
    const target = args.target ? safeSingleRevision(args.target, 'target') : 'HEAD';
    if (await refExists(repo, `refs/tags/${name}`)) {
      throw new ToolError(`a tag named "${name}" already exists.`, {
        argument: 'name',
        hint: 'Tags are not moved; choose another name.',
      });
    }
    const commit = await resolveCommit(repo, target);
    const message = args.message?.trim();
    if (args.message !== undefined && !message)
      throw new ToolError('is empty.', { argument: 'message', hint: 'Leave it out for a lightweight tag.' });
    // The message goes through stdin; signing follows the repository's tag.gpgSign, never skipped.
    await change(
      repo,
      ['tag', ...(message ? ['--annotate', '--file=-'] : []), '--end-of-options', name, commit],
      message ? { input: `${message}\n` } : {},
    );
    return {
      structured: { repository: repo.path, tag: name, commit, annotated: Boolean(message) },
      text: `Created ${message ? 'annotated' : 'lightweight'} tag ${name} at ${commit.slice(0, 10)}.`,
    };
  },
});

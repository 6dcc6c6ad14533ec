import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '@patchbay/kit';
import * as z from 'zod';
import type { Repository } from './client.js';
import { lastLine } from './errors.js';
import { GitFailure } from './exec.js';
import { exists } from './validate.js';
import { change, conflictedFiles, currentBranch, headCommit, someOf, trackedChanges } from './worktree.js';

/**
 * What merge, rebase, cherry-pick and revert share: each can stop half-way (a conflict, an empty
 * commit) and leave the repository in the middle of the operation, to be continued or aborted.
 * The state is read from the files git leaves in the git directory, never guessed from messages.
 */

export type Operation = 'merge' | 'rebase' | 'cherry-pick' | 'revert';

/** The tool that continues or aborts each operation. */
const TOOL: Readonly<Record<Operation, string>> = {
  merge: 'git_merge',
  rebase: 'git_rebase',
  'cherry-pick': 'git_cherry_pick',
  revert: 'git_revert',
};

/** The operation the repository is in the middle of, if any. */
export async function inProgress(repo: Repository): Promise<Operation | undefined> {
  const at = (name: string) => exists(path.join(repo.gitDir, name));
  if ((await at('rebase-merge')) || (await at('rebase-apply'))) return 'rebase';
  if (await at('MERGE_HEAD')) return 'merge';
  if (await at('CHERRY_PICK_HEAD')) return 'cherry-pick';
  if (await at('REVERT_HEAD')) return 'revert';
  // Between two commits of a multi-commit pick or revert that stopped for another reason.
  const todo = await readFile(path.join(repo.gitDir, 'sequencer', 'todo'), 'utf8').catch(() => undefined);
  if (todo !== undefined) return /^\s*(revert|r)\s/m.test(todo) ? 'revert' : 'cherry-pick';
  return undefined;
}

/** Refuse to start `operation` while another one (or the same) is unfinished, or while tracked files have changes. */
export async function readyToStart(repo: Repository, operation: Operation): Promise<void> {
  const current = await inProgress(repo);
  if (current) {
    throw new ToolError(`a ${current} is in progress in this repository, so a ${operation} cannot start.`, {
      hint: `Finish it with ${TOOL[current]} action=continue (after resolving and staging the conflicts) or undo it with ${TOOL[current]} action=abort.`,
    });
  }
  const dirty = await trackedChanges(repo);
  if (dirty.length) {
    throw new ToolError(
      `uncommitted changes to ${someOf(dirty)} could be lost or tangled in the ${operation}, so it was not started.`,
      {
        hint: 'Commit them (git_commit) or stash them (git_stash action=push) first.',
      },
    );
  }
}

/** The operation must be the one in progress (for continue, skip and abort). */
export async function expectInProgress(repo: Repository, operation: Operation, action: string): Promise<void> {
  const current = await inProgress(repo);
  if (current === operation) return;
  throw new ToolError(
    current
      ? `the repository is in the middle of a ${current}, not a ${operation}.`
      : `there is no ${operation} in progress to ${action}.`,
    { argument: 'action', ...(current ? { hint: `Use ${TOOL[current]} action=${action}.` } : {}) },
  );
}

/** Continuing with files still unmerged would commit conflict markers: refused, naming them. */
export async function expectResolved(repo: Repository, operation: Operation): Promise<void> {
  const conflicted = await conflictedFiles(repo);
  if (conflicted.length === 0) return;
  throw new ToolError(
    `${someOf(conflicted)} still ${conflicted.length === 1 ? 'has' : 'have'} conflicts, so the ${operation} cannot continue.`,
    {
      hint: `Edit the files to resolve the conflict markers, stage them with git_add, then call ${TOOL[operation]} action=continue again (or action=abort).`,
    },
  );
}

export const outcomeSchema = {
  repository: z.string(),
  branch: z.string().nullable().describe('The checked-out branch; null when HEAD is detached'),
  commit: z.string().describe('Where HEAD points afterwards'),
  result: z.string().describe('What happened; "stopped" when the operation waits for conflicts to be resolved'),
  conflicted: z.array(z.string()).optional().describe('Files with conflicts to resolve, when stopped'),
  stopped_at: z.string().optional().describe('The commit being applied when it stopped'),
};

export interface Outcome {
  repository: string;
  branch: string | null;
  commit: string;
  result: string;
  conflicted?: string[];
  stopped_at?: string;
}

/** HEAD and the branch after an operation, with its result. */
export async function outcome(repo: Repository, result: string): Promise<Outcome> {
  return { repository: repo.path, branch: await currentBranch(repo), commit: (await headCommit(repo)) ?? '', result };
}

/**
 * Run one step of an operation. If git stops with the operation unfinished (a conflict, an empty
 * commit, a merge commit without a parent chosen), that is a state to report, not a failure: the
 * files in conflict, the commit it stopped at, git's reason, and how to go on. Any other failure
 * goes to the connector's error table.
 */
export async function step(
  repo: Repository,
  operation: Operation,
  args: string[],
  options: { input?: string } = {},
): Promise<{ stopped?: Outcome & { text: string } }> {
  try {
    await change(repo, args, options);
    return {};
  } catch (error) {
    if (!(error instanceof GitFailure) || (await inProgress(repo)) !== operation) throw error;
    const conflicted = await conflictedFiles(repo);
    const stoppedAt = await stoppedCommit(repo, operation);
    const state: Outcome = {
      ...(await outcome(repo, 'stopped')),
      conflicted,
      ...(stoppedAt ? { stopped_at: stoppedAt } : {}),
    };
    const where = stoppedAt ? ` at ${stoppedAt.slice(0, 10)}` : '';
    const tool = TOOL[operation];
    const text = conflicted.length
      ? `The ${operation} stopped${where} with conflicts in ${someOf(conflicted, 20)}.\n` +
        `Resolve them (edit the files, remove the conflict markers), stage them with git_add, then call ${tool} action=continue; or undo everything with ${tool} action=abort.`
      : `The ${operation} stopped${where}: ${lastLine(error.stderr)}.\n` +
        (operation === 'merge'
          ? `Call ${tool} action=continue or action=abort.`
          : `Call ${tool} action=continue, action=skip (leave this commit out) or action=abort.`);
    return { stopped: { ...state, text } };
  }
}

/** The commit an operation was applying when it stopped. */
async function stoppedCommit(repo: Repository, operation: Operation): Promise<string | undefined> {
  const head = { merge: 'MERGE_HEAD', rebase: 'REBASE_HEAD', 'cherry-pick': 'CHERRY_PICK_HEAD', revert: 'REVERT_HEAD' }[
    operation
  ];
  const text = await readFile(path.join(repo.gitDir, head), 'utf8').catch(() => undefined);
  return text?.split('\n')[0]?.trim() || undefined;
}

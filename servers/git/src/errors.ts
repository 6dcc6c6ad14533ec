import { ToolError } from '@patchbay/kit';
import { GitFailure } from './exec.js';

/** What git said on stderr, from either runner (simple-git puts it in the message). */
export function gitMessage(error: unknown): string {
  if (error instanceof GitFailure) return error.stderr;
  return error instanceof Error ? error.message : String(error);
}

export interface Culprits {
  /** The revision the call named and the argument it came from. */
  revision?: { value: string; argument: string };
  /** The path the call named and the argument it came from. */
  path?: { value: string; argument: string };
}

/**
 * Turn the git failures a model can fix into ToolErrors that say which argument was wrong and
 * what to do; anything unrecognised is rethrown as a fault (logged in full, reported briefly).
 */
export function explainGitError(error: unknown, culprits: Culprits = {}): never {
  if (error instanceof ToolError) throw error;
  const message = gitMessage(error);
  const { revision, path } = culprits;
  if (
    /does not have any commits yet|bad default revision 'HEAD'|ambiguous argument 'HEAD'|Needed a single revision/.test(
      message,
    ) &&
    !revision
  ) {
    throw new ToolError('the repository has no commits yet.', { hint: 'Make a first commit (git_add, then git_commit).' });
  }
  if (/beyond a symbolic link/.test(message)) {
    throw new ToolError(`"${path?.value ?? ''}" goes through a symbolic link, which git does not follow.`, {
      ...(path ? { argument: path.argument } : {}),
      hint: 'Give the path of the file inside the repository itself.',
    });
  }
  if (
    path &&
    /no such path|exists on disk, but not in|does not exist in|pathspec .* did not match|is outside repository|not in the working tree/.test(
      message,
    )
  ) {
    throw new ToolError(`"${path.value}" does not exist${revision ? ` at ${revision.value}` : ''}.`, {
      argument: path.argument,
      hint: 'List files with git_files (it takes a revision and a folder).',
    });
  }
  const unknownRevision =
    /unknown revision|bad revision|invalid reference|not a valid object name|bad object|not a valid ref|unable to resolve revision|Needed a single revision|not a commit|invalid object name|ambiguous argument|not a tree object|couldn't find remote ref/i;
  if (revision?.value === 'HEAD' && unknownRevision.test(message)) {
    throw new ToolError('the repository has no commits yet.', { hint: 'Make a first commit (git_add, then git_commit).' });
  }
  if (revision && unknownRevision.test(message)) {
    throw new ToolError(`"${revision.value}" is not a revision in this repository.`, {
      argument: revision.argument,
      hint: 'Use a branch (git_branches), a tag (git_tags) or a commit id (git_log).',
    });
  }
  if (/Please tell me who you are|unable to auto-detect email|empty ident name/.test(message)) {
    throw new ToolError('git does not know who the author is.', {
      hint: 'Ask the operator to set user.name and user.email in git config (or GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL for the server).',
    });
  }
  if (
    /gpg failed to sign|failed to sign|cannot run gpg|signing failed|error: gpg|ssh-keygen.*sign|Couldn't load public key|error: cannot run ssh-keygen/i.test(
      message,
    )
  ) {
    throw new ToolError(`signing failed, so nothing was created: ${lastLine(message)}.`, {
      hint:
        'This repository requires signed commits or tags (commit.gpgSign / tag.gpgSign) and the signing program failed. ' +
        'Ask the operator to fix the signing setup (key, agent, GNUPGHOME); the server never falls back to unsigned.',
    });
  }
  if (/index\.lock'?: File exists|Unable to create .*\.lock/.test(message)) {
    throw new ToolError('another git process is working in this repository (its lock file exists).', {
      hint: 'Wait for it to finish and try again; if none is running, the operator can remove .git/index.lock.',
    });
  }
  throw error;
}

/** What git says when a regular expression (git grep's pattern, git log's --grep or --author) does not compile. */
export function isBadRegex(message: string): boolean {
  return /command line|Unmatched|Invalid (preceding|range|regular|content|back)|Trailing backslash|regcomp|parentheses/i.test(
    message,
  );
}

export function lastLine(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.find((l) => /^(fatal|error):/.test(l)) ?? lines.at(-1) ?? '')
    .replace(/^(fatal|error):\s*/, '')
    .replace(/\.$/, '');
}

import { type FailedCall, redact, ToolError } from '@patchbay/kit';
import { GitFailure } from './exec.js';
import { withoutCredentials } from './url-policy.js';

/**
 * The connector's one error table: a failed git command, in any tool, resource or prompt, turned
 * into what the model can act on — which argument was wrong and what to do. The call's arguments
 * say which value was the revision or the path; git's own words say what went wrong. Anything
 * not recognised stays a fault (logged in full, reported briefly), except in the tools that
 * change something, whose failures are nearly always about the repository's state (a conflict, a
 * refusal to overwrite, a hook) and are reported in git's words.
 */

/**
 * The arguments that name a revision and a path, in every tool, resource and prompt (no call has
 * two of either): what a failure is about, when git says a revision or a path was not found.
 */
const REVISION_ARGUMENTS = ['revision', 'target', 'base', 'ref', 'onto', 'commits'];
const PATH_ARGUMENTS = ['path', 'paths'];

/** What the network tools were doing, for "Fetching from origin failed: …". */
const REMOTE_VERB: Readonly<Record<string, string>> = {
  fetch: 'Fetching from',
  pull: 'Pulling from',
  push: 'Pushing to',
  clone: 'Cloning',
  'ls-remote': 'Cloning',
};

const NO_COMMITS = /does not have any commits yet|bad default revision 'HEAD'|ambiguous argument 'HEAD'|Needed a single revision/;
const UNKNOWN_REVISION =
  /unknown revision|bad revision|invalid reference|not a valid object name|bad object|not a valid ref|unable to resolve revision|Needed a single revision|not a commit|invalid object name|ambiguous argument|not a tree object|couldn't find remote ref|not something we can merge/i;
const MISSING_PATH =
  /no such path|exists on disk, but not in|does not exist in|pathspec .* did not match|is outside repository|not in the working tree/;

/** What the table needs of a call: its tool's name, arguments and whether it changes things. */
export type GitCall = Pick<FailedCall<unknown>, 'tool' | 'args'> & { writes: boolean };

export function mapGitError(error: unknown, call: GitCall): ToolError | undefined {
  if (!(error instanceof GitFailure)) return undefined;
  const message = error.stderr;
  const { tool, args } = call;
  const revision = culprit(args, REVISION_ARGUMENTS);
  const path = culprit(args, PATH_ARGUMENTS);

  const owner = /detected dubious ownership in repository at '([^']+)'/.exec(message);
  if (owner) return ownershipRefused(owner[1] as string);
  if (isBadRegex(message)) {
    if (tool === 'git_grep') {
      return new ToolError('is not a valid extended regular expression.', {
        argument: 'pattern',
        hint: 'Fix the expression, or pass fixed_strings=true to search for the text as it is.',
      });
    }
    if (tool === 'git_log' && (args.grep !== undefined || args.author !== undefined)) {
      // git quotes the expression it could not compile; --extended-regexp (set with grep) covers author too.
      const author = typeof args.author === 'string' && message.includes(`'${args.author}'`);
      return new ToolError(`is not a valid ${args.grep !== undefined ? 'extended ' : ''}regular expression.`, {
        argument: author || args.grep === undefined ? 'author' : 'grep',
        hint: 'Fix the expression; put a backslash before ( ) [ ] { } . * + ? | to match them as text.',
      });
    }
  }
  if (tool === 'git_blame' && /has only \d+ lines?|invalid -L|-L range out of bounds/.test(message)) {
    return new ToolError('is past the end of the file.', { argument: 'start_line', hint: 'Use a smaller start_line.' });
  }
  if (tool === 'git_merge' && /Not possible to fast-forward/i.test(message)) {
    return new ToolError('the branches have diverged, so a fast-forward is impossible; nothing changed.', {
      argument: 'fast_forward',
      hint: 'Pass fast_forward=allow to make a merge commit, or rebase onto it with git_rebase.',
    });
  }
  if (tool === 'git_remove_worktree' && /contains modified or untracked files/.test(message)) {
    return new ToolError('the worktree has uncommitted changes or untracked files, so it was not removed.', {
      argument: 'force',
      hint: 'Commit or stash them there first, or pass force=true to discard them.',
    });
  }
  const checkedOut = /is already (?:checked out|used by worktree) at '([^']+)'/.exec(message);
  if (checkedOut) {
    return new ToolError(
      `that branch is checked out in another worktree (${checkedOut[1]}); a branch can be checked out in one only.`,
      {
        argument: typeof args.branch === 'string' ? 'branch' : 'target',
        hint: 'Use another branch, or work in that worktree (pass it as `repository`).',
      },
    );
  }
  if (tool === 'git_clone' && /Remote branch .* not found/.test(message)) {
    return new ToolError(`the remote has no branch or tag "${String(args.branch ?? '')}".`, { argument: 'branch' });
  }
  const verb = REMOTE_VERB[error.command];
  if (verb && (tool === 'git_fetch' || tool === 'git_pull' || tool === 'git_push' || tool === 'git_clone')) {
    return remoteFailure(verb, remoteOf(error), error);
  }

  if (NO_COMMITS.test(message) && !revision) return noCommits();
  if (/beyond a symbolic link/.test(message)) {
    return new ToolError(`"${path?.value ?? ''}" goes through a symbolic link, which git does not follow.`, {
      ...(path ? { argument: path.argument } : {}),
      hint: 'Give the path of the file inside the repository itself.',
    });
  }
  if (path && MISSING_PATH.test(message)) {
    return new ToolError(`"${path.value}" does not exist${revision ? ` at ${revision.value}` : ''}.`, {
      argument: path.argument,
      hint: 'List files with git_files (it takes a revision and a folder).',
    });
  }
  if (revision?.value === 'HEAD' && UNKNOWN_REVISION.test(message)) return noCommits();
  if (revision && UNKNOWN_REVISION.test(message)) {
    return new ToolError(`"${revision.value}" is not a revision in this repository.`, {
      argument: revision.argument,
      hint: 'Use a branch (git_branches), a tag (git_tags) or a commit id (git_log).',
    });
  }
  if (/Please tell me who you are|unable to auto-detect email|empty ident name/.test(message)) {
    return new ToolError('git does not know who the author is.', {
      hint: 'Ask the operator to set user.name and user.email in git config (or GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL for the server).',
    });
  }
  if (
    /gpg failed to sign|failed to sign|cannot run gpg|signing failed|error: gpg|ssh-keygen.*sign|Couldn't load public key|error: cannot run ssh-keygen/i.test(
      message,
    )
  ) {
    return new ToolError(`signing failed, so nothing was created: ${lastLine(message)}.`, {
      hint:
        'This repository requires signed commits or tags (commit.gpgSign / tag.gpgSign) and the signing program failed. ' +
        'Ask the operator to fix the signing setup (key, agent, GNUPGHOME); the server never falls back to unsigned.',
    });
  }
  if (/index\.lock'?: File exists|Unable to create .*\.lock/.test(message)) {
    return new ToolError('another git process is working in this repository (its lock file exists).', {
      hint: 'Wait for it to finish and try again; if none is running, the operator can remove .git/index.lock.',
    });
  }
  if (call.writes) {
    return new ToolError(`git ${error.command} failed: ${lastLine(message)}.`, {
      hint: 'Check the repository state with git_status.',
    });
  }
  return undefined;
}

/** The first of `names` the call gave a value: a string, or a list of one. */
function culprit(args: Record<string, unknown>, names: string[]): { argument: string; value: string } | undefined {
  for (const argument of names) {
    const value = args[argument];
    const text = Array.isArray(value) && value.length === 1 ? value[0] : value;
    if (typeof text === 'string') return { argument, value: text };
  }
  return undefined;
}

function noCommits(): ToolError {
  return new ToolError('the repository has no commits yet.', { hint: 'Make a first commit (git_add, then git_commit).' });
}

/**
 * git refused a repository that belongs to another user than the one the server runs as — a
 * repository mounted into a container, typically. Said as what it is, with the ways to fix it.
 */
export function ownershipRefused(where: string): ToolError {
  return new ToolError(
    `git refuses the repository at ${where}: it belongs to another user than the one this server runs as (git's "dubious ownership" check).`,
    {
      hint:
        'The operator can name it with --repository (configured repositories are trusted for exactly their paths), ' +
        `run the server as the repository's owner, or trust it for every git on this machine: git config --global --add safe.directory ${where}`,
    },
  );
}

/** What a network command was run on: the remote after --end-of-options, or the URL after `--`. */
function remoteOf(failure: GitFailure): string {
  const { args } = failure;
  const marker = args.includes('--end-of-options') ? args.indexOf('--end-of-options') : args.indexOf('--');
  const operand = marker === -1 ? undefined : args[marker + 1];
  return operand === undefined ? 'the remote' : withoutCredentials(operand);
}

/** A failed network operation as a ToolError with git's own reason and what usually fixes it. */
export function remoteFailure(what: string, remote: string, error: GitFailure): ToolError {
  const message = error.stderr;
  const reason = redact(lastLine(message));
  let hint = "Check the remote with git_remotes; network access and credentials are the operator's to set up.";
  if (/returned error: 30[1278]\b/.test(message)) {
    hint =
      'The server answered with a redirect, which is not followed (it could lead to an address nobody checked). Use the URL the repository moved to.';
  } else if (
    // HTTP statuses as git reports them, not any "401" in the message (a port number, a path).
    /Authentication failed|could not read Username|Permission denied|terminal prompts disabled|returned error: 40[13]\b|\bHTTP 40[13]\b/i.test(
      message,
    )
  ) {
    hint =
      'The remote refused the credentials. The server never prompts for them: the operator must configure a credential helper, an SSH agent or a token.';
  } else if (
    /Could not resolve host|Connection refused|timed out|Network is unreachable|Could not read from remote/i.test(message)
  ) {
    hint = 'The remote could not be reached from this machine. Check the remote URL and the network.';
  } else if (/not found|does not appear to be a git repository|Repository not found/i.test(message)) {
    hint = 'The remote repository does not exist at that URL, or the credentials cannot see it.';
  }
  return new ToolError(`${what} ${remote} failed: ${reason}.`, { hint });
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

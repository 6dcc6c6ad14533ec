import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '@patchbay/kit';

/**
 * Every value that reaches git's argv passes through here. A value starting with `-` would be
 * read as an option (`--output=/etc/passwd`, `--upload-pack=…`): refused outright, and commands
 * additionally put `--end-of-options` or `--` before user values.
 */
export function safeArg(value: string, argument: string, what = 'value'): string {
  if (value.startsWith('-')) {
    throw new ToolError(`a ${what} may not start with "-" (it would be read as a git option).`, {
      argument,
      hint: `Give the ${what} itself, e.g. "main" or "src/app.ts".`,
    });
  }
  if (/[\0\r\n]/.test(value)) throw new ToolError(`a ${what} may not contain control characters.`, { argument });
  return value;
}

const REVISION_PART = /^[A-Za-z0-9_./@{}~^+-]+$/;

/** A revision: a ref name, commit id or `rev~N`, or a range (`a..b`, `a...b`, either side optional). */
export function safeRevision(value: string, argument: string): string {
  safeArg(value, argument, 'revision');
  const parts = value.split(/\.\.\.?/);
  const valid =
    value.length <= 256 &&
    parts.length <= 2 &&
    parts.some((p) => p !== '') &&
    parts.every((p) => p === '' || (REVISION_PART.test(p) && !p.startsWith('-')));
  if (!valid) {
    throw new ToolError(`"${value}" is not a valid revision.`, {
      argument,
      hint: 'Use a branch, tag or commit id, optionally with ~N or ^N, or a range like main..feature.',
    });
  }
  return value;
}

/** A new branch or tag name: git's check-ref-format rules, checked here so the message is clear. */
export function safeRefName(value: string, argument: string): string {
  safeArg(value, argument, 'name');
  const bad =
    value === '' ||
    value === '@' ||
    /(^|\/)\./.test(value) ||
    /\.\.|@\{|[\s~^:?*[\\\x00-\x1f\x7f]/.test(value) ||
    /\/$|\.lock$|\.$/.test(value) ||
    value.includes('//');
  if (bad) {
    throw new ToolError(`"${value}" is not a valid git ref name.`, {
      argument,
      hint: 'Use letters, digits, "-", "_", "/" and "." (not at the start of a segment), e.g. "feature/login".',
    });
  }
  return value;
}

/** A revision naming one commit (not a range). */
export function safeSingleRevision(value: string, argument: string): string {
  safeRevision(value, argument);
  if (value.includes('..')) {
    throw new ToolError(`"${value}" is a range; this needs a single revision.`, {
      argument,
      hint: 'Give one branch, tag or commit id, e.g. "main" or "HEAD~2".',
    });
  }
  return value;
}

/** A path inside the repository, relative to its top. */
export function safePath(value: string, argument: string): string {
  safeArg(value, argument, 'path');
  const segments = value.split(/[\\/]/);
  if (value === '' || value.startsWith('/') || /^[A-Za-z]:/.test(value) || segments.includes('..')) {
    throw new ToolError(`"${value}" must be a path relative to the repository, without "..".`, {
      argument,
      hint: 'Give a path like "src/index.ts".',
    });
  }
  if (segments.some((s) => s.toLowerCase() === '.git')) {
    throw new ToolError(`"${value}" is inside .git, which the tools do not read or change.`, { argument });
  }
  return value;
}

/** Paths relative to the repository; "." (the whole repository) is accepted as-is. */
export function safePaths(values: readonly string[] | undefined, argument: string): string[] {
  return (values ?? []).map((v) => (v === '.' ? v : safePath(v.replace(/\/+$/, '') || v, argument)));
}

/** Whether anything (a file, a folder, a symbolic link, even a dangling one) has this name. */
export function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

/**
 * For tools that touch the working tree (blame or grep without a revision, add, unstaged diffs):
 * the path, with every symbolic link resolved, must stay inside the repository. git itself
 * refuses paths "beyond a symbolic link", but a check here gives a clear message and does not
 * depend on every git command getting it right.
 */
export async function insideWorktree(repository: string, value: string, argument: string): Promise<string> {
  safePath(value, argument);
  let probe = path.join(repository, value);
  while (probe !== repository && !(await exists(probe))) probe = path.dirname(probe);
  const real = await realpath(probe).catch(() => probe);
  if (real !== repository && !real.startsWith(repository + path.sep)) {
    throw new ToolError(`"${value}" leads outside the repository through a symbolic link.`, {
      argument,
      hint: 'Only files inside the repository can be used.',
    });
  }
  return value;
}

/** A configured remote's name (never a URL: remotes are chosen by name, their URLs are the operator's). */
export function safeRemoteName(value: string, argument: string): string {
  safeArg(value, argument, 'remote name');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(value)) {
    throw new ToolError(`"${value}" is not a remote name.`, {
      argument,
      hint: 'Give the name of a configured remote such as "origin" (see git_remotes); URLs are not accepted here.',
    });
  }
  return value;
}

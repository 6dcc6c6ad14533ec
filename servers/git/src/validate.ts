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

/** A path inside the repository, relative to its top. */
export function safePath(value: string, argument: string): string {
  safeArg(value, argument, 'path');
  if (value.startsWith('/') || value.split(/[\\/]/).includes('..')) {
    throw new ToolError(`"${value}" must be a path relative to the repository, without "..".`, {
      argument,
      hint: 'Give a path like "src/index.ts".',
    });
  }
  return value;
}

import { jsonSize, ToolError } from '@patchbay/kit';
import type { Repository } from './client.js';

/**
 * Files at a revision, read from git's object store: never from the working tree, so a symbolic
 * link in the repository yields its target's name, not the target's content.
 */

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  oid: string;
  size: number;
  path: string;
}

/** The tree entry for `path` at `revision`; a ToolError naming `path` when there is none. */
export async function lookupPath(repo: Repository, revision: string, path: string): Promise<TreeEntry> {
  const out = (
    await repo.run(['ls-tree', '-l', '-z', '--full-tree', '--end-of-options', revision, path], { maxBytes: 64 * 1024 })
  ).stdout;
  const entry = out
    .split('\0')
    .map(parseTreeLine)
    .find((e) => e && e.path === path);
  if (!entry) {
    throw new ToolError(`"${path}" does not exist at ${revision}.`, {
      argument: 'path',
      hint: 'List files with git_files (it takes a revision and a folder).',
    });
  }
  return entry;
}

/** One `ls-tree -l -z` record: "<mode> <type> <oid> <size>\t<path>". */
export function parseTreeLine(line: string): TreeEntry | undefined {
  const tab = line.indexOf('\t');
  if (tab === -1) return undefined;
  const [mode = '', type = '', oid = '', size = '-'] = line.slice(0, tab).split(/\s+/);
  if (type !== 'blob' && type !== 'tree' && type !== 'commit') return undefined;
  return { mode, type, oid, size: size === '-' ? 0 : Number(size), path: line.slice(tab + 1) };
}

/** git's own rule: a NUL byte in the first 8000 bytes means binary. */
export async function isBinary(repo: Repository, oid: string): Promise<boolean> {
  return (await readBytes(repo, oid, 8000)).includes(0);
}

/** The first `maxBytes` bytes of a blob. */
export async function readBytes(repo: Repository, oid: string, maxBytes: number): Promise<Buffer> {
  return (await repo.run(['cat-file', 'blob', oid], { maxBytes })).bytes;
}

export interface LineWindow {
  content: string;
  start_line: number;
  /** Last line included (start_line − 1 when nothing fit). */
  end_line: number;
  /** Lines in the whole file. */
  total_lines: number;
  /** The first line alone was longer than the room and was cut. */
  line_cut?: boolean;
}

/**
 * Lines of a blob from `startLine` while they fit in `room` bytes (of JSON, the larger of the two
 * renderings). Streams: memory holds only what is shown; the rest is only counted.
 */
export async function readLines(repo: Repository, entry: TreeEntry, startLine: number, room: number): Promise<LineWindow> {
  const kept: string[] = [];
  let used = 2;
  let line = 0;
  let full = false;
  let lineCut = false;
  await repo.run(['cat-file', 'blob', entry.oid], {
    separator: '\n',
    onRecord(text) {
      line++;
      if (line < startLine || full) return undefined;
      const size = jsonSize(text); // the newline's escape takes the quotes' place
      if (used + size <= room) {
        kept.push(text);
        used += size;
        return undefined;
      }
      if (kept.length === 0) {
        // One line longer than the whole budget (minified code): show its start.
        let head = text.slice(0, Math.max(0, room - 16));
        while (head.length > 0 && jsonSize(head) > room - 16) head = head.slice(0, Math.floor(head.length * 0.8));
        kept.push(head);
        lineCut = true;
      }
      full = true;
      return undefined;
    },
  });
  return {
    content: kept.join('\n'),
    start_line: startLine,
    end_line: startLine + kept.length - 1,
    // A file ending in a newline has no extra empty last line (the runner sees no last record).
    total_lines: line,
    ...(lineCut ? { line_cut: true } : {}),
  };
}

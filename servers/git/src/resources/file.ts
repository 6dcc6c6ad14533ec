import path from 'node:path';
import { byteLength, formatBytes, ToolError } from '@patchbay/kit';
import { isBinary, lookupPath, parseTreeLine, readBytes } from '../blob.js';
import { template } from '../kit.js';
import { knownRepositories, openKnown } from '../known.js';
import { safePath, safeSingleRevision } from '../validate.js';

/**
 * `git://{repository}/{ref}/{+path}`: a file (or a folder's listing) at a revision, read from the
 * object store. `repository` is a configured repository's folder name (or its percent-encoded
 * path); `ref` is percent-encoded when it holds a "/" (`feature%2Flogin`); `path` is the file's
 * path with its "/" kept. Completion offers repositories, refs and paths.
 */

const TYPES: Record<string, string> = {
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.ts': 'text/x-typescript',
  '.html': 'text/html',
  '.css': 'text/css',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.xml': 'application/xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
};

function decode(value: string, argument: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ToolError(`"${value}" is not validly percent-encoded.`, { argument });
  }
}

export const fileResource = template({
  name: 'git_file_at_revision',
  title: 'File at a revision',
  description:
    'A file as it is at a branch, tag or commit: git://{repository}/{ref}/{path}. repository is a configured repository\'s folder name; a ref with "/" is written %2F.',
  uriTemplate: 'git://{repository}/{ref}/{+path}',
  async read(uri, variables, ctx) {
    const repo = await openKnown(ctx.services, variables.repository, ctx.signal);
    const ref = safeSingleRevision(decode(variables.ref ?? '', 'ref'), 'ref');
    const file = safePath(
      (variables.path ?? '')
        .split('/')
        .map((s) => decode(s, 'path'))
        .join('/')
        .replace(/\/+$/, ''),
      'path',
    );
    const entry = await lookupPath(repo, ref, file);
    if (entry.type === 'tree') {
      // The folder's entries while they could still be shown (a budget's worth); the rest counted.
      const children: string[] = [];
      let kept = 0;
      let rest = 0;
      await repo.run(['ls-tree', '-z', '--full-tree', '--end-of-options', ref, `${file}/`], {
        separator: '\0',
        onRecord(record) {
          const child = parseTreeLine(record);
          if (!child) return undefined;
          if (kept > ctx.budget.bytes) rest++;
          else {
            const line = child.type === 'tree' ? `${child.path}/` : child.path;
            children.push(line);
            kept += byteLength(line) + 1;
          }
          return undefined;
        },
      });
      const listing = ctx.page({
        key: 'entries',
        items: children,
        rest,
        head: `Folder ${file}/ at ${ref}:`,
        line: (child) => child,
        unit: ['entry', 'entries'],
        hint: `List them all with git_files path="${file}" recursive=false.`,
      });
      return [{ uri: uri.href, mimeType: 'text/plain', text: listing.text }];
    }
    if (entry.type === 'commit')
      return [{ uri: uri.href, mimeType: 'text/plain', text: `${file} is a submodule at commit ${entry.oid}.` }];
    const mimeType = TYPES[path.extname(file).toLowerCase()];
    if (entry.mode === '120000') {
      const target = (await readBytes(repo, entry.oid, 4096)).toString('utf8');
      return [{ uri: uri.href, mimeType: 'text/plain', text: `Symbolic link to ${target} (not followed).` }];
    }
    if (await isBinary(repo, entry.oid)) {
      // base64 grows by a third: a binary file is sent only when that still fits the budget.
      if (entry.size * 1.34 <= ctx.budget.bytes) {
        return [
          {
            uri: uri.href,
            mimeType: mimeType ?? 'application/octet-stream',
            blob: (await readBytes(repo, entry.oid, entry.size)).toString('base64'),
          },
        ];
      }
      return [
        {
          uri: uri.href,
          mimeType: 'text/plain',
          text: `${file} at ${ref} is a binary file of ${formatBytes(entry.size)}, larger than the output budget; it is not sent.`,
        },
      ];
    }
    // A file is one value, not a list: its start is read and cut here, leaving room for the note.
    const bytes = await readBytes(repo, entry.oid, ctx.budget.bytes);
    let text = bytes.toString('utf8').replace(/\uFFFD$/, '');
    if (entry.size > bytes.length) {
      const note = `\n… ${file} is ${formatBytes(entry.size)}; only its start fits the output budget. Read the rest with git_show path="${file}" start_line=N.`;
      text = ctx.budget.cutText(text, byteLength(note)).text + note;
    }
    return [{ uri: uri.href, mimeType: mimeType ?? 'text/plain', text }];
  },
  complete: {
    async repository(value, _context, services) {
      const known = await knownRepositories(services);
      return known
        .map((k) => k.id)
        .filter((id) => id.startsWith(value))
        .slice(0, 100);
    },
    async ref(value, context, services) {
      if (!context.repository) return [];
      const repo = await openKnown(services, context.repository, AbortSignal.timeout(5000));
      const { stdout } = await repo.run(
        ['for-each-ref', '--format=%(refname:short)', '--sort=-committerdate', '--end-of-options', 'refs/heads', 'refs/tags'],
        {
          maxBytes: 256 * 1024,
        },
      );
      const prefix = decodeURIComponent(value);
      return stdout
        .split('\n')
        .filter((name) => name !== '' && name.startsWith(prefix))
        .slice(0, 100)
        .map((name) => encodeURIComponent(name));
    },
    async path(value, context, services) {
      if (!context.repository || !context.ref) return [];
      const repo = await openKnown(services, context.repository, AbortSignal.timeout(5000));
      const ref = safeSingleRevision(decodeURIComponent(context.ref), 'ref');
      const folder = value.includes('/') ? value.slice(0, value.lastIndexOf('/') + 1) : '';
      if (folder) safePath(folder.replace(/\/$/, ''), 'path');
      const { stdout } = await repo.run(['ls-tree', '-z', '--full-tree', '--end-of-options', ref, ...(folder ? [folder] : [])], {
        maxBytes: 512 * 1024,
      });
      return stdout
        .split('\0')
        .map(parseTreeLine)
        .filter((e) => e !== undefined)
        .map((e) => `${e.path}${e.type === 'tree' ? '/' : ''}`)
        .filter((p) => p.startsWith(value))
        .slice(0, 100);
    },
  },
});

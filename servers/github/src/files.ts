import type { ExtraContent } from '@patchbay/kit';
import { bytesOf } from './blob.js';
import type { Target } from './repo.js';

/** GitHub's contents API carries a file inline up to 1 MB; above that only the raw media type has it. */
export const INLINE_LIMIT = 1024 * 1024;

export interface DirEntry {
  name: string;
  path: string;
  type: string;
  size: number;
}

export type Contents =
  | { kind: 'dir'; entries: DirEntry[] }
  | { kind: 'file'; path: string; sha: string; size: number; bytes: Buffer | undefined }
  | { kind: 'other'; path: string; type: string; target?: string };

/**
 * A path at a ref: a directory's entries, or a file's sha, size and — when GitHub sends it inline
 * (≤ 1 MB) or `raw` is asked for — its bytes.
 */
export async function readContents(t: Target, path: string, ref: string | undefined, raw = false): Promise<Contents> {
  const clean = path.replace(/^\/+|\/+$/g, '');
  const { data } = await t.octokit.rest.repos.getContent({
    owner: t.owner,
    repo: t.repo,
    path: clean,
    ...(ref ? { ref } : {}),
    request: t.request,
  });
  if (Array.isArray(data)) {
    return {
      kind: 'dir',
      entries: data.map((e) => ({ name: e.name, path: e.path, type: e.type, size: e.size })),
    };
  }
  if (data.type !== 'file') {
    return { kind: 'other', path: data.path, type: data.type, ...('target' in data ? { target: String(data.target) } : {}) };
  }
  let bytes: Buffer | undefined;
  if ('content' in data && data.encoding === 'base64' && typeof data.content === 'string') {
    bytes = Buffer.from(data.content, 'base64');
  } else if (raw) {
    bytes = await readRaw(t, clean, ref);
  }
  return { kind: 'file', path: data.path, sha: data.sha, size: data.size, bytes };
}

/** A file's bytes through the raw media type (any size GitHub serves, up to 100 MB). */
export async function readRaw(t: Target, path: string, ref: string | undefined): Promise<Buffer> {
  const { data } = await t.octokit.rest.repos.getContent({
    owner: t.owner,
    repo: t.repo,
    path,
    ...(ref ? { ref } : {}),
    mediaType: { format: 'raw' },
    request: t.request,
  });
  return bytesOf(data);
}

/** The resource URI of a file, at a ref when one is given. */
export function contentsUri(full: string, path: string, ref?: string): string {
  const encoded = path
    .split('/')
    .filter(Boolean)
    .map((s) => encodeURIComponent(s))
    .join('/');
  return ref ? `repo://${full}/ref/${encodeURIComponent(ref)}/contents/${encoded}` : `repo://${full}/contents/${encoded}`;
}

/** A link to the file as a resource, for a file too big or not text to put in a result. */
export function resourceLink(full: string, path: string, ref: string | undefined, size: number): ExtraContent {
  return {
    type: 'resource_link',
    uri: contentsUri(full, path, ref),
    name: path.split('/').pop() ?? path,
    description: `${full}:${path}${ref ? `@${ref}` : ''}`,
    size,
  } as ExtraContent;
}

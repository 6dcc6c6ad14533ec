/**
 * A content-addressed git object store with real git object ids: a blob, tree or commit made here
 * has the SHA-1 `git hash-object` would give it, so shas the client sees behave like GitHub's
 * (the same content gives the same sha, a change gives a new one). Only what the REST API shows
 * is modelled: blobs, trees, commits; refs live on the repository.
 */
import { createHash } from 'node:crypto';

export type Mode = '100644' | '100755' | '040000' | '120000';

export interface TreeEntry {
  name: string;
  mode: Mode;
  type: 'blob' | 'tree';
  sha: string;
}

export interface Signature {
  name: string;
  email: string;
  /** ISO time, second precision. */
  date: string;
}

export interface CommitObject {
  sha: string;
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

export interface FlatEntry {
  sha: string;
  mode: Mode;
}

/** Path → new content, or null to delete. */
export type Changes = Record<string, Buffer | string | null>;

function hashObject(type: string, body: Buffer): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest('hex');
}

function signatureLine(role: string, s: Signature): string {
  return `${role} ${s.name} <${s.email}> ${Math.floor(Date.parse(s.date) / 1000)} +0000`;
}

export class GitStore {
  readonly blobs: Map<string, Buffer>;
  readonly trees: Map<string, TreeEntry[]>;
  readonly commits: Map<string, CommitObject>;

  constructor(from?: GitStore) {
    // A fork shares history with its parent: copying the maps is cheap, the objects are immutable.
    this.blobs = new Map(from?.blobs);
    this.trees = new Map(from?.trees);
    this.commits = new Map(from?.commits);
  }

  putBlob(content: Buffer | string): string {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const sha = hashObject('blob', bytes);
    this.blobs.set(sha, bytes);
    return sha;
  }

  /** Stores a tree (entries sorted the way git sorts them) and returns its sha. */
  putTree(entries: TreeEntry[]): string {
    const key = (e: TreeEntry) => (e.type === 'tree' ? `${e.name}/` : e.name);
    const sorted = [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const body = Buffer.concat(
      sorted.flatMap((e) => [Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`), Buffer.from(e.sha, 'hex')]),
    );
    const sha = hashObject('tree', body);
    this.trees.set(sha, sorted);
    return sha;
  }

  putCommit(commit: Omit<CommitObject, 'sha'>): CommitObject {
    const text = [
      `tree ${commit.tree}`,
      ...commit.parents.map((p) => `parent ${p}`),
      signatureLine('author', commit.author),
      signatureLine('committer', commit.committer),
      '',
      commit.message,
    ].join('\n');
    const full = { ...commit, sha: hashObject('commit', Buffer.from(text, 'utf8')) };
    this.commits.set(full.sha, full);
    return full;
  }

  /** Every blob under a tree, by full path. */
  flatten(treeSha: string, prefix = '', out = new Map<string, FlatEntry>()): Map<string, FlatEntry> {
    for (const entry of this.trees.get(treeSha) ?? []) {
      const path = prefix + entry.name;
      if (entry.type === 'tree') this.flatten(entry.sha, `${path}/`, out);
      else out.set(path, { sha: entry.sha, mode: entry.mode });
    }
    return out;
  }

  /** Builds nested trees from a flat path map; returns the root tree sha. */
  buildTree(files: Map<string, FlatEntry>): string {
    type Dir = { files: TreeEntry[]; dirs: Map<string, Dir> };
    const root: Dir = { files: [], dirs: new Map() };
    for (const [path, entry] of files) {
      const parts = path.split('/');
      let dir = root;
      for (const part of parts.slice(0, -1)) {
        const next = dir.dirs.get(part) ?? { files: [], dirs: new Map() };
        dir.dirs.set(part, next);
        dir = next;
      }
      dir.files.push({ name: parts[parts.length - 1]!, mode: entry.mode, type: 'blob', sha: entry.sha });
    }
    const write = (dir: Dir): string =>
      this.putTree([
        ...dir.files,
        ...[...dir.dirs].map(([name, sub]) => ({ name, mode: '040000' as const, type: 'tree' as const, sha: write(sub) })),
      ]);
    return write(root);
  }

  /** A new root tree: `base` with `changes` applied (null deletes a path). */
  applyChanges(baseTree: string | null, changes: Changes): string {
    const files = baseTree ? this.flatten(baseTree) : new Map<string, FlatEntry>();
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, { sha: this.putBlob(content), mode: files.get(path)?.mode ?? '100644' });
    }
    return this.buildTree(files);
  }

  /** The entry at `path` in a tree ('' is the tree itself). */
  resolve(treeSha: string, path: string): TreeEntry | undefined {
    let current: TreeEntry = { name: '', mode: '040000', type: 'tree', sha: treeSha };
    for (const part of path.split('/').filter(Boolean)) {
      if (current.type !== 'tree') return undefined;
      const next = this.trees.get(current.sha)?.find((e) => e.name === part);
      if (!next) return undefined;
      current = next;
    }
    return current;
  }

  /** Commits reachable from `from`, newest first (by committer date, then discovery order). */
  history(from: string, limit = Number.POSITIVE_INFINITY): CommitObject[] {
    const seen = new Set<string>();
    const out: CommitObject[] = [];
    const queue = [from];
    while (queue.length > 0 && out.length < limit * 4) {
      const sha = queue.shift()!;
      if (seen.has(sha)) continue;
      seen.add(sha);
      const commit = this.commits.get(sha);
      if (!commit) continue;
      out.push(commit);
      queue.push(...commit.parents);
    }
    return out.sort((a, b) => Date.parse(b.committer.date) - Date.parse(a.committer.date)).slice(0, limit);
  }

  ancestors(from: string): Set<string> {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const sha = stack.pop()!;
      if (seen.has(sha)) continue;
      seen.add(sha);
      stack.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return seen;
  }

  isAncestor(ancestor: string, of: string): boolean {
    return this.ancestors(of).has(ancestor);
  }

  /** The newest common ancestor of two commits (undefined for unrelated histories). */
  mergeBase(a: string, b: string): string | undefined {
    const ofA = this.ancestors(a);
    return this.history(b).find((c) => ofA.has(c.sha))?.sha;
  }

  /**
   * A three-way merge at file level: a path changed on one side only takes that side; changed on
   * both sides to different content is a conflict (no line-level merge, which GitHub would try).
   */
  mergeTrees(baseTree: string, ours: string, theirs: string): { tree: string } | { conflicts: string[] } {
    const base = this.flatten(baseTree);
    const a = this.flatten(ours);
    const b = this.flatten(theirs);
    const out = new Map<string, FlatEntry>();
    const conflicts: string[] = [];
    for (const path of new Set([...base.keys(), ...a.keys(), ...b.keys()])) {
      const o = base.get(path)?.sha;
      const x = a.get(path);
      const y = b.get(path);
      let pick: FlatEntry | undefined;
      if (x?.sha === y?.sha) pick = x;
      else if (x?.sha === o) pick = y;
      else if (y?.sha === o) pick = x;
      else {
        conflicts.push(path);
        continue;
      }
      if (pick) out.set(path, pick);
    }
    return conflicts.length > 0 ? { conflicts } : { tree: this.buildTree(out) };
  }
}

/** A blob is binary when its first 8000 bytes hold a NUL, git's own test. */
export function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

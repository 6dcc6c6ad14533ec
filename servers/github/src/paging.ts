import {
  byteLength,
  continuationLine,
  describeChanges,
  fenceFor,
  sanitizeUntrusted,
  type ToolContext,
  type ToolReply,
  untrustedLabel,
} from '@patchbay/kit';
import type { GitHubServices } from './client.js';

type Ctx = ToolContext<GitHubServices>;

/**
 * One long untrusted text (a file, a job log) a budget-sized piece at a time, fenced. The kit's
 * `pageText` cuts the piece at a line break and makes the cursor; this puts the piece inside a
 * fence made for the whole text, under a label that says it is untrusted, and numbers lines from
 * `firstLine` (a line range asked for) rather than from the start of the piece.
 */
export function fencedTextPage(
  ctx: Ctx,
  input: {
    text: string;
    label: string;
    /** Line number in the whole file of the text's first line. */
    firstLine?: number;
    fields?: Record<string, unknown>;
    hint?: string;
    /** Code: invisible characters shown, not removed. */
    code?: boolean;
  },
  // biome-ignore lint/suspicious/noExplicitAny: the structured form is checked against the output schema by the kit
): ToolReply<any> {
  const clean = sanitizeUntrusted(input.text, { code: input.code ?? true });
  const fence = fenceFor(clean.text);
  const head = `${untrustedLabel(input.label, describeChanges(clean, { code: input.code ?? true }))}\n${fence}`;
  const reply = ctx.pageText({
    text: clean.text,
    head,
    ...(input.fields ? { fields: input.fields } : {}),
    ...(input.hint ? { hint: input.hint } : {}),
  });
  const structured = reply.structured as { text: string; start_line: number; end_line: number; more?: never };
  const shift = (input.firstLine ?? 1) - 1;
  structured.start_line += shift;
  structured.end_line += shift;
  const body = structured.text.replace(/\n$/, '');
  const more = structured.more as Parameters<typeof continuationLine>[0] | undefined;
  const text = `${head}\n${body}${body ? '\n' : ''}${fence}${more ? continuationLine(more, ['line', 'lines'], { cause: 'output budget' }) : ''}`;
  return { structured, text };
}

/** One file's part of a unified diff. */
export interface FileDiff {
  path: string;
  /** The unified diff text of this file, `diff --git` line first. */
  text: string;
  additions: number;
  deletions: number;
}

/** Split a unified diff (GitHub's `application/vnd.github.diff`) into one piece per file. */
export function splitDiff(diff: string): FileDiff[] {
  const pieces = diff.split(/^(?=diff --git )/m).filter((p) => p.startsWith('diff --git '));
  return pieces.map((text) => {
    const header = /^diff --git a\/(.*?) b\/(.*)$/m.exec(text);
    const plus = /^\+\+\+ b\/(.*)$/m.exec(text)?.[1];
    const path = plus ?? header?.[2] ?? '?';
    let additions = 0;
    let deletions = 0;
    for (const l of text.split('\n')) {
      if (l.startsWith('+') && !l.startsWith('+++ ')) additions++;
      else if (l.startsWith('-') && !l.startsWith('--- ')) deletions++;
    }
    return { path, text: text.replace(/\n$/, ''), additions, deletions };
  });
}

/**
 * A unified diff as raw text (never JSON-escaped), a page of whole files at a time under the
 * budget, with a cursor to the next file. Diffs are someone's code: fenced as untrusted, with
 * invisible characters shown (a BiDi override in a pull request is exactly what a reviewer must see).
 */
export function diffPage(
  ctx: Ctx,
  input: { diff: string; label: string; fields: Record<string, unknown>; hint?: string },
  // biome-ignore lint/suspicious/noExplicitAny: as fencedTextPage
): ToolReply<any> {
  const clean = sanitizeUntrusted(input.diff, { code: true });
  const files = splitDiff(clean.text);
  const fence = fenceFor(clean.text);
  const note = describeChanges(clean, { code: true });
  const rest = files.slice(ctx.position.offset);
  const totals = files.reduce((t, f) => ({ add: t.add + f.additions, del: t.del + f.deletions }), { add: 0, del: 0 });
  const summary = `${files.length} file${files.length === 1 ? '' : 's'}, +${totals.add} -${totals.del}`;
  return ctx.page({
    key: 'files',
    items: rest,
    fields: { ...input.fields, total_files: files.length },
    head: `${untrustedLabel(`${input.label} (${summary})`, note)}\n${fence}diff`,
    tail: fence,
    empty: `${input.label}: no changes.`,
    unit: ['file', 'files'],
    line: (f) => f.text,
    data: (f) => ({ path: f.path, additions: f.additions, deletions: f.deletions }),
    hint: input.hint ?? 'Or read one file with github_get_file.',
    shrink: (f, room) => {
      // One file's diff bigger than the whole budget: its first part, cut at a line, with a note.
      const note =
        '\n… the rest of this file’s diff is cut to fit the output budget; read the file at both refs with github_get_file for all of it.';
      const keep = Math.max(0, room.text - byteLength(note) - 64);
      const head = Buffer.from(f.text, 'utf8')
        .subarray(0, keep)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
      const cut = head.lastIndexOf('\n');
      return { ...f, text: `${cut > 0 ? head.slice(0, cut) : head}${note}` };
    },
  });
}

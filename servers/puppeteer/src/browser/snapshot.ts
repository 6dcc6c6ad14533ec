import type { ElementHandle, Page, SerializedAXNode } from 'puppeteer-core';

/** What an accessibility node gives us beyond the public type: where it lives in the DOM. */
export type AXNode = SerializedAXNode & { backendNodeId?: number; loaderId?: string };

export interface RefTarget {
  ref: string;
  tab: string;
  role: string;
  name: string;
  handle: () => Promise<ElementHandle | null>;
}

/** Past this many remembered refs a tab forgets them all (refs keep counting, so old ones fail clearly). */
const MAX_REFS_PER_TAB = 20_000;
const MAX_NAME = 200;

/**
 * Element refs (`e12`) that stay the same for the same DOM node across snapshots, so a model can
 * snapshot, think, and click `e12` later. A ref is keyed by the document load and the node's
 * backend id; after a navigation the page's nodes are new and so are their refs, while the old
 * ones answer "stale" instead of hitting a different element. The counter is shared by all tabs,
 * so a ref never means two things at once.
 */
export class RefRegistry {
  #next = 1;
  readonly #byKey = new Map<string, Map<string, string>>();
  readonly #byRef = new Map<string, RefTarget>();

  refFor(tab: string, node: AXNode): string | undefined {
    if (node.backendNodeId === undefined) return undefined;
    const key = `${node.loaderId ?? ''}:${node.backendNodeId}`;
    let keys = this.#byKey.get(tab);
    if (keys && keys.size >= MAX_REFS_PER_TAB) {
      this.forgetTab(tab);
      keys = undefined;
    }
    if (!keys) {
      keys = new Map();
      this.#byKey.set(tab, keys);
    }
    let ref = keys.get(key);
    if (!ref) {
      ref = `e${this.#next++}`;
      keys.set(key, ref);
    }
    // The latest snapshot's handle getter wins: it belongs to the newest execution context.
    this.#byRef.set(ref, { ref, tab, role: node.role, name: node.name ?? '', handle: () => node.elementHandle() });
    return ref;
  }

  get(ref: string): RefTarget | undefined {
    return this.#byRef.get(ref);
  }

  /** Forget every tab's refs (a new browser: the old pages are gone). The counter goes on. */
  clear(): void {
    this.#byKey.clear();
    this.#byRef.clear();
  }

  forgetTab(tab: string): void {
    const keys = this.#byKey.get(tab);
    if (!keys) return;
    for (const ref of keys.values()) this.#byRef.delete(ref);
    this.#byKey.delete(tab);
  }
}

/** Which lines of the outline to render: from `offset`, while `fits` accepts them. */
export interface SnapshotWindow {
  offset: number;
  fits: (line: string) => boolean;
  /** Also collect the signposts (landmarks, headings, dialogs) of the part left out after the cut. */
  signposts?: boolean;
}

/** One line of an outline whose ref is handed out only if the line is shown (see `withRef`). */
export interface OutlineLine {
  head: string;
  tail: string;
  node?: AXNode;
}

/** A landmark, heading or dialog after the cut, for a compact snapshot's "further down" list. */
export interface Signpost {
  line: OutlineLine;
  /** 0 matters most: dialogs and alerts, then landmarks and top headings, then the rest. */
  priority: number;
}

export interface Outline {
  /** The lines in the window, in document order, refs not handed out yet. */
  lines: OutlineLine[];
  /** How many lines the whole outline (or scope) has. */
  total: number;
  /** Signposts after the cut, in document order (only when the window asked for them). */
  signposts: Signpost[];
}

const HIDDEN_ROLES = new Set(['LineBreak', 'InlineTextBox', 'none', 'presentation', 'generic']);
const VALUE_ROLES = new Set(['textbox', 'searchbox', 'combobox', 'spinbutton', 'slider', 'progressbar', 'meter']);
const LANDMARKS = new Set(['banner', 'navigation', 'main', 'complementary', 'contentinfo', 'search', 'form', 'region']);
const ALERTS = new Set(['dialog', 'alertdialog', 'alert']);
/** Enough signposts to choose from; a page with thousands of headings is not listed in full. */
const MAX_SIGNPOSTS = 200;
const MAX_SIGNPOST_NAME = 80;
/** Stands in for a ref while checking whether a line fits, before the ref is handed out. */
const REF_PLACEHOLDER = ' [ref=e0000000]';

/** A line as measured before its ref exists: the ref's room is held by a placeholder. */
export function measured(line: OutlineLine): string {
  return `${line.head}${line.node?.backendNodeId !== undefined ? REF_PLACEHOLDER : ''}${line.tail}`;
}

/** A line as shown, with its ref handed out now. */
export function withRef(line: OutlineLine, tab: string, refs: RefRegistry): string {
  const ref = line.node ? refs.refFor(tab, line.node) : undefined;
  return `${line.head}${ref ? ` [ref=${ref}]` : ''}${line.tail}`;
}

/**
 * The page as an indented outline, one node per line, in the shape Playwright MCP made familiar:
 * `- button "Save" [ref=e12]`. Iframes are included under their `iframe` node. Only the lines in
 * the window are rendered (a 30 000-node page costs strings for what is shown, not for
 * everything); the rest are only counted, for the `more` note, and searched for signposts.
 */
export async function readOutline(page: Page, window: SnapshotWindow, scope?: ElementHandle): Promise<Outline> {
  const accessibility = scope ? frameAccessibility(scope, page) : page.accessibility;
  const root = (await accessibility.snapshot({
    includeIframes: true,
    interestingOnly: true,
    ...(scope ? { root: scope } : {}),
  })) as AXNode | null;
  const lines: OutlineLine[] = [];
  const signposts: Signpost[] = [];
  let total = 0;
  let full = false;
  if (!root) return { lines, total, signposts };
  const base = page.url();
  const visit = (node: AXNode, depth: number) => {
    const children = (node.children ?? []) as AXNode[];
    if (node.role === 'RootWebArea' || HIDDEN_ROLES.has(node.role)) {
      for (const child of children) visit(child, depth);
      return;
    }
    const name = clipName(node.name ?? '');
    if (node.role === 'StaticText') {
      if (!name.trim()) return;
      const line = { head: `${indent(depth)}- text: ${name}`, tail: '' };
      if (total++ >= window.offset && !full) {
        if (window.fits(line.head)) lines.push(line);
        else full = true;
      }
      return;
    }
    // A link or button whose only child is its own label says it once.
    const shown = children.filter((c) => !(c.role === 'StaticText' && (c.name ?? '') === (node.name ?? '')));
    if (total++ >= window.offset) {
      if (!full) {
        let tail = '';
        if (node.role === 'link' && node.url) tail += ` → ${shortUrl(node.url, base)}`;
        if (VALUE_ROLES.has(node.role) && node.value !== undefined && node.value !== '')
          tail += `: ${clipName(String(node.value))}`;
        if (shown.length) tail += ':';
        const line = {
          head: `${indent(depth)}- ${roleName(node.role)}${name ? ` ${JSON.stringify(name)}` : ''}${attributes(node)}`,
          tail,
          node,
        };
        if (window.fits(measured(line))) lines.push(line);
        else full = true;
      }
      // Not `else`: the node that did not fit is the first one left out.
      if (full && window.signposts && signposts.length < MAX_SIGNPOSTS) {
        const priority = signpostPriority(node);
        if (priority !== undefined) signposts.push({ line: signpostLine(node), priority });
      }
    }
    for (const child of shown) visit(child, depth + 1);
  };
  visit(root, 0);
  return { lines, total, signposts };
}

function signpostPriority(node: AXNode): number | undefined {
  if (ALERTS.has(node.role)) return 0;
  if (LANDMARKS.has(node.role)) return node.role === 'region' && !node.name ? undefined : 1;
  if (node.role === 'heading') return (node.level ?? 2) <= 2 ? 1 : (node.level ?? 2) === 3 ? 2 : 3;
  if (node.role === 'Iframe') return 2;
  return undefined;
}

function signpostLine(node: AXNode): OutlineLine {
  const name = clipName(node.name ?? '');
  const short = name.length > MAX_SIGNPOST_NAME ? `${name.slice(0, MAX_SIGNPOST_NAME - 1)}…` : name;
  const level = node.level !== undefined ? ` [level=${node.level}]` : '';
  return { head: `${roleName(node.role)}${short ? ` ${JSON.stringify(short)}` : ''}${level}`, tail: '', node };
}

function frameAccessibility(scope: ElementHandle, page: Page): Page['accessibility'] {
  // A ref inside an iframe must be snapshotted by its own frame's accessibility domain.
  const frame = scope.frame as unknown as { accessibility?: Page['accessibility'] };
  return frame.accessibility ?? page.accessibility;
}

function roleName(role: string): string {
  if (role === 'Iframe') return 'iframe';
  if (role === 'image') return 'img';
  return role.charAt(0).toLowerCase() + role.slice(1);
}

function attributes(node: AXNode): string {
  const out: string[] = [];
  if (node.level !== undefined) out.push(`level=${node.level}`);
  if (node.checked === true) out.push('checked');
  if (node.checked === 'mixed') out.push('checked=mixed');
  if (node.pressed === true) out.push('pressed');
  if (node.selected === true) out.push('selected');
  if (node.expanded === true) out.push('expanded');
  if (node.disabled) out.push('disabled');
  if (node.required) out.push('required');
  if (node.focused) out.push('focused');
  if (node.invalid && node.invalid !== 'false') out.push('invalid');
  return out.map((a) => ` [${a}]`).join('');
}

function indent(depth: number): string {
  return '  '.repeat(Math.min(depth, 40));
}

function clipName(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_NAME ? `${flat.slice(0, MAX_NAME - 1)}…` : flat;
}

/** Same-origin links as paths: shorter, and what a model needs to recognise them. */
export function shortUrl(url: string, base: string): string {
  try {
    const u = new URL(url);
    const b = new URL(base);
    const short = u.origin === b.origin ? `${u.pathname}${u.search}${u.hash}` : u.href;
    return short.length > MAX_NAME ? `${short.slice(0, MAX_NAME - 1)}…` : short;
  } catch {
    return url.slice(0, MAX_NAME);
  }
}

import type { ElementHandle, Frame, Page } from 'puppeteer-core';
import {
  createOutlineWalker,
  lookupRef,
  type OutlineWalker,
  type WalkerOptions,
  type WalkLine,
  type WalkState,
  type WalkStep,
} from './outline-walker.js';

/** What a ref stands for: an element of one document, found again through the page's ref store. */
export interface RefSource {
  /** The document's store token and the element's serial in it: new document, new key. */
  key: string;
  /** The element's line as shown (`- button "Save"`): role and name are read from it when asked. */
  head: string;
  frame: Frame;
  token: string;
  serial: number;
}

/** A ref as a tool uses it: which tab, what the element was, and a way to find it again. */
export interface RefTarget {
  ref: string;
  tab: string;
  role: string;
  name: string;
  handle: () => Promise<ElementHandle | null>;
}

/** Past this many remembered refs a tab forgets them all (refs keep counting, so old ones fail clearly). */
const MAX_REFS_PER_TAB = 20_000;

/**
 * Element refs (`e12`) that stay the same for the same DOM node across snapshots, so a model can
 * snapshot, think, and click `e12` later. A ref is keyed by the document (a token its page keeps)
 * and the element's serial in that document; after a navigation the page's nodes are new and so
 * are their refs, while the old ones answer "stale" instead of hitting a different element. The
 * counter is shared by all tabs, so a ref never means two things at once.
 */
export class RefRegistry {
  #next = 1;
  readonly #byKey = new Map<string, Map<string, string>>();
  readonly #byRef = new Map<string, { tab: string; source: RefSource }>();

  refFor(tab: string, source: RefSource): string {
    let keys = this.#byKey.get(tab);
    if (keys && keys.size >= MAX_REFS_PER_TAB) {
      this.forgetTab(tab);
      keys = undefined;
    }
    if (!keys) {
      keys = new Map();
      this.#byKey.set(tab, keys);
    }
    let ref = keys.get(source.key);
    if (!ref) {
      ref = `e${this.#next++}`;
      keys.set(source.key, ref);
    }
    // The latest snapshot's frame wins: it is the frame as it is now.
    const known = this.#byRef.get(ref);
    if (known) known.source = source;
    else this.#byRef.set(ref, { tab, source });
    return ref;
  }

  get(ref: string): RefTarget | undefined {
    const known = this.#byRef.get(ref);
    if (!known) return undefined;
    const { frame, token, serial, head } = known.source;
    return {
      ref,
      tab: known.tab,
      ...roleAndName(head),
      handle: async () => {
        const found = await frame.evaluateHandle(lookupRef, token, serial);
        const element = found.asElement() as ElementHandle | null;
        if (!element) await found.dispose();
        return element;
      },
    };
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

/** Which lines of the outline to render: from `offset`, while they fit in `limit` bytes. */
export interface SnapshotWindow {
  offset: number;
  /** Bytes the shown lines may take, each measured as a JSON string plus a newline. */
  limit: number;
  /** Also collect the signposts (landmarks, headings, dialogs) of the part left out after the cut. */
  signposts?: boolean;
  /** Nodes to visit past the window for the count of the rest (COUNT_BUDGET unless given). */
  countBudget?: number;
}

/** One line of an outline whose ref is handed out only if the line is shown (see `withRef`). */
export interface OutlineLine {
  head: string;
  tail: string;
  target?: RefSource;
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
  /** How many lines the whole outline (or scope) has; a lower bound when `exact` is false. */
  total: number;
  /** False when the page was too big to count to the end. */
  exact: boolean;
  /** Signposts after the cut, in document order (only when the window asked for them). */
  signposts: Signpost[];
  /** The page's title, read with the outline (a whole-page outline only). */
  title?: string;
}

/** Nodes visited past the window to count the rest: about a second of walking on a slow machine. */
const COUNT_BUDGET = 400_000;
/** Frames inside frames inside frames… are walked this deep. */
const MAX_FRAME_NESTING = 4;

/** A line as shown, with its ref handed out now. */
export function withRef(line: OutlineLine, tab: string, refs: RefRegistry): string {
  const ref = line.target ? refs.refFor(tab, line.target) : undefined;
  return `${line.head}${ref ? ` [ref=${ref}]` : ''}${line.tail}`;
}

/**
 * The page as an indented outline, one node per line, in the shape Playwright MCP made familiar:
 * `- button "Save" [ref=e12]`. Iframes are included under their `iframe` line. The page walks its
 * own DOM and renders only the lines in the window (see outline-walker.ts), so the cost follows
 * what is shown and counted, not the size of the page's accessibility tree; each iframe's
 * document is walked in place by its own frame, whatever its origin.
 */
export async function readOutline(page: Page, window: SnapshotWindow, scope?: ElementHandle): Promise<Outline> {
  const state: WalkState = {
    skip: window.offset,
    used: 0,
    limit: window.limit,
    full: false,
    total: 0,
    countBudget: window.countBudget ?? COUNT_BUDGET,
    exact: true,
    wantSignposts: window.signposts === true,
    signposts: 0,
    frames: 0,
  };
  const lines: OutlineLine[] = [];
  const signposts: Signpost[] = [];
  const base = page.url();

  let title: string | undefined;

  const walk = async (frame: Frame, root: ElementHandle | null, depth: number, insideControl: boolean, nesting: number) => {
    const id = `w${++walks}`;
    let step: (WalkStep & { title?: string }) | null = await startWalk(frame, root, { base, depth, insideControl }, state, id);
    try {
      for (;;) {
        Object.assign(state, step.state);
        if (nesting === 0 && !scope) title = step.title;
        for (const line of step.lines) lines.push(outlineLine(frame, step.token, line));
        for (const s of step.signposts) {
          signposts.push({ line: outlineLine(frame, step.token, { ...s, tail: '' }), priority: s.priority });
        }
        if (!step.frame) {
          step = null;
          return;
        }
        if (nesting < MAX_FRAME_NESTING && state.exact) {
          const child = await pendingFrame(frame, id);
          if (child) {
            try {
              await walk(child, null, step.frame.depth, step.frame.insideControl, nesting + 1);
            } catch {
              // A frame can detach or navigate at any moment; the outline goes on without it.
            }
          }
        }
        const next = await frame.evaluate(continueWalk, OPEN_KEY, id, state);
        step = next === null ? null : readStep(next);
        if (!step) return;
      }
    } finally {
      // A walk left half-way (an error, a frame gone) is dropped in the background.
      if (step) void frame.evaluate(dropWalk, OPEN_KEY, id).catch(() => undefined);
    }
  };
  await walk(scope ? scope.frame : page.mainFrame(), scope ?? null, 0, false, 0);
  return { lines, total: state.total, exact: state.exact, signposts, ...(title !== undefined ? { title } : {}) };
}

/** Where a document keeps the walker's factory. */
const FACTORY_KEY = 'patchbay.outline.v1';
/** Walks in progress in each document (paused at an iframe), by id; the counter makes the ids. */
const OPEN_KEY = 'patchbay.outline.open';
let walks = 0;

const installUnder = (key: string) =>
  `try { Object.defineProperty(globalThis, Symbol.for(${JSON.stringify(key)}), { value: (${createOutlineWalker.toString()}) }); } catch {}`;

/**
 * The script that gives a document the walker's factory: every tab runs it at the start of each
 * document (before the page's own scripts, so a page cannot put another factory there first, and
 * cannot replace it after: the property is fixed). The engine compiles the same source once per
 * renderer and keeps what it optimised, so a snapshot runs warm code and sends a few bytes, not
 * the walker's source: about twice as fast as compiling it afresh on every call.
 */
export const INSTALL_WALKER = installUnder(FACTORY_KEY);

/**
 * Start a walk in a document and run its first step, in one call: create a walker from the
 * document's factory, walk, and keep the walker (by id) only if it paused at an iframe. Null
 * when the document has no factory under `key`. The document's title comes along.
 */
function startWalkIn(
  root: Element | null,
  options: WalkerOptions,
  state: WalkState,
  key: string,
  openKey: string,
  id: string,
): string | null {
  const holder = globalThis as unknown as Record<symbol, unknown>;
  const factory = holder[Symbol.for(key)];
  if (typeof factory !== 'function') return null;
  const walker = (factory as typeof createOutlineWalker)(root, options);
  const step = walker.run(state);
  if (!step.done) {
    let open = holder[Symbol.for(openKey)] as Map<string, OutlineWalker> | undefined;
    if (!(open instanceof Map)) {
      open = new Map();
      Object.defineProperty(globalThis, Symbol.for(openKey), { value: open, configurable: true });
    }
    open.set(id, walker);
  }
  // One string crosses the DevTools pipe: a page's hundreds of small line objects sent as values
  // cost Chromium more to convert than the walk took to make them.
  return JSON.stringify({ ...step, title: document.title });
}

/** The next step of a walk that paused at an iframe (as JSON, like the first); null when the walk is gone. */
function continueWalk(openKey: string, id: string, state: WalkState): string | null {
  const open = (globalThis as unknown as Record<symbol, Map<string, OutlineWalker> | undefined>)[Symbol.for(openKey)];
  const walker = open?.get(id);
  if (!walker) return null;
  const step = walker.run(state);
  if (step.done) open?.delete(id);
  return JSON.stringify(step);
}

function dropWalk(openKey: string, id: string): void {
  (globalThis as unknown as Record<symbol, Map<string, OutlineWalker> | undefined>)[Symbol.for(openKey)]?.delete(id);
}

/**
 * The first step of a walk, in one round trip, with the factory each document gets at its start
 * (INSTALL_WALKER). A document that began before the tab was watched has none: it gets one now;
 * one whose page took the name gets one under a name of this call's own.
 */
async function startWalk(
  frame: Frame,
  root: ElementHandle | null,
  options: WalkerOptions,
  state: WalkState,
  id: string,
): Promise<WalkStep & { title?: string }> {
  const start = async (key: string) => {
    const json = root
      ? await root.evaluate(startWalkIn, options, state, key, OPEN_KEY, id)
      : await frame.evaluate(startWalkIn, null, options, state, key, OPEN_KEY, id);
    return json === null ? null : (readStep(json) as WalkStep & { title: string });
  };
  const first = await start(FACTORY_KEY);
  if (first) return first;
  const target = root ? root.frame : frame;
  await target.evaluate(INSTALL_WALKER);
  const second = await start(FACTORY_KEY);
  if (second) return second;
  const own = `${FACTORY_KEY}.${Math.random().toString(36).slice(2)}`;
  await target.evaluate(installUnder(own));
  const third = await start(own);
  if (!third) throw new Error('the snapshot walker could not be set up in this document');
  return third;
}

/**
 * The page's scripts broke what its walk sent back: the walk runs among them, and a page can
 * replace JSON.stringify or give every object a toJSON. That page's snapshot cannot be read.
 */
export class OutlineUnreadableError extends Error {
  override readonly name = 'OutlineUnreadableError';
}

/** A walk step as sent, checked for the shape the server relies on. */
function readStep(json: string): WalkStep {
  let step: unknown;
  try {
    step = JSON.parse(json);
  } catch {
    throw new OutlineUnreadableError('the walk sent back text that is not JSON');
  }
  const { state, lines, signposts, token } = (step ?? {}) as Partial<WalkStep>;
  if (
    typeof state !== 'object' ||
    state === null ||
    !Array.isArray(lines) ||
    !Array.isArray(signposts) ||
    typeof token !== 'string'
  ) {
    throw new OutlineUnreadableError('the walk sent back something other than a step');
  }
  return step as WalkStep;
}

/** The iframe a paused walk stopped at, as a frame to walk next. */
async function pendingFrame(frame: Frame, id: string): Promise<Frame | null> {
  const pending = await frame.evaluateHandle(
    (openKey: string, walk: string) =>
      (globalThis as unknown as Record<symbol, Map<string, OutlineWalker> | undefined>)[Symbol.for(openKey)]?.get(walk)
        ?.pendingFrame ?? null,
    OPEN_KEY,
    id,
  );
  try {
    const element = pending.asElement() as ElementHandle<HTMLIFrameElement> | null;
    return element ? await element.contentFrame() : null;
  } finally {
    void pending.dispose().catch(() => undefined);
  }
}

/** `  - button "Save" [checked]` → role `button`, name `Save` (as shown, clipped). */
const HEAD = /^\s*- (\S+)(?: ("(?:[^"\\]|\\.)*"))?/;

function roleAndName(head: string): { role: string; name: string } {
  const match = HEAD.exec(head);
  let name = '';
  try {
    name = match?.[2] ? (JSON.parse(match[2]) as string) : '';
  } catch {
    // A head the walker wrote always parses; a name is only a label anyway.
  }
  return { role: match?.[1] ?? '', name };
}

/** Line breaks, which only a page that tampered with the walk (its globals are the page's) can put in a line. */
const LINE_BREAK = /[\r\n\u2028\u2029]/g;
const oneLine = (text: string) => text.replace(LINE_BREAK, ' ');

function outlineLine(frame: Frame, token: string, line: WalkLine): OutlineLine {
  // The walk runs among the page's scripts: whatever it sends, an element stays one line here.
  const head = oneLine(String(line.head));
  const tail = oneLine(String(line.tail));
  const serial = line.serial;
  if (typeof serial !== 'number') return { head, tail };
  return { head, tail, target: { key: `${token}:${serial}`, head, frame, token, serial } };
}

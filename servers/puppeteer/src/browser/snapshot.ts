import type { ElementHandle, Frame, JSHandle, Page } from 'puppeteer-core';
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
  role: string;
  name: string;
  handle: () => Promise<ElementHandle | null>;
}

export interface RefTarget extends RefSource {
  ref: string;
  tab: string;
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
  readonly #byRef = new Map<string, RefTarget>();

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
    // The latest snapshot's handle getter wins: it belongs to the frame as it is now.
    this.#byRef.set(ref, { ...source, ref, tab });
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

  const walk = async (frame: Frame, root: ElementHandle | null, depth: number, insideControl: boolean, nesting: number) => {
    const walker = await newWalker(frame, root, { base, depth, insideControl });
    try {
      for (;;) {
        const step: WalkStep = await walker.evaluate((w, s) => w.run(s), state);
        Object.assign(state, step.state);
        for (const line of step.lines) lines.push(outlineLine(frame, step.token, line));
        for (const s of step.signposts) {
          signposts.push({ line: outlineLine(frame, step.token, { ...s, tail: '' }), priority: s.priority });
        }
        if (!step.frame) return;
        if (nesting >= MAX_FRAME_NESTING || !state.exact) continue;
        const child = await contentFrame(walker);
        if (!child) continue;
        try {
          await walk(child, null, step.frame.depth, step.frame.insideControl, nesting + 1);
        } catch {
          // A frame can detach or navigate at any moment; the outline goes on without it.
        }
      }
    } finally {
      // Released in the background: the reply need not wait a round trip for it.
      void walker.dispose().catch(() => undefined);
    }
  };
  await walk(scope ? scope.frame : page.mainFrame(), scope ?? null, 0, false, 0);
  return { lines, total: state.total, exact: state.exact, signposts };
}

/** Where a document keeps the walker's factory. */
const FACTORY_KEY = 'patchbay.outline.v1';

/**
 * The script that gives a document the walker's factory: every tab runs it at the start of each
 * document (before the page's own scripts, so a page cannot put another factory there first, and
 * cannot replace it after: the property is fixed). The engine compiles the same source once per
 * renderer and keeps what it optimised, so a snapshot runs warm code and sends a few bytes, not
 * the walker's source: about twice as fast as compiling it afresh on every call.
 */
export const INSTALL_WALKER = `try { Object.defineProperty(globalThis, Symbol.for(${JSON.stringify(FACTORY_KEY)}), { value: (${createOutlineWalker.toString()}) }); } catch {}`;

/** A walker from the document's own factory, or null when it has none. */
function fromInstalled(root: Element | null, options: WalkerOptions, key: string): OutlineWalker | null {
  const factory = (globalThis as unknown as Record<symbol, unknown>)[Symbol.for(key)];
  return typeof factory === 'function' ? (factory as typeof createOutlineWalker)(root, options) : null;
}

/**
 * A walker for a frame's document (or one element of it), from the factory the document was
 * given at its start. A document that began before the tab was watched has none: it gets one now,
 * and if that fails (a page that defined the name itself), the walker is sent with the call.
 */
async function newWalker(frame: Frame, root: ElementHandle | null, options: WalkerOptions): Promise<JSHandle<OutlineWalker>> {
  const attempt = () =>
    (root
      ? root.evaluateHandle(fromInstalled, options, FACTORY_KEY)
      : frame.evaluateHandle(fromInstalled, null, options, FACTORY_KEY)) as Promise<JSHandle<OutlineWalker | null>>;
  let walker = await attempt();
  if (walker.remoteObject().subtype !== 'null') return walker as JSHandle<OutlineWalker>;
  await (root ? root.frame : frame).evaluate(INSTALL_WALKER);
  walker = await attempt();
  if (walker.remoteObject().subtype !== 'null') return walker as JSHandle<OutlineWalker>;
  return root ? root.evaluateHandle(createOutlineWalker, options) : frame.evaluateHandle(createOutlineWalker, null, options);
}

async function contentFrame(walker: JSHandle<OutlineWalker>): Promise<Frame | null> {
  const pending = await walker.evaluateHandle((w) => w.pendingFrame);
  try {
    const element = pending.asElement() as ElementHandle<HTMLIFrameElement> | null;
    return element ? await element.contentFrame() : null;
  } finally {
    await pending.dispose().catch(() => undefined);
  }
}

function outlineLine(frame: Frame, token: string, line: WalkLine): OutlineLine {
  if (line.serial === undefined) return { head: line.head, tail: line.tail };
  const serial = line.serial;
  return {
    head: line.head,
    tail: line.tail,
    target: {
      key: `${token}:${serial}`,
      role: line.role ?? '',
      name: line.name ?? '',
      handle: async () => {
        const found = await frame.evaluateHandle(lookupRef, token, serial);
        const element = found.asElement() as ElementHandle | null;
        if (!element) await found.dispose();
        return element;
      },
    },
  };
}

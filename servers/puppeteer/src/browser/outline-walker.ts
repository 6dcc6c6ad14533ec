/**
 * The in-page half of a snapshot: a walk over one frame's DOM (the flat tree: open shadow roots
 * and slots included) that writes the outline's lines itself, in the page, and stops writing once
 * the window of lines the caller asked for is full. The rest of the page is only counted (and, for
 * a compact snapshot, searched for landmarks and headings), up to a cap on nodes; so a page of
 * 200 000 elements costs a walk, never a 200 MB accessibility tree crossing the DevTools pipe,
 * which is what Chromium's own tree (Accessibility.getFullAXTree) costs for such a page.
 *
 * Roles, names and states follow what Chromium's accessibility tree gives for the same element
 * (HTML-AAM implicit roles, ARIA roles, the accessible name computation), and which elements get
 * a line follows puppeteer's "interesting nodes" rule the outline was first built on: landmarks,
 * focusable elements, controls, and leaves with a name; text as `text:` lines. The walk pauses at
 * each iframe so the caller can walk the frame's own document (same-origin or not) in place.
 *
 * `createOutlineWalker` is sent to the page as source text, so it refers to nothing outside
 * itself; the types below only describe what crosses the DevTools boundary.
 */

export interface WalkerOptions {
  /** The top page's URL: same-origin links are shown as paths. */
  base: string;
  /** Depth of this walk's first lines (a frame's lines sit under its iframe line). */
  depth: number;
  /** The walk starts inside a control (its text is then not shown, as under a button). */
  insideControl: boolean;
}

/** The running totals of one snapshot, carried from frame to frame. */
export interface WalkState {
  /** Lines still to pass over before the window starts (a cursor's offset). */
  skip: number;
  /** Bytes the window's lines take, each measured as a JSON string plus a newline. */
  used: number;
  limit: number;
  /** Once a line did not fit, the window is closed: the rest is only counted. */
  full: boolean;
  /** Lines of the outline so far (before, in and after the window). */
  total: number;
  /** Nodes the walk may still visit after the window closed, before it stops counting. */
  countBudget: number;
  /** False once counting stopped early: `total` is then a lower bound. */
  exact: boolean;
  /** Collect the signposts (landmarks, headings, dialogs) after the window. */
  wantSignposts: boolean;
  signposts: number;
  /** Frames walked so far. */
  frames: number;
}

export interface WalkLine {
  head: string;
  tail: string;
  /** The element's id in the page's ref store; text lines have none. */
  serial?: number;
  /** Only inside the walker: a line leaves the page without them (they are in `head`). */
  role?: string;
  name?: string;
}

export interface WalkSignpost {
  head: string;
  serial: number;
  role: string;
  name: string;
  priority: number;
}

export interface WalkStep {
  state: WalkState;
  lines: WalkLine[];
  signposts: WalkSignpost[];
  /** The document's ref-store token: refs are keyed by it, so a new document means new refs. */
  token: string;
  /** Set when the walk paused at an iframe whose document should be walked now. */
  frame?: { depth: number; insideControl: boolean };
  done: boolean;
}

export interface OutlineWalker {
  run(state: WalkState): WalkStep;
  /** The iframe the walk paused at. */
  pendingFrame: Element | null;
}

/** The element a ref names, or null when its document is gone or the element was collected. */
export function lookupRef(token: string, serial: number): Element | null {
  const store = (window as unknown as Record<symbol, unknown>)[Symbol.for('patchbay.refs')] as
    | { token: string; bySerial: Map<number, WeakRef<Element>> }
    | undefined;
  if (!store || store.token !== token) return null;
  const element = store.bySerial.get(serial)?.deref() ?? null;
  return element?.isConnected ? element : null;
}

export function createOutlineWalker(root: Element | null, options: WalkerOptions): OutlineWalker {
  // Everything the walk needs is declared in here: this function runs in the page.
  const MAX_NAME = 200;
  const MAX_SIGNPOSTS = 200;
  const MAX_SIGNPOST_NAME = 80;
  const MAX_FRAMES = 50;
  /** Names are cut to MAX_NAME; gathering more text than this for one is wasted work. */
  const MAX_NAME_SOURCE = 1_000;
  /** How deep a name computed from content looks into the element. */
  const MAX_NAME_DEPTH = 64;
  const REF_PLACEHOLDER = ' [ref=e0000000]';
  const SKIPPED = new Set(['script', 'style', 'template', 'noscript', 'head', 'meta', 'link', 'title', 'base']);
  /** Roles whose nodes never get a line of their own; their children take their place. */
  const HIDDEN_ROLES = new Set(['generic', 'none', 'presentation', 'lineBreak']);
  const VALUE_ROLES = new Set(['textbox', 'searchbox', 'combobox', 'spinbutton', 'slider', 'progressbar', 'meter']);
  const LANDMARKS = new Set(['banner', 'complementary', 'contentinfo', 'form', 'main', 'navigation', 'region', 'search']);
  const CONTROLS = new Set([
    'button',
    'checkbox',
    'colorWell',
    'combobox',
    'disclosureTriangle',
    'listbox',
    'menu',
    'menubar',
    'menuitem',
    'menuitemcheckbox',
    'menuitemradio',
    'radio',
    'scrollbar',
    'searchbox',
    'slider',
    'spinbutton',
    'switch',
    'tab',
    'textbox',
    'tree',
    'treeitem',
  ]);
  /** Roles shown as leaves: whatever is inside them is theirs, not separate lines. */
  const LEAF_ROLES = new Set([
    'doc-cover',
    'graphics-symbol',
    'img',
    'meter',
    'scrollbar',
    'slider',
    'separator',
    'progressbar',
    'textbox',
    'searchbox',
  ]);
  const NAME_FROM_CONTENT = new Set([
    'button',
    'cell',
    'checkbox',
    'columnheader',
    'disclosureTriangle',
    'gridcell',
    'heading',
    'link',
    'menuitem',
    'menuitemcheckbox',
    'menuitemradio',
    'option',
    'radio',
    'row',
    'rowheader',
    'switch',
    'tab',
    'tooltip',
    'treeitem',
  ]);
  const CHECKABLE = new Set(['checkbox', 'radio', 'switch', 'menuitemcheckbox', 'menuitemradio', 'treeitem', 'option']);
  const ARIA_ROLES = new Set([
    'alert',
    'alertdialog',
    'application',
    'article',
    'banner',
    'blockquote',
    'button',
    'caption',
    'cell',
    'checkbox',
    'code',
    'columnheader',
    'combobox',
    'complementary',
    'contentinfo',
    'definition',
    'deletion',
    'dialog',
    'directory',
    'document',
    'emphasis',
    'feed',
    'figure',
    'form',
    'generic',
    'grid',
    'gridcell',
    'group',
    'heading',
    'img',
    'image',
    'insertion',
    'link',
    'list',
    'listbox',
    'listitem',
    'log',
    'main',
    'mark',
    'marquee',
    'math',
    'menu',
    'menubar',
    'menuitem',
    'menuitemcheckbox',
    'menuitemradio',
    'meter',
    'navigation',
    'none',
    'note',
    'option',
    'paragraph',
    'presentation',
    'progressbar',
    'radio',
    'radiogroup',
    'region',
    'row',
    'rowgroup',
    'rowheader',
    'scrollbar',
    'search',
    'searchbox',
    'separator',
    'slider',
    'spinbutton',
    'status',
    'strong',
    'subscript',
    'superscript',
    'switch',
    'tab',
    'table',
    'tablist',
    'tabpanel',
    'term',
    'textbox',
    'time',
    'timer',
    'toolbar',
    'tooltip',
    'tree',
    'treegrid',
    'treeitem',
  ]);
  const FOCUSABLE_INSIDE =
    'a[href],area[href],button,input:not([type=hidden]),select,textarea,iframe,summary,[tabindex],[contenteditable]:not([contenteditable=false])';

  const doc = root ? root.ownerDocument : document;
  const win = (doc.defaultView ?? window) as Window & typeof globalThis;
  const NON_ASCII = /[^\x00-\x7f]/;
  const NEEDS_ESCAPE = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/;

  // The page's ref store: element ⇄ serial, with a token that changes with the document.
  const key = Symbol.for('patchbay.refs');
  type Store = { token: string; next: number; ids: WeakMap<Element, number>; bySerial: Map<number, WeakRef<Element>> };
  const holder = win as unknown as Record<symbol, Store | undefined>;
  let store = holder[key];
  if (!store || typeof store.token !== 'string' || !(store.bySerial instanceof Map)) {
    store = {
      token: `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`,
      next: 0,
      ids: new WeakMap(),
      bySerial: new Map(),
    };
    Object.defineProperty(win, key, { value: store, enumerable: false, configurable: true });
  }
  const refs = store;
  const serialOf = (el: Element): number => {
    let serial = refs.ids.get(el);
    if (serial === undefined) {
      serial = ++refs.next;
      refs.ids.set(el, serial);
      refs.bySerial.set(serial, new WeakRef(el));
    }
    return serial;
  };

  // ---- text helpers ----
  /** Whitespace that collapsing would change inside trimmed text: a run, or a tab or newline. */
  const NEEDS_COLLAPSE = /\s\s|[^\S ]/;
  const collapse = (text: string) => {
    // Most calls get an empty attribute or a whitespace-only text node: no regex replace for them.
    if (text === '') return '';
    const trimmed = text.trim();
    return NEEDS_COLLAPSE.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
  };
  const clipName = (text: string) => {
    const flat = collapse(text);
    return flat.length > MAX_NAME ? `${flat.slice(0, MAX_NAME - 1)}…` : flat;
  };
  const indent = (depth: number) => '  '.repeat(Math.min(depth, 40));
  let baseOrigin: string | undefined;
  try {
    baseOrigin = new URL(options.base).origin;
  } catch {
    baseOrigin = undefined;
  }
  const shortUrl = (url: string) => {
    // Most links stay on the page's origin: their path, without parsing every one.
    if (baseOrigin && url.startsWith(baseOrigin) && url.charAt(baseOrigin.length) === '/') {
      const short = url.slice(baseOrigin.length);
      return short.length > MAX_NAME ? `${short.slice(0, MAX_NAME - 1)}…` : short;
    }
    try {
      const u = new URL(url);
      const short = u.origin === baseOrigin ? `${u.pathname}${u.search}${u.hash}` : u.href;
      return short.length > MAX_NAME ? `${short.slice(0, MAX_NAME - 1)}…` : short;
    } catch {
      // An href the parser refuses comes back as the page wrote it, newlines and all: shown, it
      // could start lines of the page's own making. It leads nowhere anyway.
      return '';
    }
  };
  // A line's size as the reply counts it (JSON, UTF-8): ASCII lines, most of them, without encoding.
  const bytes = (line: string) => {
    // Printable ASCII without quotes or backslashes is its own JSON, between two quotes.
    if (!NEEDS_ESCAPE.test(line)) return line.length + 3;
    const json = JSON.stringify(line);
    return (NON_ASCII.test(json) ? utf8Length(json) : json.length) + 1;
  };
  /** UTF-8 bytes of a string, counted (encoding each line would allocate an array per line). */
  const utf8Length = (text: string) => {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        // A surrogate pair is one four-byte character; a lone surrogate JSON escapes, so is ASCII.
        n += 4;
        i++;
      } else n += 3;
    }
    return n;
  };

  // ---- the flat tree ----
  // The live child lists themselves, not copies: a walk runs synchronously, so they cannot
  // change under it, and copying one per element was a good part of a walk's time.
  const childrenOf = (node: Node): ArrayLike<Node> => {
    if (node.nodeType === 1) {
      const el = node as Element;
      if (el.shadowRoot) return el.shadowRoot.childNodes;
      if (el.localName === 'slot') {
        const assigned = (el as HTMLSlotElement).assignedNodes({ flatten: true });
        if (assigned.length) return assigned;
      }
    }
    return node.childNodes;
  };
  // One live declaration per element (a name, a parent and the walk each ask for it; making a
  // new one costs microseconds). Live, so it never goes stale; dropped at the start of every run.
  const styles = new Map<Element, CSSStyleDeclaration>();
  const style = (el: Element) => {
    let computed = styles.get(el);
    if (!computed) {
      computed = win.getComputedStyle(el);
      styles.set(el, computed);
    }
    return computed;
  };
  const hiddenForever = (el: Element) =>
    SKIPPED.has(el.localName) || el.getAttribute('aria-hidden') === 'true' || style(el).display === 'none';

  // ---- roles ----
  const inSectioning = (el: Element) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (/^(article|aside|main|nav|section)$/.test(p.localName)) return true;
      if (/^(article|complementary|main|navigation|region)$/.test(p.getAttribute('role') ?? '')) return true;
    }
    return false;
  };
  const hasAriaName = (el: Element) =>
    Boolean(collapse(el.getAttribute('aria-label') ?? '') || (el.getAttribute('aria-labelledby') ?? '').trim());
  const inputRole = (input: HTMLInputElement) => {
    const type = input.type;
    if (type === 'button' || type === 'submit' || type === 'reset' || type === 'image' || type === 'file') return 'button';
    if (type === 'checkbox') return 'checkbox';
    if (type === 'radio') return 'radio';
    if (type === 'range') return 'slider';
    if (type === 'number') return 'spinbutton';
    if (type === 'color') return 'colorWell';
    if (type === 'date') return 'date';
    if (type === 'time') return 'inputTime';
    if (type === 'datetime-local' || type === 'month' || type === 'week') return 'dateTime';
    if (input.hasAttribute('list')) return 'combobox';
    return type === 'search' ? 'searchbox' : 'textbox';
  };
  const implicitRole = (el: Element): string => {
    switch (el.localName) {
      case 'a':
      case 'area':
        return el.hasAttribute('href') ? 'link' : 'generic';
      case 'article':
        return 'article';
      case 'aside':
        return 'complementary';
      case 'blockquote':
        return 'blockquote';
      case 'br':
        return 'lineBreak';
      case 'button':
        return 'button';
      case 'caption':
        return 'caption';
      case 'code':
        return 'code';
      case 'datalist':
        return 'listbox';
      case 'dd':
        return 'definition';
      case 'details':
        return 'group';
      case 'dialog':
        return 'dialog';
      case 'dfn':
      case 'dt':
        return 'term';
      case 'fieldset':
      case 'optgroup':
        return 'group';
      case 'figure':
        return 'figure';
      case 'footer':
        return inSectioning(el) ? 'generic' : 'contentinfo';
      case 'form':
        return 'form';
      case 'h1':
      case 'h2':
      case 'h3':
      case 'h4':
      case 'h5':
      case 'h6':
        return 'heading';
      case 'header':
        return inSectioning(el) ? 'generic' : 'banner';
      case 'hr':
        return 'separator';
      case 'iframe':
      case 'frame':
        return 'iframe';
      case 'img':
        return el.getAttribute('alt') === '' && !el.hasAttribute('title') ? 'presentation' : 'img';
      case 'input':
        return inputRole(el as HTMLInputElement);
      case 'li':
        return 'listitem';
      case 'main':
        return 'main';
      case 'math':
        return 'math';
      case 'menu':
      case 'ol':
      case 'ul':
        return 'list';
      case 'meter':
        return 'meter';
      case 'nav':
        return 'navigation';
      case 'option':
        return 'option';
      case 'output':
        return 'status';
      case 'p':
        return 'paragraph';
      case 'progress':
        return 'progressbar';
      case 'search':
        return 'search';
      case 'section':
        return hasAriaName(el) || el.hasAttribute('title') ? 'region' : 'generic';
      case 'select': {
        const select = el as HTMLSelectElement;
        return select.multiple || select.size > 1 ? 'listbox' : 'combobox';
      }
      case 'summary':
        return 'disclosureTriangle';
      case 'svg':
        return 'img';
      case 'table':
        return 'table';
      case 'tbody':
      case 'tfoot':
      case 'thead':
        return 'rowgroup';
      case 'td':
        return 'cell';
      case 'th':
        return el.getAttribute('scope') === 'row' ? 'rowheader' : 'columnheader';
      case 'textarea':
        return 'textbox';
      case 'tr':
        return 'row';
      default:
        return (el as HTMLElement).isContentEditable && !el.parentElement?.isContentEditable ? 'textbox' : 'generic';
    }
  };
  const disabled = (el: Element) => {
    try {
      if (el.matches(':disabled')) return true;
    } catch {
      // Not a form-associated element.
    }
    return el.getAttribute('aria-disabled') === 'true';
  };
  const focusable = (el: Element): boolean => {
    const tag = el.localName;
    if (el.matches(':disabled')) return false;
    if (el.hasAttribute('tabindex')) return true;
    if ((tag === 'a' || tag === 'area') && el.hasAttribute('href')) return true;
    if (tag === 'button' || tag === 'select' || tag === 'textarea' || tag === 'iframe') return true;
    if (tag === 'input') return (el as HTMLInputElement).type !== 'hidden';
    if (tag === 'option') return Boolean(el.closest('select'));
    if (tag === 'summary') return el.parentElement?.localName === 'details' && el.parentElement.querySelector('summary') === el;
    if ((tag === 'audio' || tag === 'video') && el.hasAttribute('controls')) return true;
    return (el as HTMLElement).isContentEditable === true && !el.parentElement?.isContentEditable;
  };
  const roleOf = (el: Element): string => {
    const attr = el.getAttribute('role');
    if (attr) {
      for (const token of attr.trim().toLowerCase().split(/\s+/)) {
        if (!ARIA_ROLES.has(token)) continue;
        // A focusable element or one with a name cannot be made presentational.
        if ((token === 'none' || token === 'presentation') && (focusable(el) || hasAriaName(el))) break;
        if (token === 'image') return 'img';
        if (token === 'region' && !hasAriaName(el) && !el.hasAttribute('title')) return 'generic';
        return token;
      }
    }
    return implicitRole(el);
  };

  // ---- names ----
  type NameBudget = { left: number; depth: number };
  const nameBudget = (): NameBudget => ({ left: MAX_NAME_SOURCE, depth: 0 });
  const hiddenForName = (el: Element) => {
    if (SKIPPED.has(el.localName) || el.getAttribute('aria-hidden') === 'true') return true;
    const s = style(el);
    return s.display === 'none' || s.visibility !== 'visible';
  };
  const controlValue = (el: Element, role: string): string | undefined => {
    if (el.localName === 'select') {
      const option = (el as HTMLSelectElement).selectedOptions[0];
      return option ? option.label || option.text : '';
    }
    if (role === 'textbox' || role === 'searchbox' || role === 'spinbutton' || role === 'slider' || role === 'combobox') {
      if (el.localName === 'input' || el.localName === 'textarea') return (el as HTMLInputElement).value;
      return el.getAttribute('aria-valuetext') ?? el.getAttribute('aria-valuenow') ?? el.textContent ?? '';
    }
    return undefined;
  };
  /**
   * The text an element contributes to a name computed from content (accname 2F). CSS generated
   * content is left out: it is mostly icon-font glyphs, noise to a model.
   */
  const contentText = (el: Element, exclude: Element | null, budget: NameBudget): string => {
    // A name is cut to MAX_NAME anyway; a page nesting elements thousands deep gets no deeper.
    if (budget.depth >= MAX_NAME_DEPTH) return '';
    budget.depth++;
    let out = '';
    const kids = childrenOf(el);
    for (let i = 0; i < kids.length; i++) {
      const child = kids[i] as Node;
      if (budget.left <= 0) break;
      const part = textAlternative(child, exclude, false, budget);
      const block = child.nodeType === 1 && !style(child as Element).display.startsWith('inline');
      out += block ? ` ${part} ` : part;
    }
    budget.depth--;
    return out;
  };
  /** A node's text alternative as part of another element's name (accname 2B–2I, simplified). */
  const textAlternative = (node: Node, exclude: Element | null, referenced: boolean, budget: NameBudget): string => {
    if (node.nodeType === 3) {
      const text = (node as Text).data;
      budget.left -= text.length;
      return text;
    }
    if (node.nodeType !== 1) return '';
    const el = node as Element;
    if (el === exclude) return '';
    if (!referenced && hiddenForName(el)) return '';
    const label = collapse(el.getAttribute('aria-label') ?? '');
    if (label) return label;
    const role = roleOf(el);
    // A control inside a label contributes its value, not its content.
    if (exclude) {
      const value = controlValue(el, role);
      if (value !== undefined) return value;
    }
    if (el.localName === 'img' || (el.localName === 'input' && (el as HTMLInputElement).type === 'image')) {
      return el.getAttribute('alt') ?? el.getAttribute('title') ?? '';
    }
    const text = contentText(el, exclude, budget);
    return collapse(text) ? text : (el.getAttribute('title') ?? '');
  };
  const byIds = (el: Element, ids: string): Element[] => {
    const scope = el.getRootNode() as Document | ShadowRoot;
    const found: Element[] = [];
    for (const id of ids.trim().split(/\s+/)) {
      const target = typeof scope.getElementById === 'function' ? scope.getElementById(id) : doc.getElementById(id);
      if (target) found.push(target);
    }
    return found;
  };
  /**
   * Each control's <label>s, found once per document or shadow root: `el.labels` makes Blink
   * look through the whole tree for every control it is asked about (150 buttons on a page cost
   * a walk more than everything else it does).
   */
  const labelsByRoot = new Map<Node, Map<Element, HTMLLabelElement[]>>();
  const labelsOf = (el: Element): readonly HTMLLabelElement[] => {
    const scope = el.getRootNode();
    let byControl = labelsByRoot.get(scope);
    if (!byControl) {
      byControl = new Map();
      const all = (scope as Document | ShadowRoot).querySelectorAll?.('label') ?? [];
      for (let i = 0; i < all.length; i++) {
        const label = all[i] as HTMLLabelElement;
        const control = label.control;
        if (!control) continue;
        const list = byControl.get(control);
        if (list) list.push(label);
        else byControl.set(control, [label]);
      }
      labelsByRoot.set(scope, byControl);
    }
    return byControl.get(el) ?? [];
  };
  const labelsText = (el: Element) => {
    const labels = labelsOf(el);
    if (!labels.length) return '';
    return collapse(
      Array.from(labels)
        .map((label) => textAlternative(label, el, true, nameBudget()))
        .join(' '),
    );
  };
  const childText = (el: Element, tag: string) => {
    const child = Array.from(el.children).find((c) => c.localName === tag);
    return child ? collapse(textAlternative(child, null, true, nameBudget())) : '';
  };
  const nativeName = (el: Element): string => {
    const tag = el.localName;
    if (tag === 'input') {
      const input = el as HTMLInputElement;
      const type = input.type;
      if (type === 'submit' || type === 'reset' || type === 'button') {
        return collapse(input.value || (type === 'submit' ? 'Submit' : type === 'reset' ? 'Reset' : ''));
      }
      if (type === 'image') return collapse(input.alt || input.value || input.title || 'Submit');
      return labelsText(el) || collapse(input.title || input.placeholder || '');
    }
    if (tag === 'textarea') {
      const area = el as HTMLTextAreaElement;
      return labelsText(el) || collapse(area.title || area.placeholder || '');
    }
    if (tag === 'select' || tag === 'meter' || tag === 'progress' || tag === 'output' || tag === 'button') return labelsText(el);
    if (tag === 'img' || tag === 'area') return collapse(el.getAttribute('alt') ?? '');
    if (tag === 'fieldset') return childText(el, 'legend');
    if (tag === 'figure') return childText(el, 'figcaption');
    if (tag === 'table') return childText(el, 'caption');
    if (tag === 'svg') return childText(el, 'title');
    if (tag === 'optgroup') return collapse(el.getAttribute('label') ?? '');
    if (tag === 'option') return collapse((el as HTMLOptionElement).label || (el as HTMLOptionElement).text);
    return '';
  };
  const nameOf = (el: Element, role: string): string => {
    const labelledBy = el.getAttribute('aria-labelledby');
    if (labelledBy) {
      const text = collapse(
        byIds(el, labelledBy)
          .map((target) =>
            target === el
              ? collapse(el.getAttribute('aria-label') ?? '') || contentText(el, null, nameBudget())
              : textAlternative(target, null, true, nameBudget()),
          )
          .join(' '),
      );
      if (text) return text;
    }
    const label = collapse(el.getAttribute('aria-label') ?? '');
    if (label) return label;
    const native = nativeName(el);
    if (native) return native;
    if (NAME_FROM_CONTENT.has(role)) {
      const text = collapse(contentText(el, null, nameBudget()));
      if (text) return text;
    }
    return collapse(el.getAttribute('title') ?? '');
  };

  // ---- states ----
  const deepActive = () => {
    let active: Element | null = doc.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active;
  };
  const levelOf = (el: Element) =>
    Number(el.getAttribute('aria-level')) || (/^h[1-6]$/.test(el.localName) ? Number(el.localName[1]) : 2);
  const attributes = (el: Element, role: string): string => {
    const out: string[] = [];
    const tag = el.localName;
    if (role === 'heading') out.push(`level=${levelOf(el)}`);
    if (tag === 'input' && ((el as HTMLInputElement).type === 'checkbox' || (el as HTMLInputElement).type === 'radio')) {
      const input = el as HTMLInputElement;
      if (input.type === 'checkbox' && input.indeterminate) out.push('checked=mixed');
      else if (input.checked) out.push('checked');
    } else if (CHECKABLE.has(role)) {
      const checked = el.getAttribute('aria-checked');
      if (checked === 'true') out.push('checked');
      else if (checked === 'mixed') out.push('checked=mixed');
    }
    if (el.getAttribute('aria-pressed') === 'true') out.push('pressed');
    if ((tag === 'option' && (el as HTMLOptionElement).selected) || el.getAttribute('aria-selected') === 'true') {
      out.push('selected');
    }
    if (
      el.getAttribute('aria-expanded') === 'true' ||
      (tag === 'summary' && el.parentElement?.localName === 'details' && (el.parentElement as HTMLDetailsElement).open)
    ) {
      out.push('expanded');
    }
    if (disabled(el)) out.push('disabled');
    if ((el as HTMLInputElement).required === true || el.getAttribute('aria-required') === 'true') out.push('required');
    if (el === deepActive() && el !== doc.body && doc.hasFocus()) out.push('focused');
    const invalid = el.getAttribute('aria-invalid');
    if (invalid !== null && invalid !== 'false') out.push('invalid');
    return out.map((a) => ` [${a}]`).join('');
  };
  const valueText = (el: Element, role: string): string => {
    if (!VALUE_ROLES.has(role)) return '';
    const tag = el.localName;
    if (tag === 'input') {
      const input = el as HTMLInputElement;
      // What a screen reader would get: the length, never the secret.
      return input.type === 'password' ? '•'.repeat(Math.min(input.value.length, 40)) : input.value;
    }
    if (tag === 'textarea') return (el as HTMLTextAreaElement).value;
    if (tag === 'select') {
      const option = (el as HTMLSelectElement).selectedOptions[0];
      return option ? option.label || option.text : '';
    }
    if (tag === 'progress' || tag === 'meter') {
      return el.hasAttribute('value') || tag === 'meter' ? String((el as HTMLProgressElement).value) : '';
    }
    const aria = el.getAttribute('aria-valuetext') ?? el.getAttribute('aria-valuenow');
    if (aria !== null) return aria;
    return (el as HTMLElement).isContentEditable ? (el.textContent ?? '') : '';
  };
  const live = (el: Element, role: string) => {
    const attr = el.getAttribute('aria-live');
    if (attr) return attr !== 'off';
    return role === 'alert' || role === 'status' || role === 'log';
  };
  const modal = (el: Element, role: string) => {
    if (role !== 'dialog' && role !== 'alertdialog') return false;
    if (el.getAttribute('aria-modal') === 'true') return true;
    try {
      return el.matches(':modal');
    } catch {
      return false;
    }
  };
  /** A label of a checkbox or radio says nothing the control's own line does not (as in Chromium). */
  const redundantLabel = (el: Element) => {
    if (el.localName !== 'label') return false;
    const control = (el as HTMLLabelElement).control;
    return control instanceof win.HTMLInputElement && (control.type === 'checkbox' || control.type === 'radio');
  };
  /** The children a page shows: a closed <details> shows its summary, content-visibility: hidden nothing. */
  const renderedChildren = (el: Element, computed: CSSStyleDeclaration): ArrayLike<Node> => {
    if (computed.contentVisibility === 'hidden') return [];
    if (el.localName === 'details' && !(el as HTMLDetailsElement).open) {
      const summary = Array.from(el.children).find((c) => c.localName === 'summary');
      return summary ? [summary] : [];
    }
    return childrenOf(el);
  };
  /** Whether the element has anything the accessibility tree would put under it. */
  const hasContent = (el: Element) => {
    const kids = childrenOf(el);
    for (let i = 0; i < kids.length; i++) {
      const child = kids[i] as Node;
      if (child.nodeType === 3 ? /\S/.test((child as Text).data) : child.nodeType === 1 && !hiddenForever(child as Element)) {
        return true;
      }
    }
    return false;
  };
  const signpostPriority = (role: string, name: string, level: number | undefined): number | undefined => {
    if (role === 'dialog' || role === 'alertdialog' || role === 'alert') return 0;
    if (LANDMARKS.has(role)) return role === 'region' && !name ? undefined : 1;
    if (role === 'heading') return (level ?? 2) <= 2 ? 1 : level === 3 ? 2 : 3;
    if (role === 'iframe') return 2;
    return undefined;
  };

  // ---- the walk ----
  interface Context {
    depth: number;
    insideControl: boolean;
    /** The name of the line this node's lines sit under, for "a link says its label once". */
    parentName: string | null;
    /** Text here is visible (no visibility: hidden above it). */
    visible: boolean;
  }
  interface Level {
    kids: ArrayLike<Node>;
    i: number;
    ctx: Context;
  }
  /** What a walk does with a line: the snapshot's window, or a probe for "has any line". */
  interface Sink {
    /** Count a line; `build` renders it, when it is shown. Returns false to stop the walk. */
    line(element: ElementLine | undefined, build: () => WalkLine): boolean;
    /** Whether a frame's document should be walked in place here. */
    pauseAtFrames: boolean;
  }
  interface ElementLine {
    el: Element;
    role: string;
    name: string;
  }
  const STOP = 1;
  const PAUSE = 2;

  const elementLine = (item: ElementLine, depth: number, hasChildren: boolean): WalkLine => {
    const { el, role, name } = item;
    const shown = clipName(name);
    const head = `${indent(depth)}- ${role}${shown ? ` ${JSON.stringify(shown)}` : ''}${attributes(el, role)}`;
    let tail = '';
    if (role === 'link') {
      // What the link resolves to; an href that does not resolve (a relative one in about:blank) is left out.
      const href = (el as HTMLAnchorElement).href;
      const address = typeof href === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(href) ? shortUrl(href) : '';
      if (address) tail += ` → ${address}`;
    }
    const value = valueText(el, role);
    if (value) tail += `: ${clipName(value)}`;
    if (hasChildren) tail += ':';
    return { head, tail, serial: serialOf(el), role, name };
  };

  /**
   * Visit one node: give its line to the sink, and push its children. Returns STOP when the sink
   * wants no more, PAUSE at an iframe whose document the caller walks next.
   */
  const visit = (node: Node, ctx: Context, stack: Level[], sink: Sink, paused: { frame: Element | null }): number => {
    if (node.nodeType === 3) {
      if (!ctx.visible || ctx.insideControl) return 0;
      const text = collapse((node as Text).data);
      if (!text || text === ctx.parentName) return 0;
      return sink.line(undefined, () => ({ head: `${indent(ctx.depth)}- text: ${clipName(text)}`, tail: '' })) ? 0 : STOP;
    }
    if (node.nodeType !== 1) return 0;
    const el = node as Element;
    if (SKIPPED.has(el.localName) || el.getAttribute('aria-hidden') === 'true') return 0;
    const computed = style(el);
    if (computed.display === 'none') return 0;
    // visibility: hidden hides the element and its text, not descendants that set it back.
    const visible = computed.visibility === 'visible';
    const child: Context = { ...ctx, visible };
    if (visible) {
      const role = roleOf(el);
      if (role === 'iframe') {
        const name = collapse(el.getAttribute('aria-label') ?? '') || collapse(el.getAttribute('title') ?? '');
        const framed = (el as HTMLIFrameElement).contentWindow !== null;
        const item = { el, role, name };
        if (!sink.line(item, () => elementLine(item, ctx.depth, framed))) return STOP;
        if (framed && sink.pauseAtFrames) {
          paused.frame = el;
          return PAUSE;
        }
        return 0;
      }
      const control = CONTROLS.has(role);
      let name: string | undefined;
      const named = () => {
        name ??= nameOf(el, role);
        return name;
      };
      // Shown whole, as one line: nothing inside gets a line of its own.
      const leaf = LEAF_ROLES.has(role) || (role === 'heading' && !el.querySelector(FOCUSABLE_INSIDE) && named() !== '');
      let interesting =
        control ||
        LANDMARKS.has(role) ||
        role === 'dialog' ||
        role === 'alertdialog' ||
        focusable(el) ||
        live(el, role) ||
        modal(el, role) ||
        el.getAttribute('aria-busy') === 'true' ||
        el.hasAttribute('aria-errormessage') ||
        el.hasAttribute('aria-details') ||
        el.hasAttribute('aria-roledescription');
      // Otherwise a named leaf (an image, a heading, an element with nothing inside) is shown.
      if (!interesting && !ctx.insideControl && (leaf || !hasContent(el))) interesting = named() !== '';
      if (interesting) {
        if (HIDDEN_ROLES.has(role)) {
          child.parentName = null;
        } else {
          const item = { el, role, name: named() };
          const below: Context = {
            ...child,
            depth: ctx.depth + 1,
            parentName: item.name,
            insideControl: ctx.insideControl || control,
          };
          if (!sink.line(item, () => elementLine(item, ctx.depth, !leaf && hasLines(el, below)))) return STOP;
          child.depth = below.depth;
          child.parentName = item.name;
        }
      }
      if (leaf) return 0;
      child.insideControl = ctx.insideControl || control || redundantLabel(el);
    }
    stack.push({ kids: renderedChildren(el, computed), i: 0, ctx: child });
    return 0;
  };

  /** Walk until the stack is empty (0), the sink stops it (STOP), or an iframe pauses it (PAUSE). */
  const drain = (stack: Level[], sink: Sink, paused: { frame: Element | null }): number => {
    while (stack.length) {
      const top = stack[stack.length - 1] as Level;
      if (top.i >= top.kids.length) {
        stack.pop();
        continue;
      }
      const node = top.kids[top.i++] as Node;
      const outcome = visit(node, top.ctx, stack, sink, paused);
      if (outcome) return outcome;
    }
    return 0;
  };

  /** Whether anything under `el` gets a line (so its own line ends with ':'). */
  const hasLines = (el: Element, ctx: Context): boolean => {
    let found = false;
    const probe: Sink = {
      pauseAtFrames: false,
      line() {
        found = true;
        return false;
      },
    };
    drain([{ kids: childrenOf(el), i: 0, ctx }], probe, { frame: null });
    return found;
  };

  const insideControlAt = (el: Element | null) => {
    for (let p = el?.parentElement; p; p = p.parentElement) if (CONTROLS.has(roleOf(p))) return true;
    return false;
  };
  const start = root ?? doc.documentElement;
  const stack: Level[] = start
    ? [
        {
          kids: [start],
          i: 0,
          ctx: {
            depth: options.depth,
            insideControl: options.insideControl || insideControlAt(root),
            parentName: null,
            visible: true,
          },
        },
      ]
    : [];

  const walker: OutlineWalker = {
    pendingFrame: null,
    run(state: WalkState): WalkStep {
      // A walk paused at an iframe resumes after round trips: the page may have changed since.
      styles.clear();
      labelsByRoot.clear();
      const lines: WalkLine[] = [];
      const signposts: WalkSignpost[] = [];
      const paused = { frame: null as Element | null };
      const signpost = (item: ElementLine) => {
        if (!state.wantSignposts || state.signposts >= MAX_SIGNPOSTS) return;
        const level = item.role === 'heading' ? levelOf(item.el) : undefined;
        const priority = signpostPriority(item.role, item.name, level);
        if (priority === undefined) return;
        const short = clipName(item.name);
        const shown = short.length > MAX_SIGNPOST_NAME ? `${short.slice(0, MAX_SIGNPOST_NAME - 1)}…` : short;
        signposts.push({
          head: `${item.role}${shown ? ` ${JSON.stringify(shown)}` : ''}${level !== undefined ? ` [level=${level}]` : ''}`,
          serial: serialOf(item.el),
          role: item.role,
          name: item.name,
          priority,
        });
        state.signposts++;
      };
      const sink: Sink = {
        pauseAtFrames: state.frames < MAX_FRAMES,
        line(element, build) {
          state.total++;
          if (state.full) {
            // Past the window: count, and note what a compact snapshot lists as further down.
            if (element) signpost(element);
            return true;
          }
          if (state.skip > 0) {
            state.skip--;
            return true;
          }
          const line = build();
          const size = bytes(`${line.head}${line.serial !== undefined ? REF_PLACEHOLDER : ''}${line.tail}`);
          if (state.used + size > state.limit) {
            // The first line left out is the first one "further down".
            state.full = true;
            if (element) signpost(element);
            return true;
          }
          state.used += size;
          // Role and name are in the head already; sending them twice doubled what a snapshot
          // carries out of the page (the reader takes them from the head).
          lines.push(
            line.serial === undefined
              ? { head: line.head, tail: line.tail }
              : { head: line.head, tail: line.tail, serial: line.serial },
          );
          return true;
        },
      };
      let outcome = 0;
      while (stack.length) {
        const top = stack[stack.length - 1] as Level;
        if (top.i >= top.kids.length) {
          stack.pop();
          continue;
        }
        if (state.full) {
          // Past the window, counting stops after a budget of nodes: a page of millions of
          // elements gets "more lines" rather than a walk of all of them.
          if (state.countBudget <= 0) {
            state.exact = false;
            stack.length = 0;
            break;
          }
          state.countBudget--;
        }
        outcome = visit(top.kids[top.i++] as Node, top.ctx, stack, sink, paused);
        if (outcome === PAUSE) break;
      }
      walker.pendingFrame = outcome === PAUSE ? paused.frame : null;
      if (walker.pendingFrame) {
        state.frames++;
        // The iframe's line sits at the depth of the level it was found in; its document goes under it.
        const ctx = (stack[stack.length - 1] as Level).ctx;
        return {
          state,
          lines,
          signposts,
          token: refs.token,
          frame: { depth: ctx.depth + 1, insideControl: ctx.insideControl },
          done: false,
        };
      }
      return { state, lines, signposts, token: refs.token, done: true };
    },
  };
  return walker;
}

import { badArgument, isToolError } from '@patchbay/kit';
import type { ElementHandle, Page } from 'puppeteer-core';
import * as z from 'zod';
import { DialogOpenError, TabBusyError } from '../browser/tab.js';
import { tool } from '../kit.js';
import { actionShape, afterAction, dialogOpened, locate, refInput, selectorInput } from './common.js';
import { snapshotAfterInput } from './page-snapshot.js';

const fieldInput = z.object({
  ref: refInput,
  selector: selectorInput,
  value: z
    .union([z.string().max(100_000), z.boolean(), z.array(z.string().max(1_000)).max(100)])
    .describe('Text; true/false for a checkbox or radio; option value or label (or a list) for a <select>'),
});

/** What kind of control an element is, for how to set it. */
type Kind = 'text' | 'checkbox' | 'radio' | 'select' | 'file' | 'other';

async function kindOf(handle: ElementHandle): Promise<{ kind: Kind; checked: boolean; tag: string }> {
  return handle.evaluate((el) => {
    const tag = el.tagName.toLowerCase();
    if (el instanceof HTMLSelectElement) return { kind: 'select' as const, checked: false, tag };
    if (el instanceof HTMLTextAreaElement) return { kind: 'text' as const, checked: false, tag };
    if (el instanceof HTMLInputElement) {
      const type = el.type;
      if (type === 'checkbox' || type === 'radio') return { kind: type, checked: el.checked, tag };
      if (type === 'file') return { kind: 'file' as const, checked: false, tag };
      if (['button', 'submit', 'reset', 'image', 'hidden'].includes(type)) return { kind: 'other' as const, checked: false, tag };
      return { kind: 'text' as const, checked: false, tag };
    }
    if (el instanceof HTMLElement && el.isContentEditable) return { kind: 'text' as const, checked: false, tag };
    // An ARIA checkbox or switch: clicking toggles it.
    const role = el.getAttribute('role');
    if (role === 'checkbox' || role === 'switch' || role === 'radio') {
      return { kind: role === 'radio' ? 'radio' : 'checkbox', checked: el.getAttribute('aria-checked') === 'true', tag };
    }
    return { kind: 'other' as const, checked: false, tag };
  }) as Promise<{ kind: Kind; checked: boolean; tag: string }>;
}

function asBoolean(value: string | boolean | string[]): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false|on|off|yes|no|checked|unchecked)$/i.test(value.trim())) {
    return /^(true|on|yes|checked)$/i.test(value.trim());
  }
  return undefined;
}

/** Choose options of a <select> by value or label; what is missing is the field's error. */
async function choose(handle: ElementHandle, wanted: string[]): Promise<string> {
  const match = await handle.evaluate((el, wanted) => {
    const options = [...(el as HTMLSelectElement).options];
    const values: string[] = [];
    const missing: string[] = [];
    for (const w of wanted) {
      const found =
        options.find((o) => o.value === w) ?? options.find((o) => o.label.trim() === w.trim() || o.text.trim() === w.trim());
      if (found) values.push(found.value);
      else missing.push(w);
    }
    return { values, missing, available: options.slice(0, 30).map((o) => o.label || o.value) };
  }, wanted);
  if (match.missing.length) {
    throw new Error(
      `has no option ${match.missing.map((m) => JSON.stringify(m)).join(', ')} (options: ${match.available.join(', ')})`,
    );
  }
  await handle.select(...match.values);
  return `selected ${wanted.map((w) => JSON.stringify(w)).join(', ')}`;
}

async function setField(handle: ElementHandle, value: string | boolean | string[], timeout: number, signal: AbortSignal) {
  const { kind, checked, tag } = await kindOf(handle);
  switch (kind) {
    case 'checkbox':
    case 'radio': {
      const want = asBoolean(value);
      if (want === undefined) throw new Error(`is a ${kind}: give true or false`);
      if (kind === 'radio' && !want && checked)
        throw new Error('is a checked radio button: check another one of its group instead');
      if (want !== checked) await handle.asLocator().setTimeout(timeout).click({ signal });
      return want ? 'checked' : 'unchecked';
    }
    case 'select':
      return choose(handle, Array.isArray(value) ? value : [String(value)]);
    case 'text': {
      if (typeof value !== 'string') throw new Error('is a text field: give a string');
      await handle.asLocator().setTimeout(timeout).fill(value, { signal });
      return `filled with ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}…` : value)}`;
    }
    case 'file':
      throw new Error('is a file input: use puppeteer_upload_file');
    default:
      throw new Error(`is a <${tag}>, not a form field: click it instead`);
  }
}

/**
 * Several fields in one call, each by ref or selector: text fields are filled, checkboxes and
 * radios set to true/false, selects chosen by value or label. A field that cannot be set is
 * reported and the others are still set; a dialog the page opens stops the rest.
 */
export const fillFormTool = tool({
  name: 'puppeteer_fill_form',
  title: 'Fill several form fields',
  description:
    'Set several fields in one call by ref or selector: text, checkbox/radio (true/false), <select> (value or label); reports each field.',
  toolset: 'more',
  access: 'write',
  openWorld: true,
  input: {
    fields: z.array(fieldInput).min(1).max(50).describe('Fields to set, in order'),
    snapshot: snapshotAfterInput,
  },
  output: {
    ...actionShape,
    fields: z.array(z.object({ field: z.string(), ok: z.boolean(), result: z.string() })),
  },
  async handler(args, ctx) {
    const tab = await ctx.services.tab();
    const before = tab.url();
    const timeout = ctx.services.options.actionTimeout;
    const results: Array<{ field: string; ok: boolean; result: string }> = [];
    let dialog = false;
    for (const [index, field] of args.fields.entries()) {
      if (field.ref && field.selector) throw badArgument(`fields[${index}]`, 'give either ref or selector, not both.');
      if (!field.ref && !field.selector) throw badArgument(`fields[${index}]`, 'needs a ref (or a selector).');
      let label = field.ref ? `[ref=${field.ref}]` : `selector ${JSON.stringify(field.selector)}`;
      if (dialog) {
        results.push({ field: label, ok: false, result: 'not set: a dialog is open' });
        continue;
      }
      try {
        const located = await locate(ctx, tab, field);
        label = located.label;
        const done = await tab.ask('filling a form field', () => setField(located.handle, field.value, timeout, ctx.signal), {
          ms: 2 * timeout + 1_000,
        });
        results.push({ field: label, ok: true, result: done });
      } catch (error) {
        if (error instanceof DialogOpenError) {
          dialogOpened(error);
          dialog = true;
          results.push({ field: label, ok: true, result: 'set; the page opened a dialog' });
          continue;
        }
        // A tab that stopped answering fails the whole call: the error table words it.
        if (error instanceof TabBusyError) throw error;
        const message = isToolError(error)
          ? error.message
          : error instanceof Error
            ? error.message.split('\n')[0]
            : String(error);
        results.push({ field: label, ok: false, result: message ?? 'failed' });
      }
    }
    const failed = results.filter((r) => !r.ok).length;
    const done = `Set ${results.length - failed} of ${results.length} field${results.length === 1 ? '' : 's'}${failed ? ` (${failed} failed)` : ''}.`;
    return afterAction(ctx, tab, before, done, args.snapshot, {
      fields: { fields: results },
      lines: results.map((r) => `${r.ok ? '✓' : '✗'} ${r.field}: ${r.result}`),
    });
  },
});

export const dragTool = tool({
  name: 'puppeteer_drag',
  title: 'Drag and drop',
  description:
    'Drag one element onto another, each by ref or selector (HTML drag and drop, sortable lists, sliders moved onto a mark).',
  toolset: 'more',
  access: 'write',
  openWorld: true,
  input: {
    start_ref: refInput.describe('Ref of the element to drag'),
    start_selector: selectorInput.describe('CSS selector of the element to drag, when there is no ref'),
    end_ref: refInput.describe('Ref of the element to drop it on'),
    end_selector: selectorInput.describe('CSS selector of the drop target, when there is no ref'),
    snapshot: snapshotAfterInput,
  },
  output: actionShape,
  async handler(args, ctx) {
    const tab = await ctx.services.tab();
    const source = await locate(ctx, tab, { ref: args.start_ref, selector: args.start_selector }).catch((error) => {
      throw renamed(error, 'start');
    });
    const target = await locate(ctx, tab, { ref: args.end_ref, selector: args.end_selector }).catch((error) => {
      throw renamed(error, 'end');
    });
    const before = tab.url();
    const timeout = ctx.services.options.actionTimeout;
    const opened = await tab
      .ask(
        'dragging an element',
        async () => {
          // Scrolled into view first: the drag is real mouse input at the elements' centres.
          await source.handle.asLocator().setTimeout(timeout).hover({ signal: ctx.signal });
          await dragWithMouse(tab.page, source.handle, target.handle);
        },
        { ms: 2 * timeout + 1_000 },
      )
      .then(() => false, dialogOpened);
    const done = `Dragged ${source.label} onto ${target.label}.${opened ? ' It opened a dialog.' : ''}`;
    return afterAction(ctx, tab, before, done, args.snapshot);
  },
});

/** How long the drag waits for the page to report each stage (HTML drag and drop only). */
const DRAG_STAGE_MS = 1_000;

/**
 * A drag as real mouse input, one stage at a time. Chromium starts an HTML drag session in the
 * browser process after the first moves with the button down, and a drop only lands once the
 * target has had a `dragover`; on a busy machine puppeteer's one-move drag can release the button
 * before either happened, and the page sees no drop. So the page is watched (a `dragstart`, then a
 * `dragover` on the target) and each move waits for its stage, bounded: a drag made of plain mouse events
 * (sliders, sortable lists without HTML drag and drop) fires neither and goes on after the bound.
 */
async function dragWithMouse(page: Page, source: ElementHandle, target: ElementHandle): Promise<void> {
  const probe = await page.evaluateHandle((drop) => {
    const listening = new AbortController();
    const seen = { start: false, over: false, stop: () => listening.abort() };
    const options = { capture: true, signal: listening.signal };
    document.addEventListener('dragstart', () => (seen.start = true), options);
    document.addEventListener(
      'dragover',
      (event) => {
        if (event.target instanceof Node && drop.contains(event.target)) seen.over = true;
      },
      options,
    );
    return seen;
  }, target);
  const reached = (stage: 'start' | 'over') =>
    page
      .waitForFunction((seen, key) => seen[key], { timeout: DRAG_STAGE_MS, polling: 20 }, probe, stage)
      .then(
        () => true,
        () => false,
      );
  try {
    const from = await source.clickablePoint();
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 8, from.y + 8, { steps: 4 });
    const html = await reached('start');
    // hover() scrolls the target into view only when it is not, then moves the mouse onto it.
    await target.hover();
    if (html) {
      await reached('over');
      const to = await target.clickablePoint();
      await page.mouse.move(to.x + 1, to.y + 1);
    }
  } finally {
    await page.mouse.up();
    await probe.evaluate((seen) => seen.stop()).catch(() => undefined);
    await probe.dispose().catch(() => undefined);
  }
}

/** locate() names `ref`/`selector`; this tool's arguments are start_… and end_…. */
function renamed(error: unknown, side: 'start' | 'end'): unknown {
  if (isToolError(error) && error.argument && /^(ref|selector)$/.test(error.argument)) {
    return badArgument(`${side}_${error.argument}`, error.message, error.hint);
  }
  return error;
}

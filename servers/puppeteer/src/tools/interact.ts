import { badArgument } from '@patchbay/kit';
import type { KeyInput } from 'puppeteer-core';
import * as z from 'zod';
import { tool } from '../kit.js';
import { actionShape, actOn, afterAction, dialogOpened, locateOptional, refInput, selectorInput } from './common.js';
import { snapshotAfterInput } from './page-snapshot.js';

export const clickTool = tool({
  name: 'puppeteer_click',
  title: 'Click an element',
  description: 'Click an element by ref or selector once it is visible and enabled; waits for a navigation the click starts.',
  toolset: 'browse',
  access: 'write',
  openWorld: true,
  input: {
    ref: refInput,
    selector: selectorInput,
    button: z.enum(['left', 'right', 'middle']).default('left').describe('Mouse button'),
    double: z.boolean().default(false).describe('Double-click'),
    snapshot: snapshotAfterInput,
  },
  output: actionShape,
  handler: (args, ctx) =>
    actOn(
      ctx,
      args,
      (handle, timeout) =>
        handle
          .asLocator()
          .setTimeout(timeout)
          .click({ button: args.button, count: args.double ? 2 : 1, signal: ctx.signal }),
      (label) => `${args.double ? 'Double-clicked' : 'Clicked'} ${label}.`,
    ),
});

export const hoverTool = tool({
  name: 'puppeteer_hover',
  title: 'Hover over an element',
  description: 'Move the mouse over an element by ref or selector (menus, tooltips).',
  toolset: 'browse',
  access: 'read',
  idempotent: true,
  input: { ref: refInput, selector: selectorInput, snapshot: snapshotAfterInput },
  output: actionShape,
  handler: (args, ctx) =>
    actOn(
      ctx,
      args,
      (handle, timeout) => handle.asLocator().setTimeout(timeout).hover({ signal: ctx.signal }),
      (label) => `Hovered over ${label}.`,
    ),
});

export const typeTool = tool({
  name: 'puppeteer_type',
  title: 'Type into a field',
  description: 'Fill a text field or editable element by ref or selector, replacing its content unless append=true.',
  toolset: 'browse',
  access: 'write',
  openWorld: true,
  input: {
    ref: refInput,
    selector: selectorInput,
    text: z.string().max(100_000).describe('Text to enter'),
    append: z.boolean().default(false).describe('Keep the current content'),
    submit: z.boolean().default(false).describe('Press Enter after'),
    snapshot: snapshotAfterInput,
  },
  output: actionShape,
  handler(args, ctx) {
    const shown = args.text.length > 60 ? `${args.text.slice(0, 57)}…` : args.text;
    return actOn(
      ctx,
      args,
      async (handle, timeout) => {
        if (args.append) {
          await handle.asLocator().setTimeout(timeout).click({ signal: ctx.signal });
          await handle.evaluate((el) => {
            // Put the caret at the end so the text is appended.
            if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
              const end = el.value.length;
              try {
                el.setSelectionRange(end, end);
              } catch {
                // Some input types (email, number) have no selection.
              }
            }
          });
          await handle.type(args.text);
        } else {
          await handle.asLocator().setTimeout(timeout).fill(args.text, { signal: ctx.signal });
        }
        if (args.submit) await handle.press('Enter');
      },
      (label) => `Typed ${JSON.stringify(shown)} into ${label}${args.submit ? ' and pressed Enter' : ''}.`,
    );
  },
});

export const selectTool = tool({
  name: 'puppeteer_select_option',
  title: 'Choose in a drop-down',
  description: 'Choose options of a <select> by ref or selector, by value or label. For custom drop-downs, click instead.',
  toolset: 'browse',
  access: 'write',
  openWorld: true,
  input: {
    ref: refInput,
    selector: selectorInput,
    values: z.array(z.string().max(1_000)).min(1).max(100).describe('Option values or labels'),
    snapshot: snapshotAfterInput,
  },
  output: actionShape,
  handler: (args, ctx) =>
    actOn(
      ctx,
      args,
      async (handle, _timeout, label) => {
        const match = await handle.evaluate((el, wanted) => {
          if (!(el instanceof HTMLSelectElement)) return { error: `is a <${el.tagName.toLowerCase()}>, not a <select>` };
          const options = [...el.options];
          const values: string[] = [];
          const missing: string[] = [];
          for (const w of wanted) {
            const found =
              options.find((o) => o.value === w) ??
              options.find((o) => o.label.trim() === w.trim() || o.text.trim() === w.trim());
            if (found) values.push(found.value);
            else missing.push(w);
          }
          return { values, missing, available: options.slice(0, 50).map((o) => o.label || o.value) };
        }, args.values);
        if ('error' in match) {
          throw badArgument(
            args.ref ? 'ref' : 'selector',
            `${label} ${match.error}.`,
            'For a custom drop-down, click it and then click the option.',
          );
        }
        if (match.missing.length) {
          throw badArgument(
            'values',
            `${label} has no option ${match.missing.map((m) => JSON.stringify(m)).join(', ')}.`,
            `Options: ${match.available.join(', ')}.`,
          );
        }
        await handle.select(...match.values);
      },
      (label) => `Selected ${args.values.map((v) => JSON.stringify(v)).join(', ')} in ${label}.`,
    ),
});

const MODIFIERS = new Set(['Control', 'Shift', 'Alt', 'Meta', 'ControlOrMeta']);

export const pressKeyTool = tool({
  name: 'puppeteer_press_key',
  title: 'Press a key',
  description: 'Press a key or combination in the focused element, or in one given by ref or selector.',
  toolset: 'browse',
  access: 'write',
  openWorld: true,
  input: {
    key: z
      .string()
      .min(1)
      .max(100)
      .describe('KeyboardEvent.key name, optionally with modifiers: Enter, Escape, ArrowDown, Control+A'),
    ref: refInput,
    selector: selectorInput,
    snapshot: snapshotAfterInput,
  },
  output: actionShape,
  async handler(args, ctx) {
    const tab = await ctx.services.tab();
    const target = await locateOptional(ctx, tab, args);
    const parts = args.key === '+' ? ['+'] : args.key.split('+').map((k) => k.trim());
    const modifiers = parts.slice(0, -1).map((m) => (m === 'Ctrl' ? 'Control' : m === 'Cmd' ? 'Meta' : m));
    let main = parts.at(-1) || '+';
    // "Control+A" means the A key; an upper-case letter would be typed as Shift+a.
    if (modifiers.length && !modifiers.includes('Shift') && /^[A-Z]$/.test(main)) main = main.toLowerCase();
    const unknown = modifiers.filter((m) => !MODIFIERS.has(m));
    if (unknown.length)
      throw badArgument('key', `${unknown.join(', ')} is not a modifier.`, 'Modifiers are Control, Shift, Alt and Meta.');
    const before = tab.url();
    // Key events wait for the page to take them: a stuck page is named, not waited on.
    const pressing = tab.ask('pressing a key', async (page) => {
      if (target) await target.handle.focus();
      const keyboard = page.keyboard;
      for (const m of modifiers) await keyboard.down(m as KeyInput);
      try {
        await keyboard.press(main as KeyInput);
      } catch (error) {
        // Only this call knows that puppeteer's "Unknown key" is about its `key` argument.
        if (error instanceof Error && /Unknown key/i.test(error.message)) {
          throw badArgument(
            'key',
            `${JSON.stringify(main)} is not a key name.`,
            'Use names like Enter, Escape, Tab, ArrowDown, PageDown, a, 1.',
          );
        }
        throw error;
      } finally {
        for (const m of modifiers.reverse()) await keyboard.up(m as KeyInput);
      }
    });
    const opened = await pressing.then(() => false, dialogOpened);
    const done = `Pressed ${args.key}${target ? ` in ${target.label}` : ''}.${opened ? ' It opened a dialog.' : ''}`;
    return afterAction(ctx, tab, before, done, args.snapshot);
  },
});

import { lstat, readFile, realpath, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { badArgument, ToolError } from '@patchbay/kit';
import type { CookieData, CookieSameSite } from 'puppeteer-core';
import * as z from 'zod';
import type { NavigationPolicy } from './policy.js';
import type { BrowserSession } from './session.js';

/**
 * A browser's logged-in state as a file, in Playwright's `storageState` shape: the cookies, and
 * the localStorage of each origin an open tab shows. Saved into and loaded from the operator's
 * --storage-dir only, under a plain name, so a session survives a restart of the server.
 */
export interface StorageState {
  cookies: Array<{
    name: string;
    value: string;
    domain: string;
    path: string;
    expires: number;
    httpOnly: boolean;
    secure: boolean;
    sameSite: 'Strict' | 'Lax' | 'None';
  }>;
  origins: Array<{ origin: string; localStorage: Array<{ name: string; value: string }> }>;
}

/** A state name: a file name of its own, never a path. */
export const STATE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_STATE_BYTES = 10 * 1024 * 1024;

const stateSchema = z.object({
  cookies: z
    .array(
      z.object({
        name: z.string(),
        value: z.string(),
        domain: z.string(),
        path: z.string().default('/'),
        expires: z.number().default(-1),
        httpOnly: z.boolean().default(false),
        secure: z.boolean().default(false),
        sameSite: z.enum(['Strict', 'Lax', 'None']).default('Lax'),
      }),
    )
    .default([]),
  origins: z
    .array(
      z.object({
        origin: z.string(),
        localStorage: z.array(z.object({ name: z.string(), value: z.string() })).default([]),
      }),
    )
    .default([]),
});

/** The file of a named state, inside the real storage folder; a link there is refused. */
async function stateFile(dir: string, name: string, mustExist: boolean): Promise<string> {
  if (!STATE_NAME.test(name)) {
    throw badArgument(
      'name',
      `${JSON.stringify(name.slice(0, 80))} is not a state name.`,
      'Use letters, digits, - and _ (up to 64), like work-login.',
    );
  }
  const file = path.join(await realpath(dir), `${name}.json`);
  const info = await lstat(file).catch(() => undefined);
  if (!info) {
    if (!mustExist) return file;
    throw badArgument('name', `there is no saved state "${name}".`, 'List the saved states with action=list, or save one first.');
  }
  if (info.isSymbolicLink() || !info.isFile()) {
    throw new ToolError(`the state file for "${name}" is not a regular file (a link or a folder), so it is not used.`, {
      argument: 'name',
      hint: 'Choose another name, or ask the operator to remove it from the storage folder.',
    });
  }
  return file;
}

export async function listStates(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.json') && STATE_NAME.test(e.name.slice(0, -5)))
    .map((e) => e.name.slice(0, -5))
    .sort();
}

/** Cookies of the browser and localStorage of the origins its tabs show. */
export async function captureState(session: BrowserSession, skipped: string[]): Promise<StorageState> {
  const cookies = (await session.browser.cookies()).map((c) => ({
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    expires: c.session ? -1 : c.expires,
    httpOnly: Boolean(c.httpOnly),
    secure: c.secure,
    sameSite: (c.sameSite ?? 'Lax') as StorageState['cookies'][number]['sameSite'],
  }));
  const origins = new Map<string, Map<string, string>>();
  for (const tab of session.tabs()) {
    if (tab.page.isClosed()) continue;
    try {
      const found = await tab.ask('reading its localStorage', (page) =>
        page.evaluate(() => {
          try {
            return { origin: location.origin, items: Object.entries(localStorage) };
          } catch {
            return { origin: location.origin, items: [] as Array<[string, string]> };
          }
        }),
      );
      if (!/^https?:\/\//.test(found.origin) || !found.items.length) continue;
      const items = origins.get(found.origin) ?? new Map<string, string>();
      for (const [k, v] of found.items) items.set(k, v);
      origins.set(found.origin, items);
    } catch {
      skipped.push(`tab ${tab.id} (it did not answer)`);
    }
  }
  return {
    cookies,
    origins: [...origins].map(([origin, items]) => ({
      origin,
      localStorage: [...items].map(([name, value]) => ({ name, value })),
    })),
  };
}

export async function saveState(dir: string, name: string, state: StorageState): Promise<void> {
  const file = await stateFile(dir, name, false);
  // Written beside and renamed over: a reader never sees half a file, and a rename replaces a
  // name in the folder, never what a link there would point at.
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export async function readState(dir: string, name: string): Promise<StorageState> {
  const file = await stateFile(dir, name, true);
  const text = await readFile(file, 'utf8');
  if (text.length > MAX_STATE_BYTES) throw new ToolError(`the saved state "${name}" is larger than 10 MiB; it is not loaded.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ToolError(`the saved state "${name}" is not valid JSON.`, { argument: 'name', hint: 'Save it again.' });
  }
  const checked = stateSchema.safeParse(parsed);
  if (!checked.success) {
    throw new ToolError(`the saved state "${name}" is not a storage state (cookies and origins).`, {
      argument: 'name',
      hint: 'Save it again with action=save.',
    });
  }
  return checked.data;
}

/**
 * Put a state into the running browser: its cookies, and each allowed origin's localStorage,
 * written by a scratch page that is answered locally (nothing is fetched from the origin).
 */
export async function applyState(
  session: BrowserSession,
  policy: NavigationPolicy,
  state: StorageState,
  skipped: string[],
): Promise<{ origins: string[] }> {
  const cookies: CookieData[] = state.cookies.map((c) => ({
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    secure: c.secure,
    httpOnly: c.httpOnly,
    sameSite: c.sameSite as CookieSameSite,
    ...(c.expires > 0 ? { expires: c.expires } : {}),
  }));
  if (cookies.length) await session.browser.defaultBrowserContext().setCookie(...cookies);
  const done: string[] = [];
  const wanted = state.origins.filter((o) => o.localStorage.length);
  if (!wanted.length) return { origins: done };
  const page = await session.browser.newPage();
  try {
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
        void request.respond({ status: 200, contentType: 'text/html', body: '<!doctype html><title>storage</title>' });
      } else void request.abort('blockedbyclient');
    });
    for (const { origin, localStorage: entries } of wanted) {
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        skipped.push(`${origin.slice(0, 100)} (not an origin)`);
        continue;
      }
      const verdict = await policy.checkTopLevel(url.origin);
      if (!verdict.allowed || url.origin !== origin) {
        skipped.push(`${origin.slice(0, 100)} (${verdict.allowed ? 'not an origin' : verdict.reason})`);
        continue;
      }
      await page.goto(`${url.origin}/`, { waitUntil: 'domcontentloaded', timeout: 10_000 });
      await page.evaluate((items) => {
        for (const { name, value } of items) localStorage.setItem(name, value);
      }, entries);
      done.push(origin);
    }
  } finally {
    await page.close().catch(() => undefined);
    await session.refront();
  }
  return { origins: done };
}

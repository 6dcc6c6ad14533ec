import { access, constants } from 'node:fs/promises';
import type { AnyRuntime } from '../registry.js';

interface Found {
  path: string;
  source: string;
}

/** The browser connector's own lookup (its library entry exports it), so both agree. */
export async function lookupBrowser(runtime: AnyRuntime): Promise<{ found?: Found; hint: string }> {
  const module = (await import('@patchbay/puppeteer' as string)) as {
    findBrowser: (configured: string | undefined) => Found | undefined;
    NO_BROWSER_HINT: string;
  };
  const found = module.findBrowser(runtime.options.executablePath as string | undefined);
  return { ...(found ? { found } : {}), hint: module.NO_BROWSER_HINT };
}

/**
 * The browser runs on the system's Chrome or Chromium; with none on this machine the connector
 * is listed as unavailable with the one-line reason, and the others still serve.
 */
export async function browserPreflight(runtime: AnyRuntime): Promise<string | undefined> {
  const { found, hint } = await lookupBrowser(runtime);
  if (!found) return `no Chrome or Chromium on this machine. ${hint}`;
  try {
    await access(found.path, constants.X_OK);
    return undefined;
  } catch {
    return `the configured browser ${found.path} does not exist or is not executable. ${hint}`;
  }
}

/** What the browser connector will launch here, for the page and the start-up lines. */
export async function describeBrowser(runtime: AnyRuntime): Promise<string | undefined> {
  const { found } = await lookupBrowser(runtime);
  return found ? `${found.source === 'configured' ? 'the configured browser' : 'Chromium'} at ${found.path}` : undefined;
}

import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** Where Chrome and Chromium usually live, per platform. */
const SYSTEM_LOCATIONS: Record<string, string[]> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/google-chrome-beta',
    '/opt/google/chrome/chrome',
    '/snap/bin/chromium',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary',
  ],
  win32: [
    `${process.env.PROGRAMFILES ?? 'C:\\Program Files'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env.LOCALAPPDATA ?? ''}\\Google\\Chrome\\Application\\chrome.exe`,
  ],
};

/** Names looked up on PATH when no usual location has a browser. */
const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** Inside puppeteer's cache: `<browser>/<platform>-<version>/<folder>/<binary>`. */
const CACHE_BINARIES: Array<{ browser: string; relative: (platform: string) => string[] }> = [
  {
    browser: 'chrome',
    relative: (p) =>
      p === 'darwin'
        ? [
            'chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
            'chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
          ]
        : p === 'win32'
          ? ['chrome-win64/chrome.exe']
          : ['chrome-linux64/chrome'],
  },
  {
    browser: 'chrome-headless-shell',
    relative: (p) =>
      p === 'darwin'
        ? ['chrome-headless-shell-mac-arm64/chrome-headless-shell', 'chrome-headless-shell-mac-x64/chrome-headless-shell']
        : p === 'win32'
          ? ['chrome-headless-shell-win64/chrome-headless-shell.exe']
          : ['chrome-headless-shell-linux64/chrome-headless-shell'],
  },
];

export interface Found {
  path: string;
  source: 'configured' | 'system' | 'PATH' | 'puppeteer cache';
}

export const NO_BROWSER_HINT =
  'Install one (Debian/Ubuntu: `apt-get install chromium`; macOS/Windows: Google Chrome), or `npx @puppeteer/browsers install chrome@stable`, ' +
  'or point --executable-path (PUPPETEER_EXECUTABLE_PATH) at a Chrome or Chromium binary.';

/**
 * Find a browser without downloading one: the operator's path, then the usual system locations,
 * then PATH, then puppeteer's own cache (newest version first). Undefined when there is none.
 */
export function findBrowser(
  configured: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: string = process.platform,
): Found | undefined {
  if (configured) return { path: configured, source: 'configured' };
  for (const candidate of SYSTEM_LOCATIONS[platform] ?? []) {
    if (isExecutable(candidate)) return { path: candidate, source: 'system' };
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of PATH_NAMES) {
      const candidate = path.join(dir, platform === 'win32' ? `${name}.exe` : name);
      if (isExecutable(candidate)) return { path: candidate, source: 'PATH' };
    }
  }
  const cacheDir = env.PUPPETEER_CACHE_DIR || path.join(env.HOME || homedir(), '.cache', 'puppeteer');
  for (const { browser, relative } of CACHE_BINARIES) {
    const root = path.join(cacheDir, browser);
    for (const build of newestFirst(listDir(root))) {
      for (const rel of relative(platform)) {
        const candidate = path.join(root, build, rel);
        if (isExecutable(candidate)) return { path: candidate, source: 'puppeteer cache' };
      }
    }
  }
  return undefined;
}

export function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** `linux-131.0.6778.85` folders, highest version first. */
function newestFirst(builds: string[]): string[] {
  const version = (b: string) => (b.split('-').pop() ?? '').split('.').map((n) => Number(n) || 0);
  return [...builds].sort((a, b) => {
    const va = version(a);
    const vb = version(b);
    for (let i = 0; i < Math.max(va.length, vb.length); i++) {
      const d = (vb[i] ?? 0) - (va[i] ?? 0);
      if (d) return d;
    }
    return 0;
  });
}

import { existsSync, statSync } from 'node:fs';
import { type OptionValues, option } from '@patchbay/kit';

/**
 * Every option of the browser connector. The browser's launch configuration lives here and only
 * here: no tool argument reaches the launch (the reference server let the model pass launch
 * options, and an `executablePath` of /bin/sh ran a command).
 */
export const browserOptions = {
  executablePath: option.string({
    env: ['PUPPETEER_EXECUTABLE_PATH', 'PATCHBAY_PUPPETEER_EXECUTABLE_PATH'],
    placeholder: 'path',
    description: 'Chrome or Chromium to run; by default the usual system locations, then puppeteer’s own cache',
  }),
  headful: option.boolean({
    env: ['PATCHBAY_PUPPETEER_HEADFUL'],
    description: 'Show the browser window instead of running headless (needs a display)',
  }),
  viewport: option.string({
    env: ['PATCHBAY_PUPPETEER_VIEWPORT'],
    placeholder: 'WxH',
    default: '1280x720',
    description: 'Size of every tab’s viewport in CSS pixels',
    validate: (v) => (parseViewport(v) ? undefined : 'must be WIDTHxHEIGHT, each 100–4000 (e.g. 1280x720)'),
  }),
  userDataDir: option.string({
    env: ['PATCHBAY_PUPPETEER_USER_DATA_DIR'],
    placeholder: 'path',
    description:
      'Keep the browser profile (cookies, logins) in this folder; by default each launch gets a fresh profile that is deleted on exit',
  }),
  browserArg: option.list({
    env: ['PATCHBAY_PUPPETEER_BROWSER_ARGS'],
    placeholder: 'arg',
    description:
      'Extra Chromium command-line switch, repeatable (e.g. --browser-arg=--lang=de); a value cannot hold a comma, so repeat --disable-features per feature',
    validate: (args) => {
      const bad = args.filter(
        (a) => !a.startsWith('--') || /^--(remote-debugging|remote-allow-origins|user-data-dir|proxy-|no-proxy)/.test(a),
      );
      return bad.length
        ? `${bad.join(', ')}: give switches that start with "--"; remote debugging, the proxy and the profile folder are managed by the server`
        : undefined;
    },
  }),
  noSandbox: option.boolean({
    flag: 'no-sandbox',
    env: ['PATCHBAY_PUPPETEER_NO_SANDBOX'],
    description:
      'Run Chromium without its sandbox. Implied when running as root, where Chromium cannot start sandboxed (a note says so)',
  }),
  allowSites: option.list({
    env: ['PATCHBAY_PUPPETEER_ALLOW_SITES'],
    placeholder: 'patterns',
    description:
      'Only these sites may be requested: example.com (and its subdomains), *.example.com, https://example.com:8443, 127.0.0.1:3000. Applies to every request, so list CDNs too',
    validate: (list) => patternProblem(list),
  }),
  blockSites: option.list({
    env: ['PATCHBAY_PUPPETEER_BLOCK_SITES'],
    placeholder: 'patterns',
    description: 'Sites never requested (same patterns as --allow-sites); wins over the allow list',
    validate: (list) => patternProblem(list),
  }),
  blockPrivateNetworks: option.boolean({
    env: ['PATCHBAY_PUPPETEER_BLOCK_PRIVATE_NETWORKS'],
    description:
      'Also refuse loopback and private addresses (127.0.0.0/8, 10/8, 172.16/12, 192.168/16, fc00::/7…). Cloud metadata and link-local are always refused',
  }),
  downloadsDir: option.string({
    env: ['PATCHBAY_PUPPETEER_DOWNLOADS_DIR'],
    placeholder: 'path',
    description: 'Folder downloads are saved into (it must exist); downloads are refused without it',
  }),
  uploadDir: option.string({
    env: ['PATCHBAY_PUPPETEER_UPLOAD_DIR'],
    placeholder: 'path',
    description:
      'Folder whose files puppeteer_upload_file may put into a page (it must exist); the tool is not offered without it',
  }),
  storageDir: option.string({
    env: ['PATCHBAY_PUPPETEER_STORAGE_DIR'],
    placeholder: 'path',
    description:
      'Folder where puppeteer_storage_state saves and loads named sessions (cookies and localStorage, as JSON); the tool is not offered without it',
  }),
  allowEvaluate: option.boolean({
    env: ['PATCHBAY_PUPPETEER_ALLOW_EVALUATE'],
    description: 'Offer puppeteer_evaluate, which runs the model’s JavaScript in the page',
  }),
  navigationTimeout: option.number({
    env: ['PATCHBAY_PUPPETEER_NAVIGATION_TIMEOUT_MS'],
    placeholder: 'ms',
    default: 30_000,
    description: 'Longest a navigation or a wait may take',
    validate: (n) => (n >= 1_000 && n <= 300_000 ? undefined : 'must be from 1000 to 300000 ms'),
  }),
  actionTimeout: option.number({
    env: ['PATCHBAY_PUPPETEER_ACTION_TIMEOUT_MS'],
    placeholder: 'ms',
    default: 5_000,
    description: 'Longest a click, hover or typing waits for its element to be ready',
    validate: (n) => (n >= 100 && n <= 120_000 ? undefined : 'must be from 100 to 120000 ms'),
  }),
  snapshotBytes: option.number({
    env: ['PATCHBAY_PUPPETEER_SNAPSHOT_BYTES'],
    placeholder: 'bytes',
    default: 4_096,
    description:
      'Size of the compact snapshot a navigation or an action returns (the page’s start and a list of what follows); puppeteer_snapshot returns up to the output budget',
    validate: (n) => (Number.isInteger(n) && n >= 1_024 && n <= 1_048_576 ? undefined : 'must be from 1024 to 1048576 bytes'),
  }),
  maxMediaBytes: option.number({
    env: ['PATCHBAY_PUPPETEER_MAX_MEDIA_BYTES'],
    placeholder: 'bytes',
    default: 1_048_576,
    description: 'Largest screenshot or PDF returned; screenshots are scaled down or re-encoded to fit',
    validate: (n) => (Number.isInteger(n) && n >= 16_384 && n <= 20_971_520 ? undefined : 'must be from 16384 to 20971520 bytes'),
  }),
};

export type BrowserOptions = typeof browserOptions;

export function parseViewport(value: string): { width: number; height: number } | undefined {
  const match = /^(\d{3,4})x(\d{3,4})$/.exec(value.trim());
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (width < 100 || height < 100 || width > 4000 || height > 4000) return undefined;
  return { width, height };
}

/** `example.com`, `*.example.com`, `host:port`, or an origin `scheme://host[:port]`. */
export const SITE_PATTERN = /^(?:(https?):\/\/)?(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?\/?$/i;

function patternProblem(list: string[]): string | undefined {
  const bad = list.filter((p) => !SITE_PATTERN.test(p.trim()));
  return bad.length
    ? `${bad.join(', ')}: not a site pattern (example.com, *.example.com, https://example.com:8443, 127.0.0.1:3000)`
    : undefined;
}

// What the bin's zod-free front needs besides the options (see scripts/bundle.mjs): the same
// check and switches the connector definition uses.
export { browserOptions as options };

/** Paths the operator named that must exist, checked before the server starts. */
export function check(options: OptionValues<BrowserOptions>): string[] {
  const problems: string[] = [];
  if (options.executablePath && !existsSync(options.executablePath)) {
    problems.push(`--executable-path: ${options.executablePath} does not exist.`);
  }
  if (options.downloadsDir && !(existsSync(options.downloadsDir) && statSync(options.downloadsDir).isDirectory())) {
    problems.push(`--downloads-dir: ${options.downloadsDir} is not an existing folder.`);
  }
  for (const [flag, dir] of [
    ['--upload-dir', options.uploadDir],
    ['--storage-dir', options.storageDir],
  ] as const) {
    if (dir && !(existsSync(dir) && statSync(dir).isDirectory())) problems.push(`${flag}: ${dir} is not an existing folder.`);
  }
  return problems;
}

/** Tools offered only when the operator switched them on. */
export const switches = {
  puppeteer_evaluate: (options: OptionValues<BrowserOptions>) => options.allowEvaluate,
  puppeteer_upload_file: (options: OptionValues<BrowserOptions>) => Boolean(options.uploadDir),
  puppeteer_storage_state: (options: OptionValues<BrowserOptions>) => Boolean(options.storageDir),
};

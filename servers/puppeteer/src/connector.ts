import { defineConnector } from '@patchbay/kit';
import { loadPuppeteer } from './browser/launch.js';
import { browserCallPolicy } from './call-policy.js';
import { createBrowserServices } from './client.js';
import { browserOptions, check } from './config.js';
import { explainBrowserError } from './errors.js';
import { consoleResource, screenshotResources } from './resources/browser.js';
import { pdfTool, screenshotTool } from './tools/capture.js';
import { handleDialogTool } from './tools/dialog.js';
import { resizeTool } from './tools/emulate.js';
import { evaluateTool } from './tools/evaluate.js';
import { dragTool, fillFormTool } from './tools/forms.js';
import { consoleTool, networkTool } from './tools/inspect.js';
import { clickTool, hoverTool, pressKeyTool, selectTool, typeTool } from './tools/interact.js';
import { historyTool, navigateTool } from './tools/navigate.js';
import { performanceTraceTool, throttleTool } from './tools/performance.js';
import { snapshotTool, textTool } from './tools/read.js';
import { storageStateTool } from './tools/storage.js';
import { tabsTool } from './tools/tabs.js';
import { uploadFileTool } from './tools/upload.js';
import { waitTool } from './tools/wait.js';

// For a gateway's `doctor`: the checks this connector already makes, reused rather than rewritten.
export { findBrowser, NO_BROWSER_HINT } from './browser/executable.js';

export const VERSION = process.env.PATCHBAY_VERSION ?? '0.0.0-dev';

export const puppeteerConnector = defineConnector({
  name: 'puppeteer',
  title: 'Browser',
  version: VERSION,
  description:
    'MCP server for a headless Chromium: accessibility snapshots with element refs, navigation kept in bounds, console and network inspection',
  usage: 'patchbay-puppeteer [options]',
  instructions:
    'A real browser. puppeteer_navigate opens a page and returns a compact snapshot: the start of its accessibility outline, ' +
    'where elements carry refs like [ref=e12], and the landmarks and headings further down. puppeteer_snapshot returns the whole ' +
    'outline (ref= for one part, cursor= to continue). Act on elements by ref with puppeteer_click, puppeteer_type, ' +
    'puppeteer_select_option, puppeteer_hover and puppeteer_press_key; ' +
    'a page that opens a dialog waits until puppeteer_handle_dialog answers it. Refs stay valid while the element exists, so snapshot ' +
    'again only when the page changed (or pass snapshot=compact to an action). Read long pages with puppeteer_get_text. ' +
    'Only http(s) pages the operator allows can be opened.',
  helpFooter:
    'Examples:\n  patchbay-puppeteer                                    headless, loopback and public sites\n' +
    '  patchbay-puppeteer --allow-sites example.com --block-private-networks\n' +
    '  patchbay-puppeteer --headful --user-data-dir ~/.patchbay-browser',
  options: browserOptions,
  toolsets: {
    browse: {
      title: 'Browse',
      description:
        'navigate, tabs, snapshot, text, screenshot, wait, click, hover, type, select, keys, dialogs (uploads and saved sessions when the operator gives them a folder)',
      default: true,
    },
    // Debugging tools, opt-in: most browsing never needs them, and refused requests and dialogs
    // reach the model as notices anyway.
    inspect: { title: 'Inspect', description: 'console messages and network requests', default: false },
    // Useful on some sites, paid for on every conversation: opt-in.
    more: {
      title: 'More input',
      description: 'fill several form fields in one call, drag and drop, resize the viewport or emulate a device',
      default: false,
    },
    capture: { title: 'Capture', description: 'print the page to PDF', default: false },
    performance: {
      title: 'Performance',
      description: 'measure a page load (LCP, CLS, long tasks, TTFB, FCP) and throttle network and CPU',
      default: false,
    },
    script: { title: 'Script', description: 'run JavaScript in the page (also needs --allow-evaluate)', default: true },
  },
  tools: [
    navigateTool,
    historyTool,
    tabsTool,
    snapshotTool,
    textTool,
    screenshotTool,
    waitTool,
    clickTool,
    hoverTool,
    typeTool,
    selectTool,
    pressKeyTool,
    handleDialogTool,
    uploadFileTool,
    storageStateTool,
    fillFormTool,
    dragTool,
    resizeTool,
    consoleTool,
    networkTool,
    pdfTool,
    performanceTraceTool,
    throttleTool,
    evaluateTool,
  ],
  resources: [consoleResource, screenshotResources],
  check,
  createServices: ({ options, settings, log }) => createBrowserServices(options, log, settings),
  // What puppeteer and Chromium throw, and a tab whose page does not answer, worded once.
  mapError: explainBrowserError,
  // A backstop over every call, and one run again on a new browser after a crash.
  around: browserCallPolicy,
  // puppeteer-core (its bundle, from the code cache; ~140 ms as the package's ES modules) loads in
  // the background once the client is connected, so the first navigation pays only for Chromium's
  // launch; no browser starts before a call.
  warmUp: async () => {
    await loadPuppeteer();
  },
});

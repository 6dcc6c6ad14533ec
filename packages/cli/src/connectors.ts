/**
 * Every connector the gateway can mount, in the order the index page lists them. GitHub, Slack
 * and Google Drive run on the sandbox's emulators when no credential is set; a package that is
 * not built shows as unavailable with the reason.
 */
import { gitDoctor, postgresDoctor, puppeteerDoctor } from './doctor/connectors.js';
import { gdriveDoctor, githubDoctor, slackDoctor } from './doctor/saas.js';
import { browserPreflight, describeBrowser } from './embedded/browser.js';
import { checkoutDefault } from './embedded/git.js';
import { embeddedPostgres } from './embedded/postgres.js';
import { sandboxDefault } from './embedded/sandbox.js';
import type { ConnectorEntry } from './registry.js';

export const CONNECTORS: readonly ConnectorEntry[] = [
  {
    name: 'git',
    title: 'Git',
    package: '@patchbay/git',
    bin: 'patchbay-git',
    folder: 'servers/git',
    exportName: 'gitConnector',
    embedded: checkoutDefault,
    doctor: gitDoctor,
  },
  {
    name: 'postgres',
    title: 'PostgreSQL',
    package: '@patchbay/postgres',
    bin: 'patchbay-postgres',
    folder: 'servers/postgres',
    exportName: 'postgresConnector',
    embedded: embeddedPostgres,
    doctor: postgresDoctor,
  },
  {
    name: 'puppeteer',
    title: 'Browser',
    package: '@patchbay/puppeteer',
    bin: 'patchbay-puppeteer',
    folder: 'servers/puppeteer',
    exportName: 'puppeteerConnector',
    preflight: browserPreflight,
    describe: describeBrowser,
    doctor: puppeteerDoctor,
  },
  {
    name: 'github',
    title: 'GitHub',
    package: '@patchbay/github',
    bin: 'patchbay-github',
    folder: 'servers/github',
    exportName: 'githubConnector',
    embedded: sandboxDefault('github', 'GitHub'),
    doctor: githubDoctor,
  },
  {
    name: 'slack',
    title: 'Slack',
    package: '@patchbay/slack',
    bin: 'patchbay-slack',
    folder: 'servers/slack',
    exportName: 'slackConnector',
    embedded: sandboxDefault('slack', 'Slack'),
    doctor: slackDoctor,
  },
  {
    name: 'gdrive',
    title: 'Google Drive',
    package: '@patchbay/gdrive',
    bin: 'patchbay-gdrive',
    folder: 'servers/gdrive',
    exportName: 'gdriveConnector',
    // Its demo keeps its (empty) account folder in a folder of the gateway's, never the user's.
    embedded: sandboxDefault('gdrive', 'Google Drive', { stateDirVariable: 'PATCHBAY_GDRIVE_CONFIG_DIR' }),
    doctor: gdriveDoctor,
  },
];

export function connectorNamed(name: string): ConnectorEntry | undefined {
  return CONNECTORS.find((entry) => entry.name === name);
}

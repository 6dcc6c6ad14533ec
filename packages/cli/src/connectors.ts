/**
 * Every connector the gateway can mount, in the order the index page lists them. GitHub, Slack
 * and Google Drive are listed already: until their packages are built they show as unavailable
 * with the reason, and they run on the sandbox's emulators when no credential is set.
 */
import { gitDoctor, postgresDoctor, puppeteerDoctor } from './doctor/connectors.js';
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
  },
  {
    name: 'slack',
    title: 'Slack',
    package: '@patchbay/slack',
    bin: 'patchbay-slack',
    folder: 'servers/slack',
    exportName: 'slackConnector',
    embedded: sandboxDefault('slack', 'Slack'),
  },
  {
    name: 'gdrive',
    title: 'Google Drive',
    package: '@patchbay/gdrive',
    bin: 'patchbay-gdrive',
    folder: 'servers/gdrive',
    exportName: 'gdriveConnector',
    embedded: sandboxDefault('gdrive', 'Google Drive'),
  },
];

export function connectorNamed(name: string): ConnectorEntry | undefined {
  return CONNECTORS.find((entry) => entry.name === name);
}

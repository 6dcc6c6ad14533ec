/**
 * The emulators `startSandbox({ service: name })` and the CLI know, loaded on first use so that
 * starting one service never loads the others' code and data. To add one: a lazy loader here and
 * its state type in `KnownServices`.
 */
import type { AnyEmulator } from './core/emulator.js';
import type { GdriveState } from './gdrive/state.js';
import type { GitHubState } from './github/state.js';
import type { SlackState } from './slack/state.js';

/** State types of the registered services, so `startSandbox({ service: 'github' })` is typed. */
export interface KnownServices {
  github: GitHubState;
  slack: SlackState;
  gdrive: GdriveState;
}

export const serviceLoaders: Record<string, () => Promise<AnyEmulator>> = {
  github: async () => (await import('./github/index.js')).githubEmulator,
  slack: async () => (await import('./slack/index.js')).slackEmulator,
  gdrive: async () => (await import('./gdrive/index.js')).gdriveEmulator,
};

export function serviceNames(): string[] {
  return Object.keys(serviceLoaders);
}

/** The emulator registered under `name`; throws a message naming the known services otherwise. */
export async function loadService(name: string): Promise<AnyEmulator> {
  const load = serviceLoaders[name];
  if (!load) throw new Error(`unknown service "${name}" (the sandbox has: ${serviceNames().join(', ') || 'none yet'})`);
  return load();
}

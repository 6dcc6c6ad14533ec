/**
 * The emulators `startSandbox({ service: name })` and the CLI know, loaded on first use so that
 * starting one service never loads the others' code and data.
 */
import type { AnyEmulator } from './core/emulator.js';
import type { GdriveState } from './gdrive/state.js';

/** State types of the registered services, so `startSandbox({ service: 'github' })` is typed. */
export interface KnownServices {
  gdrive: GdriveState;
}

export const serviceLoaders: Record<string, () => Promise<AnyEmulator>> = {
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

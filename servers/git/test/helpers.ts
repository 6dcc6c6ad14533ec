import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Connected, connectInMemory, type InMemoryOptions, type TempRepo, tempRepo } from '@patchbay/testing';
import { createGitServices, type GitServices } from '../src/client.js';
import { gitConnector } from '../src/connector.js';
import type { NetworkSeams } from '../src/network.js';

/** The built bin, for end-to-end tests (turbo builds it before tests run). */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.cjs');

/** An in-memory client for the Git connector with the given flags. */
export function connect(
  argv: string[],
  options: Omit<InMemoryOptions, 'argv'> = {},
  network?: NetworkSeams,
): Promise<Connected<GitServices>> {
  const connector = network
    ? {
        ...gitConnector,
        createServices: ({ options: o, log }: Parameters<typeof gitConnector.createServices>[0]) =>
          createGitServices(o, log, network),
      }
    : gitConnector;
  return connectInMemory(connector, { ...options, argv });
}

/**
 * A temp repository whose own config names an author, so commits made through the tools work
 * without any global git config (the tests run with GIT_CONFIG_GLOBAL=/dev/null).
 */
export async function repoWithIdentity(options: Parameters<typeof tempRepo>[0] = {}): Promise<TempRepo> {
  const repo = await tempRepo(options);
  await repo.git('config', 'user.name', 'Grace Hopper');
  await repo.git('config', 'user.email', 'grace@example.com');
  return repo;
}

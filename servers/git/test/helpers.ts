import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Connected, type InMemoryOptions, connectInMemory } from '@patchbay/testing';
import type { GitServices } from '../src/client.js';
import { gitConnector } from '../src/connector.js';

/** The built bin, for end-to-end tests (turbo builds it before tests run). */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.js');

/** An in-memory client for the Git connector with the given flags. */
export function connect(argv: string[], options: Omit<InMemoryOptions, 'argv'> = {}): Promise<Connected<GitServices>> {
  return connectInMemory(gitConnector, { ...options, argv });
}

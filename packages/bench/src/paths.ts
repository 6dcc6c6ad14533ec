import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/bench, whether running from dist/ or (in tests) from src/. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(PACKAGE_DIR, '../..');
export const RESULTS_DIR = path.join(PACKAGE_DIR, 'results');

/** The built bin of a Patchbay connector; the bench measures what users run, never the sources. */
export function patchbayBin(connector: string, root = REPO_ROOT): string {
  const bin = path.join(root, 'servers', connector, 'dist', 'index.cjs');
  // A --baseline checkout from before the bin became CommonJS has dist/index.js.
  const older = path.join(root, 'servers', connector, 'dist', 'index.js');
  return existsSync(bin) || !existsSync(older) ? bin : older;
}

export function patchbayVersion(connector: string, root = REPO_ROOT): string | undefined {
  return readVersion(path.join(root, 'servers', connector, 'package.json'));
}

export interface InstalledPackage {
  name: string;
  version: string;
  /** Absolute path of the package's bin script. */
  bin: string;
}

/**
 * A comparator installed as a dev dependency of this package. Resolved through node_modules
 * rather than `require.resolve`, because some packages' `exports` hide their package.json.
 */
export function installedPackage(name: string): InstalledPackage | undefined {
  const dir = path.join(PACKAGE_DIR, 'node_modules', ...name.split('/'));
  const manifestPath = path.join(dir, 'package.json');
  if (!existsSync(manifestPath)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string; bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  if (!bin) return undefined;
  return { name, version: manifest.version, bin: path.join(dir, bin) };
}

function readVersion(manifestPath: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(manifestPath, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

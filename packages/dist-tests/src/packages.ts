/**
 * The packages Patchbay publishes, and how to pack them as npm would see them. The bins are esbuild
 * bundles with the kit inlined (their `dependencies` are the service libraries only); the CLI
 * imports the kit, the sandbox and the connectors' library entries, so those are published too.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const CONNECTORS = ['git', 'postgres', 'puppeteer', 'github', 'slack', 'gdrive'] as const;
export type ConnectorName = (typeof CONNECTORS)[number];

/** Every publishable package's folder, dependencies before dependents. */
export const PUBLISHABLE = ['shared/kit', 'packages/sandbox', ...CONNECTORS.map((c) => `servers/${c}`), 'packages/cli'] as const;

export interface PackageJson {
  name: string;
  version: string;
  description: string;
  private?: boolean;
  mcpName?: string;
  license?: string;
  files?: string[];
  bin?: string | Record<string, string>;
  repository?: { type: string; url: string; directory: string };
  homepage?: string;
  bugs?: { url: string };
  keywords?: string[];
  scripts?: Record<string, string>;
  publishConfig?: Record<string, unknown>;
  dependencies?: Record<string, string>;
}

export function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as PackageJson;
}

export interface Packed {
  dir: string;
  name: string;
  version: string;
  tarball: string;
  bytes: number;
  files: string[];
}

/**
 * `pnpm pack` (which turns `workspace:*` into real versions) into `destination`. Scripts are off:
 * `pnpm test` has just built everything, and `prepack` would build it all again.
 */
export async function pack(dir: string, destination: string): Promise<Packed> {
  const pkg = readPackage(dir);
  const built = path.join(ROOT, dir, 'dist');
  if (!existsSync(built)) throw new Error(`${pkg.name} is not built (${built} is missing): run pnpm build first`);
  await run('pnpm', ['pack', '--pack-destination', destination], {
    cwd: path.join(ROOT, dir),
    env: { ...process.env, npm_config_ignore_scripts: 'true' },
  });
  const tarball = path.join(destination, `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`);
  const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
  const files = stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  return { dir, name: pkg.name, version: pkg.version, tarball, bytes: (await stat(tarball)).size, files };
}

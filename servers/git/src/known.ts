import { readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '@patchbay/kit';
import type { GitServices, Repository } from './client.js';
import { initRoots } from './config.js';
import { exists } from './validate.js';

/**
 * Resources and prompts have no per-call client roots, so they work with the repositories the
 * operator configured: each --repository (or, for a folder of repositories, each repository
 * directly inside it) and each clone in the clone root. In a resource URI a repository is named
 * by its folder name when that is unique, or by its whole path, percent-encoded.
 */
export interface KnownRepository {
  id: string;
  path: string;
}

/** Every known repository; with `name`, only those in a folder of that name (fewer git processes). */
export async function knownRepositories(services: GitServices, name?: string): Promise<KnownRepository[]> {
  const roots = [...services.options.repository, ...initRoots(services.options)];
  const found = new Set<string>();
  for (const root of roots) {
    const real = await realpath(root).catch(() => undefined);
    if (!real) continue;
    const top = await services.topLevel(real);
    if (top) {
      found.add(top);
      continue;
    }
    const children = await readdir(real, { withFileTypes: true }).catch(() => []);
    for (const child of children.slice(0, 500)) {
      if (!child.isDirectory() || child.name.startsWith('.') || (name !== undefined && child.name !== name)) continue;
      // Only folders with a .git entry are worth asking git about (one process each).
      if (!(await exists(path.join(real, child.name, '.git')))) continue;
      const inner = await services.topLevel(path.join(real, child.name));
      if (inner?.startsWith(real + path.sep)) found.add(inner);
    }
  }
  const paths = [...found];
  const names = paths.map((p) => path.basename(p));
  return paths.map((p, i) => ({
    path: p,
    id:
      names.indexOf(names[i] as string) === names.lastIndexOf(names[i] as string) ? (names[i] as string) : encodeURIComponent(p),
  }));
}

/** Open a repository named by a resource URI or a prompt argument. */
export async function openKnown(
  services: GitServices,
  id: string | undefined,
  signal: AbortSignal,
  argument = 'repository',
): Promise<Repository> {
  const scope = { roots: async () => [], signal };
  if (id === undefined || id === '') return services.open(undefined, scope);
  let decoded: string;
  try {
    decoded = decodeURIComponent(id);
  } catch {
    throw new ToolError(`"${id}" is not validly percent-encoded.`, { argument });
  }
  if (decoded.includes('/') || decoded.includes(path.sep)) return services.open(decoded, scope);
  // Only folders of that name are asked about: a folder of many repositories costs one git process, not one each.
  const match = (await knownRepositories(services, decoded)).find((k) => path.basename(k.path) === decoded);
  if (!match) {
    const known = await knownRepositories(services);
    throw new ToolError(`no configured repository is called "${decoded}".`, {
      argument,
      hint: known.length
        ? `Known: ${known.map((k) => k.id).join(', ')}.`
        : 'The operator configures repositories with --repository.',
    });
  }
  return services.open(match.path, scope);
}

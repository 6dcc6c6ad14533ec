import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from './errors.js';

/**
 * Resolve a user-supplied path and prove it lies inside one of the allowed roots. Both sides are
 * real paths (symlinks followed), so neither `..`, an absolute path nor a symlink pointing out
 * can escape. Returns the root it fell in and the real path.
 */
export async function resolveInside(
  roots: readonly string[],
  input: string,
  argument: string,
  options: { mustExist?: boolean; base?: string } = {},
): Promise<{ root: string; path: string }> {
  if (input.includes('\0')) throw new ToolError('contains a NUL byte.', { argument });
  const realRoots = (await Promise.all(roots.map((r) => realpath(r).catch(() => undefined)))).filter(
    (r): r is string => r !== undefined,
  );
  const absolute = path.resolve(options.base ?? realRoots[0] ?? process.cwd(), input);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    if (options.mustExist !== false) {
      throw new ToolError(`"${input}" does not exist.`, { argument, hint: `Allowed locations: ${roots.join(', ')}.` });
    }
    // A path that does not exist yet (a clone target): check its nearest existing parent.
    const parent = await realpath(path.dirname(absolute)).catch(() => undefined);
    if (!parent) throw new ToolError(`the folder that would hold "${input}" does not exist.`, { argument });
    real = path.join(parent, path.basename(absolute));
  }
  for (const root of realRoots) {
    if (real === root || real.startsWith(root + path.sep)) return { root, path: real };
  }
  throw new ToolError(`"${input}" is outside the allowed locations.`, {
    argument,
    hint: roots.length
      ? `Use a path inside: ${roots.join(', ')}.`
      : 'No location is allowed yet: the operator must configure one.',
  });
}

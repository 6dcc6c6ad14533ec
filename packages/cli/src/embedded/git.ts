import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { EmbeddedDefault } from '../registry.js';

const run = promisify(execFile);

/**
 * Git's default: the checkout the gateway was started in, read-only unless the operator says
 * otherwise (`--git.no-read-only`, or `git.readOnly: false` in the config file: the default is
 * set in the environment layer, under both).
 */
export const checkoutDefault: EmbeddedDefault = {
  mode: 'embedded',
  needed: (first) => first.status === 'ready' && (first.runtime.options.repository as string[]).length === 0,
  async start({ cwd }) {
    const top = await checkoutAround(cwd);
    if (!top) {
      throw new Error(
        `${cwd} is not inside a git repository, and no repository was named. Pass --git.repository <path> (or git.repository in patchbay.config.json).`,
      );
    }
    return {
      argv: ['--repository', top],
      env: { PATCHBAY_READ_ONLY: 'true' },
      label: 'this checkout, read-only',
      note: `the checkout patchbay was started in (${top}), read-only unless --git.no-read-only`,
      close: async () => undefined,
    };
  },
};

/** The top folder of the git checkout around `cwd`, or undefined outside one (or without git). */
export async function checkoutAround(cwd: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['-C', cwd, 'rev-parse', '--show-toplevel'], {
      timeout: 10_000,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EmbeddedDefault } from '../registry.js';

export interface SandboxDefaultOptions {
  /** Listen on this port (default: any free one). */
  port?: number;
  /**
   * The variable naming the connector's own state folder (Drive's stored accounts and tokens):
   * the demo gets a folder of the gateway's, created empty and removed when it stops, so a demo
   * never reads or writes the user's.
   */
  stateDirVariable?: string;
}

/**
 * A SaaS connector's default: the sandbox's emulator of its service, started in this process
 * with its `demo` data, and the connector pointed at it through the same variables a person
 * would set (`GITHUB_API_URL`, `GITHUB_TOKEN`…). Those variables are pinned: one left in the
 * shell (an Enterprise `GITHUB_API_URL`) must not send the demo's token elsewhere. Each service
 * gets an emulator of its own on its own port (Google's client drops a path prefix, so Drive
 * could not share one). With a real credential set, the real service is used instead.
 */
export function sandboxDefault(service: string, title: string, options: SandboxDefaultOptions = {}): EmbeddedDefault {
  return {
    mode: 'sandbox',
    needed: (first) => first.status === 'missing-credentials',
    async start() {
      const { startSandbox } = (await import('@patchbay/sandbox')) as typeof import('@patchbay/sandbox');
      const sandbox = await startSandbox({
        service,
        seed: 'demo',
        logger: false,
        ...(options.port !== undefined ? { port: options.port } : {}),
      });
      let stateDir: string | undefined;
      try {
        if (options.stateDirVariable) stateDir = await mkdtemp(path.join(tmpdir(), `patchbay-${service}-demo-`));
      } catch (error) {
        await sandbox.close();
        throw error;
      }
      return {
        pinnedEnv: {
          ...sandbox.env,
          ...(stateDir && options.stateDirVariable ? { [options.stateDirVariable]: stateDir } : {}),
        },
        label: 'sandbox data, not your account',
        note: `sandbox data, not your account: a local emulator of ${title} with made-up demo data (${sandbox.url})`,
        close: async () => {
          await sandbox.close();
          if (stateDir) await rm(stateDir, { recursive: true, force: true });
        },
      };
    },
  };
}

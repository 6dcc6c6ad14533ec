import type { EmbeddedDefault } from '../registry.js';

/**
 * A SaaS connector's default: the sandbox's emulator of its service, started in this process
 * with its `demo` data, and the connector pointed at it through the same variables a person
 * would set (`GITHUB_API_URL`, `GITHUB_TOKEN`…). With a real credential set, the real service
 * is used instead.
 */
export function sandboxDefault(service: string, title: string): EmbeddedDefault {
  return {
    mode: 'sandbox',
    needed: (first) => first.status === 'missing-credentials',
    async start() {
      const { startSandbox } = (await import('@patchbay/sandbox')) as typeof import('@patchbay/sandbox');
      const sandbox = await startSandbox({ service, seed: 'demo', logger: false });
      return {
        env: sandbox.env,
        label: 'sandbox data, not your account',
        note: `sandbox data, not your account: a local emulator of ${title} with made-up demo data (${sandbox.url})`,
        close: () => sandbox.close(),
      };
    },
  };
}

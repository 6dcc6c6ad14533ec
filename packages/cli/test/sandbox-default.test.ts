import { describe, expect, it } from 'vitest';
import { sandboxDefault } from '../src/embedded/sandbox.js';

/**
 * The SaaS connectors' default, before their packages land: the sandbox's emulator started in this
 * process, and the variables that point a connector at it.
 */
describe('the sandbox default', () => {
  it('starts the GitHub emulator with its demo data and hands over the variables a person would set', async () => {
    const fallback = sandboxDefault('github', 'GitHub');
    expect(fallback.mode).toBe('sandbox');
    expect(fallback.needed({ status: 'missing-credentials', missing: ['GITHUB_TOKEN is not set.'] })).toBe(true);
    const started = await fallback.start({
      cwd: process.cwd(),
      log: () => undefined,
      first: { status: 'missing-credentials', missing: [] },
    });
    try {
      expect(started.label).toBe('sandbox data, not your account');
      expect(started.note).toMatch(/^sandbox data, not your account: a local emulator of GitHub/);
      const { GITHUB_API_URL, GITHUB_TOKEN } = started.env ?? {};
      expect(GITHUB_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const user = await fetch(`${GITHUB_API_URL}/user`, { headers: { authorization: `token ${GITHUB_TOKEN}` } });
      expect(user.status).toBe(200);
      const anonymous = await fetch(`${GITHUB_API_URL}/user`);
      expect(anonymous.status).toBe(401);
    } finally {
      await started.close();
    }
  });
});

import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxDefault } from '../src/embedded/sandbox.js';

/**
 * The SaaS connectors' default: the sandbox's emulator started in this process, and the variables
 * that point a connector at it.
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
      // Pinned: they win over a GITHUB_API_URL left in the shell, which would get the demo's token.
      expect(started.env).toBeUndefined();
      const { GITHUB_API_URL, GITHUB_TOKEN } = started.pinnedEnv ?? {};
      expect(GITHUB_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const user = await fetch(`${GITHUB_API_URL}/user`, { headers: { authorization: `token ${GITHUB_TOKEN}` } });
      expect(user.status).toBe(200);
      const anonymous = await fetch(`${GITHUB_API_URL}/user`);
      expect(anonymous.status).toBe(401);
    } finally {
      await started.close();
    }
  });

  it("gives Drive's demo an account folder of its own, empty, private and removed when it stops", async () => {
    const started = await sandboxDefault('gdrive', 'Google Drive', { stateDirVariable: 'PATCHBAY_GDRIVE_CONFIG_DIR' }).start({
      cwd: process.cwd(),
      log: () => undefined,
      first: { status: 'missing-credentials', missing: [] },
    });
    const folder = started.pinnedEnv?.PATCHBAY_GDRIVE_CONFIG_DIR as string;
    try {
      expect(path.dirname(folder)).toBe(tmpdir());
      expect(path.basename(folder)).toMatch(/^patchbay-gdrive-demo-/);
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      expect(await readdir(folder)).toEqual([]);
      // Drive's emulator on a port of its own: Google's client drops a path prefix from rootUrl.
      expect(started.pinnedEnv?.GDRIVE_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(started.pinnedEnv?.GDRIVE_OAUTH_REFRESH_TOKEN).toBeTruthy();
    } finally {
      await started.close();
    }
    expect(existsSync(folder)).toBe(false);
  });
});

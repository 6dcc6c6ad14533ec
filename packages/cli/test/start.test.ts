import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectHttp } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { alive, descendants, NO_REAL_SERVICES, TEST_CACHE } from './helpers.js';

const START = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));

/** The read call each connector answers on its embedded default (`base` is the gateway's URL). */
const READ_CALLS: Record<string, (base: string) => { name: string; arguments: Record<string, unknown> }> = {
  git: () => ({ name: 'git_status', arguments: {} }),
  postgres: () => ({ name: 'postgres_list_tables', arguments: {} }),
  puppeteer: (base) => ({ name: 'puppeteer_navigate', arguments: { url: `${base}/` } }),
  github: () => ({ name: 'github_list_issues', arguments: { repo: 'octocat/hello-world' } }),
  slack: () => ({ name: 'slack_get_channel_history', arguments: { channel: '#general', oldest: '7d' } }),
  gdrive: () => ({ name: 'gdrive_search', arguments: { text: 'roadmap' } }),
};

describe('pnpm start (scripts/start.mjs, after the build)', () => {
  it('serves every available connector, answers a read call on each, and leaves nothing behind on Ctrl-C', async () => {
    const child = spawn(process.execPath, [START], {
      env: { ...process.env, PORT: '0', XDG_CACHE_HOME: TEST_CACHE, ...NO_REAL_SERVICES },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in time:\n${stderr}`)), 90_000);
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        const match = /patchbay info ready url=(http:\/\/\S+?)\/?(\s|$)/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}:\n${stderr}`)));
    });
    try {
      const health = (await (await fetch(`${base}/healthz`)).json()) as { connectors: Record<string, string> };
      const serving = Object.entries(health.connectors).filter(([, mode]) => mode !== 'unavailable');
      // Every connector of the repository, each on its embedded default (the browser needs a Chromium).
      const expected = [
        'git',
        'postgres',
        ...(existsSync('/usr/bin/chromium') ? ['puppeteer'] : []),
        'github',
        'slack',
        'gdrive',
      ];
      expect(serving.map(([name]) => name)).toEqual(expected);
      for (const [name] of serving) {
        const { client, close } = await connectHttp(`${base}/${name}/mcp`);
        try {
          const tools = (await client.listTools()).tools;
          const call =
            READ_CALLS[name]?.(base) ??
            // A connector this test does not know yet: its first read tool that needs no argument.
            (() => {
              const tool = tools.find((t) => t.annotations?.readOnlyHint && !(t.inputSchema.required ?? []).length);
              return { name: tool?.name ?? '', arguments: {} };
            })();
          const result = await client.callTool(call);
          expect(result.isError, `${name}: ${call.name}: ${JSON.stringify(result.content)}`).toBeFalsy();
          expect((result.content as Array<{ text: string }>)[0]?.text.length, `${name}: ${call.name}`).toBeGreaterThan(0);
        } finally {
          await close();
        }
      }
      expect(stdout).toContain(`Index page: ${base}/`);
    } finally {
      const before = [child.pid!, ...descendants(child.pid!)];
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(before.filter(alive)).toEqual([]);
    }
  }, 120_000);
});

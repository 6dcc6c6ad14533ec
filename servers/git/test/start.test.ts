import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { callOk, connectHttp } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';

const ROOT = realpathSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'));

/** `pnpm start` (scripts/start.mjs): the Git connector over HTTP serving this checkout. */
describe('pnpm start', () => {
  it('serves this checkout over Streamable HTTP to a real client and prints how to connect', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/start.mjs')], {
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no endpoint printed; stdout:\n${stdout}`)), 15_000);
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /MCP endpoint \(Streamable HTTP\): (\S+)/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1] as string);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      expect(stdout).toContain('"mcpServers"');
      const { client, close } = await connectHttp(url);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('git_log');
      const log = await callOk<{ repository: string; commits: Array<{ hash: string; subject: string }> }>(client, 'git_log', {
        max_count: 3,
      });
      expect(log.data.repository).toBe(ROOT);
      expect(log.data.commits.length).toBeGreaterThan(0);
      expect(log.data.commits[0]?.hash).toMatch(/^[0-9a-f]{40}$/);
      await close();
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
  });
});

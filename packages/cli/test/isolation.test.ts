import { createServer, type Server } from 'node:net';
import { createLogger } from '@patchbay/kit';
import { connectHttp, type TempRepo, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorNamed } from '../src/connectors.js';
import { sandboxDefault } from '../src/embedded/sandbox.js';
import { type HttpGateway, mountAll, serveHttp } from '../src/gateway.js';
import type { Mounted } from '../src/mount.js';
import { mountConnector } from '../src/mount.js';
import type { ConnectorEntry } from '../src/registry.js';

/**
 * One connector that cannot start must not take the others down: Slack's emulator is asked for a
 * port another process holds, so its sandbox default really fails to listen, while GitHub, Drive
 * and git start on theirs. The gateway serves the others and answers 503 with the reason for Slack.
 */
describe('a connector whose sandbox cannot start', () => {
  let repo: TempRepo;
  let squatter: Server;
  let mounted: Mounted[];
  let gateway: HttpGateway;
  let base: string;

  beforeAll(async () => {
    repo = await tempRepo();
    await repo.commit('first', { 'a.txt': 'a\n' });
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    const slack: ConnectorEntry = { ...connectorNamed('slack')!, embedded: sandboxDefault('slack', 'Slack', { port: taken }) };
    const entries = [connectorNamed('git')!, connectorNamed('github')!, slack, connectorNamed('gdrive')!];
    // Credentials of the machine running the tests must not turn a sandbox into the real service.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(GITHUB_|GH_|SLACK_|GDRIVE_|GOOGLE_|PATCHBAY_)/.test(k)),
    );
    const result = await mountAll({
      entries,
      perConnector: new Map(),
      sections: new Map(),
      env: { ...env, PATCHBAY_LOG_LEVEL: 'error' },
      cwd: repo.path,
      log: () => undefined,
    });
    if ('problems' in result) throw new Error(result.problems.join('\n'));
    mounted = result.mounted;
    gateway = await serveHttp(mounted, {
      host: '127.0.0.1',
      port: 0,
      version: 'test',
      allowedHosts: [],
      allowedOrigins: [],
      launches: () => new Map(),
      log: createLogger('patchbay', 'error'),
    });
    base = gateway.base;
  }, 60_000);

  afterAll(async () => {
    await gateway?.running.close();
    await Promise.allSettled((mounted ?? []).map((m) => m.close()));
    squatter?.close();
    await repo?.remove();
  });

  it('answers 503 with the reason on its endpoint, and marks it on /healthz and the index page', async () => {
    const response = await fetch(`${base}/slack/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^Unavailable: .*EADDRINUSE/);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { connectors: Record<string, string> };
    expect(health.connectors).toEqual({ git: 'embedded', github: 'sandbox', slack: 'unavailable', gdrive: 'sandbox' });
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toMatch(/<section id="slack">[\s\S]*?<p class="reason">Unavailable: [^<]*EADDRINUSE/);
  });

  it('keeps the other connectors answering real calls', async () => {
    const calls: Array<[string, string, Record<string, unknown>, RegExp]> = [
      ['git', 'git_log', {}, /first/],
      ['github', 'github_get_me', {}, /^octocat \(Mona Octocat\)/],
      ['gdrive', 'gdrive_get_account', {}, /^Signed in as alex@example\.com/],
    ];
    for (const [name, tool, args, expected] of calls) {
      const { client, close } = await connectHttp(`${base}/${name}/mcp`);
      try {
        const result = await client.callTool({ name: tool, arguments: args });
        expect(result.isError, `${name}: ${tool}`).toBeFalsy();
        expect((result.content as Array<{ text: string }>)[0]?.text).toMatch(expected);
      } finally {
        await close();
      }
    }
  });

  it('lists a connector whose package is not installed as unavailable, with the command that installs it', async () => {
    const missing: ConnectorEntry = {
      ...connectorNamed('slack')!,
      name: 'jira',
      package: '@patchbay/jira',
      exportName: 'jiraConnector',
    };
    const result = await mountConnector(missing, { argv: [], env: {}, cwd: repo.path, log: () => undefined });
    expect('mounted' in result && result.mounted.unavailable()).toBe(
      '@patchbay/jira is not installed here (npm install @patchbay/jira)',
    );
  });

  it('does not put a demo behind a service the operator named without a credential', async () => {
    for (const input of [
      { argv: ['--gh-host', 'https://ghe.example.com'], named: '--github.gh-host' },
      { argv: [], config: { ghHost: 'https://ghe.example.com' }, named: 'github.ghHost' },
    ]) {
      const result = await mountConnector(connectorNamed('github')!, {
        argv: input.argv,
        ...(input.config ? { config: input.config } : {}),
        env: {},
        cwd: repo.path,
        log: () => undefined,
      });
      const mounted = 'mounted' in result ? result.mounted : undefined;
      expect(mounted?.runtime).toBeUndefined();
      expect(mounted?.unavailable()).toMatch(
        new RegExp(`^${input.named} names a service, but no credential is set\\. GITHUB_PERSONAL_ACCESS_TOKEN or GITHUB_TOKEN`),
      );
    }
  });
});

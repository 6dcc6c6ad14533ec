import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectHttp, type TempRepo, tempRepo } from '@patchbay/testing';
import puppeteer from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, descendants, type GatewayProcess, NO_REAL_SERVICES, startGateway } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';

/**
 * The built `patchbay serve` with nothing configured, in a fresh git checkout: every connector on
 * its embedded default, called through a real MCP client over Streamable HTTP.
 */
describe('patchbay serve on embedded defaults', () => {
  let repo: TempRepo;
  let gateway: GatewayProcess;
  let site: Server;
  let siteUrl: string;
  let userConfig: string;

  beforeAll(async () => {
    repo = await tempRepo();
    await repo.commit('first commit', { 'README.md': '# demo\n' });
    await repo.commit('second commit', { 'src/app.ts': 'export const x = 1;\n' });
    site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Local page</title><h1>Hello from a local page</h1>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    // The user's config folder, where Drive keeps accounts: the demo must leave it alone.
    userConfig = await mkdtemp(path.join(tmpdir(), 'patchbay-cli-user-config-'));
    // Credentials of the SaaS connectors must not leak in from the machine running the tests. A
    // GITHUB_API_URL left in the shell must not take the demo's token to another host.
    gateway = await startGateway([], {
      cwd: repo.path,
      env: {
        ...NO_REAL_SERVICES,
        PATCHBAY_READ_ONLY: undefined,
        XDG_CONFIG_HOME: userConfig,
        GITHUB_API_URL: 'https://github.example.com',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await repo?.remove();
    site?.close();
    if (userConfig) await rm(userConfig, { recursive: true, force: true });
  });

  it('says where each connector is and how to connect, on stdout', () => {
    const out = gateway.stdout();
    expect(out).toContain(`Patchbay is serving`);
    expect(out).toMatch(/git\s+embedded\s+http:\/\/127\.0\.0\.1:\d+\/git\/mcp\s+\(this checkout, read-only\)/);
    expect(out).toMatch(/postgres\s+embedded\s+.*\/postgres\/mcp\s+\(demo data, not your database\)/);
    for (const name of ['github', 'slack', 'gdrive']) {
      expect(out).toMatch(
        new RegExp(`${name}\\s+sandbox\\s+http://127\\.0\\.0\\.1:\\d+/${name}/mcp\\s+\\(sandbox data, not your account\\)`),
      );
    }
    expect(out).toContain(`claude mcp add --transport http patchbay-git ${gateway.base}/git/mcp`);
    expect(out).toContain(`Index page: ${gateway.base}/`);
  });

  it('serves git on the checkout it was started in, read-only', async () => {
    const { client, close } = await connectHttp(`${gateway.base}/git/mcp`);
    try {
      expect(client.getServerVersion()?.title).toBe('Patchbay Git (embedded: this checkout, read-only)');
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toContain('git_log');
      expect(tools).not.toContain('git_commit');
      const log = await client.callTool({ name: 'git_log', arguments: {} });
      const text = (log.content as Array<{ text: string }>)[0]?.text ?? '';
      expect(text).toContain('second commit');
      expect(text).toContain('first commit');
    } finally {
      await close();
    }
  });

  it('serves the embedded demo database, and says it is demo data', async () => {
    const { client, close } = await connectHttp(`${gateway.base}/postgres/mcp`);
    try {
      expect(client.getServerVersion()?.title).toBe('Patchbay PostgreSQL (embedded: demo data, not your database)');
      expect(client.getInstructions()).toMatch(/^DEMO — This server uses sandbox data, not your database/);
      expect(client.getInstructions()).toContain('Not available in the embedded demo: statistics');
      const result = await client.callTool({
        name: 'postgres_query',
        arguments: { sql: 'SELECT count(*) AS orders, (SELECT count(*) FROM shop.order_totals) AS totals FROM shop.orders' },
      });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ rows: [[2000, 2000]] });
      // The SQL guard and the read-only role both hold in the demo.
      const write = await client.callTool({
        name: 'postgres_query',
        arguments: { sql: "DELETE FROM shop.orders WHERE status = 'pending'" },
      });
      expect(write.isError).toBe(true);
      // Results page with the kit's cursor.
      const page = await client.callTool({
        name: 'postgres_query',
        arguments: { sql: 'SELECT * FROM shop.order_items ORDER BY order_id, line' },
      });
      expect((page.structuredContent as { more?: { cursor?: string } }).more?.cursor).toBeTruthy();
    } finally {
      await close();
    }
  });

  it.skipIf(!hasChromium())('drives the system Chromium', async () => {
    const { client, close } = await connectHttp(`${gateway.base}/puppeteer/mcp`);
    try {
      const result = await client.callTool({ name: 'puppeteer_navigate', arguments: { url: siteUrl } });
      expect(result.isError).toBeFalsy();
      expect((result.content as Array<{ text: string }>)[0]?.text).toContain('Hello from a local page');
    } finally {
      await close();
    }
  });

  it('serves GitHub, Slack and Drive on the sandbox emulators, and says it is sandbox data', async () => {
    const cases: Array<[string, string, string, Record<string, unknown>, RegExp]> = [
      ['github', 'GitHub', 'github_get_repo', { repo: 'octocat/hello-world' }, /^octocat\/hello-world/],
      ['slack', 'Slack', 'slack_list_channels', {}, /#general C\w+/],
      [
        'gdrive',
        'Google Drive',
        'gdrive_get_account',
        {},
        /^Signed in as alex@example\.com[\s\S]*no accounts stored by patchbay-gdrive auth/,
      ],
    ];
    for (const [name, title, tool, args, expected] of cases) {
      const { client, close } = await connectHttp(`${gateway.base}/${name}/mcp`);
      try {
        expect(client.getServerVersion()?.title).toBe(`Patchbay ${title} (sandbox: sandbox data, not your account)`);
        expect(client.getInstructions()).toMatch(
          new RegExp(
            `^DEMO — This server uses sandbox data, not your account: a local emulator of ${title} with made-up demo data \\(http://127\\.0\\.0\\.1:\\d+/?\\)`,
          ),
        );
        const result = await client.callTool({ name: tool, arguments: args });
        expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
        expect((result.content as Array<{ text: string }>)[0]?.text).toMatch(expected);
      } finally {
        await close();
      }
    }
    // Drive's demo kept its account folder elsewhere: nothing was written to the user's
    // (<config>/patchbay/gdrive; Chromium keeps its own folder there, which is not ours to judge).
    expect(await readdir(userConfig)).not.toContain('patchbay');
    const health = (await (await fetch(`${gateway.base}/healthz`)).json()) as { connectors: Record<string, string> };
    expect(health.connectors).toMatchObject({
      git: 'embedded',
      postgres: 'embedded',
      github: 'sandbox',
      slack: 'sandbox',
      gdrive: 'sandbox',
    });
  });

  it.skipIf(!hasChromium())('renders the index page in Chromium without console errors', async () => {
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warn') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(String(error)));
      page.on('requestfailed', (request) => problems.push(`${request.url()} ${request.failure()?.errorText}`));
      await page.setViewport({ width: 1200, height: 900 });
      const response = await page.goto(`${gateway.base}/`, { waitUntil: 'networkidle0' });
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
      // What a person sees: innerText, not textContent (which would include the folded snippets too).
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point
      const text = await page.evaluate(() => document.body.innerText);
      for (const expected of ['Git', 'PostgreSQL', 'Browser', 'GitHub', 'Slack', 'Google Drive', 'embedded', 'sandbox']) {
        expect(text).toContain(expected);
      }
      for (const tool of [
        'git_log',
        'postgres_query',
        'puppeteer_navigate',
        'github_get_me',
        'slack_list_channels',
        'gdrive_search',
      ]) {
        expect(text).toContain(tool);
      }
      expect(text).toContain('Sandbox data, not your database');
      expect(text).toContain('Sandbox data, not your account: a local emulator of GitHub');
      expect(text).toContain(`${gateway.base}/postgres/mcp`);
      // The summary lists all six, each with its mode.
      const rows = await page.$$eval('table.summary tbody tr', (trs) =>
        trs.map((tr) =>
          Array.from(tr.querySelectorAll('td'))
            .slice(0, 2)
            .map((td) => td.textContent),
        ),
      );
      expect(rows).toEqual([
        ['Git', 'embedded'],
        ['PostgreSQL', 'embedded'],
        ['Browser', 'live'],
        ['GitHub', 'sandbox'],
        ['Slack', 'sandbox'],
        ['Google Drive', 'sandbox'],
      ]);
      // A demo says how to use your own account instead.
      expect(await page.$eval('#github .golive', (node) => node.textContent)).toMatch(
        /^To use your own instead: .*GITHUB_PERSONAL_ACCESS_TOKEN/,
      );
      // Each connector's snippets, folded per client; no script on the page at all.
      const clients = await page.$$eval('#postgres details summary', (nodes) => nodes.map((n) => n.textContent));
      expect(clients).toEqual(['Claude Desktop', 'Claude Code', 'Cursor', 'VS Code']);
      expect(await page.$$eval('script', (nodes) => nodes.length)).toBe(0);
      const snippet = await page.$eval('#git details pre code', (node) => node.textContent ?? '');
      expect(JSON.parse(snippet)).toEqual({
        mcpServers: { 'patchbay-git': { command: 'npx', args: ['-y', 'mcp-remote', `${gateway.base}/git/mcp`] } },
      });
      expect(problems).toEqual([]);
      const png = await page.screenshot({ fullPage: false });
      expect(Buffer.from(png).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  });

  it('keeps serving when its Chromium is killed, and stops everything on Ctrl-C', async () => {
    if (hasChromium()) {
      const browsers = descendants(gateway.child.pid!).filter((pid) => cmdline(pid).includes('chromium'));
      expect(browsers.length).toBeGreaterThan(0);
      for (const pid of browsers) process.kill(pid, 'SIGKILL');
    }
    const git = await connectHttp(`${gateway.base}/git/mcp`);
    const pg = await connectHttp(`${gateway.base}/postgres/mcp`);
    try {
      expect((await git.client.callTool({ name: 'git_status', arguments: {} })).isError).toBeFalsy();
      expect((await pg.client.callTool({ name: 'postgres_list_tables', arguments: {} })).isError).toBeFalsy();
      if (hasChromium()) {
        const browser = await connectHttp(`${gateway.base}/puppeteer/mcp`);
        // The browser connector launches a new Chromium for the next call.
        const again = await browser.client.callTool({ name: 'puppeteer_navigate', arguments: { url: siteUrl } });
        expect((again.content as Array<{ text: string }>)[0]?.text).toContain('Hello from a local page');
        await browser.close();
      }
    } finally {
      await git.close();
      await pg.close();
    }
    const before = descendants(gateway.child.pid!);
    expect(await gateway.stop('SIGINT')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(before.filter(alive)).toEqual([]);
  });
});

function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connectStdio, startTestServer, type TempRepo, type TestServer, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespaced } from '../src/mount.js';
import { splitArgs } from '../src/options.js';
import { CLI, runCli, TEST_CACHE } from './helpers.js';

let repo: TempRepo;
beforeAll(async () => {
  repo = await tempRepo();
  await repo.commit('hello', { 'a.txt': 'a\n' });
});
afterAll(async () => {
  await repo?.remove();
});

describe('namespaced options', () => {
  it('gives each connector its own flags, a boolean never taking the next word', () => {
    const specs = { repository: { kind: 'list' }, cloneRoot: { kind: 'string' } } as never;
    const { rest, perConnector } = splitArgs(
      ['serve', '--git.read-only', 'postgres', '--git.repository', '/x', '--postgres.url=postgres://a@b/c', '--http', '8080'],
      (name) => (name === 'git' ? specs : undefined),
    );
    expect(rest).toEqual(['serve', 'postgres', '--http', '8080']);
    expect(perConnector.get('git')).toEqual(['--read-only', '--repository', '/x']);
    expect(perConnector.get('postgres')).toEqual(['--url=postgres://a@b/c']);
  });

  it("names a connector's flag with its prefix in problems", () => {
    expect(namespaced('git', 'Unknown option --read-onyl. Did you mean --read-only?')).toBe(
      'Unknown option --git.read-onyl. Did you mean --git.read-only?',
    );
    expect(namespaced('postgres', 'DATABASE_URL must be a postgres:// URL')).toBe('DATABASE_URL must be a postgres:// URL');
  });
});

describe('configuration problems', () => {
  it('reports every problem at once, naming the key or the flag, and exits 2', async () => {
    const file = path.join(repo.path, 'patchbay.config.json');
    await writeFile(
      file,
      JSON.stringify({
        connectors: ['git', 'postgres'],
        git: { repositry: '/tmp' },
        'postgres.statementTimeout': 'soon',
        gitt: {},
        http: 'not-a-port',
      }),
    );
    try {
      const { code, stderr } = await runCli(['serve', '--git.read-onyl'], { cwd: repo.path });
      expect(code).toBe(2);
      expect(stderr).toContain('gitt is not a connector or a gateway option. Did you mean git?');
      expect(stderr).toContain('http (in patchbay.config.json): must be a port');
      expect(stderr).toContain('git.repositry is not an option. Did you mean git.repository?');
      expect(stderr).toContain('Unknown option --git.read-onyl. Did you mean --git.read-only?');
      expect(stderr).toContain('postgres.statementTimeout must be a number (got "soon")');
    } finally {
      await rm(file);
    }
  });

  it('names an unknown connector with the closest one', async () => {
    const { code, stderr } = await runCli(['serve', 'postgress'], { cwd: repo.path });
    expect(code).toBe(2);
    expect(stderr).toContain('No connector "postgress". Did you mean postgres?');
  });
});

describe('patchbay serve --stdio', () => {
  it('serves several connectors as one stdio server, the demo saying so', async () => {
    const server = await connectStdio(CLI, ['serve', '--stdio', 'git', 'postgres'], {
      cwd: repo.path,
      env: { XDG_CACHE_HOME: TEST_CACHE },
    });
    try {
      const { client } = server;
      expect(client.getServerVersion()?.name).toBe('patchbay');
      expect(client.getInstructions()).toContain('## PostgreSQL\nDEMO — This server uses sandbox data, not your database');
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['git_status', 'git_log', 'postgres_query']));
      const status = await client.callTool({ name: 'git_status', arguments: {} });
      expect(status.isError).toBeFalsy();
      const rows = await client.callTool({ name: 'postgres_query', arguments: { sql: 'SELECT count(*) FROM shop.customers' } });
      expect(rows.structuredContent).toMatchObject({ rows: [[300]] });
    } finally {
      await server.close();
    }
  });
});

describe('patchbay config', () => {
  it('prints a stdio entry that launches the connector from this clone, with its defaults spelled out', async () => {
    const { code, stdout, stderr } = await runCli(['config', 'git', '--client', 'claude-desktop'], { cwd: repo.path });
    expect(code).toBe(0);
    const entry = JSON.parse(stdout) as { mcpServers: Record<string, { command: string; args: string[] }> };
    const git = entry.mcpServers['patchbay-git']!;
    expect(git.command).toBe('node');
    expect(git.args[0]).toMatch(/servers\/git\/dist\/index\.js$/);
    expect(git.args.slice(1)).toEqual(['--repository', repo.path, '--read-only']);
    expect(stderr).toContain('From this clone');
  });

  it('prints an HTTP entry for each client', async () => {
    const url = 'http://127.0.0.1:8931';
    const code = await runCli(['config', 'postgres', '--client', 'claude-code', '--http', url]);
    expect(code.stdout.trim()).toBe('claude mcp add --transport http patchbay-postgres http://127.0.0.1:8931/postgres/mcp');
    const vscode = JSON.parse((await runCli(['config', 'git', '--client', 'vscode', '--http', url])).stdout);
    expect(vscode).toEqual({ servers: { 'patchbay-git': { type: 'http', url: 'http://127.0.0.1:8931/git/mcp' } } });
    const cursor = JSON.parse((await runCli(['config', 'git', '--client', 'cursor', '--http', url])).stdout);
    expect(cursor).toEqual({ mcpServers: { 'patchbay-git': { url: 'http://127.0.0.1:8931/git/mcp' } } });
  });

  it('launches a demo through the gateway, since the bin alone has no demo database', async () => {
    const { code, stdout } = await runCli(['config', 'postgres', '--client', 'cursor'], {
      cwd: repo.path,
      env: { DATABASE_URL: undefined },
    });
    expect(code).toBe(0);
    const entry = JSON.parse(stdout).mcpServers['patchbay-postgres'] as { args: string[] };
    expect(entry.args.slice(1)).toEqual(['serve', '--stdio', 'postgres']);
  });
});

describe('patchbay list', () => {
  it('lists every connector with its package, bin and status here', async () => {
    const { code, stdout } = await runCli(['list'], { cwd: repo.path, env: { DATABASE_URL: undefined } });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^git\s+@patchbay\/git\s+patchbay-git\s+embedded/m);
    expect(stdout).toMatch(/^postgres\s+@patchbay\/postgres\s+patchbay-postgres\s+embedded/m);
    expect(stdout).toMatch(/^slack\s+@patchbay\/slack\s+patchbay-slack\s+unavailable\s+@patchbay\/slack is not installed/m);
  });
});

describe('patchbay doctor', () => {
  let pg: TestServer | undefined;
  let skip: string | undefined;
  beforeAll(async () => {
    const outcome = await startTestServer();
    if ('skip' in outcome) skip = outcome.skip;
    else pg = outcome.server;
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('reports the credential variable, the server and a superuser role, and how to make a read-only one', async (context) => {
    if (!pg) return context.skip(skip);
    const { code, stdout } = await runCli(['doctor', 'postgres'], { env: { DATABASE_URL: pg.adminUrl } });
    expect(stdout).toContain('✓ Database URL of the connection named "main" from DATABASE_URL');
    expect(stdout).toMatch(/✓ main \(postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+\): reachable, PostgreSQL \d+/);
    expect(stdout).toContain('! main');
    expect(stdout).toContain('is a superuser');
    expect(stdout).toContain('fix: CREATE ROLE mcp_readonly LOGIN');
    // A warning, not a failure: the connector still enforces read-only itself.
    expect(code).toBe(0);
  });

  it('exits 1 when a configured database cannot be reached', async () => {
    const { code, stdout } = await runCli(['doctor', 'postgres'], {
      env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    });
    expect(stdout).toContain('✗ main (postgres://nobody@127.0.0.1:1/none): cannot connect');
    expect(code).toBe(1);
  });

  it('says what runs without a credential, and what to set to use your own', async () => {
    const { code, stdout } = await runCli(['doctor', 'postgres'], { env: { DATABASE_URL: undefined } });
    expect(stdout).toContain('PostgreSQL (postgres) — embedded');
    expect(stdout).toContain('patchbay serve runs it on its embedded demo');
    expect(stdout).toContain('To use your own: no database to connect to.');
    expect(code).toBe(0);
  });

  it('exits 1 when the browser it was asked for has no executable', async () => {
    const { code, stdout } = await runCli(['doctor', 'puppeteer'], { env: { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chrome' } });
    expect(stdout).toContain('✗ --puppeteer.executable-path: /nonexistent/chrome does not exist.');
    expect(code).toBe(1);
  });

  it('checks git on the checkout it runs in', async () => {
    const { code, stdout } = await runCli(['doctor', 'git'], { cwd: repo.path, env: { GIT_REPOSITORIES: undefined } });
    expect(stdout).toMatch(/✓ git version \d/);
    expect(stdout).toContain(`· no repository named: serving the checkout patchbay was started in (${repo.path})`);
    expect(code).toBe(0);
  });
});

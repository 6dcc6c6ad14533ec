import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type KnownServices, type Sandbox, startSandbox } from '@patchbay/sandbox';
import { connectStdio, startTestServer, type TempRepo, type TestServer, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneRoot } from '../src/launch.js';
import { namespaced } from '../src/mount.js';
import { splitArgs } from '../src/options.js';
import { CLI, NO_REAL_SERVICES, runCli, TEST_CACHE } from './helpers.js';

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

  it('refuses to serve beyond loopback without a token or an OAuth issuer, before starting anything', async () => {
    const { code, stdout, stderr } = await runCli(['serve', 'git', '--http', '0.0.0.0:0'], { cwd: repo.path });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('patchbay: --http 0.0.0.0:0 listens beyond this machine without a bearer token');
    expect(stderr).toContain('--http-token (or PATCHBAY_HTTP_TOKEN) to a long random secret or --oauth-issuer (team mode)');
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
    expect(git.args[0]).toMatch(/servers\/git\/bin\.cjs$/);
    expect(git.args.slice(1)).toEqual(['--repository', repo.path, '--read-only']);
    expect(stderr).toContain('From this clone');
  });

  it('launches the bin the clone form names, as the client will', async () => {
    const { stdout } = await runCli(['config', 'git', '--client', 'claude-desktop'], { cwd: repo.path });
    const git = (JSON.parse(stdout) as { mcpServers: Record<string, { command: string; args: string[] }> }).mcpServers[
      'patchbay-git'
    ]!;
    const connected = await connectStdio(git.args[0]!, git.args.slice(1));
    try {
      const log = await connected.client.callTool({ name: 'git_log', arguments: {} });
      expect(log.isError).toBeFalsy();
      expect(JSON.stringify(log.content)).toContain('hello');
    } finally {
      await connected.close();
    }
  });

  it('takes a clone only where the workspace is, never inside node_modules', () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    expect(cloneRoot(path.join(root, 'packages/cli/dist'))).toBe(root);
    // Installed by npm into a folder that happens to hold a workspace: still the published form.
    expect(cloneRoot(path.join(root, 'node_modules/@patchbay/cli/dist'))).toBeUndefined();
    expect(cloneRoot(path.join(root, 'packages/cli/node_modules/x/y/dist'))).toBeUndefined();
    expect(cloneRoot('/tmp/not-a-clone/packages/cli/dist')).toBeUndefined();
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

describe('patchbay config for the SaaS connectors', () => {
  it('names the token with a placeholder and copies the API URL into the env block', async () => {
    const token = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';
    const { code, stdout, stderr } = await runCli(['config', 'github', '--client', 'claude-desktop'], {
      cwd: repo.path,
      env: { ...NO_REAL_SERVICES, GITHUB_TOKEN: token, GITHUB_API_URL: 'https://ghe.example.com/api/v3' },
    });
    expect(code).toBe(0);
    const entry = JSON.parse(stdout).mcpServers['patchbay-github'] as { args: string[]; env: Record<string, string> };
    expect(entry.args[0]).toMatch(/servers\/github\/bin\.cjs$/);
    expect(entry.env).toEqual({ GITHUB_TOKEN: '<your GITHUB_TOKEN>', GITHUB_API_URL: 'https://ghe.example.com/api/v3' });
    expect(stdout + stderr).not.toContain(token);
  });

  it('gives each token of Slack its own -e for Claude Code, and carries its read-only flag', async () => {
    const { code, stdout } = await runCli(['config', 'slack', '--client', 'claude-code', '--slack.read-only'], {
      cwd: repo.path,
      env: { ...NO_REAL_SERVICES, SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_USER_TOKEN: 'xoxp-1-2-3-def', SLACK_TEAM_ID: 'T0ABC' },
    });
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(
      /^claude mcp add patchbay-slack -e SLACK_BOT_TOKEN='<your SLACK_BOT_TOKEN>' -e SLACK_USER_TOKEN='<your SLACK_USER_TOKEN>' -e SLACK_TEAM_ID=T0ABC -- node \S+\/servers\/slack\/bin\.cjs --read-only$/,
    );
  });

  it('launches a demo through the gateway, and says what to set to use your own account', async () => {
    const { code, stdout, stderr } = await runCli(['config', 'gdrive', '--client', 'cursor'], {
      cwd: repo.path,
      env: NO_REAL_SERVICES,
    });
    expect(code).toBe(0);
    const entry = JSON.parse(stdout).mcpServers['patchbay-gdrive'] as { args: string[]; env?: unknown };
    expect(entry.args.slice(1)).toEqual(['serve', '--stdio', 'gdrive']);
    expect(entry.env).toBeUndefined();
    expect(stderr).toContain('# gdrive runs sandbox: sandbox data, not your account');
    expect(stderr).toContain(
      '# To use your own instead (then run this again): not signed in to Google Drive. Run `patchbay-gdrive auth`',
    );
    expect(stderr).toContain('once they are: npx -y @patchbay/cli');
  });
});

describe('patchbay list', () => {
  it('lists every connector with its package, bin and status here', async () => {
    const { code, stdout } = await runCli(['list'], { cwd: repo.path, env: NO_REAL_SERVICES });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^git\s+@patchbay\/git\s+patchbay-git\s+embedded/m);
    expect(stdout).toMatch(/^postgres\s+@patchbay\/postgres\s+patchbay-postgres\s+embedded/m);
    for (const name of ['github', 'slack', 'gdrive']) {
      expect(stdout).toMatch(
        new RegExp(`^${name}\\s+@patchbay/${name}\\s+patchbay-${name}\\s+sandbox\\s+sandbox default, started by serve`, 'm'),
      );
    }
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

/**
 * The doctor against each SaaS connector's service: the sandbox's emulators stand in for GitHub,
 * Slack and Google Drive (real HTTP, the connectors' real client libraries), reached through the
 * same variables a person sets for the real one — so each connector is live here, not a demo.
 */
describe('patchbay doctor for GitHub, Slack and Drive', () => {
  let github: Sandbox<KnownServices['github']>;
  let slack: Sandbox<KnownServices['slack']>;
  let gdrive: Sandbox<KnownServices['gdrive']>;
  beforeAll(async () => {
    [github, slack, gdrive] = await Promise.all([
      startSandbox({ service: 'github', logger: false }),
      startSandbox({ service: 'slack', logger: false }),
      startSandbox({ service: 'gdrive', logger: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([github?.close(), slack?.close(), gdrive?.close()]);
  });
  const doctor = (name: string, env: Record<string, string>) =>
    runCli(['doctor', name], { cwd: repo.path, env: { ...NO_REAL_SERVICES, ...env } });

  it('GitHub: the variable, who the token is, its scopes and the rate limit', async () => {
    const { code, stdout } = await doctor('github', github.env);
    expect(stdout).toContain('GitHub (github) — live');
    expect(stdout).toContain('✓ GitHub token from GITHUB_TOKEN');
    expect(stdout).toContain(`✓ GitHub at ${github.url} answers: signed in as octocat (Mona Octocat), User`);
    expect(stdout).toMatch(/✓ token scopes: repo, /);
    expect(stdout).toMatch(/· rate limit: core \d+\/5000 left/);
    expect(stdout).not.toContain(github.env.GITHUB_TOKEN);
    expect(code).toBe(0);
  });

  it('GitHub: a token without the repo scope is a warning that says what it cannot reach', async () => {
    const { code, stdout } = await doctor('github', { ...github.env, GITHUB_TOKEN: github.state.tokenFor('outsider') });
    expect(stdout).toContain('signed in as outsider');
    expect(stdout).toContain(
      '! without the repo scope, private repositories are invisible (they answer 404) and writes reach public repositories only',
    );
    expect(stdout).toContain('fix: If you need them, make a token with the repo scope');
    expect(code).toBe(0);
  });

  it('GitHub: a token GitHub refuses fails, with how to fix it, and exits 1', async () => {
    const { code, stdout } = await doctor('github', { ...github.env, GITHUB_TOKEN: 'ghp_notarealtoken000000000000000000000000' });
    expect(stdout).toContain(`✗ GitHub at ${github.url}: GitHub rejected the credential (401: Bad credentials)`);
    expect(stdout).toContain('fix: Set GITHUB_PERSONAL_ACCESS_TOKEN (or GITHUB_TOKEN) to a valid one');
    expect(code).toBe(1);
  });

  it('Slack: each token with auth.test, its scopes, and that writes are off', async () => {
    const { code, stdout } = await doctor('slack', slack.env);
    expect(stdout).toContain('✓ SLACK_BOT_TOKEN: the bot @patchbay in Patchbay Demo');
    expect(stdout).toContain('✓ SLACK_USER_TOKEN: the user @ada in Patchbay Demo');
    expect(stdout).toMatch(/✓ SLACK_USER_TOKEN scopes: .*search:read/);
    expect(stdout).not.toContain('cannot');
    expect(stdout).toContain('· writes: not offered (--slack.allow-write');
    expect(code).toBe(0);
  });

  it('Slack: a bot token without the read scopes says what it cannot do and which scope to add', async () => {
    const { code, stdout } = await doctor('slack', {
      SLACK_API_URL: slack.env.SLACK_API_URL as string,
      SLACK_BOT_TOKEN: slack.state.tokenNamed('narrow-bot'),
    });
    expect(stdout).toContain('✓ SLACK_BOT_TOKEN scopes: chat:write');
    expect(stdout).toContain('! SLACK_BOT_TOKEN cannot read public channel history: it lacks channels:history');
    expect(stdout).toContain("fix: Add channels:history to the app's Bot Token Scopes");
    expect(stdout).toContain('· no SLACK_USER_TOKEN: searching messages and the unread summary need a user token');
    expect(code).toBe(0);
  });

  it('Slack: a revoked token fails and exits 1, the other token still checked', async () => {
    const { code, stdout } = await doctor('slack', { ...slack.env, SLACK_USER_TOKEN: slack.state.tokenNamed('revoked') });
    expect(stdout).toContain('✓ SLACK_BOT_TOKEN: the bot @patchbay');
    expect(stdout).toMatch(/✗ SLACK_USER_TOKEN \(auth\.test\): .*token_revoked/);
    expect(code).toBe(1);
  });

  it('Drive: the account, how it signed in and the token scopes', async () => {
    const { code, stdout } = await doctor('gdrive', gdrive.env);
    expect(stdout).toContain('✓ An OAuth refresh token a user already granted from GDRIVE_OAUTH_REFRESH_TOKEN');
    expect(stdout).toContain(
      `✓ Google Drive at ${gdrive.env.GDRIVE_API_URL} answers: signed in as alex@example.com (Alex Rivera) with the refresh token in GDRIVE_OAUTH_REFRESH_TOKEN`,
    );
    expect(stdout).toMatch(/✓ token scopes: drive \(see, edit, create, share and delete/);
    expect(code).toBe(0);
  });

  it('Drive: a read-only grant while the write tools are offered is a warning with both ways out', async () => {
    const { state } = gdrive;
    const readOnly = state.issueRefreshToken({
      subject: 'alex@example.com',
      clientId: state.defaultClientId,
      scopes: ['drive.readonly'],
    });
    const { code, stdout } = await doctor('gdrive', { ...gdrive.env, GDRIVE_OAUTH_REFRESH_TOKEN: readOnly.token });
    expect(stdout).toContain('! the token can only read, and the write tools are offered: Google will refuse them');
    expect(stdout).toContain('fix: Run with --gdrive.read-only, or sign in again without --read-only');
    expect(code).toBe(0);
    const quiet = await runCli(['doctor', 'gdrive', '--gdrive.read-only'], {
      cwd: repo.path,
      env: { ...NO_REAL_SERVICES, ...gdrive.env, GDRIVE_OAUTH_REFRESH_TOKEN: readOnly.token },
    });
    expect(quiet.stdout).not.toContain('the token can only read');
  });

  it('Drive: a refresh token Google no longer accepts fails, with how to sign in again', async () => {
    const { code, stdout } = await doctor('gdrive', { ...gdrive.env, GDRIVE_OAUTH_REFRESH_TOKEN: '1//not-a-grant' });
    expect(stdout).toMatch(
      /✗ Google Drive at .*: Google Drive no longer accepts the refresh token in GDRIVE_OAUTH_REFRESH_TOKEN/,
    );
    expect(stdout).toContain('fix: Run `patchbay-gdrive auth` in a terminal to sign in again');
    expect(code).toBe(1);
  });
});

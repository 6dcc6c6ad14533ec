/**
 * The built bin, as a user runs it: `patchbay-sandbox github` prints NAME=value lines on stdout
 * (nothing else), serves the API until SIGTERM/SIGINT, logs requests to stderr, and refuses bad
 * usage with exit 2. Needs `pnpm build` (the root `pnpm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { Octokit } from '@octokit/rest';
import { describe, expect, it } from 'vitest';
import { BIN, sandboxCli } from './run-cli.js';

const start = sandboxCli(15_000);

describe('patchbay-sandbox', () => {
  it('prints only the env lines that point the GitHub client at it, serves the API, and stops on SIGTERM', async () => {
    const run = start(['github', '--port', '0']);
    const env = await run.ready;
    expect(Object.keys(env)).toEqual(['GITHUB_API_URL', 'GITHUB_TOKEN']);
    expect(env['GITHUB_API_URL']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env['GITHUB_TOKEN']).toMatch(/^ghp_[A-Za-z0-9]{36}$/);
    expect(run.out()).toMatch(/^GITHUB_API_URL=\S+\nGITHUB_TOKEN=\S+\n$/);
    const octokit = new Octokit({ baseUrl: env['GITHUB_API_URL'], auth: env['GITHUB_TOKEN'] });
    expect((await octokit.users.getAuthenticated()).data.login).toBe('octocat');
    const created = await octokit.issues.create({ owner: 'octocat', repo: 'hello-world', title: 'From the CLI test' });
    expect(
      (await octokit.issues.get({ owner: 'octocat', repo: 'hello-world', issue_number: created.data.number })).data.title,
    ).toBe('From the CLI test');
    const log = (await (await fetch(`${env['GITHUB_API_URL']}/_sandbox/log`)).json()) as { entries: { route: string }[] };
    expect(log.entries.map((e: { route: string }) => e.route)).toEqual([
      '/user',
      '/repos/{owner}/{repo}/issues',
      '/repos/{owner}/{repo}/issues/{issue_number}',
    ]);
    expect(run.err()).toMatch(/github GET \/user 200 octocat/);
    expect(run.err()).not.toContain(env['GITHUB_TOKEN']);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('with --detach, returns after printing, so eval "$(…)" sets the variables; the background server runs until killed', async () => {
    const script = [
      `set -a; eval "$(${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} github --detach --quiet)"; set +a`,
      `${JSON.stringify(process.execPath)} -e 'fetch(process.env.GITHUB_API_URL + "/user", { headers: { authorization: "token " + process.env.GITHUB_TOKEN } }).then((r) => r.json()).then((u) => console.log(u.login))'`,
      'echo "pid=$PATCHBAY_SANDBOX_PID url=$GITHUB_API_URL"',
    ].join('\n');
    const run = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toMatch(/running in the background \(pid \d+\)/);
    expect(run.stdout).toMatch(/^octocat\npid=\d+ url=http:\/\/127\.0\.0\.1:\d+\n$/);
    const [, pid, url] = /pid=(\d+) url=(\S+)/.exec(run.stdout)!;
    // Still serving after the shell that started it has gone.
    expect((await fetch(`${url}/_sandbox`)).status).toBe(200);
    process.kill(Number(pid), 'SIGTERM');
    let stopped = false;
    for (let i = 0; i < 40 && !stopped; i++) {
      stopped = await fetch(`${url}/_sandbox`).then(
        () => false,
        () => true,
      );
      if (!stopped) await new Promise((r) => setTimeout(r, 50));
    }
    expect(stopped).toBe(true);
  });

  it('with --detach, reports a start that failed and exits 2', () => {
    const run = spawnSync(process.execPath, [BIN, 'github', '--detach', '--seed', 'huge'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('no seed named "huge"');
  });

  it('keeps the same token across runs, so a client config keeps working', async () => {
    const a = start(['github', '--quiet']);
    const tokenA = (await a.ready)['GITHUB_TOKEN'];
    a.child.kill('SIGINT');
    expect(await a.exited).toBe(0);
    const b = start(['github', '--quiet']);
    expect((await b.ready)['GITHUB_TOKEN']).toBe(tokenA);
    b.child.kill('SIGTERM');
    await b.exited;
  });

  it('refuses a service listed twice (several services share one port, each under /<name>)', async () => {
    const run = start(['github', 'github', '--quiet']);
    await expect(run.ready).rejects.toThrow(/exited with 2: patchbay-sandbox: service github listed twice/);
  });

  it('prints help on stdout, and refuses bad usage with exit 2 and a message that says what to do', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: patchbay-sandbox <service>/);
    expect(help.stdout).toContain('Services: github');
    expect(spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const none = spawnSync(process.execPath, [BIN], { encoding: 'utf8' });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('name a service to emulate (one of: github, slack, gdrive)');
    expect(none.stdout).toBe('');
    const unknown = spawnSync(process.execPath, [BIN, 'gitlab'], { encoding: 'utf8' });
    expect(unknown.stderr).toContain('unknown service "gitlab" (one of: github, slack, gdrive)');
    const port = spawnSync(process.execPath, [BIN, 'github', '--port', 'eighty'], { encoding: 'utf8' });
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('--port must be a port number 0-65535 (got "eighty")');
    const seed = spawnSync(process.execPath, [BIN, 'github', '--seed', 'huge'], { encoding: 'utf8' });
    expect(seed.status).toBe(2);
    expect(seed.stderr).toContain('no seed named "huge" (known: demo, empty)');
    const flag = spawnSync(process.execPath, [BIN, 'github', '--colour'], { encoding: 'utf8' });
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--colour'/);
  });

  it('says which port is taken', async () => {
    const first = start(['github', '--quiet']);
    const port = new URL((await first.ready)['GITHUB_API_URL']!).port;
    const second = spawnSync(process.execPath, [BIN, 'github', '--port', port], { encoding: 'utf8' });
    expect(second.status).toBe(2);
    expect(second.stderr).toContain(`port ${port} is in use`);
  });
});

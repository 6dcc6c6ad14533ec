/**
 * A real npm registry on loopback: Verdaccio in a temp folder, with its own storage and users.
 * `@patchbay/*` is served only from what the tests publish (no uplink: nothing of ours can come
 * from the public registry by mistake); every other package is proxied to the registry npm is
 * configured with here, so the connectors' dependencies install as they will for users.
 *
 * Verdaccio 6.8.0 is pinned: the last release whose engines allow Node 20, the Node the suite and
 * CI run on, so the registry needs no second Node binary (6.9 and later require Node 22).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Registry {
  /** `http://127.0.0.1:N/` */
  url: string;
  /** The `.npmrc` that points npm at this registry with a throwaway publish token. */
  npmrc: string;
  stop(): Promise<void>;
  /** Verdaccio's own output, for a failure message. */
  output(): string;
}

export type RegistryOutcome = { registry: Registry } | { skip: string };

/** The registry npm uses on this machine (the proxy's upstream). */
function upstream(): string {
  try {
    return execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim() || 'https://registry.npmjs.org/';
  } catch {
    return 'https://registry.npmjs.org/';
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startRegistry(dir: string): Promise<RegistryOutcome> {
  const require = createRequire(import.meta.url);
  let bin: string;
  try {
    bin = path.join(path.dirname(require.resolve('verdaccio/package.json')), 'bin/verdaccio');
  } catch (error) {
    return { skip: `Verdaccio is not installed (pnpm install): ${(error as Error).message}` };
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = path.join(dir, 'config.yaml');
  await writeFile(
    config,
    [
      `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
      '    max_users: 1',
      'uplinks:',
      '  upstream:',
      `    url: ${JSON.stringify(upstream())}`,
      '    timeout: 60s',
      'packages:',
      "  '@patchbay/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    proxy: upstream',
      'web:',
      '  enable: false',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (exited) return;
    const done = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([done, sleep(5000).then(() => child.kill('SIGKILL'))]);
  };

  // Ready when it answers its ping; a registry that never comes up is a skip, not a failure.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) return { skip: `Verdaccio exited at start:\n${output.slice(-2000)}` };
    try {
      const res = await fetch(`${url}-/ping`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      return { skip: `Verdaccio did not answer on ${url} within 60 s:\n${output.slice(-2000)}` };
    }
    await sleep(200);
  }

  // A throwaway user; its token is what `npm publish` sends.
  const res = await fetch(`${url}-/user/org.couchdb.user:patchbay`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'patchbay', password: 'throwaway-password', type: 'user', roles: [] }),
  });
  const body = (await res.json()) as { token?: string; error?: string };
  if (!res.ok || !body.token) {
    await stop();
    throw new Error(`Verdaccio refused to create the publishing user: ${res.status} ${body.error ?? ''}`);
  }
  const npmrc = path.join(dir, 'npmrc');
  await writeFile(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${body.token}\n`);
  return { registry: { url, npmrc, stop, output: () => output } };
}

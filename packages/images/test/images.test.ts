import { spawn } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { callError, callOk, connectHttp, connectStdio, type TempRepo, tempDir, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASE_IMAGE,
  buildImage,
  connectInImage,
  container,
  ensureBaseImage,
  imageConfig,
  imageOf,
  imageSize,
  REPO_ROOT,
  runArgs,
  runIn,
  TARGETS,
  type Target,
  unavailable,
} from './buildah.js';

// Every image of the root Dockerfile, built from this checkout with buildah (the base image made
// locally, as no registry is reachable), then driven from inside: a real MCP client launches
// `buildah run … <bin>` as a desktop client launches `docker run -i`, and initializes and lists
// the tools; the list must be the one the same bin answers on the host.

const skip = unavailable();
if (skip) console.warn(`images: skipped, ${skip}`);

const MINUTES = 60_000;
/** The first build makes the shared build stage (pnpm install, the workspace build). */
const FIRST_BUILD_TIMEOUT = 25 * MINUTES;
const BUILD_TIMEOUT = 12 * MINUTES;

/** The stdio session each image is checked with: the bin, its arguments, what it needs set. */
interface Session {
  command: string[];
  /** The same bin on the host, built by the suite: what the image must answer alike. */
  hostBin: string;
  hostArgs: string[];
  env?: Record<string, string>;
}

/** A repository on the host, mounted into the git and gateway images at /repos/project. */
let repo: TempRepo;
/** Another, reached by the git image only as a client's root: never trusted. */
let other: TempRepo;
let gatewayCwd: string;

const sessions = (): Record<Target, Session> => ({
  git: {
    command: ['patchbay-git', '--repository', '/repos/project'],
    hostBin: path.join(REPO_ROOT, 'servers/git/bin.cjs'),
    hostArgs: ['--repository', repo.path],
  },
  postgres: {
    // Listing tools does not connect: the URL is only required to be there.
    command: ['patchbay-postgres'],
    hostBin: path.join(REPO_ROOT, 'servers/postgres/bin.cjs'),
    hostArgs: [],
    env: { DATABASE_URL: 'postgres://reader@127.0.0.1:9/none' },
  },
  puppeteer: {
    command: ['patchbay-puppeteer'],
    hostBin: path.join(REPO_ROOT, 'servers/puppeteer/bin.cjs'),
    hostArgs: [],
  },
  github: {
    command: ['patchbay-github'],
    hostBin: path.join(REPO_ROOT, 'servers/github/bin.cjs'),
    hostArgs: [],
    env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_not-a-real-token-for-tools-list' },
  },
  slack: {
    command: ['patchbay-slack'],
    hostBin: path.join(REPO_ROOT, 'servers/slack/bin.cjs'),
    hostArgs: [],
    env: { SLACK_BOT_TOKEN: 'xoxb-not-a-real-token' },
  },
  gdrive: {
    command: ['patchbay-gdrive'],
    hostBin: path.join(REPO_ROOT, 'servers/gdrive/bin.cjs'),
    hostArgs: [],
    env: {
      GDRIVE_OAUTH_REFRESH_TOKEN: 'not-a-real-refresh-token',
      GDRIVE_OAUTH_CLIENT_ID: 'not-a-real-client.apps.googleusercontent.com',
      GDRIVE_OAUTH_CLIENT_SECRET: 'not-a-real-secret',
    },
  },
  gateway: {
    // Two connectors on their demos (the sandbox's emulators, in the gateway's process).
    command: ['patchbay', 'serve', '--stdio', 'github', 'slack'],
    hostBin: path.join(REPO_ROOT, 'packages/cli/dist/cli.js'),
    hostArgs: ['serve', '--stdio', 'github', 'slack'],
  },
});

/** The credentials the sessions set, kept from the host's own environment for the comparison. */
const NO_HOST_SERVICES = {
  GITHUB_PERSONAL_ACCESS_TOKEN: '',
  GITHUB_TOKEN: '',
  GITHUB_API_URL: '',
  SLACK_BOT_TOKEN: '',
  SLACK_USER_TOKEN: '',
  SLACK_API_URL: '',
  DATABASE_URL: '',
  GOOGLE_APPLICATION_CREDENTIALS: '',
  GDRIVE_OAUTH_REFRESH_TOKEN: '',
  PATCHBAY_HTTP: '',
};

async function toolNames(client: { listTools(): Promise<{ tools: { name: string }[] }> }): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name).sort();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(skip)(`the Docker images${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const sizes: string[] = [];

  beforeAll(async () => {
    await ensureBaseImage();
    repo = await tempRepo();
    await repo.commit('first commit in the mounted repository', { 'README.md': 'mounted\n' });
    other = await tempRepo();
    await other.commit('a repository nobody configured', { 'a.txt': 'a\n' });
    gatewayCwd = (await tempDir('patchbay-gateway-')).path;
    // mkdtemp makes them 0700: the image's user (uid 1000) must be able to read them, while
    // they stay owned by root, another user than the image's (git's "dubious ownership").
    for (const dir of [repo.path, other.path]) await chmod(dir, 0o755);
  }, 20 * MINUTES);

  afterAll(async () => {
    if (sizes.length) console.log(`image sizes: ${sizes.join(', ')}`);
    await Promise.all([repo?.remove(), other?.remove()]);
  });

  describe.each(TARGETS.map((target, index) => ({ target, first: index === 0 })))('$target', ({ target, first }) => {
    const image = imageOf(target);
    let ctr: Awaited<ReturnType<typeof container>>;
    const volumes = () => (target === 'git' ? { [repo.path]: '/repos/project', [other.path]: '/repos/other' } : {});

    afterAll(async () => {
      await ctr?.remove();
    });

    it(
      'builds from the repository (FROM the local base image), runs as a non-root user, with a HEALTHCHECK on /healthz',
      async () => {
        await buildImage(target);
        sizes.push(`${target} ${await imageSize(image)}`);
        const config = await imageConfig(image);
        expect(config.User).toBe('node');
        expect(config.Healthcheck?.Test).toEqual(['CMD', 'node', '/usr/local/lib/patchbay/healthcheck.mjs']);
        expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['8931/tcp']);
        expect(config.Env).toContain('PATCHBAY_HTTP=0.0.0.0:8931');
        ctr = await container(image);
        const id = await runIn(ctr.id, ['id', '-u']);
        expect(id.stdout.trim()).toBe('1000');
      },
      first ? FIRST_BUILD_TIMEOUT : BUILD_TIMEOUT,
    );

    it(
      'answers initialize and tools/list over stdio inside the image, as the same bin does on the host',
      async () => {
        const session = sessions()[target];
        const inImage = await connectInImage(ctr.id, session.command, {
          env: { PATCHBAY_HTTP: '', ...session.env },
          volumes: volumes(),
        });
        const onHost = await connectStdio(session.hostBin, session.hostArgs, {
          env: { ...NO_HOST_SERVICES, ...session.env },
          cwd: gatewayCwd,
        });
        try {
          const name = target === 'gateway' ? 'patchbay' : `patchbay-${target}`;
          expect(inImage.client.getServerVersion()?.name).toBe(onHost.client.getServerVersion()?.name);
          expect(inImage.client.getServerVersion()?.name).toContain(name === 'patchbay' ? 'patchbay' : target);
          const tools = await toolNames(inImage.client);
          expect(tools.length).toBeGreaterThan(3);
          expect(tools).toEqual(await toolNames(onHost.client));
        } finally {
          await Promise.all([inImage.close(), onHost.close()]);
        }
      },
      3 * MINUTES,
    );

    it(
      'refuses to serve its default HTTP address without a bearer token, saying what to set',
      async () => {
        const session = sessions()[target];
        const command = target === 'gateway' ? ['patchbay', 'serve'] : session.command;
        const r = await runIn(ctr.id, command, { env: { ...session.env }, volumes: volumes() });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('--http 0.0.0.0:8931 listens beyond this machine without a bearer token');
        expect(r.stderr).toContain('PATCHBAY_HTTP_TOKEN');
      },
      3 * MINUTES,
    );
  });

  describe('git, with repositories mounted from the host', () => {
    let ctr: Awaited<ReturnType<typeof container>>;
    const volumes = () => ({ [repo.path]: '/repos/project', [other.path]: '/repos/other' });
    beforeAll(async () => {
      ctr = await container(imageOf('git'));
    });
    afterAll(async () => {
      await ctr?.remove();
    });

    it(
      'reads a configured repository owned by another user (trusted for its path) and names the refusal of any other',
      async () => {
        const session = await connectInImage(ctr.id, ['patchbay-git', '--repository', '/repos/project'], {
          env: { PATCHBAY_HTTP: '' },
          volumes: volumes(),
          roots: ['/repos/other'],
        });
        try {
          const log = await callOk(session.client, 'git_log', { repository: '/repos/project' });
          expect(log.text).toContain('first commit in the mounted repository');
          const refused = await callError(session.client, 'git_log', { repository: '/repos/other' });
          expect(refused).toContain('git refuses the repository at /repos/other');
          expect(refused).toContain('dubious ownership');
        } finally {
          await session.close();
        }
      },
      3 * MINUTES,
    );

    it(
      'serves Streamable HTTP with the bearer token; the HEALTHCHECK passes',
      async () => {
        const port = await freePort();
        const token = 'image-test-token-0123456789';
        const child = spawn(
          'buildah',
          runArgs(ctr.id, ['patchbay-git', '--repository', '/repos/project'], {
            env: { PATCHBAY_HTTP: `0.0.0.0:${port}`, PATCHBAY_HTTP_TOKEN: token },
            volumes: volumes(),
          }),
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        try {
          await new Promise<void>((resolve, reject) => {
            let stderr = '';
            child.stderr.on('data', (chunk: Buffer) => {
              stderr += chunk.toString();
              if (stderr.includes('listening on')) resolve();
            });
            child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${stderr}`)));
          });
          const config = await imageConfig(imageOf('git'));
          const check = await runIn(ctr.id, (config.Healthcheck?.Test ?? []).slice(1), {
            env: { PATCHBAY_HTTP: `0.0.0.0:${port}` },
          });
          expect(check.stderr).toBe('');
          expect(check.code).toBe(0);
          const refused = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', body: '{}' });
          expect(refused.status).toBe(401);
          const http = await connectHttp(`http://127.0.0.1:${port}/mcp`, { token });
          try {
            expect(await toolNames(http.client)).toContain('git_log');
          } finally {
            await http.close();
          }
        } finally {
          child.kill('SIGTERM');
        }
        // Stopped with it: nothing answers on the port any more.
        await new Promise((resolve) => child.once('exit', resolve));
        await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      },
      3 * MINUTES,
    );
  });

  describe("puppeteer, with Debian's Chromium", () => {
    let ctr: Awaited<ReturnType<typeof container>>;
    let page: Server;
    let url: string;
    beforeAll(async () => {
      ctr = await container(imageOf('puppeteer'));
      // The container shares the host's network (chroot isolation): a page on the host's loopback.
      page = createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<title>In the image</title><h1>Rendered by Chromium</h1>');
      });
      await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(page.address() as { port: number }).port}/`;
    });
    afterAll(async () => {
      await ctr?.remove();
      await new Promise((resolve) => page?.close(resolve));
    });

    it(
      'opens a page in the Chromium the image ships (PUPPETEER_EXECUTABLE_PATH)',
      async () => {
        const session = await connectInImage(ctr.id, ['patchbay-puppeteer'], { env: { PATCHBAY_HTTP: '' } });
        try {
          const opened = await callOk(session.client, 'puppeteer_navigate', { url });
          expect(opened.text).toContain('In the image');
          expect(opened.text).toContain('heading "Rendered by Chromium"');
          expect(session.stderr()).toContain('browser started path=/usr/bin/chromium');
        } finally {
          await session.close();
        }
      },
      3 * MINUTES,
    );
  });

  it('uses the base image the Dockerfile names, so the same Dockerfile builds with Docker', async () => {
    const { readFile } = await import('node:fs/promises');
    const dockerfile = await readFile(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(new Set(bases.filter((b) => b?.includes('/')))).toEqual(new Set([BASE_IMAGE]));
    const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gm)].map((m) => m[1]);
    for (const target of TARGETS) expect(stages).toContain(target);
  });
});

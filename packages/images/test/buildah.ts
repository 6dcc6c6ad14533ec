import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The name the Dockerfile builds FROM; made locally by base-image.sh (no registry here). */
export const BASE_IMAGE = 'docker.io/library/node:20-bookworm-slim';
/** Every final stage of the Dockerfile, in the order the test builds them. */
export const TARGETS = ['git', 'postgres', 'puppeteer', 'github', 'slack', 'gdrive', 'gateway'] as const;
export type Target = (typeof TARGETS)[number];
export const imageOf = (target: Target) => `localhost/patchbay-${target}:test`;

/**
 * Why the image tests cannot run here, or undefined when they can: buildah and debootstrap
 * installed (apt-get install -y buildah debootstrap) and root (chroot isolation, debootstrap).
 */
export function unavailable(): string | undefined {
  if (process.env.PATCHBAY_SKIP_IMAGES) return 'PATCHBAY_SKIP_IMAGES is set';
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (buildah --isolation chroot and debootstrap need root)';
  for (const tool of ['buildah', 'debootstrap']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
    if (found.status !== 0) return `${tool} is not installed (apt-get install -y buildah debootstrap)`;
  }
  return undefined;
}

export async function buildah(args: string[], options: { timeout?: number } = {}): Promise<string> {
  try {
    const { stdout } = await run('buildah', args, { maxBuffer: 256 * 1024 * 1024, timeout: options.timeout ?? 0 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    // The last lines say which step failed; the whole build log would drown them.
    const tail = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`buildah ${args.slice(0, 2).join(' ')} failed: ${e.message.split('\n')[0]}\n${tail}`);
  }
}

/** The base image, made once per machine (base-image.sh keeps an existing tag). */
export async function ensureBaseImage(): Promise<void> {
  await run('sh', [path.join(REPO_ROOT, 'packages/images/base-image.sh'), BASE_IMAGE], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`could not make the base image ${BASE_IMAGE}: ${error.message}\n${error.stderr ?? ''}`);
  });
}

/**
 * One image from the repository's Dockerfile. --layers keeps every step's result, so the second
 * and later targets reuse the shared build stage and only add their own layers; docker format
 * because OCI images have no HEALTHCHECK.
 */
export async function buildImage(target: Target): Promise<void> {
  await buildah([
    'bud',
    '--layers',
    '--isolation',
    'chroot',
    '--format',
    'docker',
    '--pull=false',
    '--target',
    target,
    '--tag',
    imageOf(target),
    '--file',
    path.join(REPO_ROOT, 'Dockerfile'),
    REPO_ROOT,
  ]);
}

export interface ImageConfig {
  User: string;
  Entrypoint: string[] | null;
  Cmd: string[] | null;
  Env: string[];
  WorkingDir: string;
  Healthcheck?: { Test: string[] };
  ExposedPorts?: Record<string, unknown>;
}

export async function imageConfig(image: string): Promise<ImageConfig> {
  const inspected = JSON.parse(await buildah(['inspect', '--type', 'image', image])) as { Docker: { config: ImageConfig } };
  return inspected.Docker.config;
}

/** The image's size as buildah lists it ("412 MB"). */
export async function imageSize(image: string): Promise<string> {
  return (await buildah(['images', '--format', '{{.Size}}', image])).trim();
}

/** A working container of the image; `remove` deletes it. */
export async function container(image: string): Promise<{ id: string; remove(): Promise<void> }> {
  const id = (await buildah(['from', '--pull=false', '--quiet', image])).trim();
  return { id, remove: async () => void (await buildah(['rm', id]).catch(() => undefined)) };
}

export interface RunInImage {
  /** Environment variables for the process (added to the image's). */
  env?: Record<string, string>;
  /** host path → container path */
  volumes?: Record<string, string>;
}

/** `buildah run` arguments for one command inside a container, as the image's user. */
export function runArgs(id: string, command: string[], options: RunInImage = {}): string[] {
  return [
    'run',
    '--isolation',
    'chroot',
    ...Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...Object.entries(options.volumes ?? {}).flatMap(([host, inside]) => ['--volume', `${host}:${inside}`]),
    id,
    '--',
    ...command,
  ];
}

/**
 * Run a command inside a container to its end: its exit code and output. The output goes to files
 * in a folder mounted from the host rather than through buildah's own pipes: a process that
 * writes a line and exits at once can lose the line there when the machine is busy.
 */
export async function runIn(
  id: string,
  command: string[],
  options: RunInImage = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'patchbay-run-'));
  try {
    // Written by the image's user (uid 1000), whoever runs the test.
    await chmod(dir, 0o777);
    const inside = '/tmp/patchbay-run';
    const wrapped = ['sh', '-c', `"$@" >${inside}/stdout 2>${inside}/stderr`, 'sh', ...command];
    const code = await new Promise<number | null>((resolve) => {
      execFile(
        'buildah',
        runArgs(id, wrapped, { ...options, volumes: { ...options.volumes, [dir]: inside } }),
        { maxBuffer: 16 * 1024 * 1024 },
        (error) => resolve(error ? (typeof error.code === 'number' ? error.code : null) : 0),
      );
    });
    const read = (name: string) => readFile(path.join(dir, name), 'utf8').catch(() => '');
    return { code, stdout: await read('stdout'), stderr: await read('stderr') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A real SDK client talking to a bin inside the image over stdio: `buildah run` is the command
 * the client launches, as a desktop client would launch `docker run -i`.
 */
export async function connectInImage(
  id: string,
  command: string[],
  options: RunInImage & { roots?: string[] } = {},
): Promise<{ client: Client; stderr: () => string; close(): Promise<void> }> {
  const transport = new StdioClientTransport({
    command: 'buildah',
    args: runArgs(id, command, options),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const roots = options.roots;
  const client = new Client(
    { name: 'patchbay-image-test', version: '0.0.0' },
    { capabilities: roots ? { roots: { listChanged: false } } : {} },
  );
  if (roots) {
    client.setRequestHandler(ListRootsRequestSchema, async () => ({
      roots: roots.map((r) => ({ uri: `file://${r}`, name: r })),
    }));
  }
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nstderr of ${command.join(' ')} in the image:\n${stderr}`);
  }
  return { client, stderr: () => stderr, close: () => client.close() };
}

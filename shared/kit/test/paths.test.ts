import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInside } from '../src/index.js';

describe('resolveInside', () => {
  let base: string;
  let root: string;
  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'kit-paths-'));
    root = path.join(base, 'allowed');
    await mkdir(path.join(root, 'sub'), { recursive: true });
    await writeFile(path.join(base, 'secret.txt'), 'secret');
    await writeFile(path.join(root, 'sub', 'ok.txt'), 'ok');
    await symlink(path.join(base, 'secret.txt'), path.join(root, 'link-out'));
    await symlink(path.join(root, 'sub'), path.join(root, 'link-in'));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('accepts paths inside, relative or absolute, through inner symlinks', async () => {
    expect((await resolveInside([root], 'sub/ok.txt', 'path')).path).toMatch(/allowed\/sub\/ok.txt$/);
    expect((await resolveInside([root], path.join(root, 'link-in', 'ok.txt'), 'path')).path).toMatch(/allowed\/sub\/ok.txt$/);
  });

  it('refuses .., absolute paths outside and symlinks pointing out', async () => {
    await expect(resolveInside([root], '../secret.txt', 'path')).rejects.toThrow(/outside the allowed locations/);
    await expect(resolveInside([root], path.join(base, 'secret.txt'), 'path')).rejects.toThrow(/outside/);
    await expect(resolveInside([root], 'link-out', 'path')).rejects.toThrow(/outside/);
  });

  it('checks a not-yet-existing target by its parent', async () => {
    expect((await resolveInside([root], 'new-clone', 'path', { mustExist: false })).path).toMatch(/allowed\/new-clone$/);
    await expect(resolveInside([root], '../escape', 'path', { mustExist: false })).rejects.toThrow(/outside/);
  });
});

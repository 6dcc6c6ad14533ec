import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { callError, callOk, type TempDir, type TempRepo, tempDir, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLocalHost } from '../src/url-policy.js';
import { connect, repoWithIdentity } from './helpers.js';

const REMOTE = ['--toolsets', 'default,remote'];

describe('git_clone', () => {
  let root: TempDir;
  let bare: TempRepo;
  let config: TempDir;
  let previousConfig: string | undefined;
  beforeAll(async () => {
    root = await tempDir();
    config = await tempDir();
    bare = await tempRepo({ bare: true });
    const source = await repoWithIdentity();
    await source.commit('Upstream history', { 'README.md': '# upstream\n' });
    await source.git('push', '-q', bare.path, 'main');
    await source.remove();
    // The clone URL policy refuses local paths, so the happy path uses an https URL that the
    // operator's own git config rewrites to the bare repository (url.<base>.insteadOf): the
    // policy judges what the model asked for; the operator's rewrites apply afterwards.
    const file = path.join(config.path, 'gitconfig');
    await writeFile(file, `[url "${bare.path}"]\n\tinsteadOf = https://git.example.test/team/demo.git\n`);
    previousConfig = process.env.GIT_CONFIG_GLOBAL;
    process.env.GIT_CONFIG_GLOBAL = file;
  });
  afterAll(async () => {
    process.env.GIT_CONFIG_GLOBAL = previousConfig;
    await root.remove();
    await bare.remove();
    await config.remove();
  });

  it('is offered only when the operator set a clone root', async () => {
    const without = await connect([...REMOTE]);
    expect((await without.client.listTools()).tools.map((t) => t.name)).not.toContain('git_clone');
    await without.close();
    const withRoot = await connect(['--clone-root', root.path, ...REMOTE]);
    const clone = (await withRoot.client.listTools()).tools.find((t) => t.name === 'git_clone');
    expect(clone?.annotations).toMatchObject({ openWorldHint: true, readOnlyHint: false, destructiveHint: false });
    await withRoot.close();
  });

  it('clones into the clone root, and the clone is usable by the other tools', async () => {
    const { client, close } = await connect(['--clone-root', root.path, ...REMOTE]);
    const result = await callOk<{ repository: string; url: string; branch: string; commit: string }>(client, 'git_clone', {
      url: 'https://git.example.test/team/demo.git',
    });
    expect(result.data).toMatchObject({
      repository: path.join(root.path, 'demo'),
      url: 'https://git.example.test/team/demo.git',
      branch: 'main',
    });
    const log = await callOk<{ commits: Array<{ subject: string }> }>(client, 'git_log', { repository: result.data.repository });
    expect(log.data.commits.map((c) => c.subject)).toEqual(['Upstream history']);
    expect(await callError(client, 'git_clone', { url: 'https://git.example.test/team/demo.git' })).toMatch(
      /Argument `directory`: "demo" already exists/,
    );
    // A file of that name is in the way just as much as a folder.
    await writeFile(path.join(root.path, 'notes'), 'not a folder\n');
    expect(await callError(client, 'git_clone', { url: 'https://git.example.test/team/demo.git', directory: 'notes' })).toMatch(
      /Argument `directory`: "notes" already exists/,
    );
    // A shallow clone, with progress reported to a client that asked for it.
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    const shallow = await client.callTool(
      { name: 'git_clone', arguments: { url: 'https://git.example.test/team/demo.git', directory: 'shallow', depth: 1 } },
      undefined,
      { onprogress: (p) => progress.push(p) },
    );
    expect((shallow.structuredContent as { repository: string }).repository).toBe(path.join(root.path, 'shallow'));
    expect(progress[0]?.message).toBe('Cloning https://git.example.test/team/demo.git');
    expect(progress.some((p) => /Receiving objects 100%/.test(p.message ?? ''))).toBe(true);
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    await close();
  });

  it('refuses every URL outside https, ssh, git and user@host:path, before git runs', async () => {
    const { client, close } = await connect(['--clone-root', root.path, ...REMOTE]);
    const before = await readdir(root.path);
    const refused: Array<[string, RegExp]> = [
      [`file://${bare.path}`, /file:\/\/ URLs are not allowed/],
      ['FILE:///etc', /file:\/\/ URLs are not allowed/],
      [bare.path, /local paths are not allowed/],
      ['./relative/repo', /local paths are not allowed/],
      ['~/repo', /local paths are not allowed/],
      ['../repo', /local paths are not allowed/],
      ['ext::sh -c touch% /tmp/pwned', /must be a URL without spaces|"ext::" transports are not allowed/],
      ['ext::sh', /"ext::" transports are not allowed/],
      ['fd::17', /"fd::" transports are not allowed/],
      ['--upload-pack=touch /tmp/pwned', /may not start with "-"|without spaces/],
      ['-uhttps://x', /may not start with "-"/],
      ['http://example.com/repo.git', /http:\/\/ is not allowed/],
      ['ftp://example.com/repo.git', /ftp:\/\/ URLs are not allowed/],
      ['https://127.0.0.1/repo.git', /is this machine or a link-local address/],
      ['https://localhost/repo.git', /is this machine/],
      ['ssh://[::1]/repo.git', /is this machine/],
      ['git://169.254.169.254/latest', /link-local/],
      ['https://2130706433/repo.git', /is this machine/],
      ['git@127.0.0.1:repo.git', /is this machine/],
      // The user@host:path form is not parsed as a URL, so its IPv6 spellings are not normalised for us.
      ['git@[0:0:0:0:0:0:0:1]:repo.git', /is this machine/],
      ['git@[0::ffff:7f00:1]:repo.git', /is this machine/],
      ['git@example.com:-oProxyCommand=x', /may not start with "-"/],
      ['example.com:repo.git', /is not a URL git_clone accepts/],
      ['ssh://-oProxyCommand=touch%20x/repo.git', /the host may not start with "-"/],
      ['ssh://-oProxyCommand=x@example.com/repo.git', /the user name may not start with "-"/],
      ['https://example.com/repo.git\n--upload-pack=x', /without spaces or control characters/],
    ];
    for (const [url, message] of refused) {
      const text = await callError(client, 'git_clone', { url });
      expect(text, url).toMatch(/^Argument `url`: /);
      expect(text, url).toMatch(message);
    }
    expect(await readdir(root.path)).toEqual(before);
    await close();
  });

  it('keeps the new folder inside the clone root', async () => {
    const { client, close } = await connect(['--clone-root', root.path, ...REMOTE]);
    const url = 'https://git.example.test/team/demo.git';
    expect(await callError(client, 'git_clone', { url, directory: '../escape' })).toMatch(/Argument `directory`/);
    expect(await callError(client, 'git_clone', { url, directory: '/tmp/escape' })).toMatch(/Argument `directory`/);
    expect(await callError(client, 'git_clone', { url, directory: '.hidden' })).toMatch(/Argument `directory`/);
    expect(await callError(client, 'git_clone', { url, directory: '-x' })).toMatch(/Argument `directory`/);
    expect(await callError(client, 'git_clone', { url, branch: '--upload-pack=x' })).toMatch(/Argument `branch`/);
    await close();
  });

  it('reports a failed clone as a fixable error and leaves nothing behind', async () => {
    const { client, close } = await connect(['--clone-root', root.path, ...REMOTE]);
    const text = await callError(client, 'git_clone', {
      url: 'https://git.example.test/team/demo.git',
      directory: 'nobranch',
      branch: 'no-such-branch',
    });
    expect(text).toMatch(/Argument `branch`: the remote has no branch or tag "no-such-branch"/);
    expect(await readdir(root.path)).not.toContain('nobranch');
    await close();
  });

  it('recognises loopback and link-local hosts in their many spellings', () => {
    for (const host of [
      'localhost',
      'LOCALHOST.',
      'a.localhost',
      '127.0.0.1',
      '127.1',
      '0x7f.0.0.1',
      '2130706433',
      '0.0.0.0',
      '[::1]',
      '::',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0:0:0:0:0:0:0:1',
      '[0::1]',
      '0:0::0',
      '0:0:0:0:0:ffff:7f00:1',
      'FE80:0:0::1',
      'fe80::1%eth0',
      '169.254.169.254',
    ]) {
      expect(isLocalHost(host), host).toBe(true);
    }
    for (const host of ['github.com', '10.0.0.5', '192.168.1.20', '8.8.8.8', '2001:db8::1', 'git.example.test']) {
      expect(isLocalHost(host), host).toBe(false);
    }
  });
});

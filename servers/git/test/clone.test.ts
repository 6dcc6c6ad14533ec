import { readdir, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { callError, callOk, type TempDir, type TempRepo, tempDir, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GitFailure, runGit } from '../src/exec.js';
import { remoteFailure } from '../src/errors.js';
import { parseEndpoint } from '../src/remote-url.js';
import { isLocalHost } from '../src/url-policy.js';
import { connect, repoWithIdentity } from './helpers.js';
import {
  changingDns,
  gitHttpServer,
  pairOnOnePort,
  type RecordingServer,
  recordingTcpServer,
  type TestCertificate,
  testCertificate,
} from './network.js';

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

/**
 * The check looked at the URL's text only: a name that resolved to 127.0.0.1 passed, and git
 * connected to this machine. Now every address a name resolves to is checked, and git connects
 * to the address that was checked. Names under .rebind.test are answered by a resolver seam
 * (see changingDns): this machine's DNS never knows them, so git can only reach them through the
 * pin. 127.0.0.2 stands for an address the operator allows; 127.0.0.1 for where a rebinding answer
 * would send git instead — a server listens on each, on the same port, to show which one git reached.
 */
describe('git_clone and DNS', () => {
  let root: TempDir;
  let bare: TempRepo;
  let config: TempDir;
  let tls: TestCertificate;
  let previousConfig: string | undefined;
  let previousCaInfo: string | undefined;
  let https: { checked: RecordingServer; rebound: RecordingServer };
  const ALLOW = ['--clone-root', '', ...REMOTE];
  const args = () => ALLOW.map((a) => (a === '' ? root.path : a));
  const url = (host: string, port = https.checked.port) => `https://${host}:${port}/demo.git`;

  beforeAll(async () => {
    root = await tempDir();
    config = await tempDir();
    bare = await tempRepo({ bare: true });
    const source = await repoWithIdentity();
    await source.commit('Served over HTTPS', { 'README.md': '# served\n' });
    await source.git('push', '-q', bare.path, 'main');
    await source.remove();
    await bare.git('update-server-info');
    tls = await testCertificate(['git.rebind.test', 'evil.rebind.test', 'redirect.rebind.test']);
    https = await pairOnOnePort((host, port) => gitHttpServer({ host, ...(port ? { port } : {}), tls, root: bare.path }));
    // The operator trusts the test certificate, as they would a company CA: in their git config,
    // and in GIT_SSL_CAINFO, which wins over the config when the machine sets it.
    const file = path.join(config.path, 'gitconfig');
    await writeFile(file, `[http]\n\tsslCAInfo = ${tls.certPath}\n`);
    previousConfig = process.env.GIT_CONFIG_GLOBAL;
    previousCaInfo = process.env.GIT_SSL_CAINFO;
    process.env.GIT_CONFIG_GLOBAL = file;
    process.env.GIT_SSL_CAINFO = tls.certPath;
  });
  afterAll(async () => {
    process.env.GIT_CONFIG_GLOBAL = previousConfig;
    if (previousCaInfo === undefined) delete process.env.GIT_SSL_CAINFO;
    else process.env.GIT_SSL_CAINFO = previousCaInfo;
    await https.checked.close();
    await https.rebound.close();
    await Promise.all([root.remove(), bare.remove(), config.remove(), tls.dir.remove()]);
  });
  beforeEach(() => {
    https.checked.hits.length = 0;
    https.rebound.hits.length = 0;
  });

  it('refuses a host name that resolves to this machine, before git runs, over https, ssh, scp-like and git://', async () => {
    const lookup = changingDns({ 'evil.rebind.test': [['127.0.0.1']] });
    const { client, close } = await connect(args(), {}, { lookup });
    const before = await readdir(root.path);
    for (const target of [
      url('evil.rebind.test'),
      `ssh://git@evil.rebind.test:${https.rebound.port}/demo.git`,
      'git@evil.rebind.test:demo.git',
      'git://evil.rebind.test/demo.git',
      url('EVIL.rebind.test.'),
    ]) {
      const text = await callError(client, 'git_clone', { url: target });
      expect(text, target).toMatch(/^Argument `url`: /);
      expect(text, target).toMatch(/evil\.rebind\.test\.? resolves to 127\.0\.0\.1, a loopback address/i);
    }
    expect(lookup.calls.length).toBeGreaterThanOrEqual(4);
    expect(https.rebound.hits).toEqual([]);
    expect(await readdir(root.path)).toEqual(before);
    await close();
  });

  it('refuses a name when any of its addresses is refused: loopback, metadata, link-local, unspecified, this host', async () => {
    const own = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
    const cases: Array<[string[], RegExp]> = [
      [['93.184.216.34', '127.0.0.1'], /127\.0\.0\.1, a loopback address/],
      [['93.184.216.34', '::1'], /::1, a loopback address/],
      [['169.254.169.254'], /169\.254\.169\.254, a cloud metadata address/],
      [['fd00:ec2::254'], /fd00:ec2::254, a cloud metadata address/],
      [['169.254.3.4'], /169\.254\.3\.4, a link-local address/],
      [['fe80::1'], /fe80::1, a link-local address/],
      [['0.0.0.0'], /0\.0\.0\.0, a loopback address/],
      [['::'], /::, a loopback address/],
      [['::ffff:127.0.0.1'], /::ffff:127\.0\.0\.1, a loopback address/],
      [['224.0.0.1'], /224\.0\.0\.1, a reserved or multicast address/],
      ...(own
        ? ([[[own], new RegExp(`${own.replaceAll('.', '\\.')}, an address of this machine`)]] as Array<[string[], RegExp]>)
        : []),
    ];
    for (const [addresses, message] of cases) {
      const lookup = changingDns({ 'evil.rebind.test': [addresses] });
      const { client, close } = await connect(args(), {}, { lookup });
      expect(await callError(client, 'git_clone', { url: url('evil.rebind.test') }), addresses.join()).toMatch(message);
      await close();
    }
    // A name that does not resolve is refused too: git would resolve it again, and the answer could differ.
    const { client, close } = await connect(args(), {}, { lookup: changingDns({}) });
    expect(await callError(client, 'git_clone', { url: url('nowhere.rebind.test') })).toMatch(
      /Argument `url`: the host nowhere\.rebind\.test could not be resolved/,
    );
    await close();
  });

  it('refuses private addresses when the operator blocks private networks, by name and literally', async () => {
    const lookup = changingDns({ 'intranet.rebind.test': [['10.1.2.3']] });
    const { client, close } = await connect([...args(), '--block-private-networks'], {}, { lookup });
    expect(await callError(client, 'git_clone', { url: url('intranet.rebind.test') })).toMatch(
      /10\.1\.2\.3, a private address, and the operator blocks private networks/,
    );
    expect(await callError(client, 'git_clone', { url: 'https://192.168.1.20/demo.git' })).toMatch(
      /192\.168\.1\.20 is a private address, and the operator blocks private networks/,
    );
    expect(await callError(client, 'git_clone', { url: 'git@[fd12::1]:demo.git' })).toMatch(/fd12::1 is a private address/);
    await close();
  });

  it('connects to the address it checked, whatever DNS answers afterwards (https)', async () => {
    const lookup = changingDns({ 'git.rebind.test': [['127.0.0.2'], ['127.0.0.1']] });
    const { client, close } = await connect(args(), {}, { lookup, allowAddresses: ['127.0.0.2'] });
    const result = await callOk<{ repository: string; url: string }>(client, 'git_clone', {
      url: url('git.rebind.test'),
      directory: 'pinned',
    });
    expect(result.data.url).toBe(url('git.rebind.test'));
    expect(https.checked.hits).toContain('GET /demo.git/info/refs?service=git-upload-pack');
    expect(https.rebound.hits).toEqual([]);
    const log = await callOk<{ commits: Array<{ subject: string }> }>(client, 'git_log', { repository: result.data.repository });
    expect(log.data.commits.map((c) => c.subject)).toEqual(['Served over HTTPS']);
    // The resolver was asked once, and git itself cannot resolve the name: it reached 127.0.0.2 through the pin alone.
    expect(lookup.calls).toEqual(['git.rebind.test']);
    const unpinned = await runGit(['ls-remote', '--', url('git.rebind.test')], {
      cwd: root.path,
      signal: new AbortController().signal,
      timeout: 20_000,
    }).catch((error: Error) => error);
    expect(String(unpinned)).toMatch(/Could not resolve host: git\.rebind\.test/);
    await close();
  });

  it('does not follow a redirect to another address', async () => {
    // Plain HTTP on 127.0.0.1: git would follow an https → http redirect, and no certificate would stop it.
    const target = await gitHttpServer({ host: '127.0.0.1', root: bare.path });
    const redirect = await gitHttpServer({ host: '127.0.0.2', tls, redirectTo: `http://127.0.0.1:${target.port}` });
    try {
      const lookup = changingDns({ 'redirect.rebind.test': [['127.0.0.2']] });
      const { client, close } = await connect(args(), {}, { lookup, allowAddresses: ['127.0.0.2'] });
      const text = await callError(client, 'git_clone', {
        url: url('redirect.rebind.test', redirect.port),
        directory: 'redirected',
      });
      expect(text).toMatch(/answered with a redirect, which is not followed/);
      expect(redirect.hits).toEqual(['GET /demo.git/info/refs?service=git-upload-pack']);
      expect(target.hits).toEqual([]);
      expect(await readdir(root.path)).not.toContain('redirected');
      await close();
    } finally {
      await redirect.close();
      await target.close();
    }
  });

  it('connects ssh to the address it checked, whatever DNS answers afterwards', async () => {
    const ssh = await pairOnOnePort(recordingTcpServer);
    try {
      const lookup = changingDns({ 'git.rebind.test': [['127.0.0.2'], ['127.0.0.1']] });
      const { client, close } = await connect(args(), {}, { lookup, allowAddresses: ['127.0.0.2'] });
      // Not a real ssh server, so the clone fails; what matters is where ssh connected.
      await callError(client, 'git_clone', {
        url: `ssh://git@git.rebind.test:${ssh.checked.port}/demo.git`,
        directory: 'over-ssh',
      });
      expect(ssh.checked.hits).toEqual([expect.stringMatching(/^SSH-2\.0-/)]);
      expect(ssh.rebound.hits).toEqual([]);
      await close();
    } finally {
      await ssh.checked.close();
      await ssh.rebound.close();
    }
  });

  it("maps ssh aliases through the operator's ssh config, and checks and pins the host they name", async () => {
    const ssh = await pairOnOnePort(recordingTcpServer);
    const dir = await tempDir();
    const previous = process.env.GIT_CONFIG_GLOBAL;
    try {
      // The operator's ssh setup: aliases in an ssh config file their core.sshCommand names.
      const sshConfig = path.join(dir.path, 'ssh_config');
      await writeFile(
        sshConfig,
        `Host work-git\n  HostName git.rebind.test\n  Port ${ssh.checked.port}\nHost sneaky\n  HostName evil.rebind.test\n`,
      );
      await writeFile(path.join(dir.path, 'gitconfig'), `[core]\n\tsshCommand = ssh -F '${sshConfig}'\n`);
      process.env.GIT_CONFIG_GLOBAL = path.join(dir.path, 'gitconfig');
      const lookup = changingDns({ 'git.rebind.test': [['127.0.0.2'], ['127.0.0.1']], 'evil.rebind.test': [['127.0.0.1']] });
      const { client, close } = await connect(args(), {}, { lookup, allowAddresses: ['127.0.0.2'] });
      await callError(client, 'git_clone', { url: 'git@work-git:demo.git', directory: 'aliased' });
      expect(ssh.checked.hits).toEqual([expect.stringMatching(/^SSH-2\.0-/)]);
      expect(ssh.rebound.hits).toEqual([]);
      expect(lookup.calls).toEqual(['git.rebind.test']);
      expect(await callError(client, 'git_clone', { url: 'git@sneaky:demo.git' })).toMatch(
        /Argument `url`: evil\.rebind\.test resolves to 127\.0\.0\.1, a loopback address/,
      );
      await close();
    } finally {
      process.env.GIT_CONFIG_GLOBAL = previous;
      await dir.remove();
      await ssh.checked.close();
      await ssh.rebound.close();
    }
  });

  it('refuses git:// to a host name: the protocol cannot be pinned and has no transport security', async () => {
    const lookup = changingDns({ 'git.rebind.test': [['93.184.216.34']] });
    const { client, close } = await connect(args(), {}, { lookup });
    expect(await callError(client, 'git_clone', { url: 'git://git.rebind.test/demo.git' })).toMatch(
      /Argument `url`: git:\/\/ is allowed only to a literal IP address/,
    );
    await close();
  });

  it('refuses URLs that git would read with another host than the check', async () => {
    const { client, close } = await connect(args(), {}, { lookup: changingDns({ 'git.rebind.test': [['93.184.216.34']] }) });
    for (const [target, message] of [
      // WHATWG URL reads host git.rebind.test; curl reads user "git.rebind.test\" at 127.0.0.1.
      [`https://git.rebind.test\\@127.0.0.1:${https.rebound.port}/demo.git`, /backslash/],
      [`https://a@git.rebind.test@127.0.0.1:${https.rebound.port}/demo.git`, /more than one "@"/],
      // git reads [host:port] in the user@host:path form as host and port.
      ['git@[127.0.0.1:22]:demo.git', /not a valid IPv6 address/],
      ['https://g%69t.rebind.test/demo.git', /write the host name plainly/],
      ['https://gít.rebind.test/demo.git', /write the host name plainly/],
    ] as Array<[string, RegExp]>) {
      const text = await callError(client, 'git_clone', { url: target });
      expect(text, target).toMatch(/^Argument `url`: /);
      expect(text, target).toMatch(message);
    }
    expect(https.rebound.hits).toEqual([]);
    await close();
  });
});

describe("git's reading of remote URLs", () => {
  it.each([
    ['https://Git.Example.com/a/b.git', { transport: 'curl', scheme: 'https', host: 'git.example.com', port: 443 }],
    ['https://u:p@git.example.com:8443/a.git', { transport: 'curl', host: 'git.example.com', port: 8443, user: 'u:p' }],
    ['http://[2001:db8::1]/a.git', { transport: 'curl', host: '2001:db8::1', port: 80 }],
    ['ssh://git@example.com:2222/a.git', { transport: 'ssh', host: 'example.com', port: 2222, user: 'git' }],
    ['git+ssh://example.com/a.git', { transport: 'ssh', host: 'example.com', port: undefined }],
    ['git@example.com:owner/a.git', { transport: 'ssh', host: 'example.com', user: 'git' }],
    ['a@b@example.com:a.git', { transport: 'ssh', host: 'example.com', user: 'a@b' }],
    ['example.com:a.git', { transport: 'ssh', host: 'example.com' }],
    ['git@[::1]:a.git', { transport: 'ssh', host: '::1' }],
    ['git://example.com/a.git', { transport: 'git', host: 'example.com', port: 9418 }],
    ['/srv/git/a.git', { transport: 'local' }],
    ['./a:b', { transport: 'local' }],
    ['file:///srv/a.git', { transport: 'local' }],
    ['ext::sh -c x', { transport: 'helper', scheme: 'ext' }],
    ['persistent-https://example.com/a.git', { transport: 'helper', scheme: 'persistent-https' }],
  ])('%s', (url, expected) => {
    expect(parseEndpoint(url)).toMatchObject(expected);
  });

  it('explains a failure by the status git reports, not by digits in a port', () => {
    const failure = (stderr: string) =>
      remoteFailure('Cloning', 'https://h.example:44013/x.git', new GitFailure(128, stderr, 'clone'));
    expect(
      failure("fatal: unable to access 'https://h.example:44013/x.git/': The requested URL returned error: 302").hint,
    ).toMatch(/answered with a redirect/);
    expect(failure("fatal: unable to access 'https://h.example:44013/x.git/': Could not resolve host: h.example").hint).toMatch(
      /could not be reached/,
    );
    expect(
      failure("fatal: unable to access 'https://h.example:44013/x.git/': The requested URL returned error: 401").hint,
    ).toMatch(/refused the credentials/);
  });

  it.each([
    ['https://a.example\\@127.0.0.1/x.git', /backslash/],
    ['https://a@b@127.0.0.1/x.git', /more than one "@"/],
    ['git@[127.0.0.1:22]:x.git', /not a valid IPv6 address/],
    ['https://[127.0.0.1]/x.git', /not a valid bracketed IPv6 address/],
    ['https://example.com:12ab/x.git', /not a port number/],
    ['https://ex%61mple.com/x.git', /write the host name plainly/],
  ])('refuses %s', (url, message) => {
    expect(() => parseEndpoint(url)).toThrow(message);
  });
});

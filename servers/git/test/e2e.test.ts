import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  call,
  callError,
  callOk,
  connectHttp,
  connectStdio,
  importEntry,
  runNode,
  startHttpBin,
  type TempRepo,
} from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, repoWithIdentity } from './helpers.js';

const run = promisify(execFile);

/** The built bin, spawned as a client would: over stdio and over Streamable HTTP. */
describe('patchbay-git bin', () => {
  let repo: TempRepo;
  let name: string;
  beforeAll(async () => {
    repo = await repoWithIdentity();
    name = path.basename(repo.path);
    await repo.commit('First', { 'a.txt': 'a\n', 'src/app.ts': 'export const answer = 42;\n' });
    for (let i = 0; i < 12; i++) await repo.write(`pages/file-${i}.txt`, `${'line\n'.repeat(60)}`);
    await repo.commit('Pages', {});
    for (let i = 0; i < 12; i++) await repo.write(`pages/file-${i}.txt`, `${'changed\n'.repeat(60)}`);
  });
  afterAll(() => repo.remove());

  describe('over stdio', () => {
    it('serves reads, pages a diff as raw text, and reads resources and prompts', async () => {
      const server = await connectStdio(BIN, ['--repository', repo.path, '--output-budget', '4096']);
      try {
        const { tools } = await server.client.listTools();
        expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['git_log', 'git_diff', 'git_commit']));
        expect(tools.map((t) => t.name)).not.toContain('git_push');
        const log = await callOk<{ commits: Array<{ subject: string }> }>(server.client, 'git_log', {});
        expect(log.data.commits.map((c) => c.subject)).toEqual(['Pages', 'First']);
        const status = await callOk<{ unstaged: unknown[] }>(server.client, 'git_status', {});
        expect(status.data.unstaged).toHaveLength(12);
        const page = await callOk<{ files: Array<{ path: string }>; more?: { cursor?: string } }>(server.client, 'git_diff', {});
        expect(page.text).toMatch(
          /^Unstaged changes \(working tree vs index\): 12 files changed, \+720 −720 \(files 1–\d+ of 12\)\ndiff --git a\/pages\/file-0.txt/,
        );
        const next = await callOk<{ files: Array<{ path: string }> }>(server.client, 'git_diff', {
          cursor: page.data.more?.cursor,
        });
        expect(next.data.files[0]?.path).not.toBe(page.data.files[0]?.path);
        const resource = await server.client.readResource({ uri: `git://${name}/main/src/app.ts` });
        expect((resource.contents[0] as { text: string }).text).toBe('export const answer = 42;\n');
        const prompt = await server.client.getPrompt({ name: 'git_review_changes', arguments: { base: 'HEAD~1' } });
        expect(promptText(prompt)).toContain('+changed');
      } finally {
        await server.close();
      }
    });

    it('stages and commits, and hides every write under --read-only', async () => {
      const work = await repoWithIdentity();
      try {
        await work.commit('Start', { 'x.txt': 'x\n' });
        await work.write('x.txt', 'y\n');
        const server = await connectStdio(BIN, ['--repository', work.path]);
        await callOk(server.client, 'git_add', { paths: ['x.txt'] });
        const commit = await callOk<{ subject: string; files_changed: number }>(server.client, 'git_commit', {
          message: 'Change x',
        });
        expect(commit.data).toMatchObject({ subject: 'Change x', files_changed: 1 });
        expect((await work.git('log', '-1', '--format=%s')).trim()).toBe('Change x');
        await server.close();
        const readOnly = await connectStdio(BIN, ['--repository', work.path, '--read-only']);
        const { tools } = await readOnly.client.listTools();
        expect(tools.every((t) => t.annotations?.readOnlyHint)).toBe(true);
        expect((await call(readOnly.client, 'git_commit', { message: 'No' })).isError).toBe(true);
        await readOnly.close();
      } finally {
        await work.remove();
      }
    });

    it("uses the client's MCP roots when no repository is configured, saying once at start how to name one", async () => {
      const server = await connectStdio(BIN, [], { roots: [repo.path] });
      try {
        const log = await callOk<{ commits: unknown[] }>(server.client, 'git_log', {});
        expect(log.data.commits).toHaveLength(2);
        expect(await callError(server.client, 'git_log', { repository: '/' })).toMatch(/outside the allowed locations/);
        // One line, printed by the bin's front and not again by the full server it handed over to.
        const notices = server
          .stderr()
          .split('\n')
          .filter((line) => line.includes('no repository configured'));
        expect(notices).toEqual([
          'patchbay-git: no repository configured: the tools will use the folders the client shares as MCP roots, if it shares any. To name one, start with --repository <path> (or set GIT_REPOSITORIES).',
        ]);
      } finally {
        await server.close();
      }
    });

    it('says nothing about configuring a repository when one is named, and says it once without the front too', async () => {
      const named = await connectStdio(BIN, ['--repository', repo.path]);
      const bare = await connectStdio(BIN, [], { env: { PATCHBAY_NO_FRONT: '1' } });
      try {
        await named.client.listTools();
        await callError(bare.client, 'git_status', {});
        expect(named.stderr()).not.toContain('no repository configured');
        expect(bare.stderr().match(/no repository configured/g)).toHaveLength(1);
      } finally {
        await named.close();
        await bare.close();
      }
    });

    it('answers a bad argument with an error result and keeps serving', async () => {
      const server = await connectStdio(BIN, ['--repository', repo.path]);
      try {
        expect(await callError(server.client, 'git_show', { revision: '--output=/tmp/pwned' })).toMatch(/Argument `revision`/);
        expect(await callError(server.client, 'git_blame', { path: '../../etc/passwd' })).toMatch(/Argument `path`/);
        const ok = await callOk<{ ranges: unknown[] }>(server.client, 'git_blame', { path: 'a.txt' });
        expect(ok.data.ranges).toHaveLength(1);
      } finally {
        await server.close();
      }
    });
    it('ends the session with the reason and exit 1 when a message passes 10 MiB, stopping the git it was running', async () => {
      // A remote that accepts the connection and never answers: git_fetch is still running when the
      // oversized line arrives, and its git (with git-remote-http) must not outlive the server.
      const sockets: Socket[] = [];
      const silent = createServer((socket) => {
        sockets.push(socket);
        socket.on('error', () => undefined);
        // Read (and drop) the request, so the socket notices when git's end goes away.
        socket.resume();
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const remote = `http://127.0.0.1:${(silent.address() as { port: number }).port}/stalled.git`;
      const work = await repoWithIdentity();
      await work.commit('Start', { 'x.txt': 'x\n' });
      await work.git('remote', 'add', 'origin', remote);
      const child = spawn(process.execPath, [BIN, '--repository', work.path, '--toolsets', 'default,remote'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      try {
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
        });
        child.stdin.on('error', () => undefined);
        const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
        send({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
        });
        send({ jsonrpc: '2.0', method: 'notifications/initialized' });
        send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'git_fetch', arguments: {} } });
        await until(() => sockets.length > 0);
        expect(await processesMentioning(remote)).not.toEqual([]);

        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.stdin.write(`{"jsonrpc":"2.0","id":3,"method":"ping","params":{"pad":"${'x'.repeat(11 * 1024 * 1024)}"}}\n`);
        expect(await exited).toBe(1);
        expect(stderr).toMatch(/patchbay-git error the session ended: a message from the client was larger than 10 MiB/);
        await until(() => sockets.every((s) => s.destroyed || s.readableEnded));
        expect(await processesMentioning(remote)).toEqual([]);
      } finally {
        child.kill('SIGKILL');
        silent.close();
        for (const s of sockets) s.destroy();
        await work.remove();
      }
    });
    it('gives a tool call whose UTF-8 arrives split between reads to the tool intact', async () => {
      const work = await repoWithIdentity();
      await work.commit('Start', { 'x.txt': 'x\n' });
      await work.write('x.txt', 'changed\n');
      await work.git('add', 'x.txt');
      const child = spawn(process.execPath, [BIN, '--repository', work.path], { stdio: ['pipe', 'pipe', 'pipe'] });
      try {
        let stdout = '';
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
        });
        child.stdin.on('error', () => undefined);
        const answered = (id: number) => until(() => new RegExp(`"id":${id}[,}]`).test(stdout));
        child.stdin.write(
          `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } })}\n`,
        );
        await answered(1);
        child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
        // The bin's front reads this call before the full server exists: cut it inside 漢 (three
        // bytes in UTF-8), so the front gets the character in two reads.
        const message = 'Größe 漢字 ✓';
        const call = Buffer.from(
          `${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'git_commit', arguments: { message } } })}\n`,
        );
        const cut = call.indexOf(Buffer.from('漢')) + 1;
        child.stdin.write(call.subarray(0, cut));
        await new Promise((resolve) => setTimeout(resolve, 150));
        child.stdin.write(call.subarray(cut));
        await answered(2);
        expect(stdout).not.toContain('"isError":true');
        expect((await work.git('log', '-1', '--format=%s')).trim()).toBe(message);
      } finally {
        child.kill('SIGKILL');
        await work.remove();
      }
    });
  });

  describe('over Streamable HTTP', () => {
    it('serves reads, writes, resources and prompts, one stateless request at a time', async () => {
      const work = await repoWithIdentity();
      await work.commit('Over HTTP', { 'h.txt': 'hello http\n' });
      const http = await startHttpBin(BIN, ['--repository', work.path]);
      try {
        const { client, close } = await connectHttp(http.url);
        const show = await callOk<{ commit: { subject: string } }>(client, 'git_show', {});
        expect(show.data.commit.subject).toBe('Over HTTP');
        const grep = await callOk<{ matches: Array<{ path: string; line: number }> }>(client, 'git_grep', { pattern: 'http' });
        expect(grep.data.matches).toEqual([{ path: 'h.txt', line: 1, text: 'hello http' }]);
        const files = await callOk<{ total: number }>(client, 'git_files', {});
        expect(files.data.total).toBe(1);
        await callOk(client, 'git_create_branch', { name: 'from-http', checkout: true });
        const branches = await callOk<{ current: string }>(client, 'git_branches', {});
        expect(branches.data.current).toBe('from-http');
        const resource = await client.readResource({ uri: `git://${path.basename(work.path)}/main/h.txt` });
        expect((resource.contents[0] as { text: string }).text).toBe('hello http\n');
        // Every HTTP request builds a fresh server: prompts with completion must survive that.
        await work.write('h.txt', 'staged over http\n');
        await work.git('add', 'h.txt');
        for (let i = 0; i < 2; i++) {
          const prompt = await client.getPrompt({ name: 'git_commit_message', arguments: {} });
          expect(promptText(prompt)).toContain('+staged over http');
        }
        await close();
      } finally {
        expect(await http.stop()).toBe(0);
        await work.remove();
      }
    });
  });

  describe('as a library', () => {
    it('exports the connector definition from the package entry, and importing it starts nothing', async () => {
      // It printed its line and exited by itself: no server read stdin or wrote a protocol message.
      expect(await importEntry(path.dirname(path.dirname(BIN)), '@patchbay/git', 'gitConnector')).toEqual({
        stdout: 'git 33\n',
        stderr: '',
      });
    });
  });

  describe('as a command', () => {
    it('refuses to start with a repository folder that does not exist, in one line, exit code 2', async () => {
      const failure = await run(process.execPath, [BIN, '--repository', '/no/such/folder']).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toMatch(/^patchbay-git: --repository: "\/no\/such\/folder" is not a folder that exists\./);
    });

    it('still refuses a repository removed since the start that chose its tools, after answering tools/list with them', async () => {
      // The front answers tools/list with the tools an earlier start chose for the same options
      // and checks the options right after: what the folder is now decides how the session ends.
      const cache = await mkdtemp(path.join(tmpdir(), 'patchbay-remembered-'));
      const work = await repoWithIdentity();
      const messages = [
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
        },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'git_status', arguments: {} } },
      ];
      const start = async () => {
        const { code, stdout, stderr } = await runNode(BIN, ['--repository', work.path], {
          input: messages.map((m) => `${JSON.stringify(m)}\n`).join(''),
          // The session ends once the call is answered, as a client closes it.
          endWhen: /"id":3[,}]/,
          env: { PATCHBAY_LOG_LEVEL: 'debug', PATCHBAY_CODE_CACHE_DIR: cache },
        });
        const answered = stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { id?: unknown }).id)
          .filter((id) => id !== undefined);
        return { code, answered, stderr };
      };
      try {
        const first = await start();
        expect(first.code).toBe(0);
        expect(first.answered).toEqual([1, 2, 3]);
        await work.remove();
        const second = await start();
        expect(second.stderr).toContain('answered tools/list with the tools remembered');
        // The list was answered; the call never was: the options were checked first.
        expect(second.answered).toEqual([1, 2]);
        expect(second.code).toBe(2);
        expect(second.stderr).toContain(`patchbay-git: --repository: "${work.path}" is not a folder that exists.`);
      } finally {
        await rm(cache, { recursive: true, force: true });
      }
    });

    it('lists its options and toolsets in --help', async () => {
      const { stdout } = await run(process.execPath, [BIN, '--help']);
      expect(stdout).toContain('--repository');
      expect(stdout).toContain('--allow-force-push');
      expect(stdout).toMatch(/remote\s+remotes, fetch, pull, push, clone/);
    });
  });
});

/** The text of a prompt's first message. */
function promptText(prompt: { messages: Array<{ content: unknown }> }): string {
  return (prompt.messages[0]?.content as { text?: string } | undefined)?.text ?? '';
}

/** Wait (up to 10 s) until `ready()` holds. */
async function until(ready: () => boolean): Promise<void> {
  for (let waited = 0; !ready(); waited += 25) {
    if (waited > 10_000) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Pids of running processes whose command line contains `text` (Linux /proc). */
async function processesMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push(Number(entry));
  }
  return found;
}

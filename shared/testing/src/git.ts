import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Environment that makes git deterministic and ignores the machine's own config. */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Ada Lovelace',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Lovelace',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

export async function tempDir(prefix = 'patchbay-'): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface TempRepo extends TempDir {
  git(...args: string[]): Promise<string>;
  write(file: string, content: string): Promise<void>;
  commit(message: string, files?: Record<string, string>, date?: string): Promise<string>;
}

/** A real git repository in a temp directory, on branch `main`. */
export async function tempRepo(options: { bare?: boolean; parent?: string } = {}): Promise<TempRepo> {
  const dir = options.parent ? await mkdtemp(path.join(options.parent, 'repo-')) : (await tempDir('patchbay-repo-')).path;
  await git(dir, 'init', '-q', '-b', 'main', ...(options.bare ? ['--bare'] : []));
  const repo: TempRepo = {
    path: dir,
    remove: () => rm(dir, { recursive: true, force: true }),
    git: (...args) => git(dir, ...args),
    async write(file, content) {
      const target = path.join(dir, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    },
    async commit(message, files = {}, date) {
      for (const [file, content] of Object.entries(files)) await repo.write(file, content);
      await git(dir, 'add', '-A');
      const env = date ? ['-c', `user.name=${GIT_ENV.GIT_AUTHOR_NAME}`] : [];
      await run('git', [...env, 'commit', '-q', '--allow-empty', '-m', message], {
        cwd: dir,
        env: { ...process.env, ...GIT_ENV, ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}) },
      });
      return (await git(dir, 'rev-parse', 'HEAD')).trim();
    },
  };
  return repo;
}

/**
 * A repository with `count` commits made fast with `git fast-import` (a few thousand commits in
 * well under a second), for benchmarks and paging tests.
 */
export async function generatedRepo(count: number, options: { filesPerCommit?: number } = {}): Promise<TempRepo> {
  const repo = await tempRepo();
  const files = options.filesPerCommit ?? 1;
  let stream = '';
  const start = 1_700_000_000;
  for (let i = 1; i <= count; i++) {
    const message = `Change ${i}: adjust module ${i % 97}\n`;
    stream += `commit refs/heads/main\nmark :${i}\nauthor Dev ${i % 7} <dev${i % 7}@example.com> ${start + i * 60} +0000\ncommitter Dev ${i % 7} <dev${i % 7}@example.com> ${start + i * 60} +0000\ndata ${Buffer.byteLength(message)}\n${message}`;
    if (i > 1) stream += `from :${i - 1}\n`;
    for (let f = 0; f < files; f++) {
      const body = `module ${(i + f) % 97}\nrevision ${i}\n${'line\n'.repeat(i % 13)}`;
      stream += `M 100644 inline src/module-${(i + f) % 97}.txt\ndata ${Buffer.byteLength(body)}\n${body}`;
    }
    stream += '\n';
  }
  await new Promise<void>((resolve, reject) => {
    const child = execFile('git', ['fast-import', '--quiet'], { cwd: repo.path, env: { ...process.env, ...GIT_ENV } }, (error) =>
      error ? reject(error) : resolve(),
    );
    child.stdin?.end(stream);
  });
  await repo.git('reset', '-q', '--hard', 'main');
  return repo;
}

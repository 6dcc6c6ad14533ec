import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type TempDir, type TempRepo, tempDir } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, repoWithIdentity } from './helpers.js';

let repo: TempRepo;
let second: TempRepo;
let outside: TempDir;
let name: string;
let first: string;
const TEMPLATE = 'git://{repository}/{ref}/{+path}';

/** The first content of a resource read, text or blob. */
const firstContent = (result: { contents: unknown[] }) =>
  result.contents[0] as { uri: string; mimeType?: string; text?: string; blob?: string } | undefined;

beforeAll(async () => {
  repo = await repoWithIdentity();
  second = await repoWithIdentity();
  outside = await tempDir();
  await writeFile(path.join(outside.path, 'secret.txt'), 'TOP-SECRET\n');
  name = path.basename(repo.path);
  first = await repo.commit('First', {
    'README.md': '# First\n',
    'src/app.ts': 'export const v = 1;\n',
    'src/lib/util.ts': 'export {};\n',
  });
  await symlink(path.join(outside.path, 'secret.txt'), path.join(repo.path, 'secret-link'));
  await repo.write('logo.bin', '\u0000\u0001binary\u0000');
  await repo.commit('Second', { 'src/app.ts': 'export const v = 2;\n' });
  await repo.git('branch', 'feature/x');
  await second.commit('Other repository', { 'other.txt': 'other\n' });
});
afterAll(async () => {
  await repo.remove();
  await second.remove();
  await outside.remove();
});

describe('git:// file resources', () => {
  it('reads a file at a branch, a commit, and a ref with a slash', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const now = await client.readResource({ uri: `git://${name}/main/src/app.ts` });
    expect(firstContent(now)).toMatchObject({
      uri: `git://${name}/main/src/app.ts`,
      mimeType: 'text/x-typescript',
      text: 'export const v = 2;\n',
    });
    const then = await client.readResource({ uri: `git://${name}/${first}/src/app.ts` });
    expect(firstContent(then)?.text).toBe('export const v = 1;\n');
    const branch = await client.readResource({ uri: `git://${name}/feature%2Fx/README.md` });
    expect(firstContent(branch)?.text).toBe('# First\n');
    await close();
  });

  it('names a repository by its percent-encoded path too', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const result = await client.readResource({ uri: `git://${encodeURIComponent(repo.path)}/main/README.md` });
    expect(firstContent(result)?.text).toBe('# First\n');
    await close();
  });

  it('lists a folder, sends a small binary file as a blob, and never follows a symbolic link', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    const folder = await client.readResource({ uri: `git://${name}/main/src` });
    expect(firstContent(folder)?.text).toBe('Folder src/ at main:\nsrc/app.ts\nsrc/lib/');
    const binary = await client.readResource({ uri: `git://${name}/main/logo.bin` });
    expect(Buffer.from(firstContent(binary)?.blob as string, 'base64').toString('utf8')).toBe('\u0000\u0001binary\u0000');
    const link = await client.readResource({ uri: `git://${name}/main/secret-link` });
    expect(firstContent(link)?.text).toContain('Symbolic link to');
    expect(firstContent(link)?.text).not.toContain('TOP-SECRET');
    await close();
  });

  it('cuts a file bigger than the budget and says how to read the rest', async () => {
    const big = await repoWithIdentity();
    try {
      await big.commit('Big', { 'big.txt': 'a line of text\n'.repeat(1000) });
      const { client, close } = await connect(['--repository', big.path, '--output-budget', '2048']);
      const result = await client.readResource({ uri: `git://${path.basename(big.path)}/main/big.txt` });
      const text = firstContent(result)?.text as string;
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(2048);
      expect(text).toContain('git_show path="big.txt" start_line=N');
      await close();
    } finally {
      await big.remove();
    }
  });

  it('refuses unknown repositories, repositories outside the allowed ones, bad refs and escaping paths', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    await expect(client.readResource({ uri: 'git://nope/main/README.md' })).rejects.toThrow(
      /no configured repository is called "nope"/,
    );
    await expect(client.readResource({ uri: `git://${encodeURIComponent(second.path)}/main/other.txt` })).rejects.toThrow(
      /outside the allowed locations/,
    );
    await expect(client.readResource({ uri: `git://${name}/--output%3D%2Ftmp%2Fx/README.md` })).rejects.toThrow(
      /Argument `ref`: .*may not start with "-"/,
    );
    await expect(client.readResource({ uri: `git://${name}/main/..%2F..%2Fetc%2Fpasswd` })).rejects.toThrow(
      /Argument `path`: .*without "\.\."/,
    );
    await expect(client.readResource({ uri: `git://${name}/main/missing.txt` })).rejects.toThrow(
      /Argument `path`: "missing.txt" does not exist at main/,
    );
    // git's own refusal, explained by the connector's error table with the template's variables.
    await expect(client.readResource({ uri: `git://${name}/no-such-ref/README.md` })).rejects.toThrow(
      /Argument `ref`: "no-such-ref" is not a revision in this repository/,
    );
    await close();
  });

  it('cuts a long folder listing at a whole entry and says how to see the rest', async () => {
    const wide = await repoWithIdentity();
    try {
      const files = Object.fromEntries(
        Array.from({ length: 400 }, (_, i) => [`many/file-with-a-long-name-${String(i).padStart(4, '0')}.txt`, `${i}\n`]),
      );
      await wide.commit('Many files', files);
      const { client, close } = await connect(['--repository', wide.path, '--output-budget', '4096']);
      const text = firstContent(await client.readResource({ uri: `git://${path.basename(wide.path)}/main/many` }))?.text ?? '';
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
      const lines = text.split('\n');
      expect(lines[0]).toBe('Folder many/ at main:');
      const listed = lines.slice(1, -1);
      expect(listed.length).toBeGreaterThan(10);
      for (const line of listed) expect(line, line).toMatch(/^many\/file-with-a-long-name-\d{4}\.txt$/);
      expect(lines.at(-1)).toMatch(new RegExp(`^… ${400 - listed.length} more entries .*git_files`));
      await close();
    } finally {
      await wide.remove();
    }
  });

  it('finds the repositories inside a configured folder of repositories', async () => {
    const folder = await tempDir();
    try {
      const inner = await repoWithIdentity({ parent: folder.path });
      await inner.commit('Inner', { 'inner.txt': 'inside a folder\n' });
      const { client, close } = await connect(['--repository', folder.path]);
      const ids = await client.complete({
        ref: { type: 'ref/resource', uri: TEMPLATE },
        argument: { name: 'repository', value: '' },
      });
      expect(ids.completion.values).toEqual([path.basename(inner.path)]);
      const read = await client.readResource({ uri: `git://${path.basename(inner.path)}/main/inner.txt` });
      expect(firstContent(read)?.text).toBe('inside a folder\n');
      await close();
    } finally {
      await folder.remove();
    }
  });

  it('completes repositories, refs and paths', async () => {
    const { client, close } = await connect(['--repository', repo.path, '--repository', second.path]);
    const ref = { type: 'ref/resource' as const, uri: TEMPLATE };
    const repositories = await client.complete({ ref, argument: { name: 'repository', value: '' } });
    expect(repositories.completion.values.sort()).toEqual([path.basename(repo.path), path.basename(second.path)].sort());
    const refs = await client.complete({
      ref,
      argument: { name: 'ref', value: 'fe' },
      context: { arguments: { repository: name } },
    });
    expect(refs.completion.values).toEqual(['feature%2Fx']);
    const top = await client.complete({
      ref,
      argument: { name: 'path', value: 's' },
      context: { arguments: { repository: name, ref: 'main' } },
    });
    expect(top.completion.values).toEqual(['secret-link', 'src/']);
    const inner = await client.complete({
      ref,
      argument: { name: 'path', value: 'src/' },
      context: { arguments: { repository: name, ref: 'main' } },
    });
    expect(inner.completion.values).toEqual(['src/app.ts', 'src/lib/']);
    await close();
  });
});

describe('prompts', () => {
  it('drafts a commit message from the staged diff, in the style of recent commits', async () => {
    await repo.write('src/app.ts', 'export const v = 3;\n');
    await repo.git('add', 'src/app.ts');
    try {
      const { client, close } = await connect(['--repository', repo.path]);
      const prompt = await client.getPrompt({ name: 'git_commit_message', arguments: {} });
      const text = promptText(prompt);
      expect(text).toContain('Write a commit message for the staged changes');
      expect(text).toContain('Second\nFirst');
      expect(text).toContain('-export const v = 2;\n+export const v = 3;');
      expect(text).toContain('M src/app.ts  +1 −1');
      await close();
    } finally {
      await repo.git('reset', '-q', '--hard');
    }
  });

  it('says when nothing is staged', async () => {
    const { client, close } = await connect(['--repository', repo.path]);
    await expect(client.getPrompt({ name: 'git_commit_message', arguments: {} })).rejects.toThrow(/nothing is staged/);
    await close();
  });

  it('reviews commits and uncommitted work since the branch left its base', async () => {
    const work = await repoWithIdentity();
    try {
      await work.commit('Base', { 'a.txt': 'base\n' });
      await work.git('switch', '-q', '-c', 'topic');
      await work.commit('Topic change', { 'a.txt': 'topic\n' });
      await work.write('b.txt', 'uncommitted\n');
      await work.git('add', 'b.txt');
      const { client, close } = await connect(['--repository', work.path]);
      const prompt = await client.getPrompt({ name: 'git_review_changes', arguments: {} });
      const text = promptText(prompt);
      expect(prompt.description).toContain('against main');
      expect(text).toMatch(/Commits on the branch:\n[0-9a-f]+ Topic change/);
      expect(text).toContain('+topic');
      expect(text).toContain('+uncommitted');
      await expect(client.getPrompt({ name: 'git_review_changes', arguments: { base: '--output=x' } })).rejects.toThrow(
        /Argument `base`/,
      );
      const bases = await client.complete({
        ref: { type: 'ref/prompt', name: 'git_review_changes' },
        argument: { name: 'base', value: 'ma' },
      });
      expect(bases.completion.values).toEqual(['main']);
      await close();
    } finally {
      await work.remove();
    }
  });

  it('asks which repository when several are configured', async () => {
    const { client, close } = await connect(['--repository', repo.path, '--repository', second.path]);
    await expect(client.getPrompt({ name: 'git_review_changes', arguments: {} })).rejects.toThrow(
      /Argument `repository`: is required/,
    );
    await close();
  });
});

/** The text of a prompt's first message. */
function promptText(prompt: { messages: Array<{ content: unknown }> }): string {
  return (prompt.messages[0]?.content as { text?: string } | undefined)?.text ?? '';
}

#!/usr/bin/env node
// Warm call latency of git_status and git_diff through an in-memory client: the median of 9
// calls each, after 3 warm-up calls, on a generated repository with uncommitted changes.
// Usage: node scripts/warm-calls.mjs [dist-folder ...] — several builds are measured interleaved
// (A B A B …) so a busy machine affects them alike. Default: this package's dist.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectInMemory, generatedRepo } from '@patchbay/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
const dists = process.argv.slice(2).length ? process.argv.slice(2) : [path.join(here, '../dist')];
const ROUNDS = Number(process.env.ROUNDS ?? 9);

const repo = await generatedRepo(300, { filesPerCommit: 3 });
// Uncommitted changes for git_status and git_diff to find.
const files = (await repo.git('ls-files')).split('\n').filter(Boolean).slice(0, 40);
for (const [i, file] of files.entries()) await writeFile(path.join(repo.path, file), `changed ${i}\n`.repeat(20));
for (let i = 0; i < 10; i++) await writeFile(path.join(repo.path, `new-${i}.txt`), 'new\n');

const clients = [];
for (const dist of dists) {
  const { gitConnector } = await import(path.resolve(dist, 'connector.js'));
  const connected = await connectInMemory(gitConnector, { argv: ['--repository', repo.path] });
  clients.push({ dist, ...connected });
}
const call = async (client, name) => {
  const started = performance.now();
  const result = await client.callTool({ name, arguments: {} });
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
  return performance.now() - started;
};
const samples = clients.map(() => ({ git_status: [], git_diff: [] }));
for (const c of clients) for (let i = 0; i < 3; i++) for (const tool of ['git_status', 'git_diff']) await call(c.client, tool);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, c] of clients.entries()) {
    for (const tool of ['git_status', 'git_diff']) samples[i][tool].push(await call(c.client, tool));
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [i, c] of clients.entries()) {
  const s = samples[i];
  console.log(
    `${c.dist}: git_status ${median(s.git_status).toFixed(1)} ms, git_diff ${median(s.git_diff).toFixed(1)} ms (median of ${ROUNDS})`,
  );
  await c.close();
}
await repo.remove();

/**
 * The README's route table is generated from the route table (`pnpm docs` rewrites it); this
 * test fails when it is stale, so the documented surface is always the served one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { githubEmulator, githubRoutes } from '../src/github/index.js';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md');
const BEGIN = '<!-- routes:github -->';
const END = '<!-- /routes:github -->';

function table(): string {
  const rows = githubRoutes
    .filter((r) => !r.operation?.startsWith('sandbox/'))
    .map((r) => ({ method: r.method, path: r.path.replace(/[+*]\}/g, '}'), operation: r.operation ?? '' }))
    .sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  return [
    `${rows.length} operations:`,
    '',
    '| method | path | operation |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.method} | \`${r.path}\` | \`${r.operation}\` |`),
  ].join('\n');
}

// Named for `pnpm docs` (`-t 'README tools table'`), which regenerates every generated README table.
it('README tools table: the GitHub route table matches the routes served', async () => {
  const actual = await readFile(README, 'utf8');
  const start = actual.indexOf(BEGIN);
  const stop = actual.indexOf(END);
  expect(start).toBeGreaterThan(-1);
  const expected = `${actual.slice(0, start + BEGIN.length)}\n${table()}\n${actual.slice(stop)}`;
  if (process.env['PATCHBAY_WRITE_DOCS'] === '1' && expected !== actual) await writeFile(README, expected);
  else expect(actual).toBe(expected);
});

it('shows the token the demo seed really hands out', async () => {
  const state = githubEmulator.createState();
  githubEmulator.seeds.demo(state);
  const readme = await readFile(README, 'utf8');
  const shown = new Set(readme.match(/ghp_[A-Za-z0-9]{36}/g));
  expect([...shown]).toEqual([githubEmulator.token(state)]);
});

/**
 * The README's Slack method table is generated from the methods served (`pnpm docs` rewrites
 * it); this test fails when it is stale, so the documented surface is always the served one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { slackMethods } from '../../src/slack/index.js';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');
const BEGIN = '<!-- methods:slack -->';
const END = '<!-- /methods:slack -->';

function table(): string {
  const rows = [...slackMethods].sort((a, b) => a.name.localeCompare(b.name));
  return [
    `${rows.length} methods, each at \`/api/<method>\` by POST (form, multipart, or JSON where marked) or GET:`,
    '',
    '| method | tier | JSON body | scopes it accepts |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (m) =>
        `| \`${m.name}\` | ${m.tier} | ${m.json ? 'yes' : 'no'} | ${m.accepted.length > 0 ? m.accepted.map((s) => `\`${s}\``).join(' ') : 'none'} |`,
    ),
  ].join('\n');
}

// Named for `pnpm docs` (`-t 'README tools table'`), which regenerates every generated README table.
it('README tools table: the Slack method table matches the methods served', async () => {
  const actual = await readFile(README, 'utf8');
  const start = actual.indexOf(BEGIN);
  const stop = actual.indexOf(END);
  expect(start).toBeGreaterThan(-1);
  const expected = `${actual.slice(0, start + BEGIN.length)}\n${table()}\n${actual.slice(stop)}`;
  if (process.env['PATCHBAY_WRITE_DOCS'] === '1' && expected !== actual) await writeFile(README, expected);
  else expect(actual).toBe(expected);
});

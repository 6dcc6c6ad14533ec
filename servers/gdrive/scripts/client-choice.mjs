#!/usr/bin/env node
// Which Google client to depend on, measured rather than guessed (issue 11): each candidate is
// installed with a clean `npm install` into its own temporary folder and measured for
//   - install size: `du -sk node_modules` and its file count;
//   - import time on this Node: the median of 9 cold `node -e "import(...)"` processes, as the
//     wall time of the whole process and as the time inside it (import + making the clients);
//   - the resident memory of that process.
// Majors are the newest that run on Node 20 (engines): googleapis ≤ 176, @googleapis/drive ≤ 22,
// @googleapis/sheets ≤ 14, google-auth-library ≤ 10.
//
//   node servers/gdrive/scripts/client-choice.mjs [folder]      (needs the npm registry)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = process.argv[2] ?? mkdtempSync(path.join(tmpdir(), 'gdrive-client-choice-'));
const RUNS = 9;
const candidates = {
  googleapis: {
    deps: ['googleapis@176'],
    code: "const { google } = await import('googleapis'); google.drive({ version: 'v3' }); google.sheets({ version: 'v4' }); new google.auth.OAuth2({});",
  },
  '@googleapis/drive + google-auth-library': {
    deps: ['@googleapis/drive@22', 'google-auth-library@10'],
    code: "const d = await import('@googleapis/drive'); const a = await import('google-auth-library'); d.drive({ version: 'v3' }); new a.OAuth2Client({});",
  },
  '@googleapis/drive + @googleapis/sheets + google-auth-library': {
    deps: ['@googleapis/drive@22', '@googleapis/sheets@14', 'google-auth-library@10'],
    code: "const d = await import('@googleapis/drive'); const s = await import('@googleapis/sheets'); const a = await import('google-auth-library'); d.drive({ version: 'v3' }); s.sheets({ version: 'v4' }); new a.OAuth2Client({});",
  },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`node ${process.version}, ${RUNS} cold processes each, in ${root}\n`);
console.log('| candidate | versions | install | files | import, whole process (median) | import inside (median) | RSS |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, c] of Object.entries(candidates)) {
  const dir = path.join(root, name.replace(/\W+/g, '_'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'measure', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--no-package-lock', ...c.deps], {
    cwd: dir,
    stdio: 'ignore',
  });
  const kib = Number(execFileSync('du', ['-sk', 'node_modules'], { cwd: dir, encoding: 'utf8' }).split('\t')[0]);
  const files = Number(execFileSync('sh', ['-c', 'find node_modules -type f | wc -l'], { cwd: dir, encoding: 'utf8' }).trim());
  const versions = c.deps
    .map((dep) => {
      const pkg = dep.replace(/@[^@/]+$/, '');
      return `${pkg}@${JSON.parse(execFileSync('node', ['-p', `JSON.stringify(require('${pkg}/package.json').version)`], { cwd: dir, encoding: 'utf8' }))}`;
    })
    .join(', ');
  const wall = [];
  const inside = [];
  const rss = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t = performance.now(); ${c.code} console.log(performance.now() - t, process.memoryUsage().rss)`,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    wall.push(Number(process.hrtime.bigint() - started) / 1e6);
    const [ms, bytes] = out.trim().split(' ').map(Number);
    inside.push(ms);
    rss.push(bytes);
  }
  console.log(
    `| ${name} | ${versions} | ${(kib / 1024).toFixed(1)} MiB | ${files} | ${median(wall).toFixed(0)} ms | ${median(inside).toFixed(0)} ms | ${(median(rss) / 1048576).toFixed(0)} MiB |`,
  );
}

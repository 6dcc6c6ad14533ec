import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hash64, type RememberedInput, remembered } from '../src/front/remembered.js';

let root: string;
let dir: string;

const input = (over: Partial<RememberedInput> = {}): RememberedInput => ({
  name: 'patchbay-test',
  build: 'build-1',
  tools: 5,
  argv: ['--repository', '/srv/repo'],
  env: { PATCHBAY_CODE_CACHE_DIR: dir, PATCHBAY_READ_ONLY: 'true', UNRELATED: 'x' },
  variables: ['PATCHBAY_READ_ONLY', 'PATCHBAY_TOOLSETS'],
  ...over,
});
const records = () => readdirSync(dir).filter((name) => name.endsWith('.json'));

describe('remembered: the tools a start chose, for the next start with the same options', () => {
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'patchbay-remembered-test-'));
    dir = path.join(root, 'cache');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads back what was written for the same build, arguments and variables', () => {
    expect(remembered(input())?.read()).toBeUndefined();
    remembered(input())?.write([0, 2, 4]);
    expect(remembered(input())?.read()).toEqual([0, 2, 4]);
    // The directory was made private, the record readable by its owner only.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(records()).toHaveLength(1);
    expect(statSync(path.join(dir, records()[0] as string)).mode & 0o777).toBe(0o600);
  });

  it('keeps another record when the build, an argument or a variable an option reads differs', () => {
    remembered(input())?.write([1]);
    expect(remembered(input({ build: 'build-2' }))?.read()).toBeUndefined();
    expect(remembered(input({ argv: ['--repository', '/srv/other'] }))?.read()).toBeUndefined();
    expect(remembered(input({ argv: ['--repository', '/srv/repo', '--read-only'] }))?.read()).toBeUndefined();
    expect(remembered(input({ env: { PATCHBAY_CODE_CACHE_DIR: dir, PATCHBAY_READ_ONLY: 'false' } }))?.read()).toBeUndefined();
    // A variable no option reads is not part of the key.
    expect(remembered(input({ env: { PATCHBAY_CODE_CACHE_DIR: dir, PATCHBAY_READ_ONLY: 'true' } }))?.read()).toEqual([1]);
  });

  it('names the record by a hash: no argument or variable value is written', () => {
    remembered(input({ argv: ['postgresql://app:s3cret-password@db/app'] }))?.write([0]);
    const [name] = records();
    expect(name).toMatch(/^patchbay-test-tools-[0-9a-f]{16}\.json$/);
    expect(name).not.toContain('s3cret');
  });

  it('ignores a record that is not a list of tool places of this manifest', () => {
    const memo = remembered(input());
    memo?.write([0]);
    const file = path.join(dir, records()[0] as string);
    for (const text of ['{"tools":[0,5]}', '{"tools":[-1]}', '{"tools":[1.5]}', '{"tools":"0"}', '{', '']) {
      writeFileSync(file, text);
      expect(memo?.read(), text).toBeUndefined();
    }
  });

  it('is off with PATCHBAY_NO_CODE_CACHE=1, and in a directory others can write to or that is a link', () => {
    expect(remembered(input({ env: { PATCHBAY_CODE_CACHE_DIR: dir, PATCHBAY_NO_CODE_CACHE: '1' } }))).toBeUndefined();
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    expect(remembered(input())).toBeUndefined();
    const link = path.join(root, 'link');
    const real = path.join(root, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, link);
    expect(remembered(input({ env: { PATCHBAY_CODE_CACHE_DIR: link } }))).toBeUndefined();
  });

  it('keeps the newest eight records of a server', () => {
    for (let i = 0; i < 10; i++) {
      const before = new Set(existsSync(dir) ? records() : []);
      remembered(input({ argv: [`--repository=/srv/${i}`] }))?.write([i % 5]);
      // Distinct times, oldest first, whatever the file system's resolution.
      const [name] = records().filter((record) => !before.has(record));
      utimesSync(path.join(dir, name as string), 1_000 + i, 1_000 + i);
    }
    remembered(input({ argv: ['--repository=/srv/last'] }))?.write([0]);
    expect(records()).toHaveLength(8);
    expect(remembered(input({ argv: ['--repository=/srv/last'] }))?.read()).toEqual([0]);
    expect(remembered(input({ argv: ['--repository=/srv/9'] }))?.read()).toEqual([4]);
    expect(remembered(input({ argv: ['--repository=/srv/0'] }))?.read()).toBeUndefined();
  });
});

describe('hash64', () => {
  it('gives 16 hex digits that differ for near inputs', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(hash64(`--repository=/srv/${i}`));
    expect(seen.size).toBe(10_000);
    expect(hash64('a')).toMatch(/^[0-9a-f]{16}$/);
    expect(hash64('ab')).not.toBe(hash64('ba'));
  });
});

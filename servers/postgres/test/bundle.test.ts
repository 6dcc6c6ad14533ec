import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Speed is measured, not asserted; what makes the first call cheaper is a property of the build.
describe('the built server', () => {
  it('carries pg and pg-cursor inside it (read through the code cache); only the parser comes from node_modules', () => {
    const server = readFileSync(path.join(root, 'dist/main.cjs'), 'utf8');
    expect(server).toContain('Cannot use a pool after calling end on the pool'); // pg-pool
    expect(server).toContain('"C_"+'); // pg-cursor's portal names
    // What stays a plain require is pg's optional native binding, in the try pg itself writes.
    const required = [...server.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] ?? '');
    expect(new Set(required.filter((name) => /^pg(-|\/|$)/.test(name)))).toEqual(new Set(['pg-native']));
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toEqual(['libpg-query']);
  });
});

import { describe, expect, it } from 'vitest';
import { Router } from '../../src/index.js';

const handler = () => ({ status: 200 });
const router = new Router([
  { method: 'GET', path: '/repos/{owner}/{repo}/releases/{release_id}', handler },
  { method: 'GET', path: '/repos/{owner}/{repo}/releases/latest', handler },
  { method: 'GET', path: '/repos/{owner}/{repo}/contents/{path*}', handler },
  { method: 'GET', path: '/repos/{owner}/{repo}/git/ref/{ref+}', handler },
  { method: 'POST', path: '/repos/{owner}/{repo}/issues', handler },
]);

describe('router', () => {
  it('prefers a literal segment over a parameter wherever the routes were declared', () => {
    expect(router.match('GET', '/repos/o/r/releases/latest')?.info.path).toBe('/repos/{owner}/{repo}/releases/latest');
    expect(router.match('GET', '/repos/o/r/releases/7')?.params).toEqual({ owner: 'o', repo: 'r', release_id: '7' });
  });

  it('lets a trailing span take several segments, or none for *', () => {
    expect(router.match('GET', '/repos/o/r/contents/src/a/b.ts')?.params['path']).toBe('src/a/b.ts');
    expect(router.match('GET', '/repos/o/r/contents/')?.params['path']).toBe('');
    expect(router.match('GET', '/repos/o/r/contents')?.params['path']).toBe('');
    expect(router.match('GET', '/repos/o/r/git/ref/heads/feature/x')?.params['ref']).toBe('heads/feature/x');
    expect(router.match('GET', '/repos/o/r/git/ref')).toBeUndefined();
  });

  it('decodes percent-encoded segments, including an encoded slash inside one segment', () => {
    expect(router.match('GET', '/repos/o/r/contents/src%2Fa%20b.ts')?.params['path']).toBe('src/a b.ts');
  });

  it('reports routes in the notation of the API description, without span markers', () => {
    expect(router.list().map((r) => `${r.method} ${r.path}`)).toContain('GET /repos/{owner}/{repo}/contents/{path}');
  });

  it('serves HEAD with the GET route and matches no other method', () => {
    expect(router.match('HEAD', '/repos/o/r/releases/1')).toBeDefined();
    expect(router.match('DELETE', '/repos/o/r/issues')).toBeUndefined();
    expect(router.match('GET', '/repos/o/r/issues')).toBeUndefined();
  });

  it('refuses a duplicate route and a span that is not last', () => {
    expect(
      () =>
        new Router([
          { method: 'GET', path: '/a/{x}', handler },
          { method: 'get', path: '/a/{y}', handler },
        ]),
    ).not.toThrow();
    expect(
      () =>
        new Router([
          { method: 'GET', path: '/a/{x}', handler },
          { method: 'GET', path: '/a/{x}', handler },
        ]),
    ).toThrow(/duplicate/);
    expect(() => new Router([{ method: 'GET', path: '/a/{x*}/b', handler }])).toThrow(/last parameter/);
  });
});

/**
 * The fidelity checker must be able to fail: exchanges that break GitHub's description in known
 * ways are reported, and a faithful one is not.
 */
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/index.js';
import { githubSpec, uncovered } from './spec.js';

const spec = githubSpec();
const rateHeaders = {
  'x-ratelimit-limit': '5000',
  'x-ratelimit-remaining': '4999',
  'x-ratelimit-reset': '1',
  'x-ratelimit-used': '1',
  'x-ratelimit-resource': 'core',
  'x-github-api-version-selected': '2022-11-28',
  'x-github-request-id': 'A',
};

function exchange(over: {
  method?: string;
  path?: string;
  operation?: string;
  query?: string;
  requestBody?: unknown;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}): Exchange {
  return {
    service: 'github',
    route: {
      method: over.method ?? 'GET',
      path: over.path ?? '/repos/{owner}/{repo}/labels/{name}',
      operation: over.operation ?? 'issues/get-label',
    },
    params: { owner: 'o', repo: 'r', name: 'bug' },
    request: {
      method: over.method ?? 'GET',
      path: '/x',
      query: new URLSearchParams(over.query ?? ''),
      headers: {},
      body: Buffer.from(over.requestBody === undefined ? '' : JSON.stringify(over.requestBody)),
    },
    response: {
      status: over.status ?? 200,
      headers: { 'content-type': 'application/json; charset=utf-8', etag: 'W/"x"', ...rateHeaders, ...over.headers },
      body: Buffer.from(JSON.stringify(over.body ?? {})),
    },
    faults: [],
  };
}

const label = { id: 1, node_id: 'L', url: 'http://x/l', name: 'bug', description: null, color: 'ffffff', default: true };

describe('the fidelity checker', () => {
  it('accepts a faithful exchange', () => {
    expect(spec.problems(exchange({ body: label }))).toEqual([]);
  });

  it('reports a missing required field, a wrong type, and null where the description does not allow it', () => {
    const { name: _name, ...noName } = label;
    expect(spec.problems(exchange({ body: noName })).join('\n')).toMatch(/must have required property 'name'/);
    expect(spec.problems(exchange({ body: { ...label, id: 'one' } })).join('\n')).toMatch(/\/id must be integer/);
    expect(spec.problems(exchange({ body: { ...label, name: null } })).join('\n')).toMatch(/\/name must be string/);
  });

  it('reports an undocumented status, an unknown query parameter and a missing rate-limit header', () => {
    expect(spec.problems(exchange({ status: 418, body: { message: 'teapot' } })).join('\n')).toMatch(
      /status 418 is not documented/,
    );
    expect(spec.problems(exchange({ query: 'colour=red', body: label })).join('\n')).toMatch(
      /query parameter colour is not declared/,
    );
    expect(spec.problems(exchange({ body: label, headers: { 'x-ratelimit-remaining': undefined as never } })).join('\n')).toMatch(
      /header x-ratelimit-remaining missing/,
    );
  });

  it('accepts a request the description forbids only when it was refused', () => {
    const create = { method: 'POST', path: '/repos/{owner}/{repo}/labels', operation: 'issues/create-label' };
    expect(
      spec
        .problems(exchange({ ...create, requestBody: { color: 'fff' }, status: 201, body: label, headers: { location: 'x' } }))
        .join('\n'),
    ).toMatch(/request body\/ must have required property 'name'/);
    expect(
      spec.problems(
        exchange({
          ...create,
          requestBody: { color: 'fff' },
          status: 422,
          body: { message: 'Validation Failed', documentation_url: 'x' },
        }),
      ),
    ).toEqual([]);
  });

  it('reports an operation id that is not the description’s', () => {
    expect(spec.problems(exchange({ operation: 'issues/get-labels', body: label })).join('\n')).toMatch(
      /operation id issues\/get-labels but the description says issues\/get-label/,
    );
  });

  it('reports a route with no validated success, and a write route with no validated error', () => {
    const routes = [
      { method: 'GET', path: '/repos/{owner}/{repo}/labels', operation: 'issues/list-labels-for-repo' },
      { method: 'POST', path: '/repos/{owner}/{repo}/labels', operation: 'issues/create-label' },
      { method: 'GET', path: '/repos/{owner}/{repo}/contents/{path*}', operation: 'repos/get-content' },
      { method: 'GET', path: '/_raw/{path+}', operation: 'sandbox/raw-download' },
    ];
    const coverage = new Map([
      ['GET /repos/{owner}/{repo}/labels', new Set([404])],
      ['POST /repos/{owner}/{repo}/labels', new Set([201])],
      ['GET /repos/{owner}/{repo}/contents/{path}', new Set([200])],
    ]);
    expect(uncovered(routes, coverage)).toEqual([
      'GET /repos/{owner}/{repo}/labels: no validated success',
      'POST /repos/{owner}/{repo}/labels: no validated error',
    ]);
  });
});

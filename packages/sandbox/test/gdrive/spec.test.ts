/**
 * The fidelity checker must be able to fail, and the emulator's copy of the discovery document's
 * facts (src/gdrive/discovery.ts) must match the document.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error — a plain .mjs script without types
import { subset } from '../../scripts/gdrive-discovery.mjs';
import { driveDiscovery } from '../../src/gdrive/discovery.js';
import type { Exchange } from '../../src/index.js';
import { loadDriveDiscovery, problemsOf, validate } from './discovery.js';

const doc = loadDriveDiscovery();

function exchange(over: {
  operation?: string;
  query?: string;
  status?: number;
  body?: unknown;
  requestBody?: unknown;
  params?: Record<string, string>;
}): Exchange {
  return {
    service: 'gdrive',
    faults: [],
    route: { method: 'GET', path: '/drive/v3/files/{fileId}', operation: over.operation ?? 'drive.files.get' },
    params: over.params ?? { fileId: 'abc' },
    request: {
      method: 'GET',
      path: '/drive/v3/files/abc',
      query: new URLSearchParams(over.query ?? ''),
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(over.requestBody === undefined ? '' : JSON.stringify(over.requestBody)),
    },
    response: {
      status: over.status ?? 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: Buffer.from(JSON.stringify(over.body ?? { kind: 'drive#file', id: 'abc', name: 'x', mimeType: 'text/plain' })),
    },
  };
}

describe('the discovery checker', () => {
  it('accepts a faithful exchange', () => {
    expect(problemsOf(doc, exchange({ query: 'supportsAllDrives=true&fields=id' }))).toEqual([]);
  });

  it('reports an unknown parameter, a bad boolean and a value outside an enum', () => {
    expect(problemsOf(doc, exchange({ query: 'includeItemsFromAllDrives=true' }))).toEqual([
      'GET /drive/v3/files/abc: query parameter "includeItemsFromAllDrives" is not a parameter of drive.files.get',
    ]);
    expect(problemsOf(doc, exchange({ query: 'supportsAllDrives=yes' }))[0]).toMatch(/is not a boolean/);
    expect(problemsOf(doc, exchange({ query: 'alt=xml' }))[0]).toMatch(/is not one of json, media, proto/);
  });

  it('reports a response property the schema lacks, a wrong type or format, and a wrong kind', () => {
    expect(problemsOf(doc, exchange({ body: { kind: 'drive#file', id: 'a', title: 'v2 name' } }))[0]).toMatch(
      /property "title" is not in the schema File/,
    );
    expect(problemsOf(doc, exchange({ body: { size: 12 } }))[0]).toMatch(/\.size: expected a string/);
    expect(problemsOf(doc, exchange({ body: { modifiedTime: 'yesterday' } }))[0]).toMatch(/RFC 3339/);
    expect(problemsOf(doc, exchange({ body: { kind: 'drive#folder' } }))[0]).toMatch(/kind: expected "drive#file"/);
    expect(problemsOf(doc, exchange({ body: { owners: [{ emailAddress: 'a@b', role: 'owner' }] } }))[0]).toMatch(
      /"role" is not in the schema User/,
    );
  });

  it('reports an error body without Google’s errors array or status', () => {
    const bare = exchange({ status: 404, body: { error: { code: 404, message: 'File not found: abc.' } } });
    expect(problemsOf(doc, bare)).toEqual(
      expect.arrayContaining([expect.stringMatching(/no errors\[\]/), expect.stringMatching(/no error.status/)]),
    );
  });

  it('reports a read-only field sent in a request body', () => {
    const schema = { $ref: 'File' };
    expect(validate(doc, { name: 'x', exportLinks: {} }, schema, '$', 'request')[0]).toMatch(/read-only/);
  });
});

describe('src/gdrive/discovery.ts', () => {
  it('matches specs/google-drive-v3.discovery.json (regenerate with node packages/sandbox/scripts/gdrive-discovery.mjs)', () => {
    expect(JSON.parse(JSON.stringify(driveDiscovery))).toEqual(subset(doc));
  });
});

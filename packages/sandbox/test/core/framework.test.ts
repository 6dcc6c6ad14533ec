import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Logger, type Sandbox, startSandbox } from '../../src/index.js';
import { addNote, type NotesState, notesEmulator } from './notes-emulator.js';

const warnings: string[] = [];
const logger: Logger = { info: () => {}, warn: (line) => warnings.push(line) };
const ALICE = 'nt-alice-secret';
// Bodies are read as loosely typed JSON: these tests assert on their values.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Answer = Omit<Response, 'json'> & { json(): Promise<any> };

let sandbox: Sandbox<NotesState>;
beforeAll(async () => {
  sandbox = await startSandbox({ service: notesEmulator, logger });
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.reset();
  warnings.length = 0;
});

function call(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Answer> {
  const { token = ALICE, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (rest.body) headers.set('content-type', 'application/json');
  return fetch(sandbox.url + path, { ...rest, headers });
}

async function control(path: string, init: RequestInit = {}): Promise<Answer> {
  return fetch(`${sandbox.url}/_sandbox${path}`, { ...init, headers: { 'content-type': 'application/json' } });
}

describe('state', () => {
  it('starts from the demo seed and serves it on loopback', async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await call('/notes');
    expect(res.status).toBe(200);
    expect((await res.json()).map((n: { text: string }) => n.text)).toEqual(['first', 'second']);
    expect(sandbox.env).toEqual({ NOTES_URL: sandbox.url, NOTES_TOKEN: ALICE });
  });

  it('keeps what a request created: the next call lists it and the state object holds it', async () => {
    const created = await (await call('/notes', { method: 'POST', body: JSON.stringify({ text: 'third' }) })).json();
    expect(created.id).toBe(102);
    const listed = await (await call('/notes')).json();
    expect(listed.map((n: { id: number }) => n.id)).toEqual([100, 101, 102]);
    expect(sandbox.state.notes.get(102)?.text).toBe('third');
  });

  it('reset restores the seed, clears faults and the log, and ids start over', async () => {
    await call('/notes', { method: 'POST', body: JSON.stringify({ text: 'gone after reset' }) });
    sandbox.faults.add({ kind: 'error', status: 500 });
    sandbox.reset();
    expect(sandbox.faults.list()).toEqual([]);
    expect(sandbox.log.entries()).toEqual([]);
    expect([...sandbox.state.notes.values()].map((n) => n.text)).toEqual(['first', 'second']);
    const created = await (await call('/notes', { method: 'POST', body: JSON.stringify({ text: 'again' }) })).json();
    expect(created.id).toBe(102);
  });

  it('reset can switch to another named seed or to a data set the test builds, and back to the starting seed', async () => {
    sandbox.reset('empty');
    expect(await (await call('/notes')).json()).toEqual([]);
    sandbox.reset((state) => {
      state.tokens.set(ALICE, 'alice');
      addNote(state, 'built by the test');
    });
    expect((await (await call('/notes')).json())[0].text).toBe('built by the test');
    sandbox.reset();
    expect(sandbox.state.notes.size).toBe(2);
  });

  it('changes the ETag and updated_at when an object changes, and answers 304 while it has not', async () => {
    const first = await call('/notes/100');
    const etag = first.headers.get('etag')!;
    const before = await first.json();
    expect((await call('/notes/100', { headers: { 'if-none-match': etag } })).status).toBe(304);
    const updated = await (await call('/notes/100', { method: 'PATCH', body: JSON.stringify({ text: 'edited' }) })).json();
    expect(Date.parse(updated.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
    expect(updated.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const after = await call('/notes/100', { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
  });
});

describe('routes and the request log', () => {
  it('answers an unknown route with the service’s own 404, logs it as unknown and warns naming the route', async () => {
    const res = await call('/nope/here?x=1');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: 'unknown_method' });
    expect(sandbox.log.unknownRoutes()).toMatchObject([
      { method: 'GET', path: '/nope/here', query: { x: '1' }, route: null, status: 404 },
    ]);
    expect(warnings.join('\n')).toMatch(/UNKNOWN ROUTE GET \/nope\/here → 404/);
  });

  it('logs method, path, query, route, status and the identity of the token — never the token', async () => {
    await call('/notes/101?verbose=1&token=leaked-secret');
    await call('/notes', { token: 'nt-bob-secret' });
    await call('/notes', { token: null });
    await call('/notes', { token: 'wrong' });
    const entries = sandbox.log.entries();
    expect(entries.map((e) => [e.method, e.path, e.route, e.operation, e.status, e.identity])).toEqual([
      ['GET', '/notes/101', '/notes/{id}', 'notes.get', 200, 'alice'],
      ['GET', '/notes', '/notes', 'notes.list', 200, 'bob'],
      ['GET', '/notes', '/notes', 'notes.list', 200, 'anonymous'],
      ['GET', '/notes', '/notes', 'notes.list', 401, 'invalid'],
    ]);
    expect(entries[0]!.query).toEqual({ verbose: '1', token: '[redacted]' });
    const text = JSON.stringify(entries);
    for (const secret of [ALICE, 'nt-bob-secret', 'leaked-secret']) expect(text).not.toContain(secret);
    expect(sandbox.log.entries({ identity: 'bob' })).toHaveLength(1);
    expect(sandbox.log.entries({ route: 'notes.get' })).toHaveLength(1);
    expect(sandbox.log.entries({ since: entries[1]!.seq })).toHaveLength(2);
  });

  it('answers a body that is not JSON with the service’s shape, and a handler bug as its 500', async () => {
    const bad = await fetch(`${sandbox.url}/notes`, {
      method: 'POST',
      body: '{"text":',
      headers: { authorization: `Bearer ${ALICE}` },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ ok: false, error: 'invalid_json' });
    const boom = await call('/boom');
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ ok: false, error: 'internal_error' });
    expect(warnings.join('\n')).toMatch(/GET \/boom threw: Error: handler bug/);
  });

  it('taps every exchange with bodies and a redacted authorization header', async () => {
    const seen: { status: number; auth: unknown; body: string }[] = [];
    const stop = sandbox.tap((x) =>
      seen.push({ status: x.response.status, auth: x.request.headers['authorization'], body: x.response.body.toString() }),
    );
    await call('/notes/100');
    stop();
    await call('/notes/101');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.auth).toBe('[redacted]');
    expect(JSON.parse(seen[0]!.body).text).toBe('first');
  });
});

describe('faults', () => {
  it('injects an error status for a number of requests on one route, then recovers', async () => {
    sandbox.faults.add({ kind: 'error', status: 503, route: '/notes/{id}', times: 2 });
    expect((await call('/notes')).status).toBe(200);
    const failed = await call('/notes/100');
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual({ ok: false, error: 'internal_error' });
    expect((await call('/notes/100')).status).toBe(503);
    expect((await call('/notes/100')).status).toBe(200);
    expect(sandbox.faults.list()).toEqual([]);
    expect(sandbox.log.entries({ status: 503 }).every((e) => e.faults?.[0] === 'error')).toBe(true);
  });

  it('matches a fault by operation id and method', async () => {
    sandbox.faults.add({ kind: 'error', status: 502, route: 'notes.create', method: 'POST' });
    expect((await call('/notes', { method: 'POST', body: '{"text":"x"}' })).status).toBe(502);
    expect((await call('/notes')).status).toBe(200);
  });

  it('delays a response by at least the latency asked for', async () => {
    sandbox.faults.add({ kind: 'latency', ms: 120, times: 1 });
    expect((await call('/notes')).status).toBe(200);
    expect(sandbox.log.last()!.durationMs).toBeGreaterThanOrEqual(120);
    expect(sandbox.log.last()!.faults).toEqual(['latency']);
  });

  it('resets the connection before the request is processed: nothing changes', async () => {
    sandbox.faults.add({ kind: 'reset', route: 'notes.create', times: 1 });
    await expect(call('/notes', { method: 'POST', body: '{"text":"lost"}' })).rejects.toThrow(/fetch failed/);
    expect(sandbox.state.notes.size).toBe(2);
    expect(sandbox.log.last()).toMatchObject({ status: 0, faults: ['reset'] });
  });

  it('resets the connection after a write was processed: the change is there, the answer is lost', async () => {
    sandbox.faults.add({ kind: 'reset', when: 'after', route: 'notes.create', times: 1 });
    await expect(call('/notes', { method: 'POST', body: '{"text":"applied"}' })).rejects.toThrow(/fetch failed/);
    expect([...sandbox.state.notes.values()].at(-1)?.text).toBe('applied');
  });

  it('opens a rate-limit window with the service’s own answer, which closes when the window ends', async () => {
    sandbox.faults.add({ kind: 'rateLimit', limit: 'secondary', retryAfter: 1, forMs: 300 });
    const limited = await call('/notes');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toEqual({ ok: false, error: 'ratelimited', limit: 'secondary' });
    await new Promise((r) => setTimeout(r, 350));
    expect((await call('/notes')).status).toBe(200);
  });

  it('sends a body cut short so it is not JSON, with the route’s status', async () => {
    sandbox.faults.add({ kind: 'malformed', route: '/notes', times: 1 });
    const res = await call('/notes');
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it('refuses a fault spec that makes no sense, saying which field is wrong', () => {
    expect(() => sandbox.faults.add({ kind: 'latency' } as never)).toThrow(/latency fault needs ms/);
    expect(() => sandbox.faults.add({ kind: 'error', status: 42 })).toThrow(/status must be an HTTP status/);
  });
});

describe('control API over HTTP', () => {
  it('adds, lists and removes faults', async () => {
    const added = await control('/faults', {
      method: 'POST',
      body: JSON.stringify({ kind: 'error', status: 500, route: 'notes.list' }),
    });
    expect(added.status).toBe(201);
    const { fault } = await added.json();
    expect((await call('/notes')).status).toBe(500);
    expect((await (await control('/faults')).json()).faults).toMatchObject([{ id: fault.id, hits: 1 }]);
    expect((await control(`/faults/${fault.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call('/notes')).status).toBe(200);
    expect((await control(`/faults/${fault.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('answers an invalid fault with 422 naming the field', async () => {
    const res = await control('/faults', { method: 'POST', body: JSON.stringify({ kind: 'explode' }) });
    expect(res.status).toBe(422);
    expect((await res.json()).error).toMatch(/kind must be one of error, latency, reset, rateLimit, malformed/);
  });

  it('reads and clears the log, resets the state, and is itself neither logged nor faulted', async () => {
    sandbox.faults.add({ kind: 'error', status: 500 });
    await call('/notes/100');
    await call('/unknown');
    const log = await (await control('/log?unknown=1')).json();
    expect(log.entries).toMatchObject([{ path: '/unknown', unknown: true }]);
    expect((await control('/reset', { method: 'POST', body: '{"seed":"empty"}' })).status).toBe(200);
    expect(sandbox.state.notes.size).toBe(0);
    expect((await control('/reset', { method: 'POST', body: '{"seed":"nope"}' })).status).toBe(422);
    expect((await control('/reset', { method: 'POST' })).status).toBe(200);
    expect((await (await control('/log')).json()).entries).toEqual([]);
    expect(sandbox.state.notes.size).toBe(2);
    const info = await (await control('')).json();
    expect(info).toMatchObject({ service: 'notes', seed: 'demo', url: sandbox.url });
    expect((await (await control('/routes')).json()).routes).toContainEqual({
      method: 'GET',
      path: '/files/{path}',
      operation: 'files.get',
    });
  });
});

describe('several services in one process', () => {
  it('mounts each under /<name> on one port with its own state, log and control API', async () => {
    const other = { ...notesEmulator, name: 'memos', env: (url: string) => ({ MEMOS_URL: url }) };
    const group = await startSandbox({ services: [notesEmulator, other], logger });
    try {
      expect(group.services['notes']!.url).toBe(`${group.url}/notes`);
      expect(group.env).toEqual({ NOTES_URL: `${group.url}/notes`, NOTES_TOKEN: ALICE, MEMOS_URL: `${group.url}/memos` });
      const created: Answer = await fetch(`${group.url}/memos/notes`, {
        method: 'POST',
        body: '{"text":"memo"}',
        headers: { authorization: `Bearer ${ALICE}` },
      });
      expect(created.status).toBe(201);
      expect((group.services['notes']!.state as NotesState).notes.size).toBe(2);
      expect((group.services['memos']!.state as NotesState).notes.size).toBe(3);
      expect(group.services['memos']!.log.entries()).toHaveLength(1);
      expect(group.services['notes']!.log.entries()).toHaveLength(0);
      expect((await fetch(`${group.url}/memos/_sandbox`)).status).toBe(200);
      expect((await fetch(`${group.url}/elsewhere`)).status).toBe(404);
    } finally {
      await group.close();
    }
  });
});

/**
 * A deliberately small emulator used to test the framework on its own: notes with monotonic ids,
 * ETags and timestamps, bearer tokens, and its own error shapes.
 */
import {
  Clock,
  defineEmulator,
  emptyResponse,
  etagMatches,
  IdSequence,
  isoSeconds,
  jsonResponse,
  type Route,
  weakEtag,
} from '../../src/index.js';

export interface Note {
  id: number;
  text: string;
  created_at: string;
  updated_at: string;
}

export interface NotesState {
  clock: Clock;
  ids: IdSequence;
  notes: Map<number, Note>;
  tokens: Map<string, string>;
}

export function addNote(state: NotesState, text: string): Note {
  const now = isoSeconds(state.clock.now());
  const note = { id: state.ids.next(), text, created_at: now, updated_at: now };
  state.notes.set(note.id, note);
  return note;
}

const routes: Route<NotesState>[] = [
  {
    method: 'GET',
    path: '/notes',
    operation: 'notes.list',
    handler: (_req, { state }) => {
      const body = [...state.notes.values()];
      return jsonResponse(200, body, { etag: weakEtag(body) });
    },
  },
  {
    method: 'POST',
    path: '/notes',
    operation: 'notes.create',
    handler: (req, { state }) => {
      const body = req.json<{ text?: unknown }>();
      if (typeof body?.text !== 'string') return jsonResponse(422, { ok: false, error: 'text_required' });
      return jsonResponse(201, addNote(state, body.text));
    },
  },
  {
    method: 'GET',
    path: '/notes/{id}',
    operation: 'notes.get',
    handler: (req, { state }) => {
      const note = state.notes.get(Number(req.params['id']));
      if (!note) return jsonResponse(404, { ok: false, error: 'note_not_found' });
      const etag = weakEtag(note);
      if (etagMatches(req.header('if-none-match'), etag)) return emptyResponse(304, { etag });
      return jsonResponse(200, note, { etag });
    },
  },
  {
    method: 'PATCH',
    path: '/notes/{id}',
    operation: 'notes.update',
    handler: (req, { state }) => {
      const note = state.notes.get(Number(req.params['id']));
      if (!note) return jsonResponse(404, { ok: false, error: 'note_not_found' });
      const body = req.json<{ text?: string }>();
      if (body?.text !== undefined) note.text = body.text;
      note.updated_at = isoSeconds(state.clock.now());
      return jsonResponse(200, note, { etag: weakEtag(note) });
    },
  },
  {
    method: 'GET',
    path: '/notes/latest',
    operation: 'notes.latest',
    handler: (_req, { state }) => jsonResponse(200, [...state.notes.values()].at(-1)),
  },
  {
    method: 'GET',
    path: '/files/{path*}',
    operation: 'files.get',
    handler: (req) => jsonResponse(200, { path: req.params['path'] }),
  },
  {
    method: 'GET',
    path: '/boom',
    handler: () => {
      throw new Error('handler bug');
    },
  },
];

export const notesEmulator = defineEmulator<NotesState>({
  name: 'notes',
  title: 'Notes',
  createState: () => ({ clock: new Clock(), ids: new IdSequence(100), notes: new Map(), tokens: new Map() }),
  seeds: {
    demo: (state) => {
      state.tokens.set('nt-alice-secret', 'alice');
      state.tokens.set('nt-bob-secret', 'bob');
      state.clock.at('2024-01-01T00:00:00Z');
      addNote(state, 'first');
      addNote(state, 'second');
      state.clock.resume();
    },
    empty: (state) => {
      state.tokens.set('nt-alice-secret', 'alice');
    },
  },
  routes,
  env: (url, state) => ({ NOTES_URL: url, NOTES_TOKEN: [...state.tokens.keys()][0] ?? '' }),
  token: (state) => [...state.tokens.keys()][0] ?? '',
  identify: (req, state) => {
    const auth = req.header('authorization');
    if (!auth) return 'anonymous';
    return state.tokens.get(auth.replace(/^Bearer /, '')) ?? 'invalid';
  },
  async around(req, ctx, next) {
    const auth = req.header('authorization');
    if (auth && !ctx.state.tokens.has(auth.replace(/^Bearer /, '')))
      return jsonResponse(401, { ok: false, error: 'invalid_auth' });
    return next();
  },
  notFound: () => jsonResponse(404, { ok: false, error: 'unknown_method' }),
  errorResponse: (status) => jsonResponse(status, { ok: false, error: status >= 500 ? 'internal_error' : 'fault' }),
  rateLimitResponse: (fault) =>
    jsonResponse(429, { ok: false, error: 'ratelimited', limit: fault.limit }, { 'retry-after': String(fault.retryAfter) }),
  badBodyResponse: () => jsonResponse(400, { ok: false, error: 'invalid_json' }),
});

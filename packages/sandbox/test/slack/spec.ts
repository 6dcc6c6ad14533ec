/**
 * Fidelity checks against Slack's own API description: `specs/slack-web-openapi-v2.json`
 * (slackapi/slack-api-specs, OpenAPI 2.0, the October 2020 revision). Every exchange a test makes
 * is recorded through `sandbox.tap` and checked:
 *
 * - the method is in the description;
 * - a call Slack answered `ok: true` sent only parameters the method declares, of the declared
 *   types, with the required ones present and a credential;
 * - the body matches the method's success schema (`ok: true`) or its error schema (`ok: false`),
 *   a 429 is Slack's `ratelimited` answer with a whole-second `Retry-After`;
 * - every answer is JSON with `x-slack-req-id`, and an authenticated one carries
 *   `x-oauth-scopes` and `x-accepted-oauth-scopes`.
 *
 * Swagger 2.0 is not quite JSON Schema: the description writes "one of these" as an `items`
 * array on a non-array (`objs_conversation`, `objs_user`, `bot_id`…), which a JSON Schema
 * validator would silently ignore; those become `anyOf`, so the alternatives are really checked.
 *
 * Where the 2020 description lags today's API the schema is adjusted by an entry of SPEC_LAGS,
 * each with the reason; `spec.test.ts` checks every entry still changes something, so an entry
 * that a newer description makes unnecessary is noticed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Exchange } from '../../src/index.js';

type Json = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'query' | 'formData' | 'header';
  type?: string;
  required?: boolean;
}

interface Operation {
  operationId: string;
  consumes?: string[];
  parameters?: Parameter[];
  security?: { slackAuth: string[] }[];
  responses: Record<string, { schema: Json }>;
}

export interface SpecDocument {
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, Json>;
}

export const SPEC_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../specs/slack-web-openapi-v2.json');

/** Rewrites "one of" written as an `items` array on a non-array into `anyOf`, in place, everywhere. */
export function unionsToAnyOf(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) unionsToAnyOf(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Json;
  for (const value of Object.values(o)) unionsToAnyOf(value);
  if (Array.isArray(o['items']) && o['type'] !== 'array') {
    o['anyOf'] = o['items'];
    delete o['items'];
    if (o['type'] === 'object') delete o['type'];
  }
}

/**
 * The errors Slack's documentation lists for every Web API method ("common errors"). The 2020
 * description repeats only some of them per method.
 */
export const COMMON_ERRORS = [
  'access_denied',
  'accesslimited',
  'account_inactive',
  'deprecated_endpoint',
  'ekm_access_denied',
  'enterprise_is_restricted',
  'fatal_error',
  'internal_error',
  'invalid_arg_name',
  'invalid_arguments',
  'invalid_array_arg',
  'invalid_auth',
  'invalid_charset',
  'invalid_form_data',
  'invalid_json',
  'invalid_post_type',
  'is_bot',
  'json_not_object',
  'method_deprecated',
  'missing_post_type',
  'missing_scope',
  'no_permission',
  'not_allowed_token_type',
  'not_authed',
  'org_login_required',
  'ratelimited',
  'request_timeout',
  'service_unavailable',
  'team_access_not_granted',
  'team_added_to_org',
  'token_expired',
  'token_revoked',
  'two_factor_setup_required',
];

export interface SpecLag {
  /** Where: a method (`conversations.history`) or a definition (`#objs_message`). */
  where: string;
  why: string;
  /** Changes the description in place; returns false when there was nothing to change (the lag is gone). */
  apply(doc: SpecDocument): boolean;
}

function operationOf(doc: SpecDocument, method: string): Operation {
  const op = Object.values(doc.paths[`/${method}`] ?? {})[0];
  if (!op) throw new Error(`no ${method} in the description`);
  return op;
}

function success(doc: SpecDocument, method: string): Json {
  return operationOf(doc, method).responses['200']!.schema;
}

function errorSchema(doc: SpecDocument, method: string): Json {
  return operationOf(doc, method).responses['default']!.schema;
}

function props(schema: Json): Json {
  return schema['properties'] as Json;
}

/** Adds error codes to a method's error enum; false when all were there already. */
function addErrors(doc: SpecDocument, method: string, codes: string[]): boolean {
  const error = props(errorSchema(doc, method))['error'] as Json | undefined;
  if (!error || !Array.isArray(error['enum'])) return false;
  const known = error['enum'] as string[];
  const missing = codes.filter((c) => !known.includes(c));
  known.push(...missing);
  return missing.length > 0;
}

const messageRef = { $ref: '#/definitions/objs_message' };
const nextCursor = {
  type: 'object',
  additionalProperties: false,
  required: ['next_cursor'],
  properties: { next_cursor: { type: 'string' } },
};

/** Where the 2020 description lags the API as Slack serves it today (and as the emulator serves it). */
export const SPEC_LAGS: SpecLag[] = [
  {
    where: 'every method',
    why: 'Slack documents a set of common errors (missing_scope with needed/provided, ratelimited, token_revoked, not_allowed_token_type, …) for every method; the description lists them for some methods only, and declares needed/provided on a few error schemas.',
    apply: (doc) => {
      let changed = false;
      for (const pathItem of Object.values(doc.paths))
        for (const op of Object.values(pathItem)) {
          const schema = op.responses['default']?.schema;
          const error = schema && (props(schema)?.['error'] as Json | undefined);
          if (!schema || !error || !Array.isArray(error['enum'])) continue;
          const known = error['enum'] as string[];
          const missing = COMMON_ERRORS.filter((code) => !known.includes(code));
          known.push(...missing);
          const p = props(schema);
          if (missing.length > 0 || !p['needed'] || !p['provided']) changed = true;
          p['needed'] ??= { type: 'string' };
          p['provided'] ??= { type: 'string' };
        }
      return changed;
    },
  },
  {
    where: '#objs_message',
    why: 'An edited message carries `edited: {user, ts}` and a message an app posted carries `app_id`; the message object in the description has neither.',
    apply: (doc) => {
      const p = props(doc.definitions['objs_message']!);
      if (p['edited'] && p['app_id']) return false;
      p['edited'] = {
        type: 'object',
        additionalProperties: false,
        required: ['user', 'ts'],
        properties: { user: { $ref: '#/definitions/defs_user_id' }, ts: { $ref: '#/definitions/defs_ts' } },
      };
      p['app_id'] = { $ref: '#/definitions/defs_app_id' };
      return true;
    },
  },
  {
    where: 'conversations.history',
    why: 'The success schema has no `response_metadata` although its own example pages with `next_cursor`, and requires at least one message where an empty channel or time window gives `messages: []`. Slack also answers `not_in_channel` (a bot reading a public channel it has not joined) and `invalid_cursor`.',
    apply: (doc) => {
      const s = success(doc, 'conversations.history');
      const messages = props(s)['messages'] as Json;
      const changed = !props(s)['response_metadata'] || messages['minItems'] !== undefined;
      props(s)['response_metadata'] = nextCursor;
      delete messages['minItems'];
      return addErrors(doc, 'conversations.history', ['not_in_channel', 'invalid_cursor']) || changed;
    },
  },
  {
    where: 'conversations.replies',
    why: 'The parent and reply shapes omit what any message may carry (reactions, files, edits, bot fields, blocks, subtype), there is no `response_metadata` for paging, and a message without replies (returned alone) matches neither shape. Slack also answers `not_in_channel`, `invalid_cursor` and `invalid_ts_latest`/`invalid_ts_oldest` here as for history.',
    apply: (doc) => {
      const s = success(doc, 'conversations.replies');
      if (props(s)['response_metadata']) return false;
      const items = (props(s)['messages'] as Json)['items'] as Json;
      const shapes = (items['anyOf'] ?? items['items']) as Json[];
      const message = props(doc.definitions['objs_message']!);
      for (const shape of shapes) {
        const p = props(shape);
        for (const [key, value] of Object.entries(message)) if (!(key in p)) p[key] = value;
      }
      items['anyOf'] = [...shapes, messageRef];
      delete items['items'];
      props(s)['has_more'] ??= { type: 'boolean' };
      props(s)['response_metadata'] = nextCursor;
      addErrors(doc, 'conversations.replies', ['not_in_channel', 'invalid_cursor', 'invalid_ts_latest', 'invalid_ts_oldest']);
      return true;
    },
  },
  {
    where: 'conversations.list',
    why: 'Slack answers `invalid_cursor`, `invalid_limit` and `invalid_types` for bad paging or type arguments; the error enum lacks them.',
    apply: (doc) => addErrors(doc, 'conversations.list', ['invalid_cursor', 'invalid_limit', 'invalid_types']),
  },
  {
    where: 'chat.postMessage',
    why: 'Today Slack answers `invalid_blocks`/`invalid_attachments` for malformed JSON arguments, `invalid_thread_ts`, and checks the granular `chat:write` scope (the description names the legacy `chat:write:bot`/`chat:write:user`).',
    apply: (doc) => addErrors(doc, 'chat.postMessage', ['invalid_blocks', 'invalid_attachments', 'invalid_thread_ts']),
  },
  {
    where: 'chat.update',
    why: 'The success schema types `message.blocks` as an object where Slack sends an array of blocks; Slack also answers `is_archived`, `invalid_blocks` and `invalid_attachments`.',
    apply: (doc) => {
      const message = props(success(doc, 'chat.update'))['message'] as Json;
      const changed = (props(message)['blocks'] as Json)['type'] === 'object';
      props(message)['blocks'] = { $ref: '#/definitions/blocks' };
      return addErrors(doc, 'chat.update', ['is_archived', 'invalid_blocks', 'invalid_attachments']) || changed;
    },
  },
  {
    where: 'chat.scheduleMessage',
    why: 'The success schema requires `message.bot_id`, which a message scheduled with a user token does not have; Slack also answers `invalid_blocks`/`invalid_attachments`.',
    apply: (doc) => {
      const message = props(success(doc, 'chat.scheduleMessage'))['message'] as Json;
      const required = message['required'] as string[];
      message['required'] = required.filter((r) => r !== 'bot_id');
      return addErrors(doc, 'chat.scheduleMessage', ['invalid_blocks', 'invalid_attachments']) || required.includes('bot_id');
    },
  },
  {
    where: 'chat.scheduledMessages.list',
    why: '`channel_id` is typed as a public-channel ID (C…), but a message can be scheduled into a DM (D…); paging answers `invalid_cursor`.',
    apply: (doc) => {
      const item = (props(success(doc, 'chat.scheduledMessages.list'))['scheduled_messages'] as Json)['items'] as Json;
      const changed = (props(item)['channel_id'] as Json)['$ref'] !== '#/definitions/defs_channel';
      props(item)['channel_id'] = { $ref: '#/definitions/defs_channel' };
      return addErrors(doc, 'chat.scheduledMessages.list', ['invalid_cursor']) || changed;
    },
  },
  {
    where: 'reactions.add, reactions.remove, reactions.get',
    why: 'Slack answers `channel_not_found` and `not_in_channel` for a conversation the caller cannot see or has not joined, and `is_archived` when adding to an archived channel; the error enums lack them.',
    apply: (doc) =>
      [
        addErrors(doc, 'reactions.add', ['channel_not_found', 'not_in_channel', 'is_archived']),
        addErrors(doc, 'reactions.remove', ['channel_not_found', 'not_in_channel']),
        addErrors(doc, 'reactions.get', ['channel_not_found', 'not_in_channel']),
      ].some(Boolean),
  },
  {
    where: 'team.info',
    why: 'Asking for another workspace answers `team_not_found`.',
    apply: (doc) => addErrors(doc, 'team.info', ['team_not_found']),
  },
  {
    where: 'search.messages',
    why: "The description has only the default `{ok}` template for search.messages. This schema is written from Slack's method documentation (query echo; messages with total, pagination, paging and matches), so the emulator's search answers are checked rather than accepted whole.",
    apply: (doc) => {
      const op = operationOf(doc, 'search.messages');
      if (op.responses['200']!.schema['title'] !== 'Default success template') return false;
      const channel = {
        type: 'object',
        required: ['id', 'is_channel', 'is_im', 'is_mpim', 'is_private', 'name'],
        properties: {
          id: { $ref: '#/definitions/defs_channel' },
          name: { type: 'string' },
          is_channel: { type: 'boolean' },
          is_group: { type: 'boolean' },
          is_im: { type: 'boolean' },
          is_mpim: { type: 'boolean' },
          is_private: { type: 'boolean' },
          is_shared: { type: 'boolean' },
          is_org_shared: { type: 'boolean' },
          is_ext_shared: { type: 'boolean' },
          is_pending_ext_shared: { type: 'boolean' },
          pending_shared: { type: 'array' },
        },
      };
      const match = {
        type: 'object',
        additionalProperties: false,
        required: ['iid', 'team', 'channel', 'type', 'user', 'username', 'ts', 'text', 'permalink'],
        properties: {
          iid: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
          team: { $ref: '#/definitions/defs_team' },
          channel,
          type: { enum: ['message'] },
          user: { $ref: '#/definitions/defs_user_id' },
          username: { type: 'string' },
          ts: { $ref: '#/definitions/defs_ts' },
          text: { type: 'string' },
          permalink: { type: 'string', format: 'uri' },
          blocks: { $ref: '#/definitions/blocks' },
        },
      };
      op.responses['200']!.schema = {
        type: 'object',
        additionalProperties: false,
        required: ['ok', 'query', 'messages'],
        properties: {
          ok: { $ref: '#/definitions/defs_ok_true' },
          query: { type: 'string' },
          messages: {
            type: 'object',
            additionalProperties: false,
            required: ['total', 'pagination', 'paging', 'matches'],
            properties: {
              total: { type: 'integer', minimum: 0 },
              pagination: {
                type: 'object',
                additionalProperties: false,
                required: ['total_count', 'page', 'per_page', 'page_count', 'first', 'last'],
                properties: Object.fromEntries(
                  ['total_count', 'page', 'per_page', 'page_count', 'first', 'last'].map((k) => [
                    k,
                    { type: 'integer', minimum: 0 },
                  ]),
                ),
              },
              paging: { $ref: '#/definitions/objs_paging' },
              matches: { type: 'array', items: match },
            },
          },
        },
      };
      op.responses['default']!.schema = {
        type: 'object',
        additionalProperties: false,
        required: ['ok', 'error'],
        properties: {
          ok: { $ref: '#/definitions/defs_ok_false' },
          error: { enum: [...COMMON_ERRORS, 'no_query'] },
          needed: { type: 'string' },
          provided: { type: 'string' },
        },
      };
      return true;
    },
  },
];

/**
 * Request parameters today's Slack takes that the 2020 description does not declare. Only these
 * may appear beside the declared ones.
 */
export const UNDECLARED_PARAMETERS: Record<string, { names: string[]; why: string }> = {
  '*': {
    names: ['team_id'],
    why: 'Org-wide apps name the workspace with team_id; @slack/web-api sends it when configured with teamId.',
  },
  'conversations.history': { names: ['include_all_metadata'], why: 'Message metadata arrived in 2022.' },
  'conversations.replies': { names: ['include_all_metadata'], why: 'Message metadata arrived in 2022.' },
  'chat.scheduledMessages.list': { names: ['team_id'], why: 'See *.' },
};

/** Parameters whose JSON-body form is structured (an array of blocks) where the form encoding is a JSON string. */
const JSON_VALUED = new Set(['blocks', 'attachments', 'metadata']);

/** Credential-failure codes: answered before the token's scopes are known, so without scope headers. */
const UNAUTHENTICATED = new Set([
  'not_authed',
  'invalid_auth',
  'token_revoked',
  'account_inactive',
  'invalid_json',
  'json_not_object',
  'invalid_form_data',
  'invalid_post_type',
]);

export class SlackSpec {
  readonly doc: SpecDocument;
  readonly #ajv: Ajv;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(options: { lags?: boolean } = {}) {
    this.doc = JSON.parse(readFileSync(SPEC_FILE, 'utf8'));
    unionsToAnyOf(this.doc.paths);
    unionsToAnyOf(this.doc.definitions);
    if (options.lags !== false) for (const lag of SPEC_LAGS) lag.apply(this.doc);
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema({ $id: 'slack', definitions: this.doc.definitions }, 'slack');
  }

  operation(method: string): Operation | undefined {
    return Object.values(this.doc.paths[`/${method}`] ?? {})[0];
  }

  #validator(key: string, schema: Json): ValidateFunction {
    let v = this.#compiled.get(key);
    if (!v) {
      const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/definitions/', '"slack#/definitions/'));
      v = this.#ajv.compile(rewritten);
      this.#compiled.set(key, v);
    }
    return v;
  }

  /** Problems validating `value` against `schema` (empty = valid). */
  check(key: string, schema: Json, value: unknown, where: string): string[] {
    const v = this.#validator(key, schema);
    if (v(value)) return [];
    return (v.errors ?? []).slice(0, 6).map((e) => `${where}${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  }

  /** Everything wrong with one exchange, as readable lines (empty = faithful to the description). */
  problems(x: Exchange): string[] {
    if (!x.route || x.faults.includes('malformed')) return [];
    const method = x.route.operation ?? '';
    const label = `${x.request.method} ${method} → ${x.response.status}`;
    const op = this.operation(method);
    if (!op) return [`${label}: no such method in the API description`];
    const out: string[] = [];
    const headers = Object.fromEntries(Object.entries(x.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    if (!headers['x-slack-req-id']) out.push(`${label}: no x-slack-req-id`);
    if (!String(headers['content-type']).startsWith('application/json'))
      out.push(`${label}: content-type ${headers['content-type']}`);
    let body: Json;
    try {
      body = JSON.parse(x.response.body.toString('utf8'));
    } catch {
      return [...out, `${label}: body is not JSON`];
    }
    if (x.response.status === 429) {
      if (!/^[1-9]\d*$/.test(headers['retry-after'] ?? '')) out.push(`${label}: Retry-After is ${headers['retry-after']}`);
      if (body['error'] !== 'ratelimited')
        out.push(`${label}: a 429 says ${JSON.stringify(body['error'])}, Slack says ratelimited`);
    } else if (x.response.status !== 200 && !x.faults.includes('error'))
      out.push(`${label}: Slack answers methods with 200 (or 429), not ${x.response.status}`);
    if (body['ok'] !== false || !UNAUTHENTICATED.has(String(body['error'])))
      for (const h of ['x-oauth-scopes', 'x-accepted-oauth-scopes'])
        if (headers[h] === undefined && !x.faults.length) out.push(`${label}: header ${h} missing`);
    if (body['ok'] === true) out.push(...this.#requestProblems(x, op, method).map((p) => `${label}: request ${p}`));
    const schema = body['ok'] === true ? op.responses['200']!.schema : op.responses['default']!.schema;
    out.push(...this.check(`${method}:${body['ok']}`, schema, body, `${label}: body`));
    return out;
  }

  #requestProblems(x: Exchange, op: Operation, method: string): string[] {
    const out: string[] = [];
    const args = new Map<string, unknown>();
    for (const [k, v] of x.request.query) args.set(k, v);
    const type = String(x.request.headers['content-type'] ?? '');
    const raw = x.request.body.toString('utf8');
    let json = false;
    if (x.request.method === 'POST' && raw !== '') {
      if (type.startsWith('application/json')) {
        json = true;
        if (!op.consumes?.includes('application/json')) out.push(`${method} does not take JSON bodies`);
        for (const [k, v] of Object.entries(JSON.parse(raw) as Json)) args.set(k, v);
      } else if (type.startsWith('multipart/form-data')) {
        const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1] ?? '';
        for (const part of raw.split(`--${boundary}`)) {
          const name = /name="([^"]*)"/.exec(part)?.[1];
          const split = part.indexOf('\r\n\r\n');
          if (name !== undefined && split >= 0) args.set(name, part.slice(split + 4).replace(/\r\n$/, ''));
        }
      } else if (type.startsWith('application/x-www-form-urlencoded') || type === '')
        for (const [k, v] of new URLSearchParams(raw)) args.set(k, v);
    }
    const params = op.parameters ?? [];
    const declared = new Map(params.map((p) => [p.name, p]));
    const extra = [...(UNDECLARED_PARAMETERS['*']?.names ?? []), ...(UNDECLARED_PARAMETERS[method]?.names ?? [])];
    const authorization = x.request.headers['authorization'];
    if (!authorization && !args.has('token')) out.push('has no credential (Authorization header or token)');
    for (const p of params)
      if (p.required && p.name !== 'token' && !args.has(p.name)) out.push(`parameter ${p.name} is required`);
    for (const [name, value] of args) {
      const p = declared.get(name);
      if (!p) {
        if (!extra.includes(name)) out.push(`parameter ${name} is not declared for ${method}`);
        continue;
      }
      if (json && JSON_VALUED.has(name) && typeof value === 'object') continue;
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const ok =
        p.type === 'integer'
          ? /^-?\d+$/.test(text)
          : p.type === 'number'
            ? /^-?\d+(\.\d+)?$/.test(text)
            : p.type === 'boolean'
              ? /^(true|false|1|0)$/i.test(text)
              : true;
      if (!ok) out.push(`parameter ${name}=${text} is not of type ${p.type}`);
    }
    return out;
  }
}

/** Records exchanges from a sandbox and checks them; counts, per method, validated successes and errors. */
export class SpecRecorder {
  readonly exchanges: Exchange[] = [];
  #checked = 0;
  /** Per method: `ok` and error codes seen in faithful exchanges. */
  readonly coverage = new Map<string, { ok: number; errors: Set<string> }>();

  constructor(readonly spec: SlackSpec) {}

  readonly listener = (x: Exchange) => {
    this.exchanges.push(x);
  };

  /** Problems in the exchanges since the last call; records coverage of the faithful ones. */
  drain(): string[] {
    const out: string[] = [];
    for (const x of this.exchanges.slice(this.#checked)) {
      const problems = this.spec.problems(x);
      out.push(...problems);
      if (problems.length > 0 || !x.route?.operation || x.faults.length > 0) continue;
      const method = x.route.operation;
      if (!this.coverage.has(method)) this.coverage.set(method, { ok: 0, errors: new Set() });
      const body = JSON.parse(x.response.body.toString('utf8')) as Json;
      const entry = this.coverage.get(method)!;
      if (body['ok'] === true) entry.ok++;
      else entry.errors.add(String(body['error']));
    }
    this.#checked = this.exchanges.length;
    return out;
  }
}

/** Methods served without a validated success, or without a validated method-specific error. */
export function uncovered(methods: readonly string[], coverage: SpecRecorder['coverage']): string[] {
  const generic = new Set(['not_authed', 'invalid_auth', 'ratelimited']);
  const missing: string[] = [];
  for (const method of methods) {
    const seen = coverage.get(method);
    if (!seen || seen.ok === 0) missing.push(`${method}: no validated success`);
    if (!seen || ![...seen.errors].some((e) => !generic.has(e))) missing.push(`${method}: no validated error of its own`);
  }
  return missing;
}

let shared: SlackSpec | undefined;
/** The description, parsed once per test file. */
export function slackSpec(): SlackSpec {
  shared ??= new SlackSpec();
  return shared;
}

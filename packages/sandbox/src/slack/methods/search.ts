/**
 * `search.messages`, for user tokens only (a bot token gets `not_allowed_token_type`), over what
 * the user can see: every public channel, and the private channels, DMs and group DMs they are in.
 *
 * Query syntax as Slack's search box takes it: words (all must match; `deploy*` matches a prefix),
 * `"quoted phrases"`, `-excluded` words, `in:#channel` / `in:<#C…|name>` / `in:@user` (the DM with
 * them), `from:@user` / `from:<@U…>` / `from:me`, `before:`/`after:`/`on:`/`during:` with
 * `YYYY-MM-DD` (or `YYYY-MM`, `today`, `yesterday`, in the user's time zone), `has:link`,
 * `has:reaction`, `has::emoji:`, `is:thread`. An unknown `key:value` is searched as a word.
 * Paged by `count` (≤ 100) and `page` (≤ 100); `sort` score|timestamp, `sort_dir` desc|asc;
 * `highlight` wraps matched words in U+E000 … U+E001 as Slack does.
 */
import { createHash } from 'node:crypto';
import type { Conversation, Message, SlackState } from '../state.js';
import { type Call, defineMethod } from '../wire.js';

interface ParsedQuery {
  words: string[];
  phrases: string[];
  excluded: string[];
  /** Conversation IDs (any of); an empty set means `in:` named nothing the user can see. */
  within?: Set<string>;
  from?: Set<string>;
  /** Half-open microsecond range [after, before). */
  after?: number;
  before?: number;
  hasLink: boolean;
  hasReaction: boolean;
  emoji: string[];
  isThread: boolean;
}

/** mrkdwn as a reader sees it: mentions as @names, channel links as #names, links as their labels. */
export function plainText(state: SlackState, text: string): string {
  return text.replace(/<([^>|]+)(?:\|([^>]*))?>/g, (_whole, target: string, label?: string) => {
    if (target.startsWith('@')) return `@${state.users.get(target.slice(1))?.name ?? target.slice(1)}`;
    if (target.startsWith('#')) return `#${label ?? state.conversations.get(target.slice(1))?.name ?? target.slice(1)}`;
    if (target.startsWith('!')) return `@${target.slice(1).split('^')[0]}`;
    return label ? `${label} ${target}` : target;
  });
}

function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}_']+/u)
    .filter(Boolean);
}

/** Midnight UTC of a day as microseconds, shifted into the user's zone. */
function dayStart(date: string, tzOffset: number): number | undefined {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : (ms - tzOffset * 1000) * 1000;
}

const DAY_US = 86_400_000_000;

function dayRange(value: string, tzOffset: number): [number, number] | undefined {
  const today = new Date(Date.now() + tzOffset * 1000).toISOString().slice(0, 10);
  if (value === 'today') value = today;
  if (value === 'yesterday') value = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = dayStart(value, tzOffset);
    return start === undefined ? undefined : [start, start + DAY_US];
  }
  if (/^\d{4}-\d{2}$/.test(value)) {
    const start = dayStart(`${value}-01`, tzOffset);
    const [y, m] = value.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    const end = dayStart(`${next}-01`, tzOffset);
    return start === undefined || end === undefined ? undefined : [start, end];
  }
  return undefined;
}

function userRef(state: SlackState, call: Call, value: string): string | undefined {
  if (value === 'me') return call.caller.id;
  const mention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(value)?.[1];
  if (mention) return mention;
  if (/^[UW][A-Z0-9]{2,}$/.test(value) && state.users.get(value)) return value;
  return state.users.byName(value.replace(/^@/, ''))?.id;
}

function conversationRef(state: SlackState, call: Call, value: string): string | undefined {
  const link = /^<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(value)?.[1];
  if (link) return link;
  if (/^[CGD][A-Z0-9]{2,}$/.test(value)) return value;
  if (value.startsWith('@') || value.startsWith('<@')) {
    const user = userRef(state, call, value);
    return user ? state.findDm(call.caller.id, user)?.id : undefined;
  }
  return state.channelByName(value.replace(/^#/, ''))?.id;
}

export function parseQuery(call: Call, query: string): ParsedQuery {
  const { state } = call;
  const parsed: ParsedQuery = {
    words: [],
    phrases: [],
    excluded: [],
    hasLink: false,
    hasReaction: false,
    emoji: [],
    isThread: false,
  };
  const tz = call.caller.tzOffset;
  const narrow = (key: 'after' | 'before', value: number) => {
    parsed[key] =
      parsed[key] === undefined ? value : key === 'after' ? Math.max(parsed[key]!, value) : Math.min(parsed[key]!, value);
  };
  for (const token of query.match(/-?"[^"]*"|\S+/g) ?? []) {
    if (token.startsWith('"') || token.startsWith('-"')) {
      const phrase = token
        .replace(/^-?"|"$/g, '')
        .toLowerCase()
        .trim();
      if (phrase) (token.startsWith('-') ? parsed.excluded : parsed.phrases).push(phrase);
      continue;
    }
    const modifier = /^([a-z]+):(.+)$/i.exec(token);
    const key = modifier?.[1]?.toLowerCase();
    const value = modifier?.[2] ?? '';
    if (key === 'in') {
      parsed.within ??= new Set();
      const id = conversationRef(state, call, value);
      if (id) parsed.within.add(id);
    } else if (key === 'from') {
      parsed.from ??= new Set();
      parsed.from.add(userRef(state, call, value) ?? `unknown:${value}`);
    } else if (key === 'before' || key === 'after' || key === 'on' || key === 'during') {
      const range = dayRange(value.toLowerCase(), tz);
      if (!range) parsed.words.push(...wordsOf(token));
      else if (key === 'before') narrow('before', range[0]);
      else if (key === 'after') narrow('after', range[1]);
      else {
        narrow('after', range[0]);
        narrow('before', range[1]);
      }
    } else if (key === 'has' && value === 'link') parsed.hasLink = true;
    else if (key === 'has' && value === 'reaction') parsed.hasReaction = true;
    else if (key === 'has' && /^:[a-z0-9_+'-]+:$/.test(value)) parsed.emoji.push(value.slice(1, -1));
    else if (key === 'is' && value === 'thread') parsed.isThread = true;
    else if (token.startsWith('-') && token.length > 1) parsed.excluded.push(...wordsOf(token.slice(1)));
    else if (token.endsWith('*') && token.length > 1) parsed.words.push(`${wordsOf(token.slice(0, -1)).join(' ')}*`);
    else parsed.words.push(...wordsOf(token));
  }
  return parsed;
}

/** How well a message matches (0 = not at all). */
function score(state: SlackState, q: ParsedQuery, m: Message, conversation: Conversation): number {
  if (q.within && !q.within.has(conversation.id)) return 0;
  if (q.from && !q.from.has(m.user)) return 0;
  if (q.after !== undefined && m.micros < q.after) return 0;
  if (q.before !== undefined && m.micros >= q.before) return 0;
  if (q.hasLink && !/<https?:\/\//.test(m.text)) return 0;
  if (q.hasReaction && m.reactions.length === 0) return 0;
  if (q.emoji.some((e) => !m.reactions.some((r) => r.name === e))) return 0;
  if (q.isThread && m.threadTs === undefined) return 0;
  const plain = plainText(state, m.text).toLowerCase();
  const words = wordsOf(plain);
  let hits = 0;
  for (const word of q.words) {
    const prefix = word.endsWith('*') ? word.slice(0, -1) : undefined;
    const n = words.filter((w) => (prefix !== undefined ? w.startsWith(prefix) : w === word)).length;
    if (n === 0) return 0;
    hits += n;
  }
  for (const phrase of q.phrases) {
    if (!plain.includes(phrase)) return 0;
    hits += 2;
  }
  if (q.excluded.some((e) => (e.includes(' ') ? plain.includes(e) : words.includes(e)))) return 0;
  return hits + 1;
}

/** Wraps the query's words in Slack's highlight markers, outside `<…>` markup. */
function highlight(text: string, q: ParsedQuery): string {
  const terms = q.words.map((w) => (w.endsWith('*') ? `${escapeRegExp(w.slice(0, -1))}\\w*` : escapeRegExp(w)));
  if (terms.length === 0) return text;
  const pattern = new RegExp(`\\b(${terms.join('|')})\\b`, 'gi');
  return text
    .split(/(<[^>]*>)/)
    .map((part) => (part.startsWith('<') ? part : part.replace(pattern, '\ue000$1\ue001')))
    .join('');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function channelSummary(state: SlackState, c: Conversation, viewer: string): Record<string, unknown> {
  return {
    id: c.id,
    is_channel: c.kind === 'public' || c.kind === 'private',
    is_group: false,
    is_im: c.kind === 'im',
    is_mpim: c.kind === 'mpim',
    is_shared: false,
    is_org_shared: false,
    is_ext_shared: false,
    is_private: c.kind !== 'public',
    name: c.kind === 'im' ? state.dmPeer(c, viewer) : c.name,
    pending_shared: [],
    is_pending_ext_shared: false,
  };
}

export const searchMessages = defineMethod({
  name: 'search.messages',
  tier: 2,
  json: false,
  accepted: ['search:read'],
  handler: (call: Call) => {
    if (call.isBot) call.fail('not_allowed_token_type');
    call.needScopes('search:read');
    const query = call.string('query');
    if (query === undefined || query.trim() === '') call.fail('no_query');
    const { state } = call;
    const parsed = parseQuery(call, query);
    const found: { m: Message; c: Conversation; score: number }[] = [];
    for (const id of state.conversationOrder) {
      const c = state.conversations.get(id)!;
      if (!call.canSee(c)) continue;
      if (parsed.within && !parsed.within.has(c.id)) continue;
      const visit = (m: Message) => {
        if (m.deleted || m.subtype === 'channel_join') return;
        const s = score(state, parsed, m, c);
        if (s > 0) found.push({ m, c, score: s });
      };
      for (const m of c.timeline) {
        if (!m.broadcast) visit(m);
        for (const reply of m.replies) visit(reply);
      }
    }
    const byTime = call.string('sort') === 'timestamp';
    const ascending = call.string('sort_dir') === 'asc';
    found.sort((a, b) => {
      const order = (byTime ? 0 : a.score - b.score) || a.m.micros - b.m.micros;
      return ascending ? order : -order;
    });
    const countArg = call.integer('count');
    const pageArg = call.integer('page');
    const count = typeof countArg === 'number' && countArg > 0 ? Math.min(countArg, 100) : 20;
    const page = typeof pageArg === 'number' && pageArg > 0 ? Math.min(pageArg, 100) : 1;
    const total = found.length;
    const pages = Math.max(1, Math.ceil(total / count));
    const slice = found.slice((page - 1) * count, page * count);
    const marked = call.flag('highlight');
    return {
      query,
      messages: {
        total,
        pagination: {
          total_count: total,
          page,
          per_page: count,
          page_count: pages,
          first: Math.min(total, (page - 1) * count + 1),
          last: Math.min(total, page * count),
        },
        paging: { count, total, page, pages },
        matches: slice.map(({ m, c }) => ({
          iid: iid(c.id, m.ts),
          team: state.team.id,
          channel: channelSummary(state, c, call.caller.id),
          type: 'message',
          user: m.user,
          username: state.users.get(m.user)?.name ?? '',
          ts: m.ts,
          text: marked ? highlight(m.text, parsed) : m.text,
          permalink: state.permalink(m),
          ...(m.blocks ? { blocks: m.blocks } : {}),
        })),
      },
    };
  },
});

/** A stable id for a search match, shaped like Slack's (a UUID). */
function iid(channel: string, ts: string): string {
  const h = createHash('sha1').update(`${channel}:${ts}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export const searchMethods = [searchMessages];

import { type Lazy, type Logger, lazy, RateLimitGates, serviceFetch, ToolError } from '@patchbay/kit';
import type { WebClient } from '@slack/web-api';
import { resolveApiUrl } from './api-url.js';
import type { SlackOptionValues } from './config.js';
import { Directory } from './directory.js';
import { slackProfile } from './errors.js';

export type { WebClient };

export type TokenKind = 'bot' | 'user';

/** Who a token is, read once with `auth.test` on first use (never at start-up). */
export interface Identity {
  kind: TokenKind;
  userId: string;
  /** The handle (`ada`, `patchbay`). */
  user: string;
  teamId: string;
  team: string;
  /** The workspace's address (`https://acme.slack.com/`). */
  url: string;
  botId?: string;
  /**
   * The token's scopes from `x-oauth-scopes`; undefined when the answer did not carry them (a
   * proxy that strips headers): then nothing is refused up front and Slack's own answer decides.
   */
  scopes: ReadonlySet<string> | undefined;
}

/** One token: its client and, once asked, who it is. */
export interface Session {
  kind: TokenKind;
  /** The variable the token came from, for messages. */
  variable: 'SLACK_BOT_TOKEN' | 'SLACK_USER_TOKEN';
  web: WebClient;
  identity(): Promise<Identity>;
}

/** The connector's long-lived services: clients made on the first call, the name caches. */
export interface SlackServices {
  options: SlackOptionValues;
  log: Logger;
  /** The token that reads: the user token when set (it sees what the person sees), else the bot's. */
  reader(): Promise<Session>;
  /** The token that writes: --post-as, else the bot token when set, else the user token. */
  writer(): Promise<Session>;
  /** Both tokens that are set, for deciding whose a message is. */
  sessions(): Promise<Session[]>;
  /** The user token, or a ToolError saying the tool needs one. */
  userSession(what: string): Promise<Session>;
  directory: Directory;
  dispose(): Promise<void>;
}

/**
 * Every Slack method is a POST, reads included; these are the reads, which `serviceFetch` may
 * repeat after a 5xx, a dropped connection or a 429. Writes are never repeated: a
 * `chat.postMessage` whose answer was lost may have posted already.
 */
const READ_METHODS = new Set([
  'auth.test',
  'bots.info',
  'chat.getPermalink',
  'chat.scheduledMessages.list',
  'conversations.history',
  'conversations.info',
  'conversations.list',
  'conversations.members',
  'conversations.replies',
  'reactions.get',
  'search.messages',
  'team.info',
  'users.conversations',
  'users.info',
  'users.list',
  'users.lookupByEmail',
  'users.profile.get',
]);

const methodOf = (url: URL) => url.pathname.slice(url.pathname.lastIndexOf('/') + 1);

export function createSlackServices(options: SlackOptionValues, log: Logger): SlackServices {
  const endpoint = resolveApiUrl(options.apiUrl);
  // The option's own validation refused a bad URL before this point.
  if ('problem' in endpoint) throw new Error(endpoint.problem);
  // One gate registry per server: Slack limits each method per app, so a 429 on users.list holds
  // further users.list calls (within the wait bound) and nothing else.
  const gates = new RateLimitGates();
  const waitMs = options.rateLimitWait * 1000;

  const session = (kind: TokenKind, token: string): Lazy<Session> =>
    lazy(async () => {
      const { WebClient } = await import('@slack/web-api');
      const fetch = serviceFetch({
        ...slackProfile,
        gates,
        maxWaitMs: waitMs,
        requestKind: (request) => (READ_METHODS.has(methodOf(request.url)) ? 'safe' : undefined),
        gateKey: (request, credential) => `${credential} ${methodOf(request.url)}`,
        // The URL carries the method name only; bodies (message text) are never logged.
        onRetry: (event) => log.warn('waiting for Slack', { ...event }),
      });
      const web = new WebClient(token, {
        slackApiUrl: endpoint.url,
        fetch,
        // One retry layer, serviceFetch's: WebClient's own would repeat a chat.postMessage after a
        // 5xx (its default is ten retries over about half an hour).
        retryConfig: { retries: 0 },
        // A 429 that serviceFetch could not wait out within the bound becomes an error with its
        // reset time, instead of WebClient sleeping on it unbounded.
        rejectRateLimitedCalls: true,
        // WebClient's debug lines hold request bodies (message text): only warnings and errors,
        // through the redacting logger.
        logger: slackLogger(log),
        // WebClient takes no per-call AbortSignal; this bounds a call, rate-limit waits included.
        timeout: waitMs + 30_000,
        allowAbsoluteUrls: false,
        ...(options.teamId ? { teamId: options.teamId } : {}),
      });
      let known: Promise<Identity> | undefined;
      const variable = kind === 'bot' ? 'SLACK_BOT_TOKEN' : 'SLACK_USER_TOKEN';
      return {
        kind,
        variable,
        web,
        identity() {
          known ??= readIdentity(web, kind, variable).catch((error: unknown) => {
            known = undefined; // a failure (network, rate limit) is not remembered
            throw error;
          });
          return known;
        },
      } satisfies Session;
    });

  const bot = options.botToken ? session('bot', options.botToken) : undefined;
  const user = options.userToken ? session('user', options.userToken) : undefined;
  const readerLazy = (user ?? bot) as Lazy<Session>;
  const writerLazy = (options.postAs === 'user' ? user : options.postAs === 'bot' ? bot : (bot ?? user)) as Lazy<Session>;

  const reader = () => readerLazy.get();
  const directory = new Directory(reader, { ttlMs: options.cacheTtl * 1000, maxEntries: options.cacheSize, log });
  return {
    options,
    log,
    reader,
    writer: () => writerLazy.get(),
    sessions: () => Promise.all([bot, user].filter((s): s is Lazy<Session> => s !== undefined).map((s) => s.get())),
    async userSession(what) {
      if (!user) {
        throw new ToolError(`${what} needs a user token, and this server has only a bot token (SLACK_BOT_TOKEN).`, {
          hint: 'Set SLACK_USER_TOKEN to a user token (xoxp-…) with the scope it names, from the same Slack app (OAuth & Permissions → User Token Scopes), and restart the server.',
        });
      }
      return user.get();
    },
    directory,
    async dispose() {
      directory.clear();
    },
  };
}

async function readIdentity(web: WebClient, expected: TokenKind, variable: string): Promise<Identity> {
  const answer = await web.auth.test();
  const kind: TokenKind = answer.bot_id ? 'bot' : 'user';
  if (kind !== expected) {
    throw new ToolError(
      `${variable} holds a ${kind} token, not a ${expected} token (auth.test says it belongs to ${kind === 'bot' ? 'a bot' : 'a person'}).`,
      { hint: `Put a ${expected} token (${expected === 'bot' ? 'xoxb-' : 'xoxp-'}…) in ${variable} and restart the server.` },
    );
  }
  const scopes = answer.response_metadata?.scopes;
  return {
    kind,
    userId: answer.user_id ?? '',
    user: answer.user ?? '',
    teamId: answer.team_id ?? '',
    team: answer.team ?? '',
    url: answer.url ?? '',
    ...(answer.bot_id ? { botId: answer.bot_id } : {}),
    scopes: scopes ? new Set(scopes) : undefined,
  };
}

/** WebClient's logger interface, onto the kit's (stderr, redacted); debug and info are dropped. */
function slackLogger(log: Logger) {
  const text = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : String(p))).join(' ');
  let level = 'warn';
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...parts: unknown[]) => log.warn(`Slack client: ${text(parts)}`),
    error: (...parts: unknown[]) => log.error(`Slack client: ${text(parts)}`),
    setLevel: (next: string) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  } as never;
}

/** Whether a token has a scope, as far as is known (unknown scopes never refuse up front). */
export function lacksScope(identity: Identity, ...anyOf: string[]): boolean {
  return identity.scopes !== undefined && !anyOf.some((scope) => identity.scopes?.has(scope));
}

/**
 * Refuse before calling Slack when the token lacks every scope that would serve the call, naming
 * what to add (and that a user token may have it).
 */
export async function requireScope(session: Session, what: string, ...anyOf: string[]): Promise<Identity> {
  const identity = await session.identity();
  if (lacksScope(identity, ...anyOf)) {
    const scopes = anyOf.join(' or ');
    const other = session.kind === 'bot' ? ', or set SLACK_USER_TOKEN to a user token that has it' : '';
    throw new ToolError(`${what} needs the Slack scope ${scopes}, which ${session.variable} does not have.`, {
      hint: `Add ${scopes} to the app (${session.kind === 'bot' ? 'Bot' : 'User'} Token Scopes under OAuth & Permissions at https://api.slack.com/apps), reinstall it and update ${session.variable}${other}.`,
    });
  }
  return identity;
}

/** Run `fn` over `items` with at most `limit` in flight, in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

import { type Identity, lacksScope, type Session, type SlackServices } from './client.js';
import { writesEnabled } from './config.js';

/**
 * What each token is and what its scopes leave out: `auth.test` (the connector's own identity
 * call, whose `x-oauth-scopes` the client reads) per token, against the scopes the tools ask for.
 * For the gateway's `patchbay doctor`, so it says what a tool would say on its first call.
 */

/** A capability of the connector and the scopes that give it (any one of them). */
export interface ScopeUse {
  what: string;
  anyOf: readonly string[];
  /** Only a user token can have it (search, unread state). */
  userOnly?: boolean;
  /** Only offered when writes are enabled (--allow-write, --write-channels). */
  write?: boolean;
}

/** The scopes the tools check for (requireScope / lacksScope), in words. */
export const SCOPE_USES: readonly ScopeUse[] = [
  { what: 'list and read public channels', anyOf: ['channels:read'] },
  { what: 'read public channel history', anyOf: ['channels:history'] },
  { what: 'list and read private channels', anyOf: ['groups:read'] },
  { what: 'read private channel history', anyOf: ['groups:history'] },
  { what: 'list and read DMs', anyOf: ['im:read'] },
  { what: 'list and read group DMs', anyOf: ['mpim:read'] },
  { what: 'list people and show names instead of IDs', anyOf: ['users:read'] },
  { what: 'find people by email', anyOf: ['users:read.email'] },
  { what: 'search messages', anyOf: ['search:read'], userOnly: true },
  {
    what: 'post, reply, edit, delete and schedule messages',
    anyOf: ['chat:write', 'chat:write:bot', 'chat:write:user'],
    write: true,
  },
  { what: 'add and remove reactions', anyOf: ['reactions:write'], write: true },
];

export interface TokenInfo {
  variable: Session['variable'];
  kind: Session['kind'];
  identity: Identity;
  /** The tool capabilities this token's scopes leave out (empty when Slack did not say which it has). */
  missing: ScopeUse[];
}

export type TokenResult = TokenInfo | { variable: Session['variable']; kind: Session['kind']; error: unknown };

/**
 * Each token that is set, asked of Slack with auth.test. A token Slack refuses is returned with its
 * error (map it with the connector's error table), so one bad token does not hide the other.
 */
export async function tokenInfo(services: SlackServices): Promise<TokenResult[]> {
  const sessions = await services.sessions();
  const writes = writesEnabled(services.options);
  const hasUser = sessions.some((s) => s.kind === 'user');
  const writer = writes ? await services.writer() : undefined;
  return Promise.all(
    sessions.map(async (session): Promise<TokenResult> => {
      try {
        const identity = await session.identity();
        const missing = SCOPE_USES.filter((use) => {
          if (use.write && session !== writer) return false;
          // Reads go through the user token when there is one; a bot token is then only the writer.
          if (!use.write && hasUser && session.kind === 'bot') return false;
          if (use.userOnly && session.kind !== 'user') return false;
          return lacksScope(identity, ...use.anyOf);
        });
        return { variable: session.variable, kind: session.kind, identity, missing };
      } catch (error) {
        return { variable: session.variable, kind: session.kind, error };
      }
    }),
  );
}

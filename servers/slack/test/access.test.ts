import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TokenInfo, tokenInfo } from '../src/access.js';
import { connect, type SlackSandbox, slackSandbox } from './helpers.js';

/**
 * tokenInfo, which the gateway's `patchbay doctor` reports: each token read with auth.test (the
 * connector's own identity call) against the scopes the tools check for.
 */
let sandbox: SlackSandbox;
beforeAll(async () => {
  sandbox = await slackSandbox();
});
afterAll(() => sandbox.close());

const missingOf = (info: TokenInfo) => info.missing.map((m) => m.anyOf.join(' or '));

describe('tokenInfo', () => {
  it("reads both of the demo app's tokens, and finds no scope missing for what each is used for", async () => {
    const { services, close } = await connect(sandbox);
    try {
      const tokens = (await tokenInfo(services)) as TokenInfo[];
      expect(tokens.map((t) => [t.variable, t.kind, t.identity.user, t.identity.team])).toEqual([
        ['SLACK_BOT_TOKEN', 'bot', 'patchbay', 'Patchbay Demo'],
        ['SLACK_USER_TOKEN', 'user', 'ada', 'Patchbay Demo'],
      ]);
      expect(tokens.every((t) => t.missing.length === 0)).toBe(true);
      expect(tokens[1]?.identity.scopes?.has('search:read')).toBe(true);
    } finally {
      await close();
    }
  });

  it('names what a narrow bot token cannot do; the write scopes count only when writes are offered', async () => {
    const narrow = sandbox.state.tokenNamed('narrow-bot');
    const env = { SLACK_BOT_TOKEN: narrow, SLACK_USER_TOKEN: '' };
    const reading = await connect(sandbox, [], { tokens: 'bot', env });
    try {
      const [bot] = (await tokenInfo(reading.services)) as TokenInfo[];
      expect(missingOf(bot!)).toEqual([
        'channels:read',
        'channels:history',
        'groups:read',
        'groups:history',
        'im:read',
        'mpim:read',
        'users:read',
        'users:read.email',
      ]);
    } finally {
      await reading.close();
    }
    const writing = await connect(sandbox, ['--allow-write'], { tokens: 'bot', env });
    try {
      const [bot] = (await tokenInfo(writing.services)) as TokenInfo[];
      // chat:write it has; reacting it cannot.
      expect(missingOf(bot!)).toContain('reactions:write');
      expect(missingOf(bot!)).not.toContain('chat:write or chat:write:bot or chat:write:user');
    } finally {
      await writing.close();
    }
  });

  it('returns a token Slack refuses with its error, and still reads the other', async () => {
    const { services, close } = await connect(sandbox, [], { env: { SLACK_USER_TOKEN: sandbox.state.tokenNamed('revoked') } });
    try {
      const [bot, user] = await tokenInfo(services);
      expect(bot && 'identity' in bot && bot.identity.user).toBe('patchbay');
      expect(user && 'error' in user && String((user.error as { data?: { error?: string } }).data?.error)).toBe('token_revoked');
    } finally {
      await close();
    }
  });
});

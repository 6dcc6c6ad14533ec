import { largeWorkspace } from '@patchbay/sandbox/slack';
import { call, callError, callOk } from '@patchbay/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, requests, resetSandbox, type SlackSandbox, slackSandbox } from './helpers.js';

/**
 * Every `ok: false` is an isError result that says what to do; rate limits are waited out within
 * the bound or reported with their reset time; reads are repeated after a 5xx, writes never.
 */
let sandbox: SlackSandbox;
beforeAll(async () => {
  sandbox = await slackSandbox();
});
afterEach(() => resetSandbox(sandbox));
afterAll(() => sandbox.close());

const state = () => sandbox.state;
const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`;
const statuses = (method: string) => requests(sandbox, method).map((e) => e.status);

/** Slack's limits, with a one-second window and one call per window for `method`. */
function limit(method: string, perWindow = 1): void {
  state().rateLimits = {
    enabled: true,
    windowMs: 1000,
    tiers: { 1: 1000, 2: 1000, 3: 1000, 4: 1000 },
    methods: { [method]: perWindow },
    postMessage: { limit: 1000, windowMs: 1000 },
  };
}

/** A token of the demo app for the bot, with only these scopes. */
function botTokenWith(scopes: string[]): string {
  const bot = state().users.byName('patchbay')!;
  const appId = [...state().bots.values()].find((b) => b.userId === bot.id)!.appId;
  return state().issueToken({ type: 'bot', userId: bot.id, appId, scopes }).token;
}

describe("Slack's ok:false codes", () => {
  it('not_in_channel: a bot reading a channel it was not invited to is told to invite the app', async () => {
    const { client, close } = await connect(sandbox, [], { tokens: 'bot' });
    expect(await callError(client, 'slack_get_channel_history', { channel: '#random' })).toBe(
      'Argument `channel`: The token is not a member of that channel, so Slack will not show or change it there. Invite the app to the channel in Slack (/invite @the-app), or set SLACK_USER_TOKEN to read as a person who is in it.',
    );
    await close();
  });

  it('channel_not_found: an ID the token cannot see', async () => {
    const { client, close } = await connect(sandbox, [], { tokens: 'user' });
    expect(await callError(client, 'slack_get_channel_history', { channel: state().channelByName('leadership')!.id })).toBe(
      'Argument `channel`: Slack has no channel "' +
        state().channelByName('leadership')!.id +
        '" that this token can see: it does not exist, or it is private and the token\'s owner is not in it. Check the name or ID with slack_list_channels; for a private channel, invite the app (or the user) to it.',
    );
    await close();
  });

  it('missing_scope: names the scope Slack says is needed and how to add it', async () => {
    const token = botTokenWith(['channels:read']);
    const { client, close } = await connect(sandbox, [], { tokens: 'bot', env: { SLACK_BOT_TOKEN: token } });
    const text = await callError(client, 'slack_get_channel_history', { channel: '#general' });
    expect(text).toBe(
      'Slack refused: the token lacks the scope channels:history (it has: channels:read). Add channels:history to the app under OAuth & Permissions at https://api.slack.com/apps, reinstall it and update SLACK_BOT_TOKEN; or use the other kind of token (bot or user) if it has that scope.',
    );
    // Scopes read from the token up front refuse before Slack is asked.
    expect(await callError(client, 'slack_list_users', {})).toBe(
      'Listing people needs the Slack scope users:read, which SLACK_BOT_TOKEN does not have. Add users:read to the app (Bot Token Scopes under OAuth & Permissions at https://api.slack.com/apps), reinstall it and update SLACK_BOT_TOKEN, or set SLACK_USER_TOKEN to a user token that has it.',
    );
    expect(requests(sandbox, 'users.list')).toHaveLength(0);
    await close();
  });

  it('a user token without search:read is told which scope to add', async () => {
    const ada = state().users.byName('ada')!;
    const bot = [...state().bots.values()][0]!;
    const token = state().issueToken({ type: 'user', userId: ada.id, appId: bot.appId, scopes: ['channels:read'] }).token;
    const { client, close } = await connect(sandbox, [], { tokens: 'user', env: { SLACK_USER_TOKEN: token } });
    expect(await callError(client, 'slack_search_messages', { query: 'x' })).toMatch(
      /^Searching messages needs the Slack scope search:read, which SLACK_USER_TOKEN does not have\. Add search:read to the app \(User Token Scopes/,
    );
    await close();
  });

  it('invalid_auth, token_revoked, account_inactive: the variable to fix, never the token', async () => {
    for (const [name, code] of [
      ['revoked', 'token_revoked'],
      ['inactive', 'account_inactive'],
    ] as const) {
      const token = state().tokenNamed(name);
      const { client, close } = await connect(sandbox, [], { tokens: 'user', env: { SLACK_USER_TOKEN: token } });
      const text = await callError(client, 'slack_list_channels', {});
      expect(text).toBe(
        `Slack rejected the token (${code}): it is invalid, revoked or expired, or its account is deactivated. Set SLACK_USER_TOKEN to a valid token from https://api.slack.com/apps (OAuth & Permissions) and restart the server.`,
      );
      expect(text).not.toContain(token);
      await close();
    }
    const { client, close } = await connect(sandbox, [], { tokens: 'bot', env: { SLACK_BOT_TOKEN: 'xoxb-1-not-a-real-token' } });
    expect(await callError(client, 'slack_get_user', { user: '@ada' })).toMatch(/^Slack rejected the token \(invalid_auth\)/);
    await close();
  });

  it('--post-as names a token that is not set: refused at start-up', async () => {
    await expect(connect(sandbox, ['--allow-write', '--post-as', 'user'], { tokens: 'bot' })).rejects.toThrow(
      '--post-as user: SLACK_USER_TOKEN is not set.',
    );
  });

  it('a bot token given as SLACK_USER_TOKEN (or the reverse) is refused at start-up, naming the right variable', async () => {
    await expect(connect(sandbox, [], { tokens: 'user', env: { SLACK_USER_TOKEN: state().botToken } })).rejects.toThrow(
      /SLACK_USER_TOKEN.*holds a bot token \(xoxb-…\): set it as SLACK_BOT_TOKEN instead/,
    );
    await expect(connect(sandbox, [], { tokens: 'bot', env: { SLACK_BOT_TOKEN: state().userToken } })).rejects.toThrow(
      /SLACK_BOT_TOKEN.*holds a user token \(xoxp-…\): set it as SLACK_USER_TOKEN instead/,
    );
  });
});

describe('rate limits', () => {
  it("waits out a 429 for Slack's Retry-After and answers", async () => {
    const { client, close } = await connect(sandbox, [], { tokens: 'user' });
    const general = state().channelByName('general')!.id;
    await callOk(client, 'slack_get_channel_history', { channel: general, limit: 1 });
    limit('conversations.history');
    await callOk(client, 'slack_get_channel_history', { channel: general, limit: 1 });
    const started = Date.now();
    const result = await callOk(client, 'slack_get_channel_history', { channel: general, limit: 1 });
    expect(result.isError).toBe(false);
    expect(statuses('conversations.history')).toEqual([200, 200, 429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await close();
  });

  it('reports a limit beyond --rate-limit-wait with its reset time, and holds the next call without sending it', async () => {
    const { client, close } = await connect(sandbox, ['--rate-limit-wait', '0'], { tokens: 'user' });
    const general = state().channelByName('general')!.id;
    limit('conversations.history');
    await callOk(client, 'slack_get_channel_history', { channel: general, limit: 1 });
    const pattern = new RegExp(`^Slack rate limit reached for this credential \\(429\\); it resets at ${ISO} \\(in [01] s\\)\\.`);
    expect(await callError(client, 'slack_get_channel_history', { channel: general, limit: 1 })).toMatch(pattern);
    expect(await callError(client, 'slack_get_channel_history', { channel: general, limit: 1 })).toMatch(pattern);
    expect(statuses('conversations.history')).toEqual([200, 429]);
    // Other methods are limited separately.
    await callOk(client, 'slack_get_user', { user: '@ada' });
    await close();
  });

  it('a rate-limited name lookup says so, keeps what it saw, and finds the name once the limit passes', async () => {
    sandbox.reset(largeWorkspace({ users: 2_500, channels: 2, messages: 10 }));
    state().rateLimits.enabled = false;
    const { client, close } = await connect(sandbox, ['--rate-limit-wait', '0'], { tokens: 'user' });
    limit('users.list', 1);
    // Page one (1,000 people) is read, page two is refused: member2400 is on page three.
    const text = await callError(client, 'slack_get_user', { user: '@member2400' });
    expect(text).toMatch(new RegExp(`^Slack rate limit reached for this credential \\(429\\); it resets at ${ISO}`));
    expect(text).not.toMatch(/No one|not among/);
    // Someone on the page that was read is known now, without asking Slack again.
    const before = requests(sandbox).length;
    expect(
      (await callOk<{ person: { handle: string } }>(client, 'slack_get_user', { user: '@member500' })).data.person.handle,
    ).toBe('member500');
    expect(requests(sandbox).length).toBe(before);
    state().rateLimits.enabled = false;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(
      (await callOk<{ person: { handle: string } }>(client, 'slack_get_user', { user: '@member2400' })).data.person.handle,
    ).toBe('member2400');
    // "No one" only after one lookup saw the whole list.
    expect(await callError(client, 'slack_get_user', { user: '@member999999' })).toMatch(
      /^Argument `user`: No one in the workspace is called @member999999/,
    );
    await close();
  });
});

describe('server errors and lost answers', () => {
  it('repeats a read after a 503 and answers', async () => {
    const { client, close } = await connect(sandbox, [], { tokens: 'user' });
    sandbox.faults.add({ kind: 'error', status: 503, route: 'conversations.history', times: 1 });
    await callOk(client, 'slack_get_channel_history', { channel: state().channelByName('general')!.id, limit: 1 });
    expect(statuses('conversations.history')).toEqual([503, 200]);
    await close();
  });

  it('never repeats a post: a 503 is reported once, saying it may need checking', async () => {
    const { client, close } = await connect(sandbox, ['--allow-write'], { tokens: 'bot' });
    const general = state().channelByName('general')!;
    const before = general.timeline.length;
    sandbox.faults.add({ kind: 'error', status: 503, route: 'chat.postMessage', times: 1 });
    const text = await callError(client, 'slack_post_message', { channel: general.id, text: 'only once' });
    expect(text).toMatch(/^Slack failed \(503: service_unavailable\): the fault is on Slack's side.*This POST was not repeated/);
    expect(requests(sandbox, 'chat.postMessage')).toHaveLength(1);
    expect(general.timeline.length).toBe(before);
    await close();
  });

  it('a post whose answer was lost is reported as possibly done, and not sent again', async () => {
    const { client, close } = await connect(sandbox, ['--allow-write'], { tokens: 'bot' });
    const general = state().channelByName('general')!;
    sandbox.faults.add({ kind: 'reset', when: 'after', route: 'chat.postMessage', times: 1 });
    const outcome = await call(client, 'slack_post_message', { channel: general.id, text: 'maybe posted' });
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toMatch(/^Could not reach Slack .*: no answer came back\. The POST may have reached Slack/);
    expect(requests(sandbox, 'chat.postMessage')).toHaveLength(1);
    expect(general.timeline.at(-1)!.text).toBe('maybe posted');
    await close();
  });
});

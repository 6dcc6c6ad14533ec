import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { sandboxCli } from '../run-cli.js';

const start = sandboxCli(20_000);

describe('patchbay-sandbox slack', () => {
  it('prints SLACK_API_URL, the bot and user tokens and the team, serves the Web API, and stops on SIGTERM', async () => {
    const run = start(['slack', '--port', '0']);
    const env = await run.ready;
    expect(Object.keys(env)).toEqual(['SLACK_API_URL', 'SLACK_BOT_TOKEN', 'SLACK_USER_TOKEN', 'SLACK_TEAM_ID']);
    expect(env['SLACK_API_URL']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(env['SLACK_BOT_TOKEN']).toMatch(/^xoxb-\d+-\d+-[A-Za-z0-9]{24}$/);
    expect(env['SLACK_USER_TOKEN']).toMatch(/^xoxp-\d+-\d+-\d+-[A-Za-z0-9]{32}$/);
    expect(env['SLACK_TEAM_ID']).toBe('T0PATCHBAY');
    expect(run.out()).toMatch(/^SLACK_API_URL=\S+\nSLACK_BOT_TOKEN=\S+\nSLACK_USER_TOKEN=\S+\nSLACK_TEAM_ID=\S+\n$/);
    const bot = new WebClient(env['SLACK_BOT_TOKEN'], { slackApiUrl: env['SLACK_API_URL']!, retryConfig: { retries: 0 } });
    const user = new WebClient(env['SLACK_USER_TOKEN'], { slackApiUrl: env['SLACK_API_URL']!, retryConfig: { retries: 0 } });
    expect((await bot.auth.test()).user).toBe('patchbay');
    expect((await user.auth.test()).user).toBe('ada');
    const found = await user.search.messages({ query: 'deploy', count: 1 });
    expect(found.messages?.total).toBeGreaterThan(0);
    const log = (await (await fetch(`${new URL(env['SLACK_API_URL']!).origin}/_sandbox/log`)).json()) as {
      entries: { operation: string; identity: string }[];
    };
    expect(log.entries.map((e) => `${e.operation} ${e.identity}`)).toEqual([
      'auth.test patchbay',
      'auth.test ada',
      'search.messages ada',
    ]);
    expect(run.err()).toMatch(/slack POST \/api\/auth\.test 200 patchbay/);
    expect(run.err()).not.toContain(env['SLACK_BOT_TOKEN']);
    expect(run.err()).not.toContain(env['SLACK_USER_TOKEN']);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('keeps the same tokens across runs, and serves the 100,000-person workspace with --seed large', async () => {
    const a = start(['slack', '--quiet']);
    const first = await a.ready;
    // Once it answers, its signal handlers are in place.
    expect((await fetch(`${new URL(first['SLACK_API_URL']!).origin}/_sandbox`)).status).toBe(200);
    a.child.kill('SIGINT');
    expect(await a.exited).toBe(0);
    const b = start(['slack', '--quiet', '--seed', 'large']);
    const second = await b.ready;
    expect(second['SLACK_BOT_TOKEN']).toBe(first['SLACK_BOT_TOKEN']);
    const bot = new WebClient(second['SLACK_BOT_TOKEN'], { slackApiUrl: second['SLACK_API_URL']!, retryConfig: { retries: 0 } });
    const page = await bot.users.list({ limit: 5 });
    expect(page.members).toHaveLength(5);
    expect((await bot.team.info()).team?.name).toBe('Patchbay Large');
    b.child.kill('SIGTERM');
    await b.exited;
  });
});

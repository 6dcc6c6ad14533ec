import { spawnSync } from 'node:child_process';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { call, connectBin, connectStdio } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, resetSandbox, type SlackSandbox, sandboxEnv, slackSandbox } from './helpers.js';

/**
 * The built bin, as a client runs it, over stdio and over Streamable HTTP: every tool called once
 * against the sandbox, in an order where each write has something to act on. The list must name
 * every tool the bin offers, so a new tool is not left out.
 */
let sandbox: SlackSandbox;
beforeAll(async () => {
  sandbox = await slackSandbox();
});
afterAll(() => sandbox.close());

type Results = Record<string, Record<string, unknown>>;
type Step = [tool: string, args: (r: Results) => Record<string, unknown>];

const thread = () => sandbox.state.channelByName('engineering')!.timeline.find((m) => m.replies.length === 300)!;
const posted = (r: Results) => r.slack_post_message as { ts: string; permalink: string };

const STEPS: Step[] = [
  ['slack_list_channels', () => ({ limit: 20 })],
  ['slack_get_channel_history', () => ({ channel: '#engineering', oldest: '7d', limit: 20 })],
  ['slack_get_thread', () => ({ channel: '#engineering', thread_ts: thread().ts, limit: 20 })],
  ['slack_get_message', () => ({ channel: sandbox.state.permalink(thread()) })],
  ['slack_search_messages', () => ({ query: 'deploy in:#deploys', limit: 5 })],
  ['slack_list_users', () => ({ query: 'a', limit: 10 })],
  ['slack_get_user', () => ({ user: '@ada' })],
  ['slack_get_unreads', () => ({ limit: 10 })],
  ['slack_post_message', () => ({ channel: '#engineering', text: 'From the e2e test' })],
  ['slack_reply_to_thread', (r) => ({ channel: posted(r).permalink, text: 'A reply' })],
  ['slack_add_reaction', (r) => ({ channel: '#engineering', ts: posted(r).ts, emoji: 'eyes' })],
  ['slack_remove_reaction', (r) => ({ channel: '#engineering', ts: posted(r).ts, emoji: 'eyes' })],
  ['slack_edit_message', (r) => ({ channel: posted(r).permalink, text: 'From the e2e test (edited)' })],
  ['slack_schedule_message', () => ({ channel: '#engineering', text: 'Later', post_at: 'in 1d' })],
  ['slack_delete_message', (r) => ({ channel: '#engineering', ts: (r.slack_reply_to_thread as { ts: string }).ts })],
];

async function runEverything(client: Client): Promise<string[]> {
  const offered = (await client.listTools()).tools.map((t) => t.name).sort();
  expect(STEPS.map(([name]) => name).sort()).toEqual(offered);
  const results: Results = {};
  const failures: string[] = [];
  for (const [name, args] of STEPS) {
    const outcome = await call(client, name, args(results));
    if (outcome.isError) failures.push(`${name}: ${outcome.text}`);
    else results[name] = outcome.structured ?? {};
  }
  return failures;
}

describe.each(['stdio', 'http'] as const)('the built bin over %s', (transport) => {
  it('offers every tool with --allow-write and answers each one against the sandbox', async () => {
    resetSandbox(sandbox);
    const { client, close } = await connectBin(transport, BIN, ['--allow-write'], { env: sandboxEnv(sandbox) });
    try {
      expect(await runEverything(client)).toEqual([]);
      expect(sandbox.log.unknownRoutes()).toEqual([]);
      const edited = sandbox.state.channelByName('engineering')!.timeline.findLast((m) => m.text.startsWith('From the e2e test'));
      expect(edited?.text).toBe('From the e2e test (edited)');
    } finally {
      await close();
    }
  });
});

describe('the bin', () => {
  it('keeps the tokens and message text off stderr', async () => {
    resetSandbox(sandbox);
    const secret = 'e2e-secret-text-4711';
    sandbox.state.post(sandbox.state.channelByName('general')!.id, {
      user: sandbox.state.users.byName('grace')!.id,
      text: secret,
    });
    const server = await connectStdio(BIN, ['--log-level', 'debug'], { env: sandboxEnv(sandbox) });
    await call(server.client, 'slack_get_channel_history', { channel: '#general', limit: 5 });
    await call(server.client, 'slack_get_channel_history', { channel: '#does-not-exist' });
    await server.close();
    const stderr = server.stderr();
    expect(stderr).not.toContain(sandbox.state.botToken);
    expect(stderr).not.toContain(sandbox.state.userToken);
    expect(stderr).not.toContain(secret);
  });

  it('without a token prints one line naming both variables and where to get one, and exits 2', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^SLACK_/.test(k)));
    const run = spawnSync(process.execPath, [BIN], { env, encoding: 'utf8', input: '' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      'patchbay-slack: SLACK_BOT_TOKEN or SLACK_USER_TOKEN is not set. Create a Slack app at https://api.slack.com/apps (OAuth & Permissions → install it), copy its Bot User OAuth Token (xoxb-…) or User OAuth Token (xoxp-…), and set it in the environment (or in the client\'s "env" block).',
    );
  });

  it('refuses a plain-http API URL that is not on this machine', () => {
    const run = spawnSync(process.execPath, [BIN], {
      env: { ...process.env, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_API_URL: 'http://slack.example.com/api/' },
      encoding: 'utf8',
      input: '',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('must use https (http only for 127.0.0.1, ::1 or localhost), got http://slack.example.com');
  });
});

import { call } from '@patchbay/testing';
import { afterAll, beforeAll, it } from 'vitest';
import { connect, type SlackSandbox, slackSandbox } from './helpers.js';

let sandbox: SlackSandbox;
beforeAll(async () => {
  sandbox = await slackSandbox();
});
afterAll(() => sandbox.close());

it('smoke', async () => {
  const { client, close } = await connect(sandbox, ['--allow-write']);
  for (const [tool, args] of [
    ['slack_list_channels', { limit: 5 }],
    ['slack_get_channel_history', { channel: '#engineering', limit: 5 }],
    ['slack_list_users', { limit: 5 }],
    ['slack_get_user', { user: '@ada' }],
    ['slack_search_messages', { query: 'deploy', limit: 3 }],
    ['slack_get_unreads', { limit: 10 }],
  ] as const) {
    const r = await call(client, tool, args);
    console.log(`=== ${tool} ${r.isError ? 'ERROR' : ''}\n${r.text}`);
  }
  await close();
});

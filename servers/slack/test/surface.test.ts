import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { callError, connectInMemory, describeSurface, readmeWithCurrentTables } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { slackConnector } from '../src/connector.js';
import { BIN } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// tools/list needs no Slack at all: nothing is requested before a call.
const env = { SLACK_BOT_TOKEN: 'xoxb-0000-surface-test', SLACK_USER_TOKEN: 'xoxp-0000-surface-test' };
const connect = (argv: string[]) => connectInMemory(slackConnector, { argv, env });
// The built bin (spawned by describeSurface with this process's environment) needs a token to start.
Object.assign(process.env, env);

/**
 * What a model sees: one schema snapshot per tool in __toolsnaps__, the names per mode in
 * __snapshots__/tool-names.json, and the built bin's front answering exactly as the server does.
 */
describeSurface({
  connector: slackConnector,
  connect,
  modes: { default: [], 'read-only': ['--read-only', '--allow-write'], all: ['--toolsets', 'all', '--allow-write'] },
  maxListBytes: { default: 18_000, all: 30_000 },
  bin: BIN,
});

describe('slack tool selection', () => {
  const names = async (argv: string[]) => {
    const { client, close } = await connect(argv);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    await close();
    return tools;
  };
  const writes = [
    'slack_post_message',
    'slack_reply_to_thread',
    'slack_add_reaction',
    'slack_remove_reaction',
    'slack_edit_message',
    'slack_delete_message',
    'slack_schedule_message',
  ];

  it('offers only the read tools unless writes are enabled', async () => {
    const byDefault = await names([]);
    expect(byDefault).toEqual([
      'slack_list_channels',
      'slack_get_channel_history',
      'slack_get_thread',
      'slack_get_message',
      'slack_search_messages',
      'slack_list_users',
      'slack_get_user',
      'slack_get_unreads',
    ]);
    expect(await names(['--allow-write'])).toEqual([...byDefault, ...writes]);
    expect(await names(['--write-channels', '#bot-tests'])).toEqual([...byDefault, ...writes]);
  });

  it('--read-only wins over --allow-write and --write-channels', async () => {
    expect(await names(['--read-only', '--allow-write', '--write-channels', '#general'])).toEqual(await names([]));
  });

  it('a write called on a server without writes says how the operator enables them', async () => {
    const { client, close } = await connect([]);
    const text = await callError(client, 'slack_post_message', { channel: '#general', text: 'hi' });
    expect(text).toBe(
      'slack_post_message is not offered: an operator option switches it off on this server; it is offered when the operator starts the server with --allow-write (every channel) or --write-channels #a,#b (only those).',
    );
    const readOnly = await connect(['--read-only', '--allow-write']);
    expect(await callError(readOnly.client, 'slack_delete_message', { channel: '#general', ts: '1.000001' })).toMatch(
      /^slack_delete_message is not offered: this server runs read-only \(--read-only\)/,
    );
    await readOnly.close();
    await close();
  });

  it('marks deleting and editing destructive, reactions idempotent, and every tool open-world', async () => {
    const { client, close } = await connect(['--allow-write']);
    const tools = (await client.listTools()).tools;
    const destructive = tools.filter((t) => t.annotations?.destructiveHint).map((t) => t.name);
    expect(destructive.sort()).toEqual(['slack_delete_message', 'slack_edit_message']);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.slack_add_reaction?.annotations?.idempotentHint).toBe(true);
    expect(byName.slack_post_message?.annotations?.idempotentHint).toBe(false);
    expect(tools.every((t) => t.annotations?.openWorldHint === true)).toBe(true);
    await close();
  });
});

describe('README', () => {
  it('README tools table is current', async () => {
    const { actual, expected } = await readmeWithCurrentTables(slackConnector, path.join(here, '../README.md'));
    expect(actual).toBe(expected);
  });
});

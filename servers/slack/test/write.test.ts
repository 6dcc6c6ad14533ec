import { callError, callOk } from '@patchbay/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, requests, resetSandbox, type SlackSandbox, slackSandbox } from './helpers.js';

let sandbox: SlackSandbox;
beforeAll(async () => {
  sandbox = await slackSandbox();
});
afterEach(() => resetSandbox(sandbox));
afterAll(() => sandbox.close());

const state = () => sandbox.state;
const user = (name: string) => state().users.byName(name)!;
const channel = (name: string) => state().channelByName(name)!;
const WRITE_METHODS = [
  'chat.postMessage',
  'chat.update',
  'chat.delete',
  'chat.scheduleMessage',
  'reactions.add',
  'reactions.remove',
];
const writesSent = () => WRITE_METHODS.flatMap((m) => requests(sandbox, m));

type Posted = { channel: { id: string; name: string }; ts: string; permalink: string };

describe('posting', () => {
  it('posts as the app and answers with the permalink', async () => {
    const { client, close } = await connect(sandbox, ['--allow-write']);
    const result = await callOk<Posted>(client, 'slack_post_message', {
      channel: '#engineering',
      text: 'Build is green :white_check_mark:',
    });
    const message = channel('engineering').byTs.get(result.data.ts)!;
    expect(message).toMatchObject({ text: 'Build is green :white_check_mark:', user: user('patchbay').id });
    expect(result.data.permalink).toBe(state().permalink(message));
    expect(result.text).toBe(`Posted in #engineering (ts=${result.data.ts}). ${result.data.permalink}`);
    await close();
  });

  it('--post-as user posts as the person whose token it is', async () => {
    const { client, close } = await connect(sandbox, ['--allow-write', '--post-as', 'user']);
    const result = await callOk<Posted>(client, 'slack_post_message', { channel: '#random', text: 'from Ada' });
    expect(channel('random').byTs.get(result.data.ts)!.user).toBe(user('ada').id);
    await close();
  });

  it('replies in a thread given by a link to one of its messages, optionally also in the channel', async () => {
    const { client, close } = await connect(sandbox, ['--allow-write']);
    const parent = channel('engineering').timeline.find((m) => m.replies.length > 3)!;
    const link = state().permalink(parent.replies[1]!);
    const result = await callOk<Posted>(client, 'slack_reply_to_thread', { channel: link, text: 'On it.', broadcast: true });
    const reply = parent.replies.at(-1)!;
    expect(reply).toMatchObject({ ts: result.data.ts, text: 'On it.', broadcast: true });
    expect(result.data.permalink).toContain(`thread_ts=${parent.ts}`);
    await close();
  });

  it('schedules a message for later and says when', async () => {
    const { client, close } = await connect(sandbox, ['--allow-write']);
    const result = await callOk<{ scheduled_message_id: string; post_at: string }>(client, 'slack_schedule_message', {
      channel: '#engineering',
      text: 'Reminder: code freeze',
      post_at: 'in 2h',
    });
    const scheduled = state().scheduled.get(result.data.scheduled_message_id)!;
    expect(scheduled.text).toBe('Reminder: code freeze');
    expect(Math.abs(scheduled.postAt - (Date.now() / 1000 + 7200))).toBeLessThan(60);
    expect(result.data.post_at).toBe(new Date(scheduled.postAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(
      await callError(client, 'slack_schedule_message', { channel: '#engineering', text: 'x', post_at: '2001-01-01T00:00:00Z' }),
    ).toBe('Argument `post_at`: "2001-01-01T00:00:00Z" is not in the future.');
    await close();
  });
});

describe('reactions', () => {
  it('adds a reaction (twice is not an error) and removes it', async () => {
    const { client, close } = await connect(sandbox, ['--allow-write']);
    const target = channel('engineering').timeline.at(-1)!;
    const link = state().permalink(target);
    const bot = user('patchbay').id;
    const added = await callOk(client, 'slack_add_reaction', { channel: link, emoji: ':rocket:' });
    expect(added.text).toBe(`Added :rocket: to message ${target.ts} in #engineering.`);
    expect(target.reactions.find((r) => r.name === 'rocket')?.users).toContain(bot);
    const again = await callOk<{ already: boolean }>(client, 'slack_add_reaction', {
      channel: '#engineering',
      ts: target.ts,
      emoji: 'rocket',
    });
    expect(again.data.already).toBe(true);
    await callOk(client, 'slack_remove_reaction', { channel: link, emoji: 'rocket' });
    expect(target.reactions.find((r) => r.name === 'rocket')?.users ?? []).not.toContain(bot);
    expect(await callError(client, 'slack_remove_reaction', { channel: link, emoji: 'rocket' })).toBe(
      'Argument `emoji`: This token has no "rocket" reaction on that message, so there is nothing to remove.',
    );
    expect(await callError(client, 'slack_add_reaction', { channel: link, emoji: 'not an emoji!' })).toMatch(
      /^Argument `emoji`: Slack knows no emoji by that name/,
    );
    await close();
  });
});

describe('editing and deleting own messages only', () => {
  it("edits and deletes this server's own message", async () => {
    const { client, close } = await connect(sandbox, ['--allow-write']);
    const posted = await callOk<Posted>(client, 'slack_post_message', { channel: '#engineering', text: 'typo heer' });
    const edited = await callOk<Posted>(client, 'slack_edit_message', { channel: posted.data.permalink, text: 'typo here' });
    expect(edited.data.ts).toBe(posted.data.ts);
    expect(channel('engineering').byTs.get(posted.data.ts)).toMatchObject({ text: 'typo here' });
    const deleted = await callOk(client, 'slack_delete_message', { channel: '#engineering', ts: posted.data.ts });
    expect(deleted.text).toBe(`Deleted message ${posted.data.ts} in #engineering.`);
    expect(channel('engineering').byTs.has(posted.data.ts)).toBe(false);
    await close();
  });

  it("refuses to edit or delete someone else's message, even with an admin's token Slack would accept", async () => {
    // Grace is the workspace's owner: Slack lets her token delete anyone's message in a channel.
    const { client, close } = await connect(sandbox, ['--allow-write'], {
      tokens: 'user',
      env: { SLACK_USER_TOKEN: state().tokenNamed('admin') },
    });
    const theirs = channel('engineering').timeline.findLast((m) => m.user === user('alan').id && !m.subtype)!;
    const text = theirs.text;
    const refusal =
      "Argument `ts`: Refused: that message was not written by this server's token, and it {what} only its own messages. Edit or delete only messages this server posted (or that the user token’s owner wrote); reply in the thread instead.";
    expect(await callError(client, 'slack_edit_message', { channel: state().permalink(theirs), text: 'rewritten' })).toBe(
      refusal.replace('{what}', 'edits'),
    );
    expect(await callError(client, 'slack_delete_message', { channel: '#engineering', ts: theirs.ts })).toBe(
      refusal.replace('{what}', 'deletes'),
    );
    expect(writesSent()).toHaveLength(0);
    expect(channel('engineering').byTs.get(theirs.ts)?.text).toBe(text);
    await close();
  });

  it("edits the user's own message with the user token when the bot posts", async () => {
    const { client, close } = await connect(sandbox, ['--allow-write']);
    const mine = channel('engineering').timeline.findLast((m) => m.user === user('ada').id && !m.subtype)!;
    await callOk(client, 'slack_edit_message', { channel: '#engineering', ts: mine.ts, text: 'Ada, edited' });
    expect(mine.text).toBe('Ada, edited');
    const update = requests(sandbox, 'chat.update');
    expect(update.map((e) => e.identity)).toEqual(['ada']);
    await close();
  });
});

describe('the write allowlist', () => {
  it('--write-channels allows the listed channels (by name or ID) and refuses every other before asking Slack', async () => {
    const { client, close } = await connect(sandbox, ['--write-channels', `#engineering,${channel('support').id}`]);
    await callOk(client, 'slack_post_message', { channel: '#engineering', text: 'allowed' });
    await callOk(client, 'slack_post_message', { channel: 'support', text: 'allowed by ID' });
    const before = writesSent().length;
    const refusal = 'Argument `channel`: Writing to #general is not allowed on this server: it may write only to #engineering, ';
    expect(await callError(client, 'slack_post_message', { channel: '#general', text: 'no' })).toBe(
      `${refusal}${channel('support').id}. Choose one of those channels, or ask the operator to add this one to --write-channels.`,
    );
    const general = channel('general').timeline.at(-1)!;
    for (const [tool, args] of [
      ['slack_reply_to_thread', { channel: state().permalink(general), text: 'no' }],
      ['slack_add_reaction', { channel: state().permalink(general), emoji: 'eyes' }],
      ['slack_schedule_message', { channel: '#general', text: 'no', post_at: 'in 1h' }],
      ['slack_delete_message', { channel: '#general', ts: general.ts }],
    ] as const) {
      expect(await callError(client, tool, args)).toMatch(
        /^Argument `channel`: Writing to #general is not allowed on this server/,
      );
    }
    expect(writesSent()).toHaveLength(before);
    await close();
  });

  it('without --allow-write nothing is written and the write tools are not offered', async () => {
    const { client, close } = await connect(sandbox, []);
    expect(await callError(client, 'slack_post_message', { channel: '#general', text: 'no' })).toMatch(
      /^slack_post_message is not offered: .*--allow-write/,
    );
    expect(writesSent()).toHaveLength(0);
    await close();
  });
});

/**
 * The fidelity tour: every method the Slack emulator serves, called with the real
 * `@slack/web-api` WebClient with a bot and a user token, for success and for its errors. The
 * harness checks each exchange against Slack's API description after every test; the last test
 * fails when a method was served without a faithful success and a faithful error of its own.
 */
import { describe, expect, it } from 'vitest';
import { slackMethods } from '../../src/slack/index.js';
import type { Message } from '../../src/slack/state.js';
import { errorCode, slackError, useSlack } from './harness.js';
import { uncovered } from './spec.js';

const h = useSlack();

// biome-ignore lint/suspicious/noExplicitAny: answers are asserted on loosely
type Any = any;

function messageBy(channel: string, user: string, where: (m: Message) => boolean = () => true): Message {
  const m = h.channel(channel).timeline.find((x) => x.user === user && !x.deleted && x.replies.length === 0 && where(x));
  if (!m) throw new Error(`no message by ${user} in #${channel}`);
  return m;
}

describe('auth and workspace', () => {
  it('auth.test says whose a bot and a user token are; the scopes come in x-oauth-scopes', async () => {
    const bot: Any = await h.bot.auth.test();
    expect(bot).toMatchObject({ ok: true, user: 'patchbay', team: 'Patchbay Demo', team_id: 'T0PATCHBAY' });
    expect(bot.bot_id).toMatch(/^B0[A-Z0-9]{8}$/);
    expect(bot.url).toBe('https://patchbay-demo.slack.com/');
    expect(bot.response_metadata.scopes).toContain('channels:history');
    expect(bot.response_metadata.scopes).not.toContain('search:read');
    const user: Any = await h.user.auth.test();
    expect(user).toMatchObject({ user: 'ada', user_id: h.userId('ada') });
    expect(user.bot_id).toBeUndefined();
    expect(user.response_metadata.scopes).toContain('search:read');
  });

  it('auth.test refuses a missing, unknown, revoked or deactivated token', async () => {
    expect(await errorCode(h.client(undefined).auth.test())).toBe('not_authed');
    expect(await errorCode(h.client('xoxb-1-2-nope').auth.test())).toBe('invalid_auth');
    expect(await errorCode(h.client(h.sandbox.state.tokenNamed('revoked')).auth.test())).toBe('token_revoked');
    expect(await errorCode(h.client(h.sandbox.state.tokenNamed('inactive')).auth.test())).toBe('account_inactive');
  });

  it('team.info describes the workspace; another team is not found; it needs team:read', async () => {
    const info: Any = await h.bot.team.info();
    expect(info.team).toMatchObject({
      id: 'T0PATCHBAY',
      name: 'Patchbay Demo',
      domain: 'patchbay-demo',
      email_domain: 'example.com',
    });
    expect(await errorCode(h.bot.team.info({ team: 'T0OTHERTEAM' }))).toBe('team_not_found');
    const narrow = await slackError(h.client(h.sandbox.state.tokenNamed('narrow-bot')).team.info());
    expect(narrow.data).toMatchObject({ error: 'missing_scope', needed: 'team:read', provided: 'chat:write' });
  });

  it('bots.info describes a bot and its user', async () => {
    const deploy = h.sandbox.state.users.byName('deploybot')!;
    const info: Any = await h.bot.bots.info({ bot: deploy.botId! });
    expect(info.bot).toMatchObject({ id: deploy.botId, name: 'Deploy Bot', user_id: deploy.id, deleted: false });
    expect(await errorCode(h.bot.bots.info({ bot: 'B0NOSUCHBOT' }))).toBe('bot_not_found');
  });
});

describe('users', () => {
  it('users.list pages through everyone with cursors, deactivated and bot users included', async () => {
    const first: Any = await h.bot.users.list({ limit: 100 });
    expect(first.members).toHaveLength(100);
    expect(first.response_metadata.next_cursor).not.toBe('');
    const all: Any[] = [];
    let pages = 0;
    for await (const page of h.bot.paginate('users.list', { limit: 150 })) {
      all.push(...((page as Any).members as Any[]));
      pages++;
    }
    expect(pages).toBe(Math.ceil(h.sandbox.state.users.size / 150));
    expect(new Set(all.map((u) => u.id)).size).toBe(h.sandbox.state.users.size);
    expect(all.find((u) => u.name === 'olive.former')).toMatchObject({ deleted: true });
    expect(all.find((u) => u.name === 'deploybot')).toMatchObject({ is_bot: true });
    expect(all.find((u) => u.id === 'USLACKBOT')).toMatchObject({ name: 'slackbot', is_bot: false });
    expect(all.find((u) => u.name === 'ada').profile.email).toBe('ada@example.com');
    expect(await errorCode(h.bot.users.list({ cursor: 'bm90LWEtY3Vyc29y' }))).toBe('invalid_cursor');
  });

  it('users.info gives a person with time zone and profile; email only with users:read.email', async () => {
    const ada: Any = await h.bot.users.info({ user: h.userId('ada') });
    expect(ada.user).toMatchObject({
      name: 'ada',
      real_name: 'Ada Lovelace',
      tz: 'Europe/London',
      tz_offset: 0,
      is_admin: false,
      profile: { display_name: 'Ada', title: 'Staff Engineer', email: 'ada@example.com' },
    });
    const readOnly = h.sandbox.state.issueToken({
      type: 'bot',
      userId: h.userId('patchbay'),
      appId: h.sandbox.state.users.byName('patchbay')!.appId!,
      scopes: ['users:read'],
      label: 'users-read-only',
    });
    const noEmail: Any = await h.client(readOnly.token).users.info({ user: h.userId('ada') });
    expect(noEmail.user.profile.email).toBeUndefined();
    expect(await errorCode(h.bot.users.info({ user: 'U0NOBODY00' }))).toBe('user_not_found');
  });

  it('users.lookupByEmail finds an active person; unknown and deactivated addresses are not found', async () => {
    const found: Any = await h.bot.users.lookupByEmail({ email: 'Grace@Example.com' });
    expect(found.user.name).toBe('grace');
    expect(await errorCode(h.bot.users.lookupByEmail({ email: 'nobody@example.com' }))).toBe('users_not_found');
    expect(await errorCode(h.bot.users.lookupByEmail({ email: 'olive.former@example.com' }))).toBe('users_not_found');
  });

  it('users.profile.get gives the caller’s or another person’s profile', async () => {
    const own: Any = await h.user.users.profile.get({});
    expect(own.profile).toMatchObject({
      real_name: 'Ada Lovelace',
      display_name: 'Ada',
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    const grace: Any = await h.user.users.profile.get({ user: h.userId('grace') });
    expect(grace.profile).toMatchObject({ status_text: 'In meetings', status_emoji: ':calendar:' });
    expect(await errorCode(h.user.users.profile.get({ user: 'U0NOBODY00' }))).toBe('user_not_found');
  });

  it('users.conversations lists what a user is in, by type; bad types and missing scopes are refused', async () => {
    const mine: Any = await h.user.users.conversations({ types: 'public_channel,private_channel,im,mpim', limit: 200 });
    const names = mine.channels.map((c: Any) => c.name ?? `dm:${c.user}`);
    expect(names).toEqual(expect.arrayContaining(['general', 'engineering', 'security', 'project-apollo']));
    expect(names).not.toContain('leadership');
    expect(mine.channels.some((c: Any) => c.is_im && c.user === h.userId('grace'))).toBe(true);
    expect(mine.channels.some((c: Any) => c.is_mpim)).toBe(true);
    expect(mine.channels.every((c: Any) => c.is_member === undefined && c.num_members === undefined)).toBe(true);
    const bots: Any = await h.bot.users.conversations({ types: 'private_channel' });
    expect(bots.channels.map((c: Any) => c.name).sort()).toEqual(['hiring', 'security']);
    expect(await errorCode(h.user.users.conversations({ types: 'public_channel,voice' }))).toBe('invalid_types');
    const narrow = await slackError(h.client(h.sandbox.state.tokenNamed('narrow-bot')).users.conversations({ types: 'im,mpim' }));
    expect(narrow.data).toMatchObject({ error: 'missing_scope', needed: 'im:read,mpim:read' });
  });
});

describe('conversations', () => {
  it('conversations.list shows public channels, and private ones and DMs only to members', async () => {
    const everything: Any[] = [];
    for await (const page of h.user.paginate('conversations.list', {
      types: 'public_channel,private_channel,im,mpim',
      limit: 100,
    }))
      everything.push(...(page as Any).channels);
    const names = everything.filter((c) => c.name).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['general', 'random', 'security', 'project-zephyr']));
    expect(names).not.toContain('leadership');
    expect(everything.find((c) => c.name === 'general')).toMatchObject({ is_general: true, is_member: true, is_private: false });
    expect(everything.find((c) => c.name === 'security')).toMatchObject({ is_private: true, is_channel: true, is_member: true });
    expect(everything.find((c) => c.name === 'project-zephyr')).toMatchObject({ is_archived: true });
    const botView: Any = await h.bot.conversations.list({ types: 'private_channel', limit: 1000 });
    expect(botView.channels.map((c: Any) => c.name).sort()).toEqual(['hiring', 'security']);
    const open: Any = await h.bot.conversations.list({ exclude_archived: true, limit: 1000 });
    expect(open.channels.some((c: Any) => c.is_archived)).toBe(false);
    expect(open.channels.find((c: Any) => c.name === 'random')).toMatchObject({ is_member: false });
    expect(await errorCode(h.bot.conversations.list({ types: 'channels' }))).toBe('invalid_types');
    expect(await errorCode(h.bot.conversations.list({ cursor: 'dXNlcjpVMDYxTkZUVDI=' }))).toBe('invalid_cursor');
    const narrow = await slackError(h.client(h.sandbox.state.tokenNamed('narrow-bot')).conversations.list());
    expect(narrow.data).toMatchObject({ error: 'missing_scope', needed: 'channels:read', provided: 'chat:write' });
  });

  it('conversations.info gives the caller’s read cursor, and unread counts for a DM', async () => {
    const engineering: Any = await h.user.conversations.info({ channel: h.channel('engineering').id, include_num_members: true });
    expect(engineering.channel).toMatchObject({
      name: 'engineering',
      is_member: true,
      num_members: h.channel('engineering').members.count(),
    });
    expect(engineering.channel.last_read).toMatch(/^\d{10}\.\d{6}$/);
    const dm = h.sandbox.state.findDm(h.userId('ada'), h.userId('grace'))!;
    const info: Any = await h.user.conversations.info({ channel: dm.id });
    expect(info.channel).toMatchObject({ is_im: true, user: h.userId('grace'), unread_count: 3, is_open: true });
    expect(info.channel.latest.ts).toBe(dm.timeline.at(-1)!.ts);
    expect(await errorCode(h.bot.conversations.info({ channel: h.channel('leadership').id }))).toBe('channel_not_found');
    expect(await errorCode(h.bot.conversations.info({ channel: 'C0NOSUCHONE' }))).toBe('channel_not_found');
  });

  it('conversations.history reads newest first in pages; a bot must be in the channel', async () => {
    const channel = h.channel('engineering');
    const page: Any = await h.bot.conversations.history({ channel: channel.id, limit: 5 });
    expect(page.messages.map((m: Any) => m.ts)).toEqual(
      channel.timeline
        .slice(-5)
        .reverse()
        .map((m) => m.ts),
    );
    expect(page.has_more).toBe(true);
    const next: Any = await h.bot.conversations.history({
      channel: channel.id,
      limit: 5,
      cursor: page.response_metadata.next_cursor,
    });
    expect(next.messages[0].ts).toBe(channel.timeline.at(-6)!.ts);
    const apollo = h.channel('project-apollo');
    expect((await h.user.conversations.history({ channel: apollo.id, limit: 1 })).ok).toBe(true);
    expect(await errorCode(h.bot.conversations.history({ channel: apollo.id }))).toBe('not_in_channel');
    expect(await errorCode(h.bot.conversations.history({ channel: channel.id, latest: 'yesterday' }))).toBe('invalid_ts_latest');
    expect(await errorCode(h.bot.conversations.history({ channel: channel.id, oldest: '12:00' }))).toBe('invalid_ts_oldest');
  });

  it('conversations.replies pages a long thread with its parent first on every page', async () => {
    const channel = h.channel('engineering');
    const parent = channel.timeline.reduce((a, b) => (b.replies.length > a.replies.length ? b : a));
    expect(parent.replies.length).toBeGreaterThanOrEqual(300);
    const first: Any = await h.bot.conversations.replies({ channel: channel.id, ts: parent.ts, limit: 101 });
    expect(first.messages[0]).toMatchObject({ ts: parent.ts, reply_count: parent.replies.length, thread_ts: parent.ts });
    expect(first.messages.slice(1).map((m: Any) => m.ts)).toEqual(parent.replies.slice(0, 100).map((m) => m.ts));
    expect(first.messages[1]).toMatchObject({ thread_ts: parent.ts, parent_user_id: parent.user });
    const second: Any = await h.bot.conversations.replies({
      channel: channel.id,
      ts: parent.ts,
      limit: 101,
      cursor: first.response_metadata.next_cursor,
    });
    expect(second.messages[0].ts).toBe(parent.ts);
    expect(second.messages[1].ts).toBe(parent.replies[100]!.ts);
    expect(await errorCode(h.bot.conversations.replies({ channel: channel.id, ts: '1000000000.000001' }))).toBe(
      'thread_not_found',
    );
  });

  it('conversations.members pages through a channel’s members', async () => {
    const channel = h.channel('engineering');
    const all: string[] = [];
    for await (const page of h.bot.paginate('conversations.members', { channel: channel.id, limit: 30 }))
      all.push(...(page as Any).members);
    expect(all).toEqual([...channel.members.explicit()]);
    expect(await errorCode(h.bot.conversations.members({ channel: h.channel('leadership').id }))).toBe('channel_not_found');
  });

  it('conversations.join adds the bot to a public channel (then it can read it); private, archived and repeated joins are answered as Slack does', async () => {
    const apollo = h.channel('project-apollo');
    const joined: Any = await h.bot.conversations.join({ channel: apollo.id });
    expect(joined.channel).toMatchObject({ id: apollo.id, is_member: true });
    const history: Any = await h.bot.conversations.history({ channel: apollo.id, limit: 1 });
    expect(history.messages[0]).toMatchObject({ subtype: 'channel_join', user: h.userId('patchbay') });
    const again: Any = await h.bot.conversations.join({ channel: apollo.id });
    expect(again.warning).toBe('already_in_channel');
    expect(await errorCode(h.bot.conversations.join({ channel: h.channel('project-zephyr').id }))).toBe('is_archived');
    expect(await errorCode(h.bot.conversations.join({ channel: h.channel('security').id }))).toBe(
      'method_not_supported_for_channel_type',
    );
    expect(await errorCode(h.bot.conversations.join({ channel: h.channel('leadership').id }))).toBe('channel_not_found');
  });

  it('conversations.mark moves the caller’s read cursor', async () => {
    const channel = h.channel('engineering');
    const ts = channel.timeline.at(-1)!.ts;
    await h.user.conversations.mark({ channel: channel.id, ts });
    expect(((await h.user.conversations.info({ channel: channel.id })) as Any).channel.last_read).toBe(ts);
    expect(await errorCode(h.user.conversations.mark({ channel: channel.id, ts: 'now' }))).toBe('invalid_timestamp');
    const notHers = [...h.sandbox.state.conversations.values()].find(
      (c) => c.kind === 'public' && !c.members.has(h.userId('ada')),
    )!;
    expect(await errorCode(h.user.conversations.mark({ channel: notHers.id, ts }))).toBe('not_in_channel');
  });

  it('conversations.open opens a DM once (then says it was open) and a group DM; refuses unknown and deactivated people', async () => {
    const katherine = h.userId('katherine');
    const opened: Any = await h.user.conversations.open({ users: katherine });
    expect(opened.channel.id).toMatch(/^D0[A-Z0-9]{8}$/);
    expect(opened.already_open).toBeUndefined();
    const again: Any = await h.user.conversations.open({ users: katherine, return_im: true });
    expect(again).toMatchObject({
      no_op: true,
      already_open: true,
      channel: { id: opened.channel.id, is_im: true, user: katherine },
    });
    const group: Any = await h.user.conversations.open({ users: `${katherine},${h.userId('alan')}` });
    expect(group.channel).toMatchObject({ is_mpim: true, is_private: true });
    expect(group.channel.name).toBe('mpdm-ada--katherine--alan-1');
    expect(await errorCode(h.user.conversations.open({ users: 'U0NOBODY00' }))).toBe('user_not_found');
    expect(await errorCode(h.user.conversations.open({ users: h.userId('olive.former') }))).toBe('user_disabled');
    expect(await errorCode(h.user.conversations.open({} as never))).toBe('users_list_not_supplied');
  });
});

describe('chat', () => {
  it('chat.postMessage posts as the bot or the user, by ID or #name, into threads, with blocks and link_names', async () => {
    const channel = h.channel('engineering');
    const posted: Any = await h.bot.chat.postMessage({ channel: '#engineering', text: 'Build is green :white_check_mark:' });
    expect(posted).toMatchObject({
      channel: channel.id,
      message: { text: 'Build is green :white_check_mark:', bot_id: expect.any(String), user: h.userId('patchbay') },
    });
    expect(posted.message.bot_profile.name).toBe('Patchbay');
    expect(channel.timeline.at(-1)!.ts).toBe(posted.ts);
    const reply: Any = await h.user.chat.postMessage({
      channel: channel.id,
      thread_ts: posted.ts,
      text: 'Thanks @grace and #random',
      link_names: true,
    });
    expect(reply.message).toMatchObject({ thread_ts: posted.ts, parent_user_id: h.userId('patchbay'), user: h.userId('ada') });
    expect(reply.message.text).toBe(`Thanks <@${h.userId('grace')}> and <#${h.channel('random').id}|random>`);
    expect(channel.byTs.get(posted.ts)!.replies).toHaveLength(1);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Deploy* done' } }];
    const withBlocks: Any = await h.bot.chat.postMessage({ channel: channel.id, text: 'Deploy done', blocks });
    expect(withBlocks.message.blocks).toEqual(blocks);
    const dm: Any = await h.bot.chat.postMessage({ channel: h.userId('katherine'), text: 'Hello from the app' });
    expect(dm.channel).toMatch(/^D/);
  });

  it('chat.postMessage refuses a channel it cannot see, is not in, or is archived, and empty or oversized text', async () => {
    expect(await errorCode(h.bot.chat.postMessage({ channel: h.channel('project-apollo').id, text: 'hi' }))).toBe(
      'not_in_channel',
    );
    expect(await errorCode(h.bot.chat.postMessage({ channel: h.channel('leadership').id, text: 'hi' }))).toBe(
      'channel_not_found',
    );
    expect(await errorCode(h.user.chat.postMessage({ channel: h.channel('project-zephyr').id, text: 'hi' }))).toBe('is_archived');
    expect(await errorCode(h.bot.chat.postMessage({ channel: h.channel('engineering').id, text: '' }))).toBe('no_text');
    expect(await errorCode(h.bot.chat.postMessage({ channel: h.channel('engineering').id, text: 'x'.repeat(40_001) }))).toBe(
      'msg_too_long',
    );
    expect(
      await errorCode(h.bot.chat.postMessage({ channel: h.channel('engineering').id, text: 'x', blocks: '[{' as never })),
    ).toBe('invalid_blocks');
  });

  it('chat.update edits only the caller’s own messages and marks them edited; the edit window applies to people', async () => {
    const channel = h.channel('engineering');
    const posted: Any = await h.user.chat.postMessage({ channel: channel.id, text: 'teh typo' });
    const updated: Any = await h.user.chat.update({ channel: channel.id, ts: posted.ts, text: 'the typo' });
    expect(updated).toMatchObject({ channel: channel.id, ts: posted.ts, text: 'the typo' });
    expect(updated.message.edited).toEqual({ user: h.userId('ada'), ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    const history: Any = await h.user.conversations.history({ channel: channel.id, limit: 1 });
    expect(history.messages[0]).toMatchObject({ text: 'the typo', edited: { user: h.userId('ada') } });
    const someoneElse = messageBy('engineering', h.userId('alan'));
    expect(await errorCode(h.user.chat.update({ channel: channel.id, ts: someoneElse.ts, text: 'mine now' }))).toBe(
      'cant_update_message',
    );
    expect(await errorCode(h.bot.chat.update({ channel: channel.id, ts: posted.ts, text: 'bot edit' }))).toBe(
      'cant_update_message',
    );
    expect(await errorCode(h.user.chat.update({ channel: channel.id, ts: '1000000000.000001', text: 'x' }))).toBe(
      'message_not_found',
    );
    h.sandbox.state.team.msgEditWindowMins = 5;
    const old = messageBy('engineering', h.userId('ada'));
    expect(await errorCode(h.user.chat.update({ channel: channel.id, ts: old.ts, text: 'too late' }))).toBe('edit_window_closed');
  });

  it('chat.delete removes the caller’s own message; others’ only for a workspace admin; a parent with replies leaves a tombstone', async () => {
    const channel = h.channel('engineering');
    const posted: Any = await h.bot.chat.postMessage({ channel: channel.id, text: 'oops' });
    expect(await h.bot.chat.delete({ channel: channel.id, ts: posted.ts })).toMatchObject({ channel: channel.id, ts: posted.ts });
    expect(channel.byTs.has(posted.ts)).toBe(false);
    const alans = messageBy('engineering', h.userId('alan'));
    expect(await errorCode(h.user.chat.delete({ channel: channel.id, ts: alans.ts }))).toBe('cant_delete_message');
    expect(await errorCode(h.bot.chat.delete({ channel: channel.id, ts: alans.ts }))).toBe('cant_delete_message');
    await h.admin.chat.delete({ channel: channel.id, ts: alans.ts });
    expect(channel.byTs.has(alans.ts)).toBe(false);
    const parent: Any = await h.user.chat.postMessage({ channel: channel.id, text: 'question' });
    await h.bot.chat.postMessage({ channel: channel.id, thread_ts: parent.ts, text: 'answer' });
    await h.user.chat.delete({ channel: channel.id, ts: parent.ts });
    const thread: Any = await h.user.conversations.replies({ channel: channel.id, ts: parent.ts });
    expect(thread.messages[0]).toMatchObject({ subtype: 'tombstone', text: 'This message was deleted.', reply_count: 1 });
    expect(await errorCode(h.user.chat.delete({ channel: channel.id, ts: parent.ts }))).toBe('message_not_found');
  });

  it('chat.getPermalink links a message (and a reply with its thread)', async () => {
    const channel = h.channel('engineering');
    const parent = channel.timeline.find((m) => m.replies.length > 0 && !m.deleted)!;
    const link: Any = await h.bot.chat.getPermalink({ channel: channel.id, message_ts: parent.ts });
    expect(link.permalink).toBe(`https://patchbay-demo.slack.com/archives/${channel.id}/p${parent.ts.replace('.', '')}`);
    const reply: Any = await h.bot.chat.getPermalink({ channel: channel.id, message_ts: parent.replies[0]!.ts });
    expect(reply.permalink).toContain(`?thread_ts=${parent.ts}&cid=${channel.id}`);
    expect(await errorCode(h.bot.chat.getPermalink({ channel: channel.id, message_ts: '1000000000.000001' }))).toBe(
      'message_not_found',
    );
  });

  it('chat.scheduleMessage schedules a post that appears when its time comes; lists and deletes scheduled messages', async () => {
    const channel = h.channel('engineering');
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    const scheduled: Any = await h.bot.chat.scheduleMessage({ channel: channel.id, text: 'Standup in 5', post_at: inAnHour });
    expect(scheduled).toMatchObject({
      channel: channel.id,
      post_at: inAnHour,
      message: { type: 'delayed_message', text: 'Standup in 5' },
    });
    expect(scheduled.scheduled_message_id).toMatch(/^Q0[A-Z0-9]{8}$/);
    const listed: Any = await h.bot.chat.scheduledMessages.list({ channel: channel.id });
    expect(listed.scheduled_messages.map((s: Any) => s.id)).toEqual([scheduled.scheduled_message_id]);
    const adas: Any = await h.user.chat.scheduledMessages.list();
    expect(adas.scheduled_messages).toHaveLength(1);
    expect(await errorCode(h.bot.chat.scheduleMessage({ channel: channel.id, text: 'late', post_at: 1_000_000_000 }))).toBe(
      'time_in_past',
    );
    expect(await errorCode(h.bot.chat.scheduledMessages.list({ channel: 'C0NOSUCHONE' }))).toBe('invalid_channel');
    // Its time comes: the next call delivers it.
    h.sandbox.state.scheduled.get(scheduled.scheduled_message_id)!.postAt = Math.floor(Date.now() / 1000) - 1;
    const history: Any = await h.bot.conversations.history({ channel: channel.id, limit: 1 });
    expect(history.messages[0]).toMatchObject({ text: 'Standup in 5', bot_id: expect.any(String) });
    const another: Any = await h.bot.chat.scheduleMessage({ channel: channel.id, text: 'Never mind', post_at: inAnHour });
    await h.bot.chat.deleteScheduledMessage({ channel: channel.id, scheduled_message_id: another.scheduled_message_id });
    expect(h.sandbox.state.scheduled.has(another.scheduled_message_id)).toBe(false);
    expect(
      await errorCode(
        h.bot.chat.deleteScheduledMessage({ channel: channel.id, scheduled_message_id: another.scheduled_message_id }),
      ),
    ).toBe('invalid_scheduled_message_id');
  });
});

describe('reactions', () => {
  it('reactions.add, get and remove; the same reaction twice, or removing one never added, is refused', async () => {
    const channel = h.channel('engineering');
    const message = messageBy('engineering', h.userId('alan'), (m) => m.reactions.length === 0);
    await h.bot.reactions.add({ channel: channel.id, timestamp: message.ts, name: 'eyes' });
    await h.user.reactions.add({ channel: channel.id, timestamp: message.ts, name: ':eyes:' });
    const got: Any = await h.user.reactions.get({ channel: channel.id, timestamp: message.ts });
    expect(got).toMatchObject({ type: 'message', channel: channel.id });
    expect(got.message.reactions).toEqual([{ name: 'eyes', users: [h.userId('patchbay'), h.userId('ada')], count: 2 }]);
    expect(await errorCode(h.bot.reactions.add({ channel: channel.id, timestamp: message.ts, name: 'eyes' }))).toBe(
      'already_reacted',
    );
    await h.bot.reactions.remove({ channel: channel.id, timestamp: message.ts, name: 'eyes' });
    expect(await errorCode(h.bot.reactions.remove({ channel: channel.id, timestamp: message.ts, name: 'eyes' }))).toBe(
      'no_reaction',
    );
    expect(await errorCode(h.bot.reactions.get({ channel: channel.id, timestamp: '1000000000.000001' }))).toBe(
      'message_not_found',
    );
    expect(await errorCode(h.bot.reactions.add({ channel: channel.id, timestamp: message.ts, name: 'not an emoji' }))).toBe(
      'invalid_name',
    );
    const apollo = h.channel('project-apollo').timeline[0]!;
    expect(await errorCode(h.bot.reactions.add({ channel: apollo.channel, timestamp: apollo.ts, name: 'tada' }))).toBe(
      'not_in_channel',
    );
  });
});

describe('search', () => {
  it('search.messages finds what the user can see, with Slack’s query modifiers and paging', async () => {
    const found: Any = await h.user.search.messages({ query: 'flaky in:#engineering', count: 5 });
    expect(found.messages.total).toBeGreaterThan(5);
    expect(found.messages.matches).toHaveLength(5);
    expect(found.messages.matches.every((m: Any) => m.channel.name === 'engineering' && /flaky/i.test(m.text))).toBe(true);
    expect(found.messages.pagination).toMatchObject({ page: 1, per_page: 5, first: 1, last: 5 });
    const page2: Any = await h.user.search.messages({ query: 'flaky in:#engineering', count: 5, page: 2 });
    expect(page2.messages.matches[0].ts).not.toBe(found.messages.matches[0].ts);
    // Grace writes every person-authored message in #announcements (40 of them; the bot writes the rest).
    const fromGrace: Any = await h.user.search.messages({
      query: `from:<@${h.userId('grace')}> in:#announcements`,
      sort: 'timestamp',
      count: 100,
    });
    expect(fromGrace.messages.total).toBe(40);
    expect(fromGrace.messages.matches.every((m: Any) => m.user === h.userId('grace'))).toBe(true);
    const newestFirst = fromGrace.messages.matches.map((m: Any) => m.ts);
    expect(newestFirst).toEqual([...newestFirst].sort().reverse());
    expect(((await h.user.search.messages({ query: 'from:@ada in:#announcements' })) as Any).messages.total).toBe(0);
    const leadership: Any = await h.user.search.messages({ query: 'in:#leadership' });
    expect(leadership.messages.total).toBe(0);
    const marked: Any = await h.user.search.messages({ query: 'flaky', highlight: true, count: 1 });
    expect(marked.messages.matches[0].text).toContain('\ue000flaky\ue001');
  });

  it('search.messages needs a user token with search:read and a query', async () => {
    expect(await errorCode(h.bot.search.messages({ query: 'deploy' }))).toBe('not_allowed_token_type');
    const readOnly = h.sandbox.state.issueToken({
      type: 'user',
      userId: h.userId('ada'),
      appId: h.sandbox.state.users.byName('patchbay')!.appId!,
      scopes: ['channels:read'],
      label: 'no-search',
    });
    const missing = await slackError(h.client(readOnly.token).search.messages({ query: 'deploy' }));
    expect(missing.data).toMatchObject({ error: 'missing_scope', needed: 'search:read', provided: 'channels:read' });
    expect(await errorCode(h.user.search.messages({ query: '  ' }))).toBe('no_query');
  });
});

describe('coverage', () => {
  it('validated a success and an error of its own for every method served', () => {
    expect(h.recorder.drain()).toEqual([]);
    expect(
      uncovered(
        slackMethods.map((m) => m.name),
        h.recorder.coverage,
      ),
    ).toEqual([]);
  });
});

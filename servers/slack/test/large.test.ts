import { largeWorkspace } from '@patchbay/sandbox/slack';
import { callError, callOk } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, requests, type SlackSandbox, slackSandbox } from './helpers.js';

/**
 * No start-up prefetch: the size of the workspace changes nothing before the first call, and the
 * first call asks Slack only for what it shows. (How long that takes is measured by the bench,
 * `node servers/slack/bench/workspace-size.mjs`, never asserted here.)
 */
let sandbox: SlackSandbox;
beforeAll(async () => {
  sandbox = await slackSandbox();
});
afterAll(() => sandbox.close());

function use(users: number): void {
  sandbox.reset(largeWorkspace({ users }));
  sandbox.state.rateLimits.enabled = false;
}

/** Requests by method, for one session from initialize to the first call. */
async function firstCall(users: number): Promise<{ before: number; methods: Map<string, number>; authors: number }> {
  use(users);
  const { client, close } = await connect(sandbox, [], { tokens: 'user' });
  await client.listPrompts();
  await client.listResourceTemplates();
  const before = requests(sandbox).length;
  const result = await callOk<{ messages: Array<{ user?: string }> }>(client, 'slack_get_channel_history', {
    channel: '#general',
    limit: 50,
  });
  await close();
  const methods = new Map<string, number>();
  for (const entry of requests(sandbox)) methods.set(entry.operation ?? '?', (methods.get(entry.operation ?? '?') ?? 0) + 1);
  return { before, methods, authors: new Set(result.data.messages.map((m) => m.user)).size };
}

describe('a workspace of 100,000 people', () => {
  it('asks Slack nothing before the first call, and for the first call only what it shows, at any size', async () => {
    const small = await firstCall(10);
    const large = await firstCall(100_000);
    expect(small.before).toBe(0);
    expect(large.before).toBe(0);
    for (const run of [small, large]) {
      // Who the token is, where #general is, its history: one call each; then the authors' names.
      expect(run.methods.get('auth.test')).toBe(1);
      expect(run.methods.get('conversations.list')).toBe(1);
      expect(run.methods.get('conversations.history')).toBe(1);
    }
    // 12 authors among 12 people: one by one.
    expect(small.methods.get('users.list')).toBeUndefined();
    expect(small.methods.get('users.info')).toBe(small.authors);
    // Dozens of authors among 100,000: one page of the list (which cannot hold them all), then one by one.
    expect(large.authors).toBeGreaterThan(24);
    expect(large.methods.get('users.list')).toBe(1);
    expect(large.methods.get('users.info')).toBeLessThanOrEqual(large.authors);
  });

  it('reads names from one page of users.list when a page of messages has many authors, in a workspace it holds', async () => {
    sandbox.reset();
    sandbox.state.rateLimits.enabled = false;
    const { client, close } = await connect(sandbox, [], { tokens: 'user' });
    const result = await callOk<{ messages: Array<{ user?: string; author: string }> }>(client, 'slack_get_channel_history', {
      channel: '#general',
      limit: 100,
    });
    const authors = new Set(result.data.messages.map((m) => m.user));
    expect(authors.size).toBeGreaterThan(50);
    expect(result.data.messages.every((m) => !/^U[A-Z0-9]+$/.test(m.author))).toBe(true);
    expect(requests(sandbox, 'users.list')).toHaveLength(1);
    expect(requests(sandbox, 'users.info')).toHaveLength(0);
    await close();
  });

  it('finds a person by name a page of Slack’s list at a time, saying when it has not looked everywhere yet', async () => {
    use(12_000);
    const { client, close } = await connect(sandbox, [], { tokens: 'user' });
    expect(await callError(client, 'slack_get_user', { user: '@member11500' })).toBe(
      'Argument `user`: @member11500 was not among the 10,000 people looked at so far; the workspace has more, and Slack lists them a page at a time. Call again to look further, or give their email address or user ID, which is found at once.',
    );
    expect(requests(sandbox, 'users.list')).toHaveLength(10);
    const found = await callOk<{ person: { handle: string } }>(client, 'slack_get_user', { user: '@member11500' });
    expect(found.data.person.handle).toBe('member11500');
    expect(requests(sandbox, 'users.list')).toHaveLength(12);
    // The scan remembered everyone it saw: emails included.
    await callOk(client, 'slack_get_user', { user: 'member7@example.com' });
    expect(requests(sandbox, 'users.lookupByEmail')).toHaveLength(0);
    await close();
  });

  it('finds a person by email or ID with one call, at any size', async () => {
    use(100_000);
    const { client, close } = await connect(sandbox, [], { tokens: 'user' });
    const byEmail = await callOk<{ person: { handle: string } }>(client, 'slack_get_user', { user: 'member99998@example.com' });
    expect(byEmail.data.person.handle).toBe('member99998');
    const byId = await callOk<{ person: { handle: string } }>(client, 'slack_get_user', { user: 'U10000255R' });
    expect(byId.data.person.handle).toBe(String(`member${Number.parseInt('0000255R', 36)}`));
    expect(requests(sandbox, 'users.lookupByEmail')).toHaveLength(1);
    expect(requests(sandbox, 'users.info')).toHaveLength(1);
    expect(requests(sandbox, 'users.list')).toHaveLength(0);
    await close();
  });
});

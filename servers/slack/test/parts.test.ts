import { isToolError } from '@patchbay/kit';
import { describe, expect, it } from 'vitest';
import { resolveApiUrl } from '../src/api-url.js';
import { TtlCache } from '../src/cache.js';
import { mentions, readable } from '../src/mrkdwn.js';
import { parseChannelRef, parseMessageLink, parseTs, parseUserRef } from '../src/refs.js';
import { parseFutureTime, parseTime, shortTime, windowMs } from '../src/time.js';
import { allowedByList } from '../src/tools/write.js';

/** The connector's pure parts: how it reads what a model writes, and what it keeps. */

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isToolError(error)) return error.render();
    throw error;
  }
  throw new Error('expected a ToolError');
}

describe('channel and person references', () => {
  it('reads #name, bare names, IDs, mrkdwn, @person and message links', () => {
    expect(parseChannelRef('#general')).toEqual({ kind: 'name', name: 'general' });
    expect(parseChannelRef('Project-Apollo')).toEqual({ kind: 'name', name: 'project-apollo' });
    expect(parseChannelRef('C0123ABCD')).toEqual({ kind: 'id', id: 'C0123ABCD' });
    expect(parseChannelRef('<#C0123ABCD|general>')).toEqual({ kind: 'id', id: 'C0123ABCD' });
    expect(parseChannelRef('@ada')).toEqual({ kind: 'dm', user: '@ada' });
    expect(parseChannelRef('https://acme.slack.com/archives/C0123ABCD/p1717250000123456')).toEqual({
      kind: 'id',
      id: 'C0123ABCD',
      ts: '1717250000.123456',
    });
    expect(
      parseMessageLink('https://acme.slack.com/archives/C0123ABCD/p1717250001000001?thread_ts=1717250000.123456&cid=C0123ABCD'),
    ).toEqual({ id: 'C0123ABCD', ts: '1717250001.000001', threadTs: '1717250000.123456' });
    expect(parseMessageLink('https://app.slack.com/client/T0123/C0123ABCD')).toEqual({ id: 'C0123ABCD' });
    expect(thrown(() => parseChannelRef('has spaces in it'))).toMatch(
      /^Argument `channel`: "has spaces in it" is not a channel name, ID or link\./,
    );
  });

  it('reads people as IDs, mrkdwn mentions, emails and names', () => {
    expect(parseUserRef('U0123ABCD')).toEqual({ kind: 'id', id: 'U0123ABCD' });
    expect(parseUserRef('<@U0123ABCD|ada>')).toEqual({ kind: 'id', id: 'U0123ABCD' });
    expect(parseUserRef('Ada@Example.com')).toEqual({ kind: 'email', email: 'ada@example.com' });
    expect(parseUserRef('@ada')).toEqual({ kind: 'name', name: 'ada' });
    expect(parseUserRef('Ada Lovelace')).toEqual({ kind: 'name', name: 'Ada Lovelace' });
  });

  it('reads a ts with or without its dot, or as a link writes it', () => {
    expect(parseTs('1717250000.123456', 'ts')).toBe('1717250000.123456');
    expect(parseTs('1717250000123456', 'ts')).toBe('1717250000.123456');
    expect(parseTs('p1717250000123456', 'ts')).toBe('1717250000.123456');
    expect(thrown(() => parseTs('yesterday', 'ts'))).toMatch(/^Argument `ts`: "yesterday" is not a message ts\./);
  });
});

describe('times', () => {
  const now = Date.parse('2025-06-10T12:00:00Z');
  it('reads windows back from now, dates, ISO times and ts', () => {
    expect(windowMs('7d')).toBe(7 * 86_400_000);
    expect(windowMs('30min')).toBe(1_800_000);
    expect(windowMs('2 weeks')).toBe(14 * 86_400_000);
    expect(windowMs('3mo')).toBe(90 * 86_400_000);
    expect(windowMs('1m')).toBeUndefined(); // minutes or months? Neither: say min or mo.
    expect(parseTime('1d', 'oldest', now)).toBe(`${(now - 86_400_000) / 1000}.000000`);
    expect(parseTime('2025-06-01', 'oldest', now)).toBe(`${Date.parse('2025-06-01T00:00:00Z') / 1000}.000000`);
    expect(parseTime('2025-06-01T09:30:00Z', 'oldest', now)).toBe(`${Date.parse('2025-06-01T09:30:00Z') / 1000}.000000`);
    expect(parseTime('1717250000.123456', 'oldest', now)).toBe('1717250000.123456');
    expect(thrown(() => parseTime('soon', 'latest', now))).toMatch(/^Argument `latest`: "soon" is not a time\. Give a window/);
    expect(shortTime('1717250000.123456')).toBe('2024-06-01 13:53Z');
  });

  it('reads when to post: a window ahead, an ISO time or epoch seconds', () => {
    expect(parseFutureTime('in 2h', 'post_at', now)).toBe((now + 7_200_000) / 1000);
    expect(parseFutureTime('+30min', 'post_at', now)).toBe((now + 1_800_000) / 1000);
    expect(parseFutureTime('2025-06-11T09:00:00Z', 'post_at', now)).toBe(Date.parse('2025-06-11T09:00:00Z') / 1000);
    expect(parseFutureTime('1749632400', 'post_at', now)).toBe(1749632400);
    expect(thrown(() => parseFutureTime('tomorrow', 'post_at', now))).toMatch(
      /^Argument `post_at`: "tomorrow" is not a time to post at/,
    );
  });
});

describe('mrkdwn as people read it', () => {
  const names = {
    user: (id: string) => ({ U1: 'Ada', U2: 'Grace' })[id],
    channel: (id: string) => ({ C1: 'general' })[id],
  };
  it('resolves mentions, channel links, specials and link labels, and unescapes entities', () => {
    expect(
      readable(
        'Hi <@U1>, <@U9|old> and <@U2>: see <#C1>, <#C2|random>, <#C3>. <!here> <!subteam^S1|@oncall> ' +
          '<!date^1392734382^{date}|Feb 18> <https://x.example/a?b=1&amp;c=2|the doc> <https://y.example> <mailto:a@b.c|a@b.c> 1 &lt; 2 &amp;&amp; 3 &gt; 2',
        names,
      ),
    ).toBe(
      'Hi @Ada, @old and @Grace: see #general, #random, #C3. @here @oncall Feb 18 the doc (https://x.example/a?b=1&c=2) https://y.example a@b.c 1 < 2 && 3 > 2',
    );
    expect(mentions('<@U1> <@U2|x> <#C1> <#C2|named> <!here>')).toEqual({ users: ['U1', 'U2'], channels: ['C1'] });
  });
});

describe('TtlCache', () => {
  it('forgets entries after the TTL and the least recently used beyond its size', () => {
    let now = 0;
    const cache = new TtlCache<string, number>(2, 1000, () => now);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect([...cache.values()]).toEqual([1, 3]);
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
    const none = new TtlCache<string, number>(10, 0);
    none.set('a', 1);
    expect(none.get('a')).toBeUndefined();
  });
});

describe('configuration checks', () => {
  it('accepts https API URLs, and http only on this machine', () => {
    expect(resolveApiUrl(undefined)).toEqual({ url: 'https://slack.com/api/', loopback: false });
    expect(resolveApiUrl('https://slack-gov.com/api')).toEqual({ url: 'https://slack-gov.com/api/', loopback: false });
    expect(resolveApiUrl('http://127.0.0.1:4011/api/')).toEqual({ url: 'http://127.0.0.1:4011/api/', loopback: true });
    expect(resolveApiUrl('http://[::1]:4011/api/')).toEqual({ url: 'http://[::1]:4011/api/', loopback: true });
    expect(resolveApiUrl('http://slack.example.com/api/')).toEqual({
      problem: 'must use https (http only for 127.0.0.1, ::1 or localhost), got http://slack.example.com',
    });
    expect(resolveApiUrl('https://user:pw@proxy.example/api/')).toEqual({ problem: 'must not carry a user name or password' });
  });

  it('matches the write allowlist by channel name or ID, never a DM by name', () => {
    const general = { id: 'C0GENERAL1', name: 'general', kind: 'public' as const, archived: false };
    expect(allowedByList(general, ['#General'])).toBe(true);
    expect(allowedByList(general, ['general'])).toBe(true);
    expect(allowedByList(general, ['C0GENERAL1'])).toBe(true);
    expect(allowedByList(general, ['#random', 'C0OTHER01'])).toBe(false);
    expect(allowedByList({ id: 'D0DM00001', name: '', kind: 'dm', archived: false }, ['#'])).toBe(false);
  });
});

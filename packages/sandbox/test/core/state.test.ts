import { describe, expect, it } from 'vitest';
import { Clock, deterministicSecret, etagMatches, IdSequence, isoSeconds, weakEtag } from '../../src/index.js';

describe('state helpers', () => {
  it('hands out ids that only grow', () => {
    const ids = new IdSequence(41);
    expect([ids.next(), ids.next(), ids.peek()]).toEqual([41, 42, 43]);
  });

  it('never returns the same instant twice, even when pinned or called in a tight loop', () => {
    const clock = new Clock();
    const times = Array.from({ length: 50 }, () => clock.now().getTime());
    expect(new Set(times).size).toBe(50);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    clock.at('2024-01-01T00:00:00Z');
    expect(isoSeconds(clock.now())).toBe('2024-01-01T00:00:00Z');
    expect(isoSeconds(clock.advance(90_000))).toBe('2024-01-01T00:01:30Z');
  });

  it('changes an ETag exactly when the value changes, and matches If-None-Match weakly', () => {
    const a = weakEtag({ id: 1, text: 'x' });
    expect(weakEtag({ id: 1, text: 'x' })).toBe(a);
    expect(weakEtag({ id: 1, text: 'y' })).not.toBe(a);
    expect(a).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(etagMatches(a.replace('W/', ''), a)).toBe(true);
    expect(etagMatches(`"nope", ${a}`, a)).toBe(true);
    expect(etagMatches('"nope"', a)).toBe(false);
    expect(etagMatches(undefined, a)).toBe(false);
  });

  it('derives the same credential from the same name, and different ones from different names', () => {
    expect(deterministicSecret('ghp_', 'octocat', 36)).toBe(deterministicSecret('ghp_', 'octocat', 36));
    expect(deterministicSecret('ghp_', 'octocat', 36)).toMatch(/^ghp_[A-Za-z0-9]{36}$/);
    expect(deterministicSecret('ghp_', 'hubot', 36)).not.toBe(deterministicSecret('ghp_', 'octocat', 36));
  });
});

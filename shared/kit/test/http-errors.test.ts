import { describe, expect, it } from 'vitest';
import { fromHttpError, type HttpServiceProfile, httpToolError, isToolError, RateLimitedError } from '../src/index.js';

const github = {
  service: 'GitHub',
  credential: 'GITHUB_PERSONAL_ACCESS_TOKEN (or GITHUB_TOKEN)',
  obtainAt: 'https://github.com/settings/tokens',
} satisfies HttpServiceProfile;

const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`;

describe('httpToolError', () => {
  it('401: the credential is invalid or expired, which variable to fix and where to get one', () => {
    const text = httpToolError(401, { ...github, message: 'Bad credentials' }).render();
    expect(text).toBe(
      'GitHub rejected the credential (401: Bad credentials): it is missing, invalid, expired or revoked. ' +
        'Set GITHUB_PERSONAL_ACCESS_TOKEN (or GITHUB_TOKEN) to a valid one (from https://github.com/settings/tokens) and restart the server.',
    );
  });

  it('403: a permission is missing, and which one when known', () => {
    const text = httpToolError(403, { ...github, permission: 'the `repo` scope' }).render();
    expect(text).toMatch(/^GitHub refused this request \(403\)\. The credential lacks a permission: it needs the `repo` scope\./);
    expect(text).toMatch(/Grant the `repo` scope to GITHUB_PERSONAL_ACCESS_TOKEN/);
    expect(httpToolError(403, { service: 'Slack' }).render()).toMatch(
      /lacks a permission\. Grant that permission to the Slack credential/,
    );
  });

  it('404: says both "does not exist" and "no access"', () => {
    const text = httpToolError(404, { ...github, resource: 'repository octo/secret' }).render();
    expect(text).toMatch(/^GitHub found nothing at repository octo\/secret \(404\): either it does not exist, or it exists and/);
    expect(text).toMatch(/has no access to it\./);
    expect(text).toMatch(/if it does exist, give the credential access/);
  });

  it('409: a conflict, read again', () => {
    const text = httpToolError(409, { ...github, message: 'Head branch was modified' }).render();
    expect(text).toMatch(/^GitHub refused the change because of a conflict \(409: Head branch was modified\)\. .*read it again/);
  });

  it('422: the service’s validation message and the field it names', () => {
    const error = httpToolError(422, { ...github, message: 'Validation Failed', field: 'title', argument: 'title' });
    expect(error.argument).toBe('title');
    expect(error.render()).toBe(
      'Argument `title`: GitHub rejected the request as invalid in `title` (422: Validation Failed). Correct `title` and call again.',
    );
  });

  it('429: when the limit resets, as a time and in seconds, never "permission"', () => {
    const retryAt = Date.now() + 90_000;
    const text = httpToolError(429, { ...github, retryAt }).render();
    expect(text).toMatch(
      new RegExp(`^GitHub rate limit reached for this credential \\(429\\); it resets at ${ISO} \\((in 9\\d s)\\)\\.`),
    );
    expect(text).toContain(new Date(retryAt).toISOString().slice(0, 19));
    expect(text).not.toMatch(/permission/i);
  });

  it('a 403 that is a rate limit reads as the rate limit, not as a missing permission', () => {
    const text = httpToolError(403, { ...github, rateLimited: true, retryAt: Date.now() + 5_000 }).render();
    expect(text).toMatch(/^GitHub rate limit reached for this credential \(403\); it resets at/);
    expect(text).not.toMatch(/permission|Grant/i);
    expect(httpToolError(429, { service: 'Slack' }).render()).toMatch(/rate limit reached .*\(429\)\. Wait a minute/);
  });

  it('5xx: the service failed, how often it was retried, try later', () => {
    const text = httpToolError(503, { ...github, retries: 3, method: 'GET' }).render();
    expect(text).toBe(
      "GitHub failed (503) after 3 retries: the fault is on GitHub's side, not in the request. " +
        'Try again in a minute; if it keeps failing, the service may be having an outage.',
    );
  });

  it('5xx on a POST: not repeated, and it may have taken effect', () => {
    const text = httpToolError(502, { ...github, method: 'post' }).render();
    expect(text).toMatch(/^GitHub failed \(502\): the fault is on GitHub's side/);
    expect(text).toMatch(/This POST was not repeated, .* check whether it took effect before calling again\./);
  });

  it('takes a connector’s advice per status over the default', () => {
    const hints = {
      403: 'Fine-grained tokens need "Issues: write" on the repository.',
      '5xx': 'See https://www.githubstatus.com.',
    };
    expect(httpToolError(403, { ...github, hints }).render()).toMatch(/lacks a permission\. Fine-grained tokens need/);
    expect(httpToolError(504, { ...github, hints }).render()).toMatch(
      /not in the request\. See https:\/\/www\.githubstatus\.com\.$/,
    );
    expect(httpToolError(429, { ...github, hints: { 429: 'Secondary limits ease after a minute.' } }).render()).toMatch(
      /\(429\)\. Secondary limits ease after a minute\.$/,
    );
  });

  it('any other status: the service refused, in its own words', () => {
    expect(httpToolError(410, { ...github, message: 'Issues are disabled for this repo' }).render()).toBe(
      'GitHub refused the request (410: Issues are disabled for this repo).',
    );
  });
});

describe('fromHttpError: what every client library has in common', () => {
  it('maps the gate’s RateLimitedError found along the cause chain', () => {
    const resetAt = new Date(Date.now() + 60_000);
    const wrapped = new Error('request failed', { cause: new RateLimitedError('GitHub', resetAt) });
    const mapped = fromHttpError(wrapped, github);
    expect(mapped?.render()).toMatch(new RegExp(`^GitHub rate limit reached for this credential \\(429\\); it resets at ${ISO}`));
  });

  it('returns a ToolError as it is and leaves a cancellation or a bug to the kit', () => {
    const toolError = httpToolError(404, github);
    expect(fromHttpError(toolError, github)).toBe(toolError);
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(fromHttpError(abort, github)).toBeUndefined();
    expect(fromHttpError(new TypeError("Cannot read properties of undefined (reading 'login')"), github)).toBeUndefined();
    expect(isToolError(fromHttpError(new RateLimitedError('GitHub', new Date()), github))).toBe(true);
  });
});

import { ToolError } from '@patchbay/kit';

/**
 * How a model names things, read without asking Slack: a channel as `#name`, an ID or a message
 * link; a person as `@name`, an email address or an ID. Resolution (a name to an ID) is the
 * directory's job.
 */

/** A channel given by ID (with the message a link points at), by name, or as the DM with a person. */
export type ChannelRef =
  | { kind: 'id'; id: string; ts?: string; threadTs?: string }
  | { kind: 'name'; name: string }
  | { kind: 'dm'; user: string };

const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;
const USER_ID = /^[UWB][A-Z0-9]{6,}$/;
/** Slack channel names: lower case letters, digits, `-`, `_`, `.` (other scripts too), at most 80. */
const CHANNEL_NAME = /^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{N}._-]{0,79}$/u;

export const CHANNEL_HELP = 'Give #name, a channel ID (C…, G…, D…), @person for your DM with them, or a Slack message link.';

export function parseChannelRef(input: string, argument = 'channel'): ChannelRef {
  const value = input.trim();
  const bad = (why: string) => new ToolError(`${JSON.stringify(input)} ${why}`, { argument, hint: CHANNEL_HELP });
  if (value === '') throw bad('is empty.');
  const mrkdwn = /^<#([CGD][A-Z0-9]{6,})(?:\|[^>]*)?>$/.exec(value);
  if (mrkdwn) return { kind: 'id', id: mrkdwn[1] as string };
  if (/^https?:\/\//i.test(value)) {
    const link = parseMessageLink(value);
    if (!link) throw bad('is not a link to a Slack channel or message (…/archives/C…/p…).');
    return { kind: 'id', ...link };
  }
  if (CHANNEL_ID.test(value)) return { kind: 'id', id: value };
  if (value.startsWith('@') || /^<@[UW]/.test(value)) return { kind: 'dm', user: value };
  const name = value.replace(/^#/, '');
  if (CHANNEL_NAME.test(name)) return { kind: 'name', name };
  if (CHANNEL_NAME.test(name.toLowerCase())) return { kind: 'name', name: name.toLowerCase() };
  throw bad('is not a channel name, ID or link.');
}

/**
 * A Slack link: `https://acme.slack.com/archives/C0123/p1717250000123456?thread_ts=…&cid=…`
 * (a message; a reply carries its thread), `…/archives/C0123` (a channel), or the web client's
 * `https://app.slack.com/client/T…/C0123`.
 */
export function parseMessageLink(value: string): { id: string; ts?: string; threadTs?: string } | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  const archives = /\/archives\/([CGD][A-Z0-9]{6,})(?:\/p(\d{10})(\d{6}))?\/?$/.exec(url.pathname);
  if (archives) {
    const [, id, seconds, micros] = archives as unknown as [string, string, string | undefined, string | undefined];
    const threadTs = url.searchParams.get('thread_ts') ?? undefined;
    return {
      id,
      ...(seconds ? { ts: `${seconds}.${micros}` } : {}),
      ...(threadTs && isTs(threadTs) ? { threadTs } : {}),
    };
  }
  const client = /\/client\/[TE][A-Z0-9]+\/([CGD][A-Z0-9]{6,})/.exec(url.pathname);
  if (client) return { id: client[1] as string };
  return undefined;
}

/** A person given by ID, by email address, or by name. */
export type UserRef = { kind: 'id'; id: string } | { kind: 'email'; email: string } | { kind: 'name'; name: string };

export const USER_HELP = 'Give @name (their Slack handle, display or full name), an email address, or a user ID (U…).';

export function parseUserRef(input: string, argument = 'user'): UserRef {
  const value = input.trim();
  const mrkdwn = /^<@([UW][A-Z0-9]{6,})(?:\|[^>]*)?>$/.exec(value);
  if (mrkdwn) return { kind: 'id', id: mrkdwn[1] as string };
  if (USER_ID.test(value)) return { kind: 'id', id: value };
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) return { kind: 'email', email: value.toLowerCase() };
  const name = value.replace(/^@/, '').trim();
  if (name === '' || name.length > 100) {
    throw new ToolError(`${JSON.stringify(input)} is not a person.`, { argument, hint: USER_HELP });
  }
  return { kind: 'name', name };
}

/** A message timestamp (`1717250000.123456`), the message's ID within its channel. */
export function isTs(value: string): boolean {
  return /^\d{9,11}\.\d{6}$/.test(value);
}

/** A ts argument, also accepted as a link's `p1717250000123456` or without its dot. */
export function parseTs(input: string, argument: string): string {
  const value = input.trim().replace(/^p(?=\d{16}$)/, '');
  if (isTs(value)) return value;
  if (/^\d{16}$/.test(value)) return `${value.slice(0, 10)}.${value.slice(10)}`;
  throw new ToolError(`${JSON.stringify(input)} is not a message ts.`, {
    argument,
    hint: 'A ts looks like 1717250000.123456: take it from a message line (ts=…) or pass the message link as channel.',
  });
}

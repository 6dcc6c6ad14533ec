import { type FailedCall, fromHttpError, type HttpServiceProfile, isToolError, ToolError } from '@patchbay/kit';
import type { SlackServices } from './client.js';
import { APPS_URL, switches } from './config.js';

/**
 * Slack as the kit's HTTP helpers see it. Slack answers nearly everything with HTTP 200 and
 * `{"ok": false, "error": "<code>"}`; only a rate limit is a 429 (with Retry-After, which
 * `serviceFetch` honours). The codes that are about credentials get their HTTP meaning here, so
 * a code this connector does not know still reads sensibly.
 */
export const slackProfile: HttpServiceProfile = {
  service: 'Slack',
  credential: 'SLACK_BOT_TOKEN or SLACK_USER_TOKEN',
  obtainAt: APPS_URL,
  describeError: (_error, facts) => {
    const status = facts.message ? CODE_STATUS[facts.message] : undefined;
    return status ? { status } : undefined;
  },
};

const CODE_STATUS: Record<string, number> = {
  not_authed: 401,
  invalid_auth: 401,
  token_revoked: 401,
  token_expired: 401,
  account_inactive: 401,
  no_permission: 403,
  access_denied: 403,
  team_access_not_granted: 403,
  ekm_access_denied: 403,
};

type Fix = (details: SlackFailure, call: FailedCall<SlackServices>) => ToolError;

/** An `ok: false` answer, as WebClient reports it (`WebAPIPlatformError.data`). */
interface SlackFailure {
  code: string;
  needed?: string;
  provided?: string;
}

const tokens = (call: FailedCall<SlackServices>) => {
  const { botToken, userToken } = call.services.options;
  return botToken && userToken ? 'SLACK_BOT_TOKEN or SLACK_USER_TOKEN' : botToken ? 'SLACK_BOT_TOKEN' : 'SLACK_USER_TOKEN';
};
const arg = (call: FailedCall<SlackServices>, ...names: string[]) => names.find((n) => call.args[n] !== undefined);
const value = (call: FailedCall<SlackServices>, name: string | undefined) =>
  name && typeof call.args[name] === 'string' ? ` ${JSON.stringify(call.args[name])}` : '';

/** The connector's one table of Slack's `ok: false` codes: what happened and what to do. */
const FIXES: Record<string, Fix> = {
  not_in_channel: (_d, call) => {
    const botOnly = !call.services.options.userToken;
    return new ToolError('The token is not a member of that channel, so Slack will not show or change it there.', {
      ...(arg(call, 'channel') ? { argument: 'channel' } : {}),
      hint: botOnly
        ? 'Invite the app to the channel in Slack (/invite @the-app), or set SLACK_USER_TOKEN to read as a person who is in it.'
        : 'Join the channel in Slack first (or invite the app, for posting as the app).',
    });
  },
  channel_not_found: (_d, call) => {
    const name = arg(call, 'channel');
    return new ToolError(
      `Slack has no channel${value(call, name)} that this token can see: it does not exist, or it is private and the token's owner is not in it.`,
      {
        ...(name ? { argument: name } : {}),
        hint: 'Check the name or ID with slack_list_channels; for a private channel, invite the app (or the user) to it.',
      },
    );
  },
  missing_scope: (d, call) => {
    const needed = d.needed ? d.needed.split(',').join(' or ') : 'a scope it lacks';
    return new ToolError(`Slack refused: the token lacks the scope ${needed} (it has: ${d.provided || 'none'}).`, {
      hint: `Add ${needed} to the app under OAuth & Permissions at ${APPS_URL}, reinstall it and update ${tokens(call)}; or use the other kind of token (bot or user) if it has that scope.`,
    });
  },
  not_allowed_token_type: () =>
    new ToolError('Slack accepts only a user token for this, and the call used a bot token.', {
      hint: 'Set SLACK_USER_TOKEN to a user token (xoxp-…) of the same app and restart the server.',
    }),
  message_not_found: (_d, call) => {
    const name = arg(call, 'ts', 'thread_ts', 'url', 'channel');
    return new ToolError(`There is no message${value(call, name)} in that channel (it was deleted, or the ts is wrong).`, {
      ...(name ? { argument: name } : {}),
      hint: 'Take the ts (or the link) from slack_get_channel_history or slack_search_messages.',
    });
  },
  thread_not_found: (_d, call) => {
    const name = arg(call, 'thread_ts', 'channel');
    return new ToolError(`There is no thread${value(call, name)} in that channel.`, {
      ...(name ? { argument: name } : {}),
      hint: "Pass the ts of the thread's first message (a message's thread_ts in slack_get_channel_history).",
    });
  },
  cant_update_message: () =>
    new ToolError('Slack refused the edit: only the author of a message can edit it.', {
      hint: 'Edit only messages this server posted (or that the user token’s owner wrote).',
    }),
  cant_delete_message: () =>
    new ToolError('Slack refused the deletion: only the author of a message (or a workspace admin) can delete it.', {
      hint: 'Delete only messages this server posted (or that the user token’s owner wrote).',
    }),
  edit_window_closed: () =>
    new ToolError("The workspace's edit window for that message has closed, so it can no longer be edited.", {
      hint: 'Post a correction as a reply instead.',
    }),
  is_archived: (_d, call) =>
    new ToolError('That channel is archived: nothing can be posted, edited or reacted to there.', {
      ...(arg(call, 'channel') ? { argument: 'channel' } : {}),
      hint: 'Unarchive it in Slack first, or choose another channel.',
    }),
  no_reaction: (_d, call) =>
    new ToolError(`This token has no${value(call, 'emoji')} reaction on that message, so there is nothing to remove.`, {
      argument: 'emoji',
    }),
  invalid_name: () =>
    new ToolError('Slack knows no emoji by that name.', {
      argument: 'emoji',
      hint: 'Give the name without colons, as Slack spells it: thumbsup, eyes, white_check_mark.',
    }),
  too_many_reactions: () => new ToolError('That message has as many reactions as Slack allows.'),
  msg_too_long: () =>
    new ToolError('The text is longer than Slack allows (40,000 characters).', {
      argument: 'text',
      hint: 'Shorten it, or post it in parts.',
    }),
  no_text: () => new ToolError('The text is empty.', { argument: 'text' }),
  invalid_ts_latest: () => new ToolError('is not a time Slack understands.', { argument: 'latest' }),
  invalid_ts_oldest: () => new ToolError('is not a time Slack understands.', { argument: 'oldest' }),
  invalid_thread_ts: () => new ToolError('is not a message ts (seconds.microseconds).', { argument: 'thread_ts' }),
  time_in_past: () => new ToolError('is in the past: a scheduled message must be in the future.', { argument: 'post_at' }),
  time_too_far: () => new ToolError('is more than 120 days ahead, which Slack does not allow.', { argument: 'post_at' }),
  invalid_time: () => new ToolError('is not a time Slack accepts.', { argument: 'post_at' }),
  user_not_found: (_d, call) =>
    new ToolError(`Slack has no user${value(call, 'user')}.`, {
      argument: 'user',
      hint: 'Find people with slack_list_users (query by name).',
    }),
  users_not_found: (_d, call) =>
    new ToolError(`No active Slack user has the email address${value(call, 'user')}.`, {
      argument: 'user',
      hint: 'Try their @name or user ID, or slack_list_users with a query.',
    }),
  user_disabled: () => new ToolError('That person’s account is deactivated.', { argument: 'user' }),
  invalid_cursor: () =>
    new ToolError('Slack no longer accepts the position this cursor holds.', {
      argument: 'cursor',
      hint: 'Leave cursor out to start the listing again.',
    }),
  restricted_action: () =>
    new ToolError("The workspace's settings do not allow this token to do that.", {
      hint: 'A workspace admin can change who may post in that channel.',
    }),
  cannot_reply_to_message: () => new ToolError('Slack does not allow replies to that message.', { argument: 'thread_ts' }),
};

/**
 * The connector's one error table: every `ok: false` answer becomes an isError result naming what
 * to do (join the channel, add the scope, use a user token); rate limits, HTTP failures and
 * unreachable APIs go through the kit's `fromHttpError` with Slack's profile.
 */
export function mapSlackError(error: unknown, call: FailedCall<SlackServices>): ToolError | undefined {
  if (isToolError(error)) return error;
  const failure = slackFailure(error);
  if (failure) {
    const fix = FIXES[failure.code];
    if (fix) return fix(failure, call);
    if (CODE_STATUS[failure.code] === 401) {
      return new ToolError(
        `Slack rejected the token (${failure.code}): it is invalid, revoked or expired, or its account is deactivated.`,
        { hint: `Set ${tokens(call)} to a valid token from ${APPS_URL} (OAuth & Permissions) and restart the server.` },
      );
    }
  }
  // Every Slack method is a POST; what matters for the advice is whether the call could have
  // changed something (a write is never repeated, and a lost answer may hide a posted message).
  const write = WRITE_TOOLS.has(call.tool);
  return fromHttpError(error, write ? writeProfile : slackProfile);
}

const WRITE_TOOLS = new Set(Object.keys(switches));
const writeProfile: HttpServiceProfile = {
  ...slackProfile,
  describeError: (error, facts) => ({ ...slackProfile.describeError?.(error, facts), method: 'POST' }),
};

/** The `ok: false` body of a WebClient error, if that is what it is. */
export function slackFailure(error: unknown): SlackFailure | undefined {
  const data = (error as { data?: { ok?: unknown; error?: unknown; needed?: unknown; provided?: unknown } } | undefined)?.data;
  if (data?.ok !== false || typeof data.error !== 'string') return undefined;
  return {
    code: data.error,
    ...(typeof data.needed === 'string' ? { needed: data.needed } : {}),
    ...(typeof data.provided === 'string' ? { provided: data.provided } : {}),
  };
}

/** Whether an error is Slack's `ok: false` with one of these codes. */
export function isSlackCode(error: unknown, ...codes: string[]): boolean {
  const failure = slackFailure(error);
  return failure !== undefined && codes.includes(failure.code);
}

import { type OptionValues, option } from '@patchbay/kit';
import { resolveApiUrl } from './api-url.js';

/** Where a Slack app and its tokens are made; named by the missing-credential line and by 401s. */
export const APPS_URL = 'https://api.slack.com/apps';

/**
 * Every option of the Slack connector, declared once. The kit adds the common ones (--read-only,
 * --toolsets, --http, …). Either token is enough (one credential group); both together read as
 * the user and post as the bot.
 */
export const slackOptions = {
  botToken: option.string({
    env: ['SLACK_BOT_TOKEN'],
    placeholder: 'xoxb-…',
    secret: true,
    credential: {
      group: 'token',
      obtainAt: APPS_URL,
      missing:
        `SLACK_BOT_TOKEN or SLACK_USER_TOKEN is not set. Create a Slack app at ${APPS_URL} (OAuth & Permissions → ` +
        'install it), copy its Bot User OAuth Token (xoxb-…) or User OAuth Token (xoxp-…), and set it in the environment ' +
        '(or in the client\'s "env" block).',
    },
    description: 'Bot token (xoxb-…): reads the channels the app is in, posts as the app; prefer the environment to the flag',
    validate: (value) =>
      /^(xoxe\.)?xoxp-/.test(value) ? 'holds a user token (xoxp-…): set it as SLACK_USER_TOKEN instead' : undefined,
  }),
  userToken: option.string({
    env: ['SLACK_USER_TOKEN'],
    placeholder: 'xoxp-…',
    secret: true,
    credential: { group: 'token', obtainAt: APPS_URL },
    description:
      'User token (xoxp-…): reads as the person who installed the app, and enables search and unreads; prefer the environment',
    validate: (value) =>
      /^(xoxe\.)?xoxb-/.test(value) ? 'holds a bot token (xoxb-…): set it as SLACK_BOT_TOKEN instead' : undefined,
  }),
  teamId: option.string({
    env: ['SLACK_TEAM_ID'],
    placeholder: 'T…',
    description: 'Workspace ID, sent with every call (needed only by apps installed across an Enterprise Grid org)',
    validate: (value) => (/^[TE][A-Z0-9]{2,}$/.test(value) ? undefined : 'must be a workspace ID such as T0123ABCD'),
  }),
  apiUrl: option.string({
    env: ['SLACK_API_URL'],
    placeholder: 'URL',
    description:
      'Slack Web API base URL (default https://slack.com/api/; GovSlack https://slack-gov.com/api/, a proxy, or the sandbox); https only, except http on loopback',
    validate: (value) => {
      const resolved = resolveApiUrl(value);
      return 'problem' in resolved ? resolved.problem : undefined;
    },
  }),
  allowWrite: option.boolean({
    env: ['PATCHBAY_SLACK_ALLOW_WRITE'],
    description: 'Offer the write tools (post, reply, react, edit and delete own messages, schedule) for every channel',
  }),
  writeChannels: option.list({
    env: ['PATCHBAY_SLACK_WRITE_CHANNELS'],
    placeholder: '#a,#b',
    description: 'Offer the write tools for these channels only (#name or ID); every other channel is refused',
    validate: (entries) => {
      const bad = entries.filter((e) => !/^#?[\p{Ll}\p{N}._-]{1,80}$/u.test(e) && !/^[CGD][A-Z0-9]{6,}$/.test(e));
      return bad.length ? `"${bad.join('", "')}": give channel names (#name, lower case) or IDs (C…)` : undefined;
    },
  }),
  postAs: option.string({
    env: ['PATCHBAY_SLACK_POST_AS'],
    placeholder: 'bot|user',
    choices: ['bot', 'user'],
    description: 'Which token writes when both are set (default bot: messages appear from the app)',
  }),
  rateLimitWait: option.number({
    env: ['PATCHBAY_SLACK_RATE_LIMIT_WAIT'],
    placeholder: 'seconds',
    default: 20,
    description: "Wait out Slack's Retry-After when it is at most this long; a longer one is reported with its reset time",
    validate: (n) => (Number.isFinite(n) && n >= 0 && n <= 120 ? undefined : 'must be 0 to 120 seconds'),
  }),
  cacheTtl: option.number({
    env: ['PATCHBAY_SLACK_CACHE_TTL'],
    placeholder: 'seconds',
    default: 900,
    description: 'How long a resolved user or channel name is kept before it is asked of Slack again',
    validate: (n) => (Number.isInteger(n) && n >= 0 && n <= 86_400 ? undefined : 'must be a whole number of seconds, 0 to 86400'),
  }),
  cacheSize: option.number({
    env: ['PATCHBAY_SLACK_CACHE_SIZE'],
    placeholder: 'entries',
    default: 20_000,
    description: 'Most users and channels kept in the name cache (the oldest are dropped first)',
    validate: (n) =>
      Number.isInteger(n) && n >= 100 && n <= 1_000_000 ? undefined : 'must be a whole number from 100 to 1000000',
  }),
};

export type SlackOptions = typeof slackOptions;
export type SlackOptionValues = OptionValues<SlackOptions>;

// What the bin's zod-free front needs (see scripts/bundle.mjs): the options and the switches.
export { slackOptions as options };

/** Writes are offered when the operator asked for them: everywhere, or in listed channels. */
export function writesEnabled(options: SlackOptionValues): boolean {
  return options.allowWrite || options.writeChannels.length > 0;
}

/** Problems the options alone cannot show. */
export function check(options: SlackOptionValues): string[] {
  const problems: string[] = [];
  if (options.postAs === 'bot' && !options.botToken) problems.push('--post-as bot: SLACK_BOT_TOKEN is not set.');
  if (options.postAs === 'user' && !options.userToken) problems.push('--post-as user: SLACK_USER_TOKEN is not set.');
  return problems;
}

/** The write tools, each offered only when writes are enabled (decided from the options alone). */
export const switches = {
  slack_post_message: writesEnabled,
  slack_reply_to_thread: writesEnabled,
  slack_add_reaction: writesEnabled,
  slack_remove_reaction: writesEnabled,
  slack_edit_message: writesEnabled,
  slack_delete_message: writesEnabled,
  slack_schedule_message: writesEnabled,
};

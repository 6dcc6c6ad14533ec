/**
 * The Slack Web API emulator. `startSandbox({ service: 'slack' })` or `patchbay-sandbox slack`
 * serves it under `/api/`; `SLACK_API_URL`, `SLACK_BOT_TOKEN`, `SLACK_USER_TOKEN` and
 * `SLACK_TEAM_ID` point a client (`new WebClient(token, { slackApiUrl })`) at it.
 */
import { defineEmulator } from '../core/emulator.js';
import { chatMethods } from './methods/chat.js';
import { conversationMethods } from './methods/conversations.js';
import { reactionMethods } from './methods/reactions.js';
import { searchMethods } from './methods/search.js';
import { userMethods } from './methods/users.js';
import { workspaceMethods } from './methods/workspace.js';
import { seedDemo, seedEmpty } from './seed-demo.js';
import { largeWorkspace } from './seed-large.js';
import { SlackState } from './state.js';
import { failure, methodRoutes, presentedToken, rateLimitedResponse, slackResponse } from './wire.js';

/** Every Web API method the emulator serves. */
export const slackMethods = [
  ...workspaceMethods,
  ...userMethods,
  ...conversationMethods,
  ...chatMethods,
  ...reactionMethods,
  ...searchMethods,
];

export const slackRoutes = methodRoutes(slackMethods);

export const slackEmulator = defineEmulator<SlackState>({
  name: 'slack',
  title: 'Slack',
  createState: () => new SlackState(),
  seeds: { demo: seedDemo, empty: seedEmpty, large: largeWorkspace() },
  routes: slackRoutes,
  env: (url, state) => ({
    SLACK_API_URL: `${url}/api/`,
    SLACK_BOT_TOKEN: state.botToken,
    SLACK_USER_TOKEN: state.userToken,
    SLACK_TEAM_ID: state.team.id,
  }),
  token: (state) => state.botToken,
  identify: (req, state) => {
    const presented = presentedToken(
      req,
      req.method === 'POST' && /urlencoded/.test(req.header('content-type') ?? '') ? new Map(req.form()) : undefined,
    );
    if (!presented) return 'anonymous';
    const token = state.tokens.get(presented);
    return token ? (state.users.get(token.userId)?.name ?? 'invalid') : 'invalid';
  },
  // Slack answers a method it does not have with 404 and `unknown_method`.
  notFound: (req) => slackResponse(404, { ok: false, error: 'unknown_method', req_method: req.path.replace(/^\/api\//, '') }),
  errorResponse: (status) =>
    slackResponse(status, {
      ok: false,
      error:
        status === 503
          ? 'service_unavailable'
          : status === 504
            ? 'request_timeout'
            : status >= 500
              ? 'internal_error'
              : 'fatal_error',
    }),
  rateLimitResponse: (fault) => rateLimitedResponse(fault.retryAfter),
  badBodyResponse: () => failure('invalid_json'),
});

export type { SlackUser } from './directory.js';
export type { RateLimitSettings } from './rate-limit.js';
export { generatedUserId, type LargeWorkspaceOptions, largeWorkspace } from './seed-large.js';
export {
  BOT_SCOPES,
  type Conversation,
  type ConversationKind,
  type Message,
  SlackState,
  type SlackToken,
  USER_SCOPES,
} from './state.js';

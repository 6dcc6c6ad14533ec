/**
 * Who the token is and what workspace it is in: `auth.test`, `team.info`, `bots.info`.
 */
import { botIcons, teamJson } from '../serialize.js';
import { type Call, defineMethod } from '../wire.js';

export const authTest = defineMethod({
  name: 'auth.test',
  tier: 4,
  json: true,
  accepted: [],
  handler: (call: Call) => ({
    url: call.state.workspaceUrl,
    team: call.state.team.name,
    user: call.caller.name,
    team_id: call.state.team.id,
    user_id: call.caller.id,
    ...(call.token.botId ? { bot_id: call.token.botId } : {}),
    is_enterprise_install: false,
  }),
});

export const teamInfo = defineMethod({
  name: 'team.info',
  tier: 3,
  json: false,
  accepted: ['team:read'],
  handler: (call: Call) => {
    call.needScopes('team:read');
    const team = call.string('team');
    if (team !== undefined && team !== call.state.team.id) call.fail('team_not_found');
    return { team: teamJson(call.state) };
  },
});

export const botsInfo = defineMethod({
  name: 'bots.info',
  tier: 3,
  json: false,
  accepted: ['users:read'],
  handler: (call: Call) => {
    call.needScopes('users:read');
    const id = call.string('bot');
    const bot = id ? call.state.bots.get(id) : undefined;
    if (!bot) call.fail('bot_not_found');
    return {
      bot: {
        id: bot.id,
        deleted: bot.deleted,
        name: bot.name,
        updated: bot.updated,
        app_id: bot.appId,
        user_id: bot.userId,
        icons: botIcons(bot.id),
      },
    };
  },
});

export const workspaceMethods = [authTest, teamInfo, botsInfo];

/**
 * Emoji reactions on messages: `reactions.add` (`already_reacted`), `reactions.remove`
 * (`no_reaction`), `reactions.get`. Reactions on files and file comments are not emulated
 * (`file_not_found`): the sandbox keeps file metadata only.
 */
import { messageJson } from '../serialize.js';
import type { Conversation, Message } from '../state.js';
import { type Call, defineMethod } from '../wire.js';

/** An emoji name, optionally with a skin tone (`thumbsup::skin-tone-3`); colons around it are tolerated. */
const EMOJI = /^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/;

/** The message a reactions call names by `channel` and `timestamp`, checked as for reading. */
function target(call: Call): { conversation: Conversation; message: Message } {
  if (call.string('file') !== undefined || call.string('file_comment') !== undefined) call.fail('file_not_found');
  if (call.string('channel') === undefined || call.string('timestamp') === undefined) call.fail('no_item_specified');
  const conversation = call.conversation('history');
  const message = conversation.byTs.get(call.string('timestamp')!);
  if (!message || message.deleted) call.fail('message_not_found');
  return { conversation, message };
}

function emojiName(call: Call): string {
  const name = (call.string('name') ?? '').replace(/^:|:$/g, '');
  if (!EMOJI.test(name)) call.fail('invalid_name');
  return name;
}

export const reactionsAdd = defineMethod({
  name: 'reactions.add',
  tier: 3,
  json: true,
  accepted: ['reactions:write'],
  handler: (call: Call) => {
    call.needScopes('reactions:write');
    const name = emojiName(call);
    const { conversation, message } = target(call);
    if (conversation.archived) call.fail('is_archived');
    if (!call.state.react(message, name, call.caller.id)) call.fail('already_reacted');
    return {};
  },
});

export const reactionsRemove = defineMethod({
  name: 'reactions.remove',
  tier: 2,
  json: true,
  accepted: ['reactions:write'],
  handler: (call: Call) => {
    call.needScopes('reactions:write');
    const name = emojiName(call);
    const { message } = target(call);
    if (!call.state.unreact(message, name, call.caller.id)) call.fail('no_reaction');
    return {};
  },
});

export const reactionsGet = defineMethod({
  name: 'reactions.get',
  tier: 3,
  json: false,
  accepted: ['reactions:read'],
  handler: (call: Call) => {
    call.needScopes('reactions:read');
    const { conversation, message } = target(call);
    return {
      type: 'message',
      channel: conversation.id,
      message: { ...messageJson(call.state, message, { viewer: call.caller.id }), permalink: call.state.permalink(message) },
    };
  },
});

export const reactionMethods = [reactionsAdd, reactionsRemove, reactionsGet];

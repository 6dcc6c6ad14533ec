/**
 * A large workspace for "does it slow down with size" tests: by default 100,000 people, built in
 * milliseconds because the people are a generated range (each made from its index when read:
 * `U1` + the index in base 36, `member<index>@example.com`) rather than 100,000 stored objects.
 * #general holds everyone the same way. Every 97th person is deactivated, every 211th a guest.
 *
 * The same tokens as the demo seed: `state.botToken` (@patchbay), `state.userToken` (Ada).
 */
import type { SlackUser } from './directory.js';
import { FIRST_NAMES, LAST_NAMES, random, TIME_ZONES } from './seed-demo.js';
import { BOT_SCOPES, type SlackState, USER_SCOPES } from './state.js';

export interface LargeWorkspaceOptions {
  /** Generated people (default 100,000). */
  users?: number;
  /** Channels besides #general and #random (default 50). */
  channels?: number;
  /** Messages spread over the channels (default 2,000). */
  messages?: number;
}

const PREFIX = 'U1';

/** The ID of generated person `index`. */
export function generatedUserId(index: number): string {
  return PREFIX + index.toString(36).toUpperCase().padStart(8, '0');
}

function generatedUser(index: number, teamUpdated: number): SlackUser {
  const first = FIRST_NAMES[index % FIRST_NAMES.length]!;
  const last = LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length]!;
  const [tz, tzLabel, tzOffset] = TIME_ZONES[index % TIME_ZONES.length]!;
  return {
    id: generatedUserId(index),
    name: `member${index}`,
    realName: `${first} ${last}`,
    displayName: index % 3 === 0 ? `${first.toLowerCase()}${index}` : '',
    firstName: first,
    lastName: last,
    email: `member${index}@example.com`,
    title: '',
    phone: '',
    tz,
    tzLabel,
    tzOffset,
    color: '4bbe2e',
    isBot: false,
    deleted: index % 97 === 96,
    isAdmin: false,
    isOwner: false,
    isPrimaryOwner: false,
    isRestricted: index % 211 === 210,
    isUltraRestricted: false,
    statusText: '',
    statusEmoji: '',
    updated: teamUpdated,
    locale: 'en-US',
  };
}

/** A seed for a workspace of `users` generated people (see the module comment). */
export function largeWorkspace(options: LargeWorkspaceOptions = {}): (state: SlackState) => void {
  const count = options.users ?? 100_000;
  const channelCount = options.channels ?? 50;
  const messageCount = options.messages ?? 2_000;
  return (state) => {
    const rand = random(100_000 + count);
    const end = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
    const start = end - 30 * 86_400_000;
    state.clock.pin(start - 86_400_000);
    state.team.name = 'Patchbay Large';
    state.team.domain = 'patchbay-large';
    const updated = Math.floor(start / 1000);
    const grace = state.addPerson({
      name: 'grace',
      realName: 'Grace Hopper',
      isAdmin: true,
      isOwner: true,
      isPrimaryOwner: true,
    });
    const ada = state.addPerson({ name: 'ada', realName: 'Ada Lovelace', title: 'Staff Engineer' });
    const patchbay = state.addBot({ name: 'patchbay', realName: 'Patchbay', appName: 'Patchbay' });
    state.users.generate({
      count,
      make: (index) => generatedUser(index, updated),
      indexOf: (id) => {
        if (id.length !== PREFIX.length + 8 || !id.startsWith(PREFIX)) return undefined;
        const index = Number.parseInt(id.slice(PREFIX.length), 36);
        return Number.isInteger(index) && index < count && generatedUserId(index) === id ? index : undefined;
      },
      indexOfEmail: (email) => {
        const index = Number(/^member(\d+)@example\.com$/.exec(email)?.[1] ?? Number.NaN);
        return Number.isInteger(index) && index < count ? index : undefined;
      },
    });
    const app = patchbay.bot.appId;
    state.botToken = state.issueToken({ type: 'bot', userId: patchbay.user.id, appId: app, scopes: BOT_SCOPES }).token;
    state.userToken = state.issueToken({ type: 'user', userId: ada.id, appId: app, scopes: USER_SCOPES }).token;
    state.namedTokens.set('bot', state.botToken);
    state.namedTokens.set('user', state.userToken);

    const someone = () => generatedUserId(Math.floor(rand() * count));
    const general = state.addChannel({ name: 'general', creator: grace.id, members: 'everyone', general: true });
    general.members.add(patchbay.user.id);
    const channels = [general, state.addChannel({ name: 'random', creator: grace.id, members: [ada.id] })];
    for (let i = 0; i < channelCount; i++) {
      const members = new Set([ada.id, patchbay.user.id]);
      while (members.size < 2 + Math.min(count, 50)) members.add(someone());
      channels.push(
        state.addChannel({ name: `channel-${i + 1}`, creator: grace.id, private: i % 10 === 9, members: [...members] }),
      );
    }
    const times = Array.from({ length: messageCount }, () => start + Math.floor(rand() * (end - start))).sort((a, b) => a - b);
    for (const at of times) {
      const channel = channels[Math.floor(rand() * channels.length)]!;
      const explicit = channel.members.explicit().filter((id) => id !== patchbay.user.id);
      const author =
        channel.members.isEveryone || explicit.length === 0 ? someone() : explicit[Math.floor(rand() * explicit.length)]!;
      state.post(channel.id, {
        atMicros: at * 1000 + Math.floor(rand() * 1000),
        user: author,
        text: `Update ${Math.floor(rand() * 10_000)} from <@${author}>`,
      });
    }
    state.clock.resume();
  };
}

/**
 * The `demo` workspace: "Patchbay Demo", about 320 people (admins, guests, deactivated
 * accounts, bots, many time zones), 120 channels (public, private, archived), DMs and a group DM,
 * and about 5,600 messages over the last 90 days with threads (one of 300 replies), edits,
 * reactions, shared files and mrkdwn (`<@U…>`, `<#C…|name>`, `<!here>`, `<https://…|label>`).
 * Everything is derived from a fixed pseudo-random sequence, so the same seed gives the same
 * workspace every run (only the timestamps move with the current hour).
 *
 * Tokens: the app "Patchbay" has a bot token (`state.botToken`, @patchbay) and a user token for
 * Ada Lovelace (`state.userToken`, a regular member). `state.namedTokens` adds `admin` (Grace
 * Hopper's user token), `narrow-bot` (a bot token with only `chat:write`), `inactive` (a
 * deactivated person's) and `revoked`.
 */
import type { SlackUser } from './directory.js';
import { formatTs } from './ids.js';
import { BOT_SCOPES, type Conversation, type Message, type SlackState, USER_SCOPES } from './state.js';

/** A small deterministic generator (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FIRST_NAMES = [
  'Amara',
  'Bruno',
  'Chen',
  'Dalia',
  'Emeka',
  'Freya',
  'Goran',
  'Hana',
  'Ines',
  'Jonas',
  'Kofi',
  'Leila',
  'Mateo',
  'Nadia',
  'Oskar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sanjay',
  'Tova',
  'Uma',
  'Viktor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zofia',
  'Aiko',
  'Bilal',
  'Carmen',
  'Dmitri',
  'Elif',
  'Farid',
  'Greta',
  'Hugo',
  'Ilse',
  'Jamal',
  'Kirra',
  'Lars',
  'Mei',
  'Nikhil',
  'Olga',
  'Pablo',
];

export const LAST_NAMES = [
  'Okafor',
  'Silva',
  'Nakamura',
  'Haddad',
  'Novak',
  'Lindqvist',
  'Moreau',
  'Kowalski',
  'Ferreira',
  'Tanaka',
  'Mensah',
  'Rossi',
  'Petrov',
  'Schmidt',
  'Alvarez',
  'Iyer',
  'Dubois',
  'Jensen',
  'Osei',
  'Varga',
  'Cohen',
  'Park',
  'Nguyen',
  'Ahmed',
];

export const TIME_ZONES: readonly [string, string, number][] = [
  ['Europe/London', 'Greenwich Mean Time', 0],
  ['Europe/Berlin', 'Central European Time', 3600],
  ['America/New_York', 'Eastern Standard Time', -18000],
  ['America/Los_Angeles', 'Pacific Standard Time', -28800],
  ['Asia/Tokyo', 'Japan Standard Time', 32400],
  ['Asia/Kolkata', 'India Standard Time', 19800],
  ['Australia/Sydney', 'Australian Eastern Daylight Time', 39600],
  ['America/Sao_Paulo', 'Brasilia Standard Time', -10800],
];

const TITLES = [
  'Software Engineer',
  'Senior Software Engineer',
  'Product Manager',
  'Product Designer',
  'Support Specialist',
  'Engineering Manager',
  'Data Scientist',
  'Site Reliability Engineer',
  'Account Executive',
  'Recruiter',
  'Technical Writer',
  'Marketing Lead',
  '',
];

const SERVICES = ['api', 'billing', 'search', 'web', 'auth', 'notifier', 'ingest', 'reports'];
const EMOJI = ['thumbsup', 'eyes', 'tada', 'white_check_mark', 'heart', 'joy', 'rocket', 'pray', '100', 'raised_hands'];
const FILES: readonly [string, string, string, string][] = [
  ['screenshot.png', 'image/png', 'png', 'PNG'],
  ['design-v2.pdf', 'application/pdf', 'pdf', 'PDF'],
  ['q3-report.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx', 'Excel Spreadsheet'],
  ['error.log', 'text/plain', 'text', 'Plain Text'],
  ['notes.md', 'text/markdown', 'markdown', 'Markdown (raw)'],
];

/** Message templates by kind of channel; `{user}`, `{channel}`, `{service}`, `{n}` are filled in. */
const TEMPLATES: Record<string, string[]> = {
  general: [
    'Reminder: all-hands is on Thursday at 16:00 UTC. Agenda in <https://docs.example.com/all-hands|the doc>.',
    '<!here> the office wifi will be down for maintenance tonight from 22:00.',
    'Welcome <@{user}> to the team! :wave:',
    'Big thanks to <@{user}> for covering support over the weekend :pray:',
    'Quarterly goals are up: <https://docs.example.com/okrs|OKRs for this quarter>. Questions in <#{channel}>.',
    'Lunch-and-learn today: *observability without tears*. Recording will be shared after.',
    'Please update your profile with your time zone, it helps everyone schedule meetings.',
    'The holiday calendar for next year is published. :calendar:',
  ],
  random: [
    'Anyone else watching the match tonight?',
    'Found this great article on sourdough: <https://blog.example.com/sourdough|Sourdough for engineers>',
    'Coffee machine on 3 is fixed :coffee:',
    'Who left the cake in the kitchen? Asking for a friend :cake:',
    '<@{user}> your plant is thriving :seedling:',
    'Friday playlist thread, drop your songs below :musical_note:',
    'TIL you can press `Cmd+K` to jump to any channel.',
  ],
  engineering: [
    'Has anyone looked at the flaky test in `{service}`? It failed twice on main today.',
    'PR is up for the {service} retry change: <https://git.example.com/acme/{service}/pull/{n}|#{n}>, reviews welcome.',
    '<@{user}> can you take a look at the migration before I merge?',
    'Heads up: `{service}` p95 latency went from 120ms to 340ms after the last deploy.',
    'I think we should move the `{service}` cron jobs to the queue. Thoughts?',
    'Reminder that code freeze starts Friday. Anything big should land by Thursday.',
    'Wrote up the design for the new cache layer: <https://docs.example.com/design/cache|Cache design>.',
    "The staging DB was restored from last night's snapshot, sorry for the noise.",
    'Does anyone know why we pin `node` to 20.11 in the Dockerfile?',
    '~Deploying `{service}` now~ postponed until the incident is closed.',
    'Can I get a second pair of eyes on <https://git.example.com/acme/{service}/pull/{n}>?',
  ],
  deploys: [
    'Deployed `{service}` v1.{n}.0 to production :rocket:',
    'Rolled back `{service}` v1.{n}.1: error rate above threshold.',
    'Deploy of `{service}` to staging finished in 4m12s :white_check_mark:',
    'Canary for `{service}` v1.{n}.2 is healthy, promoting.',
  ],
  support: [
    'Customer reports they cannot reset their password, ticket <https://support.example.com/t/{n}|#{n}>.',
    '<@{user}> can you check whether the billing export is delayed again?',
    'Escalating ticket #{n} to engineering: looks like a bug in `{service}`.',
    'Closed 14 tickets today, queue is under 20 :tada:',
    'FAQ updated with the new SSO steps.',
  ],
  incidents: [
    ':rotating_light: Elevated error rate on `{service}` since 14:02 UTC, investigating.',
    'Mitigated: traffic shifted away from the bad node. Monitoring.',
    'Postmortem draft: <https://docs.example.com/pm/{n}|PM-{n}>. Please add your timeline notes.',
    '<!channel> incident closed, thanks everyone.',
  ],
  private: [
    "Let's keep this in here until it is announced.",
    'Draft for review: <https://docs.example.com/private/{n}|plan v{n}>.',
    '<@{user}> can you own the follow-up?',
    "Agreed, let's revisit on Monday.",
  ],
  dm: [
    'Hey, do you have five minutes later today?',
    'Thanks for the review!',
    'Can you send me the link to the doc we discussed?',
    'Running a bit late to our 1:1, sorry.',
    'Sure, sounds good.',
    'Did you see the note in <#{channel}>?',
  ],
  project: [
    'Status update: {n}% of the milestone is done.',
    'Blocked on the `{service}` API change, tracking in <https://git.example.com/acme/{service}/issues/{n}|#{n}>.',
    'Demo on Friday, <@{user}> will present.',
    "Notes from today's sync are in the doc.",
  ],
  replies: [
    '+1',
    'Looking now.',
    'Fixed in the latest build.',
    'I can reproduce it locally.',
    'Thanks!',
    'Could this be the connection pool again?',
    'Let me check the logs.',
    ':eyes:',
    'Agreed.',
    'Opened a ticket for it.',
    'Same here, started this morning.',
    'Should be better now, can you retry?',
  ],
};

interface Plan {
  at: number;
  channel: Conversation;
  author: string;
  text: string;
  parent?: Plan;
  posted?: Message;
  react?: boolean;
  edit?: boolean;
  file?: boolean;
  broadcast?: boolean;
  botId?: string;
  appId?: string;
}

/** Fills the `demo` workspace into an empty state. */
export function seedDemo(state: SlackState): void {
  const rand = random(20240501);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  // Timestamps move with the hour, so "the last day" and "the last week" always hold messages.
  const end = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  const start = end - 90 * 86_400_000;
  state.clock.pin(start - 86_400_000);
  state.team.created = Math.floor((start - 400 * 86_400_000) / 1000);

  // People
  const tz = (i: number) => {
    const [name, label, offset] = TIME_ZONES[i % TIME_ZONES.length]!;
    return { tz: name, tzLabel: label, tzOffset: offset };
  };
  const grace = state.addPerson({
    name: 'grace',
    realName: 'Grace Hopper',
    displayName: 'grace',
    title: 'Founder',
    isAdmin: true,
    isOwner: true,
    isPrimaryOwner: true,
    ...tz(2),
    statusText: 'In meetings',
    statusEmoji: ':calendar:',
  });
  const ada = state.addPerson({
    name: 'ada',
    realName: 'Ada Lovelace',
    displayName: 'Ada',
    title: 'Staff Engineer',
    phone: '+44 20 7946 0000',
    ...tz(0),
  });
  const alan = state.addPerson({ name: 'alan', realName: 'Alan Turing', title: 'Engineering Manager', isAdmin: true, ...tz(0) });
  const katherine = state.addPerson({ name: 'katherine', realName: 'Katherine Johnson', title: 'Data Scientist', ...tz(2) });
  const guest = state.addPerson({
    name: 'casey.contractor',
    realName: 'Casey Contractor',
    title: 'Contractor',
    isRestricted: true,
    ...tz(3),
  });
  const former = state.addPerson({ name: 'olive.former', realName: 'Olive Former', title: 'Designer', deleted: true, ...tz(1) });
  const people: SlackUser[] = [grace, ada, alan, katherine];
  for (let i = 0; people.length < 310; i++) {
    const first = FIRST_NAMES[i % FIRST_NAMES.length]!;
    const last = LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length]!;
    const name = `${first}.${last}`.toLowerCase();
    const person = state.addPerson({
      name,
      realName: `${first} ${last}`,
      displayName: i % 3 === 0 ? first.toLowerCase() : '',
      title: TITLES[i % TITLES.length]!,
      deleted: i % 53 === 7,
      ...tz(i),
    });
    if (!person.deleted) people.push(person);
  }
  const patchbay = state.addBot({ name: 'patchbay', realName: 'Patchbay', appName: 'Patchbay' });
  const deploybot = state.addBot({ name: 'deploybot', realName: 'Deploy Bot', appName: 'Deploy Bot' });
  const standup = state.addBot({ name: 'standup', realName: 'Standup', appName: 'Standup' });

  // Tokens
  const app = patchbay.bot.appId;
  state.botToken = state.issueToken({ type: 'bot', userId: patchbay.user.id, appId: app, scopes: BOT_SCOPES }).token;
  state.userToken = state.issueToken({ type: 'user', userId: ada.id, appId: app, scopes: USER_SCOPES }).token;
  state.namedTokens.set('bot', state.botToken);
  state.namedTokens.set('user', state.userToken);
  state.namedTokens.set('admin', state.issueToken({ type: 'user', userId: grace.id, appId: app, scopes: USER_SCOPES }).token);
  state.namedTokens.set(
    'narrow-bot',
    state.issueToken({ type: 'bot', userId: patchbay.user.id, appId: app, scopes: ['chat:write'], label: 'narrow' }).token,
  );
  state.namedTokens.set('inactive', state.issueToken({ type: 'user', userId: former.id, appId: app, scopes: USER_SCOPES }).token);
  const revoked = state.issueToken({ type: 'user', userId: alan.id, appId: app, scopes: USER_SCOPES, label: 'revoked' });
  revoked.revoked = true;
  state.namedTokens.set('revoked', revoked.token);
  state.namedTokens.set(
    'deploybot',
    state.issueToken({ type: 'bot', userId: deploybot.user.id, appId: deploybot.bot.appId, scopes: BOT_SCOPES }).token,
  );

  // Channels
  const created = Math.floor((start - 200 * 86_400_000) / 1000);
  const sample = (count: number, always: SlackUser[] = []) => {
    const chosen = new Set(always.map((u) => u.id));
    while (chosen.size < Math.min(count, people.length)) chosen.add(pick(people).id);
    return [...chosen];
  };
  const general = state.addChannel({
    name: 'general',
    creator: grace.id,
    members: 'everyone',
    general: true,
    topic: 'Company-wide announcements and work-based matters',
    purpose: 'This channel is for team-wide communication and announcements. All team members are in this channel.',
    created,
  });
  general.members.add(patchbay.user.id);
  const channel = (
    name: string,
    init: { private?: boolean; members: string[]; topic?: string; purpose?: string; archived?: boolean },
  ) => state.addChannel({ name, creator: init.members[0]!, created, ...init });
  const bots = { patchbay: patchbay.user.id, deploy: deploybot.user.id, standup: standup.user.id };
  const random_ = channel('random', {
    members: sample(200, [grace, ada]),
    purpose: 'Non-work banter and water cooler conversation',
  });
  const engineering = channel('engineering', {
    members: [...sample(80, [alan, ada, katherine, grace]), bots.patchbay, bots.deploy, bots.standup],
    topic: `Code freeze Friday. On call: <@${alan.id}>`,
    purpose: 'Engineering discussion',
  });
  const deploys = channel('deploys', {
    members: [bots.deploy, ...sample(40, [ada, alan]), bots.patchbay],
    purpose: 'Deploy notifications',
  });
  const support = channel('support', {
    members: [...sample(45, [katherine, ada, guest]), bots.patchbay],
    purpose: 'Customer support',
  });
  const incidents = channel('incidents', {
    members: [...sample(60, [alan, ada]), bots.patchbay],
    topic: 'No open incidents :white_check_mark:',
  });
  const design = channel('design', { members: sample(30, [ada]), purpose: 'Design reviews and critique' });
  const product = channel('product', { members: sample(35, [grace, katherine]) });
  const sales = channel('sales', { members: sample(25), purpose: 'Deals, demos and the pipeline' });
  const marketing = channel('marketing', { members: sample(25) });
  const announcements = channel('announcements', {
    members: [grace.id, ...sample(150), bots.patchbay],
    purpose: 'Official announcements',
  });
  const apollo = channel('project-apollo', {
    members: sample(20, [ada, katherine]),
    purpose: 'Project Apollo: the new onboarding',
  });
  const security = channel('security', {
    private: true,
    members: [ada.id, grace.id, alan.id, bots.patchbay],
    purpose: 'Security reviews',
  });
  const leadership = channel('leadership', { private: true, members: [grace.id, alan.id, katherine.id] });
  const hiring = channel('hiring', { private: true, members: [grace.id, alan.id, bots.patchbay, ...sample(6)] });
  const archived = channel('project-zephyr', { members: sample(15, [ada]), archived: true, purpose: 'Project Zephyr (shipped)' });
  const extra: Conversation[] = [];
  const TEAMS = [
    'atlas',
    'beacon',
    'comet',
    'delta',
    'ember',
    'fjord',
    'granite',
    'harbor',
    'iris',
    'juniper',
    'kestrel',
    'lumen',
  ];
  for (let i = 0; state.conversationOrder.length < 120; i++) {
    const name = `${i % 2 === 0 ? 'team' : 'proj'}-${TEAMS[i % TEAMS.length]}-${Math.floor(i / TEAMS.length) + 1}`;
    extra.push(
      channel(name, {
        private: i % 9 === 4,
        archived: i % 11 === 10,
        members: sample(3 + Math.floor(rand() * 25), i % 5 === 0 ? [ada] : []),
      }),
    );
  }
  const dmGrace = state.openDm(ada.id, grace.id).conversation;
  const dmAlan = state.openDm(ada.id, alan.id).conversation;
  const dmBot = state.openDm(ada.id, patchbay.user.id).conversation;
  const dmGraceBot = state.openDm(grace.id, patchbay.user.id).conversation;
  const group = state.openGroupDm(ada.id, [grace.id, katherine.id]).conversation;

  // Messages: planned across all conversations, then posted in time order (ts only grows).
  const plans: Plan[] = [];
  const humans = new Map<Conversation, string[]>();
  const membersOf = (c: Conversation): string[] => {
    let ids = humans.get(c);
    if (!ids) {
      ids = (c.members.isEveryone ? people.map((p) => p.id) : [...c.members.explicit()]).filter(
        (id) => !state.users.get(id)?.isBot,
      );
      if (ids.length === 0) ids = [ada.id];
      humans.set(c, ids);
    }
    return ids;
  };
  const channelLink = () => {
    const linked = pick([general, engineering, support, random_]);
    return `<#${linked.id}|${linked.name}>`;
  };
  const fill = (template: string, c: Conversation): string =>
    template
      .replaceAll('{user}', pick(membersOf(c)))
      .replaceAll('<#{channel}>', channelLink())
      .replaceAll('{service}', pick(SERVICES))
      .replaceAll('{n}', String(100 + Math.floor(rand() * 900)));
  const timeIn = (from = start, to = end) => from + Math.floor(rand() * (to - from));
  const plan = (
    c: Conversation,
    count: number,
    templates: string[],
    opts: { authors?: string[]; bot?: typeof patchbay } = {},
  ) => {
    const authors = opts.authors ?? membersOf(c);
    for (let i = 0; i < count; i++) {
      const entry: Plan = {
        at: timeIn(),
        channel: c,
        author: opts.bot ? opts.bot.user.id : pick(authors),
        text: fill(pick(templates), c),
        react: rand() < 0.15,
        edit: !opts.bot && rand() < 0.05,
        file: !opts.bot && rand() < 0.03,
        ...(opts.bot ? { botId: opts.bot.bot.id, appId: opts.bot.bot.appId } : {}),
      };
      plans.push(entry);
    }
  };
  const thread = (parent: Plan, replies: number, within = 3 * 86_400_000) => {
    const authors = membersOf(parent.channel);
    for (let i = 0; i < replies; i++)
      plans.push({
        at: timeIn(parent.at + 1000, Math.min(end, parent.at + within)),
        channel: parent.channel,
        author: pick(authors),
        text: fill(pick(TEMPLATES['replies']!), parent.channel),
        parent,
        react: rand() < 0.1,
        broadcast: rand() < 0.01,
      });
  };

  plan(general, 1200, TEMPLATES['general']!);
  plan(random_, 800, TEMPLATES['random']!);
  plan(engineering, 1000, TEMPLATES['engineering']!);
  plan(deploys, 400, TEMPLATES['deploys']!, { bot: deploybot });
  plan(support, 300, TEMPLATES['support']!);
  plan(incidents, 100, TEMPLATES['incidents']!);
  for (const c of [design, product, sales, marketing]) plan(c, 100, TEMPLATES['project']!);
  plan(announcements, 40, TEMPLATES['general']!, { authors: [grace.id] });
  plan(announcements, 20, ['Weekly digest is ready: <https://docs.example.com/digest|this week>.'], { bot: patchbay });
  plan(apollo, 150, TEMPLATES['project']!);
  plan(security, 80, TEMPLATES['private']!);
  plan(leadership, 60, TEMPLATES['private']!);
  plan(hiring, 40, TEMPLATES['private']!);
  plan(archived, 50, TEMPLATES['project']!);
  for (const c of extra) plan(c, Math.floor(rand() * 11), TEMPLATES['project']!);
  plan(dmGrace, 120, TEMPLATES['dm']!, { authors: [ada.id, grace.id] });
  plan(dmAlan, 30, TEMPLATES['dm']!, { authors: [ada.id, alan.id] });
  plan(dmBot, 10, ['Your weekly summary is ready.', 'Reminder: standup notes are due.'], { bot: patchbay });
  plan(dmGraceBot, 5, ['Your weekly summary is ready.'], { bot: patchbay });
  plan(group, 40, TEMPLATES['dm']!);

  // Threads: one long one in #engineering (to page through), and many short ones.
  const roots = plans.filter((p) => !p.parent && !p.botId);
  const longest = plans.find((p) => p.channel === engineering && p.at < end - 30 * 86_400_000)!;
  longest.text = 'Thread for the `search` reindex rollout: post progress and problems here, please. :thread:';
  thread(longest, 300, 20 * 86_400_000);
  for (let i = 0; i < 220; i++) {
    const root = pick(roots);
    if (root !== longest && root.channel !== archived) thread(root, 1 + Math.floor(rand() * 25));
  }
  const incident = plans.find((p) => p.channel === incidents)!;
  incident.text = ':rotating_light: `api` is returning 502s for some customers, <!here> please hold deploys.';
  thread(incident, 40, 86_400_000);

  plans.sort((a, b) => a.at - b.at);
  for (const p of plans) {
    const file = p.file
      ? (() => {
          const [name, mimetype, filetype, prettyType] = pick(FILES);
          const size = 1024 + Math.floor(rand() * 900_000);
          return [
            state.makeFile({
              name,
              title: name,
              mimetype,
              filetype,
              prettyType,
              size,
              user: p.author,
              created: Math.floor(p.at / 1000),
            }),
          ];
        })()
      : undefined;
    // Sub-millisecond digits as real timestamps have them.
    p.posted = state.post(p.channel.id, {
      atMicros: p.at * 1000 + Math.floor(rand() * 1000),
      user: p.author,
      text: p.text,
      ...(p.botId ? { botId: p.botId, appId: p.appId! } : {}),
      ...(p.parent?.posted ? { threadTs: p.parent.posted.ts, broadcast: p.broadcast ?? false } : {}),
      ...(file ? { files: file } : {}),
    });
    if (p.edit) p.posted.edited = { user: p.author, ts: formatTs(p.posted.micros + 300_000_000) };
    if (p.react) {
      const reactors = membersOf(p.channel);
      for (let r = 1 + Math.floor(rand() * 3); r > 0; r--) {
        const name = pick(EMOJI);
        for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) state.react(p.posted, name, pick(reactors));
      }
    }
  }

  // Ada has read most, but not all, of what she is in; her DM with Grace has three unread.
  for (const id of state.conversationOrder) {
    const c = state.conversations.get(id)!;
    if (!c.members.has(ada.id) || c.timeline.length === 0) continue;
    const unread = c === dmGrace ? 3 : Math.floor(rand() * 12);
    const last = c.timeline[Math.max(0, c.timeline.length - 1 - unread)]!;
    if (unread < c.timeline.length) c.lastRead.set(ada.id, last.ts);
  }
  state.clock.resume();

  // One message Ada scheduled for tomorrow morning.
  const tomorrow = Math.floor(end / 1000) + 24 * 3600;
  const scheduledId = state.mint.mint('Q0', 'scheduled:demo');
  state.scheduled.set(scheduledId, {
    id: scheduledId,
    channel: engineering.id,
    postAt: tomorrow,
    dateCreated: Math.floor(end / 1000),
    text: 'Reminder: the `search` reindex starts at 09:00 UTC today.',
    user: ada.id,
    replyBroadcast: false,
  });
}

/** An almost empty workspace: the team, Ada, Grace, the Patchbay bot, #general and #random. */
export function seedEmpty(state: SlackState): void {
  const grace = state.addPerson({ name: 'grace', realName: 'Grace Hopper', isAdmin: true, isOwner: true, isPrimaryOwner: true });
  const ada = state.addPerson({ name: 'ada', realName: 'Ada Lovelace' });
  const patchbay = state.addBot({ name: 'patchbay', realName: 'Patchbay' });
  const app = patchbay.bot.appId;
  state.botToken = state.issueToken({ type: 'bot', userId: patchbay.user.id, appId: app, scopes: BOT_SCOPES }).token;
  state.userToken = state.issueToken({ type: 'user', userId: ada.id, appId: app, scopes: USER_SCOPES }).token;
  state.namedTokens.set('bot', state.botToken);
  state.namedTokens.set('user', state.userToken);
  const general = state.addChannel({ name: 'general', creator: grace.id, members: 'everyone', general: true });
  general.members.add(patchbay.user.id);
  state.addChannel({ name: 'random', creator: grace.id, members: [ada.id] });
}

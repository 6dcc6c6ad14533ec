import { cursorInput, limitInput, moreSchema, untrustedLine } from '@patchbay/kit';
import * as z from 'zod';
import { requireScope } from '../client.js';
import { type Person, personName, type RawUser } from '../directory.js';
import { tool } from '../kit.js';
import { USER_HELP } from '../refs.js';

const personSchema = z.object({
  id: z.string(),
  handle: z.string(),
  name: z.string(),
  real_name: z.string().optional(),
  title: z.string().optional(),
  email: z.string().optional(),
  tz: z.string().optional(),
  roles: z.array(z.string()).optional(),
});

function roles(p: Person): string[] {
  return [
    p.owner ? 'owner' : p.admin ? 'admin' : '',
    p.guest ? 'guest' : '',
    p.bot ? 'bot' : '',
    p.deleted ? 'deactivated' : '',
  ].filter(Boolean);
}

function personData(p: Person): z.infer<typeof personSchema> {
  const r = roles(p);
  return {
    id: p.id,
    handle: p.handle,
    name: untrustedLine(personName(p), 120),
    ...(p.realName && p.realName !== personName(p) ? { real_name: untrustedLine(p.realName, 120) } : {}),
    ...(p.title ? { title: untrustedLine(p.title, 120) } : {}),
    ...(p.email ? { email: p.email } : {}),
    ...(p.tz ? { tz: p.tz } : {}),
    ...(r.length ? { roles: r } : {}),
  };
}

/** `@ada U0ADA · Ada Lovelace · Staff Engineer · admin · Europe/London · ada@example.com` */
function personLine(p: Person): string {
  const d = personData(p);
  return [`@${d.handle} ${d.id}`, d.real_name ? `${d.name} (${d.real_name})` : d.name, d.title, ...(d.roles ?? []), d.tz, d.email]
    .filter(Boolean)
    .join(' · ');
}

export const listUsers = tool({
  name: 'slack_list_users',
  title: 'List or find people',
  description:
    'People in the workspace, one line each: @handle, ID, name, title, role, time zone, email (with users:read.email). ' +
    'query finds people by part of a handle, name or email. Use slack_get_user for one person.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    query: z.string().max(100).optional().describe('Only people whose handle, display name, full name or email contains this'),
    include_bots: z.boolean().default(false).describe('Also list bots and apps'),
    include_deactivated: z.boolean().default(false).describe('Also list deactivated accounts'),
    limit: limitInput(100, 1000, 'people'),
    cursor: cursorInput,
  },
  output: { people: z.array(personSchema), more: moreSchema },
  async handler({ query, include_bots, include_deactivated, limit }, ctx) {
    const { directory } = ctx.services;
    const session = await ctx.services.reader();
    await requireScope(session, 'Listing people', 'users:read');
    const needle = query?.trim().replace(/^@/, '').toLowerCase();
    // Slack lists everyone in pages; a query is matched here, so its pages are the largest Slack gives.
    const pageSize = needle ? 1000 : Math.min(limit, 200);
    return ctx.paginate({
      key: 'people',
      unit: ['person', 'people'],
      limit: { argument: 'limit', value: limit },
      ...(needle ? {} : { hint: 'Or find someone with query.' }),
      fetch: async (cursor: string | undefined) => {
        const page = await session.web.users.list({ limit: pageSize, ...(cursor ? { cursor } : {}) });
        const people = ((page.members ?? []) as RawUser[])
          .map((raw) => directory.rememberPerson(raw))
          .filter((p) => (include_bots || !p.bot) && (include_deactivated || !p.deleted))
          .filter(
            (p) =>
              !needle ||
              [p.handle, p.displayName, p.realName, p.email ?? ''].some((field) => field.toLowerCase().includes(needle)),
          );
        return { items: people, next: page.response_metadata?.next_cursor || undefined };
      },
      line: personLine,
      data: personData,
    });
  },
});

export const getUser = tool({
  name: 'slack_get_user',
  title: 'Get a person',
  description:
    'One person’s profile: names, title, email, phone, time zone, status, role. Give @name, an email address or a user ID.',
  toolset: 'read',
  access: 'read',
  openWorld: true,
  input: {
    user: z.string().min(1).max(200).describe(USER_HELP),
  },
  output: { person: personSchema.extend({ phone: z.string().optional(), status: z.string().optional() }) },
  async handler({ user }, ctx) {
    const session = await ctx.services.reader();
    await requireScope(session, 'Reading profiles', 'users:read');
    const person = await ctx.services.directory.findPerson(user);
    const data = {
      ...personData(person),
      ...(person.phone ? { phone: untrustedLine(person.phone, 60) } : {}),
      ...(person.status ? { status: untrustedLine(person.status, 160) } : {}),
    };
    const lines = [
      `@${data.handle} (${data.id})`,
      `Name: ${data.name}${data.real_name ? ` (${data.real_name})` : ''}`,
      data.title ? `Title: ${data.title}` : '',
      data.email ? `Email: ${data.email}` : '',
      data.phone ? `Phone: ${data.phone}` : '',
      data.tz ? `Time zone: ${data.tz}` : '',
      data.status ? `Status: ${data.status}` : '',
      data.roles ? `Role: ${data.roles.join(', ')}` : '',
    ].filter(Boolean);
    return { structured: { person: data }, text: lines.join('\n') };
  },
});

import type { drive_v3 } from '@googleapis/drive';
import { ToolError, untrustedLine } from '@patchbay/kit';
import * as z from 'zod';
import { kindOf } from '../files.js';
import { tool } from '../kit.js';
import { idFrom } from '../query.js';
import { accountOutput, header, open, quoted, type Session } from '../session.js';

const grantSchema = z.object({
  permission_id: z.string(),
  type: z.string(),
  role: z.string(),
  who: z.string(),
});

async function fileName(s: Session, fileId: string): Promise<{ name: string; type: string }> {
  const { data } = await s.g.drive.files.get({ fileId, fields: 'name,mimeType', supportsAllDrives: true }, s.opts);
  return { name: untrustedLine(data.name ?? fileId), type: kindOf(data.mimeType) };
}

export const shareFile = tool({
  name: 'gdrive_share_file',
  title: 'Share a file',
  description:
    'Give a person, group, domain or anyone with the link access to a file or folder. "anyone" and domains reach beyond ' +
    'named people; a folder shares all it holds.',
  toolset: 'sharing',
  access: 'destructive',
  openWorld: true,
  input: {
    file_id: z.string().describe('File or folder id or link'),
    role: z.enum(['reader', 'commenter', 'writer']).describe('What they may do'),
    email: z.string().email().optional().describe('A person’s or group’s email (type user or group)'),
    type: z
      .enum(['user', 'group', 'domain', 'anyone'])
      .default('user')
      .describe('Who: one person, a group, everyone in a domain, or anyone'),
    domain: z.string().max(253).optional().describe('For type=domain: the domain, e.g. example.com'),
    discoverable: z.boolean().optional().describe('For domain or anyone: findable in search (default: only with the link)'),
    notify: z.boolean().default(true).describe('Email named people about it'),
    message: z.string().max(2000).optional().describe('A note in that email'),
  },
  output: { account: accountOutput, file_id: z.string(), granted: grantSchema },
  async handler(args, ctx) {
    const s = await open(ctx);
    const fileId = idFrom(args.file_id, 'file_id');
    const needsEmail = args.type === 'user' || args.type === 'group';
    if (needsEmail && !args.email) throw new ToolError(`is needed to share with a ${args.type}.`, { argument: 'email' });
    if (!needsEmail && args.email) throw new ToolError(`is for type user or group, not ${args.type}.`, { argument: 'email' });
    if (args.type === 'domain' && !args.domain) throw new ToolError('is needed for type=domain.', { argument: 'domain' });
    if (args.type !== 'domain' && args.domain) throw new ToolError('is for type=domain only.', { argument: 'domain' });
    if (args.discoverable !== undefined && needsEmail) {
      throw new ToolError('applies to domain or anyone sharing only.', { argument: 'discoverable' });
    }
    if (args.message && (!needsEmail || !args.notify))
      throw new ToolError('goes in the notification email: it needs notify and an email.', { argument: 'message' });
    const file = await fileName(s, fileId);
    const requestBody: drive_v3.Schema$Permission = {
      type: args.type,
      role: args.role,
      ...(args.email ? { emailAddress: args.email } : {}),
      ...(args.domain ? { domain: args.domain } : {}),
      ...(!needsEmail ? { allowFileDiscovery: args.discoverable === true } : {}),
    };
    const { data } = await s.g.drive.permissions.create(
      {
        fileId,
        requestBody,
        supportsAllDrives: true,
        fields: 'id,type,role,emailAddress,domain',
        // Drive refuses sendNotificationEmail=false for nobody but named people; ask only for them.
        ...(needsEmail ? { sendNotificationEmail: args.notify } : {}),
        ...(args.message ? { emailMessage: args.message } : {}),
      },
      s.opts,
    );
    const who =
      args.type === 'anyone' ? 'anyone with the link' : (data.emailAddress ?? data.domain ?? args.email ?? args.domain ?? '');
    const granted = { permission_id: data.id ?? '', type: data.type ?? args.type, role: data.role ?? args.role, who };
    const reach =
      args.type === 'anyone' || args.type === 'domain'
        ? args.discoverable
          ? ' (findable in search)'
          : ' (only with the link)'
        : args.notify
          ? ' (notified by email)'
          : '';
    return {
      structured: { account: s.who.email, file_id: fileId, granted },
      text: `${header(`Shared ${file.type} ${quoted(file.name)}`, s.who)}\n${granted.role}: ${who}${reach} · permission id ${granted.permission_id}\nUndo with gdrive_unshare_file.`,
    };
  },
});

export const unshareFile = tool({
  name: 'gdrive_unshare_file',
  title: 'Remove access',
  description:
    'Remove access to a file or folder by email, domain, "anyone" or permission id. Inherited access is removed where it comes from.',
  toolset: 'sharing',
  access: 'destructive',
  idempotent: true,
  openWorld: true,
  input: {
    file_id: z.string().describe('File or folder id or link'),
    who: z.string().max(320).describe('An email, a domain, "anyone", or a permission id'),
  },
  output: { account: accountOutput, file_id: z.string(), removed: grantSchema },
  async handler(args, ctx) {
    const s = await open(ctx);
    const fileId = idFrom(args.file_id, 'file_id');
    const file = await fileName(s, fileId);
    const { data } = await s.g.drive.permissions.list(
      {
        fileId,
        supportsAllDrives: true,
        pageSize: 100,
        fields: 'permissions(id,type,role,emailAddress,domain,permissionDetails(inherited,inheritedFrom))',
      },
      s.opts,
    );
    const wanted = args.who.trim().toLowerCase();
    const matches = (data.permissions ?? []).filter(
      (p) =>
        p.id === args.who.trim() ||
        p.emailAddress?.toLowerCase() === wanted ||
        (p.type === 'domain' && p.domain?.toLowerCase() === wanted) ||
        (wanted === 'anyone' && p.type === 'anyone'),
    );
    const match = matches[0];
    if (!match?.id) {
      throw new ToolError(`nobody matching "${untrustedLine(args.who, 100)}" has direct access to ${quoted(file.name)}.`, {
        argument: 'who',
        hint: 'gdrive_list_permissions shows who does, and where inherited access comes from.',
      });
    }
    if (match.role === 'owner') {
      throw new ToolError(`${untrustedLine(args.who, 100)} owns ${quoted(file.name)}; an owner's access cannot be removed.`, {
        argument: 'who',
      });
    }
    const inherited = match.permissionDetails?.every((d) => d.inherited) && (match.permissionDetails?.length ?? 0) > 0;
    if (inherited) {
      const from = match.permissionDetails?.find((d) => d.inheritedFrom)?.inheritedFrom;
      throw new ToolError(
        `that access is inherited${from ? ` from ${from}` : ''}, not given on ${quoted(file.name)} itself. Nothing was removed.`,
        {
          argument: 'who',
          hint: from
            ? `Remove it on ${from} (gdrive_unshare_file with that id).`
            : 'Remove it on the folder or shared drive it comes from.',
        },
      );
    }
    await s.g.drive.permissions.delete({ fileId, permissionId: match.id, supportsAllDrives: true }, s.opts);
    const who = match.type === 'anyone' ? 'anyone with the link' : (match.emailAddress ?? match.domain ?? match.id);
    const removed = { permission_id: match.id, type: match.type ?? '', role: match.role ?? '', who };
    return {
      structured: { account: s.who.email, file_id: fileId, removed },
      text: `${header(`Removed access to ${file.type} ${quoted(file.name)}`, s.who)}\n${removed.role}: ${who} · permission id ${removed.permission_id}`,
    };
  },
});

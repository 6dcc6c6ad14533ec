import { badArgument, moreSchema, ToolError } from '@patchbay/kit';
import * as z from 'zod';
import { applyState, captureState, listStates, readState, STATE_NAME, saveState } from '../browser/storage-state.js';
import { switches } from '../config.js';
import { tool } from '../kit.js';
import { headed, notices } from './common.js';

const MAX_LISTED_COOKIES = 40;

/** Cookies by name and domain only: their values are credentials and never leave the file. */
function cookieList(cookies: Array<{ name: string; domain: string }>): string {
  const shown = cookies.slice(0, MAX_LISTED_COOKIES).map((c) => `${c.name} (${c.domain})`);
  const rest = cookies.length - shown.length;
  return shown.join(', ') + (rest > 0 ? ` and ${rest} more` : '');
}

export const storageStateTool = tool({
  name: 'puppeteer_storage_state',
  title: 'Save or load a session',
  description:
    'Save the browser’s cookies and localStorage under a name, load a saved one (a login that survives a restart), or list saved names.',
  toolset: 'browse',
  access: 'write',
  enabled: switches.puppeteer_storage_state,
  enabledBy: 'the operator starts the server with --storage-dir <folder>',
  input: {
    action: z.enum(['save', 'load', 'list']).describe('What to do'),
    name: z
      .string()
      .regex(STATE_NAME, 'letters, digits, - and _ only (no paths), up to 64')
      .optional()
      .describe('State name, like work-login (for save and load)'),
  },
  output: {
    action: z.string(),
    name: z.string().optional(),
    cookies: z.array(z.object({ name: z.string(), domain: z.string() })).optional(),
    origins: z.array(z.string()).optional(),
    states: z.array(z.string()).optional(),
    notices: z.array(z.string()).optional(),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const dir = ctx.services.options.storageDir;
    // Checked here too: an operator switch is enforced by the server, not only by the tool list.
    if (!dir)
      throw new ToolError('saving sessions is turned off on this server.', {
        hint: 'The operator can allow it with --storage-dir <folder>.',
      });
    if (args.action === 'list') {
      if (args.name) throw badArgument('name', 'is only used with action=save or load.');
      const states = await listStates(dir);
      const side = notices(ctx);
      return {
        structured: { action: 'list', states, ...side },
        text: headed(states.length ? `Saved states: ${states.join(', ')}.` : 'No saved states yet.', side),
      };
    }
    if (!args.name) throw badArgument('name', `is required for action=${args.action}.`, 'Give a name like work-login.');
    const session = await ctx.services.session();
    const skipped: string[] = [];
    let cookies: Array<{ name: string; domain: string }>;
    let origins: string[];
    let done: string;
    if (args.action === 'save') {
      const state = await captureState(session, skipped);
      await saveState(dir, args.name, state);
      cookies = state.cookies;
      origins = state.origins.map((o) => o.origin);
      done = `Saved state "${args.name}"`;
    } else {
      const state = await readState(dir, args.name);
      ({ origins } = await applyState(session, ctx.services.policy, state, skipped));
      cookies = state.cookies;
      done = `Loaded state "${args.name}"`;
      ctx.log.info('storage state loaded', { name: args.name, cookies: cookies.length, origins: origins.length });
    }
    const side = notices(ctx, skipped.length ? `Left out: ${skipped.join('; ')}.` : undefined);
    const lines = [
      `${done}: ${cookies.length} cookie${cookies.length === 1 ? '' : 's'}${cookies.length ? ` — ${cookieList(cookies)}` : ''}.`,
      `localStorage of ${origins.length} origin${origins.length === 1 ? '' : 's'}${origins.length ? `: ${origins.join(', ')}` : ''}.`,
    ];
    return {
      structured: {
        action: args.action,
        name: args.name,
        cookies: cookies.slice(0, MAX_LISTED_COOKIES).map((c) => ({ name: c.name, domain: c.domain })),
        origins,
        ...side,
      },
      text: headed(lines.join('\n'), side),
    };
  },
});

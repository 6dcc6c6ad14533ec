import { within } from '@patchbay/kit';
/**
 * The SaaS connectors' doctor checks: one cheap authenticated call each — GitHub `GET /user`
 * (and `/rate_limit`), Slack `auth.test` per token, Drive `about.get` — through the function the
 * connector's own context tool uses (exported from its package), and a failure explained by the
 * connector's own error table, so the doctor says what a tool would say on its first call.
 */

import type { AnyRuntime } from '../registry.js';
import { firstLine } from '../registry.js';
import type { Check, DoctorContext } from './checks.js';

/** A service that has not answered in this long is reported as unreachable. */
const ANSWER_WITHIN_MS = 20_000;

interface GitHubModule {
  tokenInfo(
    services: unknown,
    signal?: AbortSignal,
  ): Promise<{
    login: string;
    name?: string;
    type: string;
    scopes?: string[];
    rate: {
      core?: { remaining: number; limit: number; reset: number };
      search?: { remaining: number; limit: number; reset: number };
    };
    api: string;
  }>;
  describeRate(name: string, rate: { remaining: number; limit: number; reset: number } | undefined): string | undefined;
}

export async function githubDoctor(runtime: AnyRuntime, context: DoctorContext): Promise<Check[]> {
  const github = (await import('@patchbay/github' as string)) as GitHubModule;
  const api = (runtime.services as { endpoint: { url: string } }).endpoint.url;
  let me: Awaited<ReturnType<GitHubModule['tokenInfo']>>;
  try {
    me = await github.tokenInfo(runtime.services, AbortSignal.timeout(ANSWER_WITHIN_MS));
  } catch (error) {
    return [failure(runtime, context, `GitHub at ${api}`, error)];
  }
  const checks: Check[] = [
    { status: 'ok', text: `GitHub at ${me.api} answers: signed in as ${me.login}${me.name ? ` (${me.name})` : ''}, ${me.type}` },
  ];
  if (!me.scopes) {
    checks.push({
      status: 'info',
      text: 'a fine-grained, app or Actions token: permissions are set per repository (a refused call names the one missing)',
    });
  } else {
    checks.push({ status: 'ok', text: `token scopes: ${me.scopes.join(', ') || 'none'}` });
    if (!me.scopes.includes('repo')) {
      const writes = me.scopes.includes('public_repo') ? 'writes reach public repositories only' : 'writes are refused';
      checks.push({
        status: 'warn',
        text: `without the repo scope, private repositories are invisible (they answer 404) and ${writes}`,
        fix: 'If you need them, make a token with the repo scope at https://github.com/settings/tokens (or a fine-grained one for the repositories you choose).',
      });
    }
  }
  const core = me.rate.core;
  const rate = [github.describeRate('core', core), github.describeRate('search', me.rate.search)].filter(Boolean).join('; ');
  if (core && core.remaining === 0) {
    checks.push({ status: 'warn', text: `rate limit spent: ${rate}`, fix: 'Calls are refused until the reset time.' });
  } else if (rate) checks.push({ status: 'info', text: `rate limit: ${rate}` });
  return checks;
}

interface SlackModule {
  tokenInfo(services: unknown): Promise<
    Array<
      | {
          variable: string;
          kind: 'bot' | 'user';
          identity: { user: string; team: string; url: string; scopes?: ReadonlySet<string> };
          missing: Array<{ what: string; anyOf: readonly string[] }>;
        }
      | { variable: string; kind: 'bot' | 'user'; error: unknown }
    >
  >;
}

export async function slackDoctor(runtime: AnyRuntime, context: DoctorContext): Promise<Check[]> {
  const slack = (await import('@patchbay/slack' as string)) as SlackModule;
  const options = runtime.options as { apiUrl?: string; userToken?: string; allowWrite?: boolean; writeChannels: string[] };
  const where = `Slack${options.apiUrl ? ` at ${options.apiUrl}` : ''}`;
  let tokens: Awaited<ReturnType<SlackModule['tokenInfo']>>;
  try {
    tokens = await within(
      slack.tokenInfo(runtime.services),
      ANSWER_WITHIN_MS,
      () => new Error(`${where} did not answer within ${ANSWER_WITHIN_MS / 1000} s`),
    );
  } catch (error) {
    return [failure(runtime, context, where, error)];
  }
  const checks: Check[] = [];
  for (const token of tokens) {
    if ('error' in token) {
      checks.push(failure(runtime, context, `${token.variable} (auth.test)`, token.error));
      continue;
    }
    const { identity } = token;
    checks.push({
      status: 'ok',
      text: `${token.variable}: ${token.kind === 'bot' ? 'the bot' : 'the user'} @${identity.user} in ${identity.team}${identity.url ? ` (${identity.url})` : ''}`,
    });
    if (!identity.scopes) {
      checks.push({
        status: 'info',
        text: `${token.variable}: Slack did not say which scopes it has (a proxy may strip x-oauth-scopes)`,
      });
      continue;
    }
    checks.push({ status: 'ok', text: `${token.variable} scopes: ${[...identity.scopes].sort().join(', ') || 'none'}` });
    for (const use of token.missing) {
      const scopes = use.anyOf.join(' or ');
      checks.push({
        status: 'warn',
        text: `${token.variable} cannot ${use.what}: it lacks ${scopes}`,
        fix: `Add ${scopes} to the app's ${token.kind === 'bot' ? 'Bot' : 'User'} Token Scopes (OAuth & Permissions at https://api.slack.com/apps), reinstall it and update ${token.variable}.`,
      });
    }
  }
  if (!options.userToken) {
    checks.push({
      status: 'info',
      text: 'no SLACK_USER_TOKEN: searching messages and the unread summary need a user token (a bot reads only the channels it was invited to)',
      fix: "To have them, set SLACK_USER_TOKEN to the app's User OAuth Token (xoxp-…) with search:read.",
    });
  }
  checks.push({
    status: 'info',
    text: options.allowWrite
      ? 'writes: offered in every channel (--allow-write)'
      : options.writeChannels.length
        ? `writes: offered in ${options.writeChannels.join(', ')} only`
        : 'writes: not offered (--slack.allow-write, or --slack.write-channels #a,#b, to offer them)',
  });
  return checks;
}

interface GdriveModule {
  accountInfo(
    services: unknown,
    signal?: AbortSignal,
  ): Promise<{
    account: string;
    name?: string;
    signedInWith: string;
    scopes: Array<{ scope: string; allows: string }>;
    canRead: boolean;
    tokenCanWrite: boolean;
    readOnlyServer: boolean;
    storedAccounts: string[];
    defaultAccount?: string;
  }>;
}

export async function gdriveDoctor(runtime: AnyRuntime, context: DoctorContext): Promise<Check[]> {
  const gdrive = (await import('@patchbay/gdrive' as string)) as GdriveModule;
  const root = (runtime.services as { rootUrl: string }).rootUrl;
  const where = `Google Drive at ${root}`;
  let info: Awaited<ReturnType<GdriveModule['accountInfo']>>;
  try {
    info = await gdrive.accountInfo(runtime.services, AbortSignal.timeout(ANSWER_WITHIN_MS));
  } catch (error) {
    return [failure(runtime, context, where, error)];
  }
  const checks: Check[] = [
    {
      status: 'ok',
      text: `${where} answers: signed in as ${info.account}${info.name ? ` (${info.name})` : ''} with ${info.signedInWith}`,
    },
    {
      status: info.scopes.length ? 'ok' : 'info',
      text: info.scopes.length
        ? `token scopes: ${info.scopes.map((s) => `${s.scope} (${s.allows})`).join('; ')}`
        : 'Google did not say which scopes the token has',
    },
  ];
  if (!info.canRead) {
    checks.push({
      status: context.configured ? 'fail' : 'warn',
      text: 'the token cannot read file contents (no drive or drive.readonly scope)',
      fix: 'Sign in again with `patchbay-gdrive auth` (add --read-only for a token that can only read).',
    });
  } else if (!info.tokenCanWrite && !info.readOnlyServer) {
    checks.push({
      status: 'warn',
      text: 'the token can only read, and the write tools are offered: Google will refuse them',
      fix: 'Run with --gdrive.read-only, or sign in again without --read-only (`patchbay-gdrive auth`).',
    });
  }
  if (info.storedAccounts.length) {
    checks.push({
      status: 'info',
      text: `accounts stored by patchbay-gdrive auth: ${info.storedAccounts.map((a) => `${a}${a === info.defaultAccount ? ' (default)' : ''}`).join(', ')}`,
    });
  }
  return checks;
}

/** A failed call, in the connector's own words (its error table), as a check. */
function failure(runtime: AnyRuntime, context: DoctorContext, where: string, error: unknown): Check {
  const mapped = runtime.def.mapError?.(error, { tool: 'doctor', args: {}, services: runtime.services });
  return {
    status: context.configured ? 'fail' : 'warn',
    text: `${where}: ${mapped ? mapped.message : firstLine(error)}`,
    ...(mapped?.hint ? { fix: mapped.hint } : {}),
  };
}

import { cursorInput, limitInput, ToolError, type UpstreamPage } from '@patchbay/kit';
import * as z from 'zod';
import type { GitHubServices, Octokit } from './client.js';

/**
 * Input shapes every tool shares, declared once so the model learns them once (and the tool list
 * pays for one wording): a repository is one `owner/name` string, not two arguments.
 */
// The owner/name shape is checked in target(), not in the schema: a pattern repeated in every
// tool's input schema costs more of the tool list than everything else about the argument.
export const repoInput = z.string().describe('owner/name');
const REPO = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;

/**
 * Output schemas are terse on purpose: every byte of the tool list is paid in every conversation,
 * and the text rendering already says what each field is. A listed item is an object whose fields
 * the tool's text shows; `more` is the kit's `{ omitted, cursor, hint }`, present when cut.
 */
export const itemList = z.array(z.any());
export const moreOutput = z.any().optional();

/** Further fields of a structured result, declared by name only (`"stars":{}` in the schema). */
export function fields<K extends string>(...names: K[]): Record<K, z.ZodOptional<z.ZodAny>> {
  return Object.fromEntries(names.map((n) => [n, z.any().optional()])) as Record<K, z.ZodOptional<z.ZodAny>>;
}
/** A whole number ≥ 1, without the 16-digit "maximum" zod's int() publishes in every schema. */
export const whole = () => z.number().refine((n) => Number.isInteger(n) && n >= 1, 'must be a whole number from 1');
export const numberInput = whole().describe('Issue or PR number');
export const refInput = z.string().optional().describe('Branch, tag or SHA (default: default branch)');
export const pathInput = z.string().describe('Path in the repository');
export const cursor = cursorInput;
export const limit = limitInput;
export const bodyInput = z.string().describe('Markdown');

/** A repository a call may use: the `--repos` check is made here, before any request. */
export interface Target {
  owner: string;
  repo: string;
  full: string;
  octokit: Octokit;
  /** For every request of this call: cancelled with the call. */
  request: { signal: AbortSignal };
}

interface Scope {
  services: GitHubServices;
  signal: AbortSignal;
}

export async function target(ctx: Scope, full: string, argument = 'repo'): Promise<Target> {
  if (!REPO.test(full)) {
    throw new ToolError(`"${full}" is not owner/name.`, { argument, hint: 'Write it like octocat/hello-world.' });
  }
  ctx.services.policy.check(full, argument);
  const [owner = '', repo = ''] = full.split('/');
  return { owner, repo, full, octokit: await ctx.services.octokit.get(), request: { signal: ctx.signal } };
}

/** The Octokit for a call that names no repository (the user, searches, notifications, gists). */
export async function client(ctx: Scope): Promise<{ octokit: Octokit; request: { signal: AbortSignal } }> {
  return { octokit: await ctx.services.octokit.get(), request: { signal: ctx.signal } };
}

/**
 * The upstream page a cursor asks for. The number comes back from the model inside the cursor,
 * so it is read as input: a whole number in GitHub's range, or the first page.
 */
export function pageNumber(token: unknown): number {
  return typeof token === 'number' && Number.isSafeInteger(token) && token >= 1 && token <= 10_000 ? token : 1;
}

/**
 * One page of a listing over GitHub's numbered pages, for ctx.paginate's `fetch`: the upstream
 * cursor is the page number, and there is a next page while the `Link` header names one.
 */
export async function numberedPage<T>(
  token: number | undefined,
  load: (page: number) => Promise<Omit<UpstreamPage<T, number>, 'next'> & { headers: { link?: string | undefined } }>,
): Promise<UpstreamPage<T, number>> {
  const page = pageNumber(token);
  const { headers, ...rest } = await load(page);
  return { ...rest, next: hasNext(headers) ? page + 1 : undefined };
}

/** Whether GitHub's `Link` header has a next page. */
export function hasNext(headers: { link?: string | undefined }): boolean {
  return /rel="next"/.test(headers.link ?? '');
}

/** GitHub's page size for a listing capped at `limit` items: fewer requests, nothing wasted. */
export function perPage(limitValue: number): number {
  return Math.min(100, Math.max(10, limitValue));
}

/** A repository full name from an API URL or object (`repository_url`, `repository.full_name`). */
export function repoFromUrl(url: string | undefined): string | undefined {
  const match = /\/repos\/([^/]+\/[^/]+)/.exec(url ?? '');
  return match?.[1];
}

/** Refuse a result outside `--repos` that an id-based call reached (a gist, a thread). */
export function checkReached(ctx: Scope, full: string | undefined, what: string): void {
  if (!full || ctx.services.policy.allows(full)) return;
  throw new ToolError(`${what} belongs to ${full}, which is not one of the repositories this server may use.`, {
    hint: 'The operator can widen the list with --repos.',
  });
}

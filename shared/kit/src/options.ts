// Not budget.js: the bin's zod-free front parses options before zod is loaded.

import { option } from './config.js';
import { DEFAULT_OUTPUT_BUDGET, MAX_OUTPUT_BUDGET, MIN_OUTPUT_BUDGET } from './limits.js';

/** Options every Patchbay server has, whatever the service. */
export const commonOptions = {
  readOnly: option.boolean({
    env: ['PATCHBAY_READ_ONLY'],
    description: 'Offer only tools that cannot change anything',
  }),
  toolsets: option.list({
    env: ['PATCHBAY_TOOLSETS'],
    placeholder: 'names',
    description: 'Toolsets to offer: names, "default" or "all"',
    default: ['default'],
  }),
  tools: option.list({
    env: ['PATCHBAY_TOOLS'],
    placeholder: 'names',
    description: 'Individual tools to offer on top of the toolsets',
  }),
  outputBudget: option.number({
    env: ['PATCHBAY_OUTPUT_BUDGET'],
    placeholder: 'bytes',
    description: 'Largest result a tool may return; bigger results are cut with a note on how to get the rest',
    default: DEFAULT_OUTPUT_BUDGET,
    validate: (n) =>
      Number.isInteger(n) && n >= MIN_OUTPUT_BUDGET && n <= MAX_OUTPUT_BUDGET
        ? undefined
        : `must be a whole number of bytes from ${MIN_OUTPUT_BUDGET} to ${MAX_OUTPUT_BUDGET}`,
  }),
  http: option.string({
    env: ['PATCHBAY_HTTP'],
    placeholder: '[host:]port',
    description: 'Serve Streamable HTTP on this address instead of stdio (host defaults to 127.0.0.1; port 0 picks one)',
    validate: (v) => (parseListenAddress(v) ? undefined : 'must be a port, or host:port (e.g. 8080, 127.0.0.1:8080, [::1]:8080)'),
  }),
  httpToken: option.string({
    env: ['PATCHBAY_HTTP_TOKEN'],
    placeholder: 'token',
    secret: true,
    description: 'Require "Authorization: Bearer <token>" on every HTTP request',
  }),
  allowedHosts: option.list({
    env: ['PATCHBAY_ALLOWED_HOSTS'],
    placeholder: 'hosts',
    description: 'Host header values accepted over HTTP besides loopback (DNS-rebinding protection)',
  }),
  allowedOrigins: option.list({
    env: ['PATCHBAY_ALLOWED_ORIGINS'],
    placeholder: 'origins',
    description: 'Browser origins allowed to call over HTTP besides loopback',
  }),
  logLevel: option.string({
    env: ['PATCHBAY_LOG_LEVEL'],
    description: 'Least severe log level written to stderr',
    default: 'info',
    choices: ['debug', 'info', 'warn', 'error'],
  }),
};

export type CommonOptions = typeof commonOptions;

export function parseListenAddress(value: string): { host: string; port: number } | undefined {
  const match = /^(?:(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(value.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port > 65_535) return undefined;
  const host = (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, '');
  return { host, port };
}

/** Whether a host to listen on is reachable only from this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Why an HTTP server may not start on this address as configured: beyond loopback (0.0.0.0 in a
 * container, a LAN address) anyone who reaches the port could call every tool, so a bearer token
 * is required there. One line naming what to set, or undefined when there is nothing to refuse.
 */
export function unguardedHttpProblem(http: string | undefined, token: string | undefined, alternatives = ''): string | undefined {
  if (http === undefined || token) return undefined;
  const address = parseListenAddress(http);
  if (!address || isLoopbackHost(address.host)) return undefined;
  return (
    `--http ${http} listens beyond this machine without a bearer token: anyone who can reach the port could call every tool. ` +
    `Set --http-token (or PATCHBAY_HTTP_TOKEN) to a long random secret${alternatives}, listen on 127.0.0.1, or serve stdio (no --http, PATCHBAY_HTTP empty).`
  );
}

import type { GatewayResult } from '../gateway.js';
import { ratio } from '../stats.js';
import { cell, count, formatRatio, mib, ms } from './format.js';
import { markdownTable } from './table.js';

/** The gateway section: one process against the separate bins, then requests per second. */
export function gatewaySection(g: GatewayResult): string[] {
  const out: string[] = [];
  out.push(
    `### Gateway: \`patchbay serve\` with ${g.connectors.length} connectors (${g.connectors.join(', ')}) against ${g.connectors.length} separate bins`,
    '',
    `Each side started ${g.runs} time${g.runs === 1 ? '' : 's'}, interleaved, on Streamable HTTP at 127.0.0.1:0 with the same repository and the same ` +
      `services: ${g.services ?? 'the same database URL'}. Nothing connects before a call, and no browser starts before one. ` +
      'Ready = every connector listening; idle = summed RSS of the process trees 300 ms after ready. The embedded row is ' +
      '`pnpm start`: the gateway on its defaults, with an embedded PostgreSQL (PGlite, in a worker thread) and the GitHub, ' +
      'Slack and Drive emulators with their demo data in its own process.',
    '',
    ...markdownTable(
      ['', 'spawn → ready (ms)', 'idle RSS (MiB)'],
      ['left', 'right', 'right'],
      [
        ['gateway, one process', cell(g.startup.gateway, ms), cell(g.idle.gateway, mib)],
        [`${g.connectors.length} separate bins`, cell(g.startup.bins, ms), cell(g.idle.bins, mib)],
        [
          'gateway ÷ bins',
          formatRatio(ratio(g.startup.gateway, g.startup.bins)),
          formatRatio(ratio(g.idle.gateway, g.idle.bins)),
        ],
        ['gateway on embedded defaults (`pnpm start`)', cell(g.startup.embedded, ms), cell(g.idle.embedded, mib)],
      ],
    ),
    '',
  );
  if (g.load.length) {
    out.push(
      'Requests per second through the gateway (stateless Streamable HTTP, a new MCP server per request; keep-alive clients in ' +
        'the bench process on the same 2 cores, so the client takes its share of the CPU too):',
      '',
      ...markdownTable(
        ['call', 'clients', 'requests', 'errors', 'req/s', 'p50 (ms)', 'p99 (ms)'],
        ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
        g.load.map((l) => [
          l.call,
          String(l.concurrency),
          count(l.requests),
          count(l.errors),
          count(l.rps),
          ms(l.p50Ms),
          ms(l.p99Ms),
        ]),
      ),
      '',
    );
  }
  out.push('Commands:', '', '```', g.commands.gateway, ...g.commands.bins, g.commands.embedded, '```');
  if (g.failures.length) out.push('', ...g.failures.map((f) => `- failed: ${f}`));
  return out;
}

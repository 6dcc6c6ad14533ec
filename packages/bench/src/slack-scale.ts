#!/usr/bin/env node
/**
 * `pnpm --filter @patchbay/bench run slack-scale [-- --runs N]`: does the size of a Slack workspace
 * change how fast Patchbay's Slack connector starts and answers its first call? The same built bin
 * is started against two API sandboxes in this process — a workspace of 10 people and one of
 * 100,000 (the emulator's `large` seed) — interleaved, and each session measures spawn →
 * initialize, tools/list, and a first call that needs names (the last 50 messages of #general, in
 * which everyone is a member, with every author's name resolved). Medians with min–max ranges.
 *
 * This is the figure the connector promises instead of a start-up prefetch (the best self-hosted
 * peer caches the whole workspace before it answers). It is measured here, never asserted in a test.
 */
import { existsSync } from 'node:fs';
import { startSandbox } from '@patchbay/sandbox';
import { generatedUserId, largeWorkspace } from '@patchbay/sandbox/slack';
import { measureSession } from './measure.js';
import type { SessionSample } from './model.js';
import { patchbayBin } from './paths.js';
import { cell, count, mib, ms } from './report/format.js';
import { FLOOR_LAUNCH } from './run.js';
import { summarize } from './stats.js';

const SIZES = [10, 100_000] as const;

function runsFrom(argv: readonly string[]): number {
  const at = argv.indexOf('--runs');
  const runs = at >= 0 ? Number(argv[at + 1]) : 7;
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs must be a whole number from 1 to 50');
  return runs;
}

async function main(): Promise<void> {
  const runs = runsFrom(process.argv.slice(2));
  const bin = patchbayBin('slack');
  if (!existsSync(bin)) throw new Error(`${bin} is not built: run pnpm build first`);
  const sandboxes = await Promise.all(
    SIZES.map(async (users) => {
      const sandbox = await startSandbox({ service: 'slack', seed: largeWorkspace({ users }), logger: false });
      sandbox.state.rateLimits.enabled = false;
      // The same newest 50 messages in both: ten authors who exist at either size, each mentioning
      // the next, so the first call resolves the same names in both workspaces.
      const { state } = sandbox;
      const authors = [
        state.users.byName('grace')!.id,
        state.users.byName('ada')!.id,
        ...Array.from({ length: 8 }, (_, i) => generatedUserId(i)),
      ];
      const general = state.channelByName('general')!;
      for (let i = 0; i < 50; i++) {
        const author = authors[i % authors.length] as string;
        const next = authors[(i + 1) % authors.length] as string;
        state.post(general.id, {
          user: author,
          text: `Status update ${i}: handing over to <@${next}>, see <#${general.id}|general>.`,
        });
      }
      return { users, sandbox };
    }),
  );
  const call = { id: 'first', tool: 'slack_get_channel_history', args: { channel: '#general', limit: 50 } };
  const samples = new Map<number | 'floor', SessionSample[]>([
    ['floor', []],
    ...SIZES.map((n) => [n, []] as [number, SessionSample[]]),
  ]);
  try {
    const launch = (apiUrl: string, token: string) => ({
      command: process.execPath,
      args: [bin],
      env: { SLACK_API_URL: apiUrl, SLACK_USER_TOKEN: token },
    });
    // One unmeasured start of each first (a cold file cache is not what users see twice).
    await measureSession(FLOOR_LAUNCH, { toolsList: false, calls: [], settleMs: 0 });
    for (const { sandbox } of sandboxes) {
      await measureSession(launch(sandbox.env.SLACK_API_URL as string, sandbox.state.userToken), {
        toolsList: true,
        calls: [],
        settleMs: 0,
      });
    }
    for (let run = 1; run <= runs; run++) {
      process.stderr.write(`slack-scale: run ${run}/${runs}\n`);
      samples.get('floor')?.push((await measureSession(FLOOR_LAUNCH, { toolsList: false, calls: [] })).sample);
      for (const { users, sandbox } of sandboxes) {
        const { sample } = await measureSession(launch(sandbox.env.SLACK_API_URL as string, sandbox.state.userToken), {
          toolsList: true,
          calls: [call],
        });
        if (sample.failure) throw new Error(`${users} people: ${sample.failure}`);
        if (sample.calls[0]?.error) throw new Error(`${users} people: the first call failed: ${sample.calls[0].error}`);
        samples.get(users)?.push(sample);
      }
    }
  } finally {
    await Promise.all(sandboxes.map(({ sandbox }) => sandbox.close()));
  }

  const row = (label: string, list: SessionSample[]) => {
    const first = list.map((s) => s.calls[0]);
    return `| ${label} | ${cell(summarize(list.map((s) => s.startupMs)), ms)} | ${cell(summarize(list.map((s) => s.toolsListMs ?? Number.NaN)), ms)} | ${cell(summarize(first.map((c) => c?.ms ?? Number.NaN)), ms)} | ${cell(summarize(first.map((c) => c?.textBytes ?? Number.NaN)), count)} | ${cell(summarize(list.map((s) => s.idleRssKb)), mib)} | ${cell(summarize(first.map((c) => c?.peakRssKb ?? Number.NaN)), mib)} |`;
  };
  const lines = [
    `### Slack connector: workspace size (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${runs} runs each, interleaved)`,
    '',
    '| workspace | spawn → initialize (ms) | tools/list (ms) | first call: 50 messages of #general, names resolved (ms) | its text (bytes) | idle RSS (MiB) | peak RSS in the call (MiB) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row('floor (bare node -e)', samples.get('floor') ?? []),
    ...SIZES.map((n) => row(`${n.toLocaleString('en-US')} people`, samples.get(n) ?? [])),
    '',
    "Medians (min–max). Both workspaces end with the same 50 messages by the same 10 people, so the first call does the same work at either size: auth.test, conversations.list (to find #general), conversations.history and one users.info per author. No call lists the workspace's people. The first call of a session also loads the full server (the bin answers initialize and tools/list from a manifest) and Slack's client library.",
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`slack-scale: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

import type { Fixtures } from './fixtures/index.js';
import { TABLES } from './fixtures/postgres.js';
import { gdrivePlan } from './gdrive-plan.js';

export const CONNECTOR_IDS = ['git', 'postgres', 'puppeteer', 'github', 'slack', 'gdrive'] as const;
export type ConnectorId = (typeof CONNECTOR_IDS)[number];

export interface ToolCall {
  /** The tool to call; for a resource read, a label (`resources/read`). */
  tool: string;
  args: Record<string, unknown>;
  /** Read this resource URI instead of calling a tool (a server that reads files only as resources). */
  resource?: string;
  /** What the answer holds, in a few words, from its text (first run): "3 of 3 sheets", "ids: 10 of 10". */
  observe?: (text: string) => string;
}

/** One representative call, as each side spells it for the same data. */
export interface CallPlan {
  id: string;
  label: string;
  patchbay: ToolCall;
  /** Absent when the comparator has no way to do it. */
  comparator?: ToolCall;
  timeoutMs?: number;
}

/** How one side is started, beyond `node <bin>`. */
export interface SideLaunch {
  args: string[];
  env?: Record<string, string>;
}

export interface ConnectorPlan {
  id: ConnectorId;
  title: string;
  /** npm package of the server users would pick instead. */
  comparator: string;
  /** Which fixture the calls need (set up once per bench run). */
  fixture?: 'git' | 'postgres' | 'web' | 'credentials' | 'gdrive';
  patchbay(fx: Fixtures): SideLaunch;
  comparatorLaunch(fx: Fixtures): SideLaunch;
  calls(fx: Fixtures): CallPlan[];
  /** Said next to the figures: anything done to make a side start, or why calls are absent. */
  notes: string[];
}

const SAAS_NOTE = 'No calls yet: they need the API sandbox, which does not exist yet. Start-up and tools/list only.';

/** Every connector and its comparator, with the calls that compare them on the same data. */
export const CATALOGUE: readonly ConnectorPlan[] = [
  {
    id: 'git',
    title: 'Git',
    comparator: '@cyanheads/git-mcp-server',
    fixture: 'git',
    patchbay: (fx) => ({ args: ['--repository', need(fx.git).path] }),
    // The README's own stdio configuration.
    comparatorLaunch: () => ({ args: [], env: { MCP_TRANSPORT_TYPE: 'stdio', MCP_LOG_LEVEL: 'info' } }),
    calls: (fx) => {
      const repo = need(fx.git);
      return [
        {
          id: 'status',
          label: 'status (first call)',
          patchbay: { tool: 'git_status', args: {} },
          comparator: { tool: 'git_status', args: { path: repo.path } },
        },
        {
          id: 'log-100',
          label: 'log, 100 commits',
          patchbay: { tool: 'git_log', args: { max_count: 100 } },
          comparator: { tool: 'git_log', args: { path: repo.path, maxCount: 100 } },
        },
        {
          id: 'log-500',
          label: 'log, 500 commits',
          patchbay: { tool: 'git_log', args: { max_count: 500 } },
          comparator: { tool: 'git_log', args: { path: repo.path, maxCount: 500 } },
        },
        {
          id: 'diff-1000',
          label: `diff ${repo.diffBase}..HEAD`,
          patchbay: { tool: 'git_diff', args: { revision: `${repo.diffBase}..HEAD` } },
          comparator: { tool: 'git_diff', args: { path: repo.path, source: repo.diffBase, target: 'HEAD' } },
        },
      ];
    },
    notes: [],
  },
  {
    id: 'postgres',
    title: 'PostgreSQL',
    comparator: '@modelcontextprotocol/server-postgres',
    fixture: 'postgres',
    patchbay: (fx) => ({ args: [need(fx.postgres).url] }),
    comparatorLaunch: (fx) => ({ args: [need(fx.postgres).url] }),
    calls: () => [
      {
        id: 'first',
        label: 'SELECT 1 (first call: connects)',
        patchbay: { tool: 'postgres_query', args: { sql: 'SELECT 1' } },
        comparator: { tool: 'query', args: { sql: 'SELECT 1' } },
      },
      ...[TABLES.small, TABLES.large].map((table) => ({
        id: `select-${table.rows}`,
        label: `SELECT * FROM ${table.rows.toLocaleString('en-US')} rows`,
        patchbay: { tool: 'postgres_query', args: { sql: `SELECT * FROM ${table.name}` } },
        comparator: { tool: 'query', args: { sql: `SELECT * FROM ${table.name}` } },
        timeoutMs: 180_000,
      })),
    ],
    notes: [],
  },
  {
    id: 'puppeteer',
    title: 'Browser (Puppeteer)',
    comparator: '@modelcontextprotocol/server-puppeteer',
    fixture: 'web',
    patchbay: (fx) => ({ args: ['--no-sandbox'], env: { PUPPETEER_EXECUTABLE_PATH: fx.chromium } }),
    // The reference README's documented knobs: launch options from the environment; --no-sandbox
    // (needed as root) counts as "dangerous" there and must be allowed explicitly.
    comparatorLaunch: (fx) => ({
      args: [],
      env: {
        PUPPETEER_EXECUTABLE_PATH: fx.chromium,
        PUPPETEER_LAUNCH_OPTIONS: JSON.stringify({ headless: true, executablePath: fx.chromium, args: ['--no-sandbox'] }),
        ALLOW_DANGEROUS: 'true',
      },
    }),
    calls: (fx) => {
      const url = need(fx.web).url;
      return [
        {
          id: 'navigate-first',
          label: 'navigate (first call: launches Chromium)',
          patchbay: { tool: 'puppeteer_navigate', args: { url } },
          comparator: { tool: 'puppeteer_navigate', args: { url } },
          timeoutMs: 60_000,
        },
        {
          id: 'read-page',
          label: 'read the page',
          patchbay: { tool: 'puppeteer_snapshot', args: {} },
          comparator: { tool: 'puppeteer_evaluate', args: { script: 'document.documentElement.outerHTML' } },
        },
        {
          id: 'navigate-again',
          label: 'navigate again (browser running)',
          patchbay: { tool: 'puppeteer_navigate', args: { url } },
          comparator: { tool: 'puppeteer_navigate', args: { url } },
        },
      ];
    },
    notes: [
      'The reference server has no page snapshot; a model reads the page with puppeteer_evaluate, here returning document.documentElement.outerHTML.',
      "Patchbay's puppeteer_navigate answers with a compact snapshot (the start of the page's outline and its landmarks further down, within --snapshot-bytes); the reference's answers with one line, so reading the page takes its second call.",
      'Memory "incl. children" sums VmRSS over the server and every Chromium process it started.',
    ],
  },
  {
    id: 'github',
    title: 'GitHub',
    comparator: '@modelcontextprotocol/server-github',
    fixture: 'credentials',
    patchbay: () => ({ args: [], env: { GITHUB_PERSONAL_ACCESS_TOKEN: DUMMY_GITHUB_TOKEN } }),
    comparatorLaunch: () => ({ args: [], env: { GITHUB_PERSONAL_ACCESS_TOKEN: DUMMY_GITHUB_TOKEN } }),
    calls: () => [],
    notes: [SAAS_NOTE, 'Both sides get a dummy GITHUB_PERSONAL_ACCESS_TOKEN; nothing reaches api.github.com.'],
  },
  {
    id: 'slack',
    title: 'Slack',
    comparator: '@modelcontextprotocol/server-slack',
    fixture: 'credentials',
    patchbay: () => ({ args: [], env: SLACK_ENV }),
    comparatorLaunch: () => ({ args: [], env: SLACK_ENV }),
    calls: () => [],
    notes: [
      SAAS_NOTE,
      'Both sides get a dummy SLACK_BOT_TOKEN and SLACK_TEAM_ID (the reference exits without them); nothing reaches slack.com.',
    ],
  },
  gdrivePlan,
];

const DUMMY_GITHUB_TOKEN = 'ghp_patchbayBenchDummyToken000000000000000';
const SLACK_ENV = { SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-patchbaybenchdummy', SLACK_TEAM_ID: 'T00000000' };

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('fixture not set up');
  return value;
}

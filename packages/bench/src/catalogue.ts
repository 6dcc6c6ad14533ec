import { GITHUB_REPO, LARGE_PR, LONG_FILE } from './fixtures/github.js';
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
  fixture?: 'git' | 'postgres' | 'web' | 'credentials' | 'github' | 'slack' | 'gdrive';
  patchbay(fx: Fixtures): SideLaunch;
  comparatorLaunch(fx: Fixtures): SideLaunch;
  calls(fx: Fixtures): CallPlan[];
  /** Said next to the figures: anything done to make a side start, or why calls are absent. */
  notes: string[];
  /**
   * Patchbay started once more with these extra arguments, its tools/list measured and reported as
   * a note (the tool list with every toolset, where the default offers fewer).
   */
  alsoListWith?: string[];
  /**
   * With --baseline, spawn → first result is timed on this call: a cheap read that starts nothing
   * heavy (no browser), the same before and after.
   */
  firstRead?: FirstRead;
}

export interface FirstRead extends ToolCall {
  /** Added to the command line in these sessions only, to offer a tool that is off by default. */
  extraArgs?: string[];
}

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
    firstRead: { tool: 'git_status', args: {} },
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
    firstRead: { tool: 'postgres_query', args: { sql: 'SELECT 1' } },
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
    // Every page tool launches Chromium on first use; the console log is read from the server's own
    // buffer. It is in the opt-in inspect toolset, so these sessions add that one tool.
    firstRead: {
      tool: 'puppeteer_console_messages',
      args: {},
      extraArgs: ['--tools', 'puppeteer_console_messages'],
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
    fixture: 'github',
    patchbay: (fx) => ({
      args: [],
      env: { GITHUB_API_URL: need(fx.github).url, GITHUB_PERSONAL_ACCESS_TOKEN: need(fx.github).token },
    }),
    comparatorLaunch: (fx) => ({
      args: [],
      env: {
        GITHUB_PERSONAL_ACCESS_TOKEN: need(fx.github).token,
        PATCHBAY_BENCH_GITHUB_API: need(fx.github).url,
        NODE_OPTIONS: need(fx.github).referenceNodeOptions,
      },
    }),
    alsoListWith: ['--toolsets', 'all'],
    calls: (fx) => {
      const { owner, repo } = GITHUB_REPO;
      const full = `${owner}/${repo}`;
      const large = need(fx.github).largePr;
      return [
        {
          id: 'issues-100',
          label: 'list 100 issues',
          patchbay: { tool: 'github_list_issues', args: { repo: full, limit: 100 } },
          comparator: { tool: 'list_issues', args: { owner, repo, per_page: 100 } },
        },
        {
          id: 'pr-get',
          label: 'get a pull request',
          patchbay: { tool: 'github_get_pull_request', args: { repo: full, number: 183 } },
          comparator: { tool: 'get_pull_request', args: { owner, repo, pull_number: 183 } },
        },
        {
          id: 'pr-files',
          label: `its files (${LARGE_PR.files}-file pull request)`,
          patchbay: { tool: 'github_list_pr_files', args: { repo: full, number: large } },
          comparator: { tool: 'get_pull_request_files', args: { owner, repo, pull_number: large } },
        },
        {
          id: 'pr-diff',
          label: `diff of a large pull request (${LARGE_PR.files} files, ${(LARGE_PR.files * LARGE_PR.lines).toLocaleString('en-US')} lines)`,
          patchbay: { tool: 'github_get_pr_diff', args: { repo: full, number: large } },
          comparator: { tool: 'get_pull_request_files', args: { owner, repo, pull_number: large } },
        },
        {
          id: 'file-range',
          label: `a file, lines ${LONG_FILE.from.toLocaleString('en-US')}–${LONG_FILE.to.toLocaleString('en-US')} of ${LONG_FILE.lines.toLocaleString('en-US')}`,
          patchbay: {
            tool: 'github_get_file',
            args: { repo: full, path: LONG_FILE.path, start_line: LONG_FILE.from, end_line: LONG_FILE.to },
          },
          comparator: { tool: 'get_file_contents', args: { owner, repo, path: LONG_FILE.path } },
        },
      ];
    },
    notes: [
      "The reference has no diff tool: a model reads a pull request's changes with its get_pull_request_files (each file's patch inside JSON), which is what the diff row calls. Patchbay's github_get_pr_diff returns raw unified text, whole files up to the output budget, with a cursor for the rest.",
      'The reference has no line ranges: get_file_contents returns the whole file (base64 in JSON). Patchbay returns the lines asked for.',
    ],
  },
  {
    id: 'slack',
    title: 'Slack',
    comparator: '@modelcontextprotocol/server-slack',
    fixture: 'slack',
    // Both sides read with the same bot token (the reference takes no other).
    patchbay: (fx) => ({ args: [], env: { SLACK_API_URL: need(fx.slack).apiUrl, SLACK_BOT_TOKEN: need(fx.slack).botToken } }),
    comparatorLaunch: (fx) => ({
      args: [],
      env: {
        SLACK_BOT_TOKEN: need(fx.slack).botToken,
        SLACK_TEAM_ID: need(fx.slack).teamId,
        PATCHBAY_BENCH_SLACK_API: need(fx.slack).apiUrl,
        NODE_OPTIONS: need(fx.slack).referenceNodeOptions,
      },
    }),
    calls: (fx) => {
      const slack = need(fx.slack);
      return [
        {
          id: 'history-200',
          label: 'history of #general, 200 messages (first call)',
          patchbay: { tool: 'slack_get_channel_history', args: { channel: slack.general, limit: 200 } },
          comparator: { tool: 'slack_get_channel_history', args: { channel_id: slack.general, limit: 200 } },
        },
        {
          id: 'thread',
          label: `thread replies (${slack.thread.replies} replies)`,
          patchbay: { tool: 'slack_get_thread', args: { channel: slack.thread.channel, thread_ts: slack.thread.ts } },
          comparator: {
            tool: 'slack_get_thread_replies',
            args: { channel_id: slack.thread.channel, thread_ts: slack.thread.ts },
          },
        },
        {
          id: 'users-200',
          label: 'list users, 200',
          patchbay: { tool: 'slack_list_users', args: { limit: 200 } },
          comparator: { tool: 'slack_get_users', args: { limit: 200 } },
        },
      ];
    },
    notes: [
      "Patchbay answers one line per message with names resolved (one users.info per author, cached for the session); the reference returns Slack's JSON as it came, user IDs and all.",
      'Patchbay lists active people (no bots or deactivated accounts); the reference lists every member object Slack returns.',
    ],
  },
  gdrivePlan,
];

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('fixture not set up');
  return value;
}

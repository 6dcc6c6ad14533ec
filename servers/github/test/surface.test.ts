import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectInMemory, describeSurface, readmeWithCurrentTables } from '@patchbay/testing';
import { describe, expect, it } from 'vitest';
import { githubConnector } from '../src/connector.js';
import { BIN } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// tools/list needs no GitHub at all: nothing is requested before a call.
const env = { GITHUB_TOKEN: 'ghp_surfaceTestToken0000000000000000000000' };
const connect = (argv: string[]) => connectInMemory(githubConnector, { argv, env });
// The built bin (spawned by describeSurface with this process's environment) needs a token to start.
Object.assign(process.env, env);

/**
 * What a model sees: one schema snapshot per tool in __toolsnaps__, the names per mode in
 * __snapshots__/tool-names.json. The default list is kept under 40 KB here; its token cost is
 * measured by the bench (README: 8,867 o200k tokens, half of GitHub's own server's default).
 */
describeSurface({
  connector: githubConnector,
  connect,
  modes: { default: [], 'read-only': ['--read-only'], all: ['--toolsets', 'all'] },
  maxListBytes: { default: 40_000, all: 60_000 },
  bin: BIN,
});

describe('github tool selection', () => {
  const names = async (argv: string[]) => {
    const { client, close } = await connect(argv);
    const tools = (await client.listTools()).tools;
    await close();
    return tools;
  };

  it('offers context, repos, issues, pull requests and users by default, the rest on request', async () => {
    const byDefault = (await names([])).map((t) => t.name);
    expect(byDefault).toEqual(
      expect.arrayContaining(['github_get_me', 'github_get_file', 'github_get_issue', 'github_get_pr_diff', 'github_get_user']),
    );
    expect(byDefault).not.toContain('github_get_job_log');
    expect(byDefault).not.toContain('github_list_gists');
    const withActions = (await names(['--toolsets', 'default,actions'])).map((t) => t.name);
    expect(withActions).toContain('github_get_job_log');
  });

  it('hides every write under --read-only and marks merging, deleting and closing destructive', async () => {
    const readOnly = await names(['--read-only', '--toolsets', 'all']);
    expect(readOnly.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    expect(readOnly.map((t) => t.name)).not.toContain('github_write_file');
    const all = await names(['--toolsets', 'all']);
    const destructive = all.filter((t) => t.annotations?.destructiveHint).map((t) => t.name);
    expect(destructive.sort()).toEqual([
      'github_cancel_workflow_run',
      'github_close_issue',
      'github_delete_file',
      'github_merge_pull_request',
    ]);
    expect(all.every((t) => t.annotations?.openWorldHint === true)).toBe(true);
  });
});

describe('README', () => {
  it('README tools table is current', async () => {
    const { actual, expected } = await readmeWithCurrentTables(githubConnector, path.join(here, '../README.md'));
    expect(actual).toBe(expected);
  });
});

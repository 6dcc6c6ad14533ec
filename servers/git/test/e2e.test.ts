import { type TempRepo, callOk, connectHttp, connectStdio, startHttpBin, tempRepo } from '@patchbay/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers.js';

describe('patchbay-git bin', () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await tempRepo();
    await repo.commit('First', { 'a.txt': 'a\n' });
  });
  afterAll(() => repo.remove());

  it('serves git_log over stdio', async () => {
    const server = await connectStdio(BIN, ['--repository', repo.path]);
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name)).toContain('git_log');
    const log = await callOk<{ commits: Array<{ subject: string }> }>(server.client, 'git_log', {});
    expect(log.data.commits[0]?.subject).toBe('First');
    await server.close();
  });

  it('serves git_log over Streamable HTTP', async () => {
    const http = await startHttpBin(BIN, ['--repository', repo.path]);
    try {
      const { client, close } = await connectHttp(http.url);
      const log = await callOk<{ commits: Array<{ subject: string }> }>(client, 'git_log', {});
      expect(log.data.commits[0]?.subject).toBe('First');
      await close();
    } finally {
      expect(await http.stop()).toBe(0);
    }
  });
});

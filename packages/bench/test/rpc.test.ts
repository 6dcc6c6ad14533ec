import { describe, expect, it } from 'vitest';
import { StdioSession } from '../src/rpc.js';
import { FLOOR_LAUNCH } from '../src/run.js';

describe('StdioSession', () => {
  it('gets the floor to answer initialize and reports the response line as sent', async () => {
    const session = new StdioSession(FLOOR_LAUNCH);
    try {
      const reply = await session.initialize();
      expect(reply.message).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
      expect(reply.bytes).toBe(Buffer.byteLength(reply.text));
      expect(reply.sinceSpawnMs).toBeGreaterThanOrEqual(reply.ms);
    } finally {
      await session.close();
    }
    expect(session.child.exitCode).toBe(0);
  });

  it('reassembles a response split over many chunks and counts its bytes', async () => {
    const big =
      "process.stdin.once('data',()=>process.stdout.write(JSON.stringify({jsonrpc:'2.0',id:1,result:{s:'é'.repeat(300000)}})+'\\n'))";
    const session = new StdioSession({ command: process.execPath, args: ['-e', big] });
    try {
      const reply = await session.initialize();
      expect((reply.message.result as { s: string }).s).toHaveLength(300_000);
      expect(reply.bytes).toBe(Buffer.byteLength(reply.text));
      expect(reply.bytes).toBeGreaterThan(600_000);
    } finally {
      await session.close();
    }
  });

  it('fails a pending request with the server stderr when the server exits instead of answering', async () => {
    const session = new StdioSession({
      command: process.execPath,
      args: ['-e', "console.error('missing: SLACK_BOT_TOKEN'); process.exit(2)"],
    });
    await expect(session.initialize()).rejects.toThrow(/server exited \(2\) before answering; stderr: missing: SLACK_BOT_TOKEN/);
    await session.close();
  });

  it('starts servers with only the environment an MCP client passes, plus their own', async () => {
    process.env.PGPASSWORD_BENCH_TEST = 'leak';
    const script =
      "process.stdin.once('data',()=>process.stdout.write(JSON.stringify({jsonrpc:'2.0',id:1,result:{env:process.env}})+'\\n'))";
    const session = new StdioSession({ command: process.execPath, args: ['-e', script], env: { OWN_SETTING: 'yes' } });
    try {
      const env = ((await session.initialize()).message.result as { env: Record<string, string> }).env;
      expect(env.OWN_SETTING).toBe('yes');
      expect(env.PATH).toBe(process.env.PATH);
      expect(env.PGPASSWORD_BENCH_TEST).toBeUndefined();
    } finally {
      delete process.env.PGPASSWORD_BENCH_TEST;
      await session.close();
    }
  });
});

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createLogger, createServer, defineConnector, defineTool, loadOrThrow, option } from '../src/index.js';
import { connectEcho } from './helpers.js';

const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');

describe('createServer', () => {
  it('derives annotations from each tool access level', async () => {
    const { client, close } = await connectEcho();
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.echo_say?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(byName.echo_write?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    expect(byName.echo_drop?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    for (const tool of tools) {
      expect(tool.title).toBeTruthy();
      expect(tool.outputSchema).toBeTruthy();
    }
    await close();
  });

  it('hides every tool that is not a read under --read-only', async () => {
    const { client, close } = await connectEcho(['--read-only']);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['echo_lines', 'echo_say', 'echo_sleep']);
    await close();
  });

  it('offers named toolsets and named tools', async () => {
    const { client, close } = await connectEcho(['--toolsets', 'writes', '--tools', 'echo_say']);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['echo_drop', 'echo_say', 'echo_write']);
    await close();
  });

  it('refuses unknown toolset names, listing the valid ones', async () => {
    await expect(connectEcho(['--toolsets', 'nope'])).rejects.toThrow(
      /unknown toolset nope. Choose from: default, all, basic, writes/,
    );
  });

  it('turns a ToolError into an isError result naming the argument and the fix', async () => {
    const { client, close } = await connectEcho();
    const result = (await client.callTool({ name: 'echo_say', arguments: { text: 'fail' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('Argument `text`: cannot be "fail". Say something else.');
    await close();
  });

  it('reports an unexpected fault briefly, redacted, and logs the detail', async () => {
    const logs: string[] = [];
    const { client, close } = await connectEcho([], logs);
    const result = (await client.callTool({ name: 'echo_say', arguments: { text: 'crash' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^echo_say failed unexpectedly: boom with postgres:\/\/admin:\*\*\*@db\/x/);
    expect(text(result)).not.toContain('hunter2');
    expect(logs.join('')).toContain('echo_say failed');
    expect(logs.join('')).not.toContain('hunter2');
    await close();
  });

  it('cuts text over the output budget at a line and says so', async () => {
    const { client, close } = await connectEcho(['--output-budget', '2048']);
    const result = (await client.callTool({ name: 'echo_lines', arguments: { count: 5000 } })) as CallToolResult;
    const body = text(result);
    expect(Buffer.byteLength(body)).toBeLessThan(2048 + 200);
    expect(body).toMatch(/… \d+ more lines \(.*\) cut to fit the output budget/);
    await close();
  });

  it('returns structured content that matches the output schema', async () => {
    const { client, close } = await connectEcho();
    const result = (await client.callTool({ name: 'echo_say', arguments: { text: 'hi' } })) as CallToolResult;
    expect(result.structuredContent).toEqual({ text: 'hi' });
    await close();
  });

  it('rejects arguments that do not match the input schema', async () => {
    const { client, close } = await connectEcho();
    const result = (await client.callTool({ name: 'echo_say', arguments: { text: 42 } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/text/);
    await close();
  });

  it('delivers cancellation to the handler', async () => {
    const { client, close } = await connectEcho();
    const controller = new AbortController();
    const pending = client.callTool({ name: 'echo_sleep', arguments: { ms: 10_000 } }, undefined, { signal: controller.signal });
    setTimeout(() => controller.abort('user gave up'), 100);
    await expect(pending).rejects.toThrow();
    await close();
  });

  it('reports progress when the client sends a progress token', async () => {
    const { client, close } = await connectEcho();
    const seen: number[] = [];
    await client.callTool({ name: 'echo_sleep', arguments: { ms: 150 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[1]).toBeGreaterThan(seen[0] as number);
    await close();
  });

  it('says how the operator turns on a switched-off tool, even when every tool of its toolset is switched off', async () => {
    const switched = (name: string, enabledBy?: string) =>
      defineTool({
        name,
        title: name,
        description: 'A write that an option turns on.',
        toolset: 'main',
        access: 'write',
        input: {},
        output: { ok: z.boolean() },
        enabled: (options: { allow: boolean }) => options.allow,
        ...(enabledBy ? { enabledBy } : {}),
        handler: async () => ({ structured: { ok: true }, text: 'ok' }),
      });
    const def = defineConnector({
      name: 'sw',
      title: 'Switches',
      version: '0',
      description: 'switches',
      instructions: 'switches',
      options: { allow: option.boolean({ description: 'Allow writes' }) },
      toolsets: { main: { title: 'Main', description: 'main', default: true } },
      tools: [switched('sw_post', 'the operator starts the server with --allow'), switched('sw_other')],
      createServices: () => ({}),
    });
    const server = createServer(loadOrThrow(def, { argv: [], log: createLogger('sw', 'error', () => undefined) }));
    const client = new Client({ name: 'kit-test', version: '0' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    await client.connect(a);
    const post = (await client.callTool({ name: 'sw_post', arguments: {} })) as CallToolResult;
    expect(post.isError).toBe(true);
    expect(text(post)).toBe(
      'sw_post is not offered: an operator option switches it off on this server; it is offered when the operator starts the server with --allow.',
    );
    const other = (await client.callTool({ name: 'sw_other', arguments: {} })) as CallToolResult;
    expect(text(other)).toBe(
      "sw_other is not offered: an operator option switches it off on this server (see the connector's --help).",
    );
    await client.close();
  });
});

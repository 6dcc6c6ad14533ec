import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectHttp, type TempRepo, tempRepo } from '@patchbay/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './helpers.js';

/**
 * Team mode: the gateway as an OAuth resource server (MCP authorization, 2025-11-25) in front of
 * a local issuer the test runs — its keys made with jose, its metadata and JWKS on loopback.
 */
describe('OAuth resource-server mode', () => {
  let issuer: Server;
  let issuerUrl: string;
  let privateKey: CryptoKey;
  let strangerKey: CryptoKey;
  let repo: TempRepo;
  let gateway: GatewayProcess;

  const token = async (claims: Record<string, unknown>, options: { key?: CryptoKey; expires?: string; audience?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setIssuer(issuerUrl)
      .setSubject('ada')
      .setAudience(options.audience ?? `${gateway.base}/git/mcp`)
      .setIssuedAt()
      .setExpirationTime(options.expires ?? '5m')
      .sign(options.key ?? privateKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
    issuer = createServer((req, res) => {
      if (req.url === '/.well-known/oauth-authorization-server') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            issuer: issuerUrl,
            jwks_uri: `${issuerUrl}/jwks.json`,
            token_endpoint: `${issuerUrl}/token`,
            authorization_endpoint: `${issuerUrl}/authorize`,
          }),
        );
      } else if (req.url === '/jwks.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
    issuerUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
    repo = await tempRepo();
    await repo.commit('only commit', { 'a.txt': 'a\n' });
    // Read-write git, so the scopes decide which tools a caller sees.
    gateway = await startGateway(['git', '--git.no-read-only', '--oauth-issuer', issuerUrl], { cwd: repo.path });
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    issuer?.close();
    await repo?.remove();
  });

  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });

  it('answers a request without a token with 401 and the challenge pointing at the metadata', async () => {
    const response = await post('/git/mcp');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${gateway.base}/.well-known/oauth-protected-resource/git/mcp", scope="patchbay:git:read"`,
    );
  });

  it('publishes RFC 9728 metadata for the gateway and for each connector path', async () => {
    const perPath = await (await fetch(`${gateway.base}/.well-known/oauth-protected-resource/git/mcp`)).json();
    expect(perPath).toEqual({
      resource: `${gateway.base}/git/mcp`,
      authorization_servers: [issuerUrl],
      scopes_supported: ['patchbay:git:read', 'patchbay:git:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Patchbay git',
    });
    const root = (await (await fetch(`${gateway.base}/.well-known/oauth-protected-resource`)).json()) as { resource: string };
    expect(root.resource).toBe(gateway.base);
    expect((await fetch(`${gateway.base}/.well-known/oauth-protected-resource/nothing/mcp`)).status).toBe(404);
  });

  it('refuses expired, foreign, mis-addressed and unsigned tokens with invalid_token', async () => {
    const cases: Array<[string, string]> = [
      [await token({ scope: 'patchbay:git:read' }, { expires: '-1m' }), 'the access token has expired'],
      [await token({ scope: 'patchbay:git:read' }, { key: strangerKey }), "signature does not match the issuer's keys"],
      [
        await token({ scope: 'patchbay:git:read' }, { audience: 'https://elsewhere.example/mcp' }),
        'not issued for this resource',
      ],
      ['not-a-jwt', 'not a valid JWT'],
    ];
    for (const [bearer, reason] of cases) {
      const response = await post('/git/mcp', { authorization: `Bearer ${bearer}` });
      expect(response.status).toBe(401);
      const challenge = response.headers.get('www-authenticate') ?? '';
      expect(challenge).toContain('error="invalid_token"');
      expect(challenge).toContain(reason);
      expect(challenge).toContain('resource_metadata=');
    }
  });

  it('answers a token without a scope for the connector with 403 insufficient_scope', async () => {
    const response = await post('/git/mcp', { authorization: `Bearer ${await token({ scope: 'patchbay:postgres:write' })}` });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(response.headers.get('www-authenticate')).toContain('scope="patchbay:git:read"');
  });

  it('gives a read-scoped caller the read tools only, and refuses a write tool', async () => {
    const { client, close } = await connectHttp(`${gateway.base}/git/mcp`, {
      token: await token({ scope: 'patchbay:git:read' }),
    });
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('git_log');
      expect(names).not.toContain('git_commit');
      expect(names).not.toContain('git_add');
      const refused = await client.callTool({ name: 'git_add', arguments: { paths: ['a.txt'] } });
      expect(refused.isError).toBe(true);
      expect((refused.content as Array<{ text: string }>)[0]?.text).toContain('read-only');
    } finally {
      await close();
    }
  });

  it('gives a write-scoped caller every tool the connector offers (scp as a list too)', async () => {
    const { client, close } = await connectHttp(`${gateway.base}/git/mcp`, {
      token: await token({ scp: ['patchbay:git:write'] }),
    });
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('git_commit');
      expect(names).toContain('git_log');
    } finally {
      await close();
    }
  });

  it('lets the index page, health and metadata through without a token', async () => {
    expect((await fetch(`${gateway.base}/`)).status).toBe(200);
    expect((await fetch(`${gateway.base}/healthz`)).status).toBe(200);
  });
});

describe('a shared token and the Host/Origin checks', () => {
  let repo: TempRepo;
  let gateway: GatewayProcess;
  beforeAll(async () => {
    repo = await tempRepo();
    await repo.commit('only commit', { 'a.txt': 'a\n' });
    gateway = await startGateway(['git', '--http-token', 'team-secret-123'], { cwd: repo.path });
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await repo?.remove();
  });

  it('asks every MCP endpoint for the token, and takes it', async () => {
    const refused = await fetch(`${gateway.base}/git/mcp`, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);
    const { client, close } = await connectHttp(`${gateway.base}/git/mcp`, { token: 'team-secret-123' });
    try {
      expect((await client.callTool({ name: 'git_status', arguments: {} })).isError).toBeFalsy();
    } finally {
      await close();
    }
    // The page says a token is needed and never shows it.
    const page = await (await fetch(`${gateway.base}/`)).text();
    expect(page).toContain('Authorization: Bearer &lt;token&gt;');
    expect(page).not.toContain('team-secret-123');
    expect(gateway.stdout()).not.toContain('team-secret-123');
  });

  it('refuses a foreign Host or Origin (DNS rebinding), the page included', async () => {
    const { request } = await import('node:http');
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${gateway.base}/`, { headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status({ host: 'evil.example' })).toBe(403);
    expect(await status({ origin: 'https://evil.example' })).toBe(403);
    expect(await status({})).toBe(200);
  });
});

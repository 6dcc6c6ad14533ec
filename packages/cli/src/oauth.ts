/**
 * OAuth resource-server mode (MCP authorization, 2025-11-25): the gateway accepts access tokens
 * (JWTs) an operator-configured issuer signed, checks signature (JWKS), issuer, audience and
 * expiry with `jose`, and publishes RFC 9728 protected-resource metadata, for the whole gateway
 * and for each connector's endpoint. A request without a valid token gets 401 with the challenge
 * the spec requires (`resource_metadata`, and the `scope` to ask for); a valid token without a
 * scope for the connector gets 403 `insufficient_scope`.
 *
 * Scopes per connector: `patchbay:<name>:read` offers the read tools only (the server for that
 * request is built from a read-only view of the connector), `patchbay:<name>:write` offers
 * everything the connector offers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticate, Authenticated } from '@patchbay/kit/http';
import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify } from 'jose';

export interface OAuthOptions {
  issuer: string;
  /** The issuer's key set; discovered from its metadata when not given. */
  jwksUri?: string | undefined;
  /** Audiences accepted besides the endpoint's own URL. */
  audiences?: readonly string[];
  /** The gateway's base URL as clients reach it (no trailing slash). */
  base: string;
  /** The connectors served, for the metadata documents. */
  connectors: readonly string[];
  /** The issuer's metadata and keys are fetched with this (tests: a local issuer). */
  fetch?: typeof fetch;
}

export type Access = 'read' | 'write';

export const scopeFor = (connector: string, access: Access) => `patchbay:${connector}:${access}`;

/** The access a token's scopes grant on one connector: write includes read. */
export function accessFrom(scopes: readonly string[], connector: string): Access | undefined {
  if (scopes.includes(scopeFor(connector, 'write'))) return 'write';
  if (scopes.includes(scopeFor(connector, 'read'))) return 'read';
  return undefined;
}

export interface OAuth {
  authenticate: Authenticate;
  /** Serves `/.well-known/oauth-protected-resource[/<connector>/mcp]`; true when it answered. */
  route(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

export function createOAuth(options: OAuthOptions): OAuth {
  const base = options.base.replace(/\/$/, '');
  const metadataUrl = (connector: string) => `${base}${WELL_KNOWN}/${connector}/mcp`;
  const resourceUrl = (connector: string) => `${base}/${connector}/mcp`;
  const fetcher = options.fetch ?? fetch;

  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  async function keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (keys) return keys;
    const jwksUri = options.jwksUri ?? (await discoverJwksUri(options.issuer, fetcher));
    keys = createRemoteJWKSet(new URL(jwksUri), options.fetch ? { [customFetch]: options.fetch as never } : {});
    return keys;
  }

  const challenge = (connector: string, extra: Record<string, string> = {}) => {
    const params = { ...extra, resource_metadata: metadataUrl(connector), scope: scopeFor(connector, 'read') };
    return `Bearer ${Object.entries(params)
      .map(([k, v]) => `${k}="${v.replace(/["\\]/g, '')}"`)
      .join(', ')}`;
  };

  const authenticate: Authenticate = async (req, endpoint) => {
    const connector = endpoint.path.split('/').filter(Boolean)[0] ?? '';
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return {
        ok: false,
        status: 401,
        headers: { 'www-authenticate': challenge(connector) },
        message: `Unauthorized: this endpoint needs an OAuth access token from ${options.issuer} (see ${metadataUrl(connector)}).`,
      };
    }
    const token = match[1] as string;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keySet(), {
        issuer: options.issuer,
        audience: [resourceUrl(connector), ...(options.audiences ?? [])],
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      const description = describeJwtError(error);
      return {
        ok: false,
        status: 401,
        headers: { 'www-authenticate': challenge(connector, { error: 'invalid_token', error_description: description }) },
        message: `Unauthorized: ${description}.`,
      };
    }
    const scopes = scopesOf(payload);
    const access = accessFrom(scopes, connector);
    if (!access) {
      return {
        ok: false,
        status: 403,
        headers: {
          'www-authenticate': challenge(connector, {
            error: 'insufficient_scope',
            error_description: `this token has no scope for ${connector}`,
          }),
        },
        message: `Forbidden: the token has no scope for ${connector}; ask for ${scopeFor(connector, 'read')} (read tools) or ${scopeFor(connector, 'write')} (all tools).`,
      };
    }
    const auth: Authenticated = {
      token,
      clientId: String(payload.client_id ?? payload.azp ?? payload.sub ?? 'unknown'),
      scopes,
      ...(payload.exp ? { expiresAt: payload.exp } : {}),
      extra: { subject: payload.sub, access },
    };
    return { ok: true, auth };
  };

  function route(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (!url.pathname.startsWith(WELL_KNOWN)) return false;
    const rest = url.pathname.slice(WELL_KNOWN.length).replace(/\/$/, '');
    let document: Record<string, unknown> | undefined;
    if (rest === '') {
      document = metadata(base, options.connectors);
    } else {
      const connector = /^\/([a-z0-9_-]+)\/mcp$/.exec(rest)?.[1];
      if (connector && options.connectors.includes(connector)) document = metadata(resourceUrl(connector), [connector]);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    if (!document) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no such protected resource' }));
      return true;
    }
    res
      .writeHead(200, {
        'content-type': 'application/json',
        'cache-control': 'public, max-age=300',
        'access-control-allow-origin': '*',
      })
      .end(JSON.stringify(document));
    return true;
  }

  function metadata(resource: string, connectors: readonly string[]): Record<string, unknown> {
    return {
      resource,
      authorization_servers: [options.issuer],
      scopes_supported: connectors.flatMap((c) => [scopeFor(c, 'read'), scopeFor(c, 'write')]),
      bearer_methods_supported: ['header'],
      resource_name: connectors.length === 1 ? `Patchbay ${connectors[0]}` : 'Patchbay',
    };
  }

  return { authenticate, route };
}

/** `scope` (space-separated, RFC 9068) or `scp` (a list, as some issuers write it). */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(/\s+/).filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.map(String);
  if (typeof payload.scp === 'string') return payload.scp.split(/\s+/).filter(Boolean);
  return [];
}

function describeJwtError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the access token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'the access token was not issued for this resource (audience)';
    if (error.claim === 'iss') return 'the access token is from another issuer';
    return `the access token's ${error.claim} claim is not valid`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return "the access token's signature does not match the issuer's keys";
  }
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return 'the access token is not a valid JWT';
  return 'the access token could not be verified';
}

/** The issuer's `jwks_uri`, from its OAuth metadata (RFC 8414) or its OpenID configuration. */
async function discoverJwksUri(issuer: string, fetcher: typeof fetch): Promise<string> {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  const candidates = [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
  for (const candidate of candidates) {
    try {
      const response = await fetcher(candidate, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) continue;
      const document = (await response.json()) as { jwks_uri?: unknown };
      if (typeof document.jwks_uri === 'string') return document.jwks_uri;
    } catch {
      // Try the next well-known location.
    }
  }
  throw new Error(`could not find the signing keys of ${issuer}: set --oauth-jwks-uri`);
}

/**
 * One google-auth-library `OAuth2Client` for every kind of credential, so the Drive and Sheets
 * clients see one auth object whatever signed in:
 *
 * - user credentials (a stored account, a refresh token, a token file): the client refreshes the
 *   access token before it expires and, with `forceRefreshOnFailure`, after a 401 even when it
 *   has an expiry date (the library's default refreshes after a 401 only without one). Every
 *   refresh is written back where the token came from, and a refresh token Google rotates is kept.
 * - a service account: its `refreshHandler` signs a JWT (RS256) and posts it to the key file's
 *   own `token_uri` — google-auth-library's `JWT` client always posts to Google's fixed URL.
 *
 * In read-only mode the refresh asks for `drive.readonly` only (a refresh request may narrow the
 * scopes of the grant), so the token itself cannot write, whatever the grant allows.
 */
import { createSign } from 'node:crypto';
import { registerSecret } from '@patchbay/kit';
import { type Credentials, OAuth2Client } from 'google-auth-library';
import type { GetTokenResponse } from 'google-auth-library/build/src/auth/oauth2client.js';
import { revokeUrlFor, tokenInfoUrlFor } from '../endpoints.js';
import type { CredentialSource, OAuthClientInfo } from './credentials.js';
import { scopeUrl } from './scopes.js';
import { updateAccountTokens, writePrivate } from './store.js';

export interface AuthSetup {
  source: CredentialSource;
  /** Full scope URLs to ask for: drive, or drive.readonly in read-only mode. */
  scopes: string[];
  readOnly: boolean;
  fetch: typeof fetch;
  /** Told when tokens were written back, or could not be. */
  onSaveError?: (error: unknown) => void;
}

/** The client, and the scopes its tokens were granted as far as the token responses say. */
export interface DriveAuth {
  client: OAuth2Client;
  /** Space-separated scopes of the current access token, when a token response or the store said. */
  grantedScope(): string | undefined;
}

/** OAuth2Client whose refresh may narrow the grant's scopes (read-only mode). */
class NarrowingOAuth2Client extends OAuth2Client {
  narrowTo: string | undefined;

  protected override async refreshTokenNoCache(refreshToken?: string | null): Promise<GetTokenResponse> {
    if (!this.narrowTo || !refreshToken) return super.refreshTokenNoCache(refreshToken);
    try {
      return await this.narrowedRefresh(refreshToken, this.narrowTo);
    } catch (error) {
      // A grant that does not include the narrower scope (drive.file only): refresh it as it is.
      const data = (error as { response?: { data?: { error?: unknown } } }).response?.data;
      if (data?.error !== 'invalid_scope') throw error;
      this.narrowTo = undefined;
      return super.refreshTokenNoCache(refreshToken);
    }
  }

  private async narrowedRefresh(refreshToken: string, scope: string): Promise<GetTokenResponse> {
    const data = new URLSearchParams({
      refresh_token: refreshToken,
      client_id: this._clientId ?? '',
      grant_type: 'refresh_token',
      scope,
    });
    if (this._clientSecret) data.set('client_secret', this._clientSecret);
    // The same request the library makes (and retries), plus `scope`.
    const res = await this.transporter.request<Credentials & { expires_in?: number }>({
      method: 'POST',
      url: this.endpoints.oauth2TokenUrl.toString(),
      data,
      retry: true,
      retryConfig: { httpMethodsToRetry: ['POST'] },
    });
    const tokens: Credentials & { expires_in?: number } = { ...res.data };
    if (tokens.expires_in) {
      tokens.expiry_date = Date.now() + tokens.expires_in * 1000;
      delete tokens.expires_in;
    }
    this.emit('tokens', tokens);
    return { tokens, res };
  }
}

export function createDriveAuth(setup: AuthSetup): DriveAuth {
  const { source } = setup;
  let scope: string | undefined;
  const clientFor = (info: OAuthClientInfo | undefined) => {
    const client = new NarrowingOAuth2Client({
      ...(info ? { clientId: info.clientId, clientSecret: info.clientSecret } : {}),
      endpoints: info
        ? {
            oauth2TokenUrl: info.tokenUri,
            tokenInfoUrl: tokenInfoUrlFor(info.tokenUri),
            oauth2RevokeUrl: revokeUrlFor(info.tokenUri),
          }
        : {},
      transporterOptions: { fetchImplementation: setup.fetch },
    });
    client.forceRefreshOnFailure = true;
    return client;
  };

  let client: NarrowingOAuth2Client;
  switch (source.kind) {
    case 'stored': {
      const r = source.record;
      client = clientFor({ clientId: r.client_id, clientSecret: r.client_secret, tokenUri: r.token_uri });
      // A stored access token has the grant's full scopes: read-only mode starts with a narrowed refresh.
      client.setCredentials({
        refresh_token: r.refresh_token,
        ...(r.access_token && r.expiry_date && !setup.readOnly
          ? { access_token: r.access_token, expiry_date: r.expiry_date }
          : {}),
      });
      scope = r.scope;
      client.on('tokens', (tokens) => {
        const kept = keep(tokens);
        if (Object.keys(kept).length > 0) save(() => updateAccountTokens(source.dir, r.account, kept));
      });
      break;
    }
    case 'refresh-token':
    case 'authorized-user':
      client = clientFor(source.client);
      client.setCredentials({ refresh_token: source.refreshToken });
      break;
    case 'token-file': {
      client = clientFor(source.client);
      const t = source.tokens;
      const useSaved = !setup.readOnly || !t.refresh_token;
      client.setCredentials({
        ...(t.refresh_token ? { refresh_token: t.refresh_token } : {}),
        ...(t.access_token && useSaved ? { access_token: t.access_token } : {}),
        ...(t.expiry_date && useSaved ? { expiry_date: t.expiry_date } : {}),
      });
      scope = t.scope;
      // Written back in the same format, so the reference server could read it too.
      client.on('tokens', (tokens) => {
        const kept = withoutEmpty(keep(tokens));
        if (Object.keys(kept).length === 0) return;
        save(() => {
          Object.assign(t, kept);
          writePrivate(source.path, JSON.stringify(t));
        });
      });
      break;
    }
    case 'service-account': {
      client = clientFor(undefined);
      const key = source.key;
      const requested = setup.scopes.join(' ');
      client.refreshHandler = async () => {
        const { data } = await client.transporter.request<{ access_token: string; expires_in?: number }>({
          method: 'POST',
          url: key.tokenUri,
          data: new URLSearchParams({
            grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
            assertion: signAssertion(key, requested, source.subject),
          }),
          retry: true,
          retryConfig: { httpMethodsToRetry: ['POST'] },
        });
        registerSecret(data.access_token);
        scope = requested;
        return { access_token: data.access_token, expiry_date: Date.now() + (data.expires_in ?? 3600) * 1000 };
      };
      scope = requested;
      break;
    }
  }
  if (setup.readOnly && source.kind !== 'service-account') {
    // Narrow only when the grant is wider: a refresh must not ask for what was never granted.
    client.narrowTo = setup.scopes.join(' ');
  }
  client.on('tokens', (tokens) => {
    registerSecret(tokens.access_token ?? undefined);
    registerSecret(tokens.refresh_token ?? undefined);
    if (tokens.scope) scope = tokens.scope;
  });

  /**
   * What of a refresh to write back. A token narrowed to drive.readonly (read-only mode) is not
   * stored: the next server may not be read-only, and the stored scopes describe the grant. A
   * refresh token Google rotated is always kept.
   */
  function keep(tokens: Credentials): Credentials {
    if (!client.narrowTo) return tokens;
    return tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {};
  }

  function save(write: () => void): void {
    try {
      write();
    } catch (error) {
      setup.onSaveError?.(error);
    }
  }

  return { client, grantedScope: () => scope };
}

/** A service account's signed JWT assertion (RFC 7523) for its token endpoint. */
function signAssertion(
  key: { clientEmail: string; privateKey: string; privateKeyId?: string | undefined; tokenUri: string },
  scope: string,
  subject: string | undefined,
): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT', ...(key.privateKeyId ? { kid: key.privateKeyId } : {}) });
  const claims = encode({
    iss: key.clientEmail,
    scope,
    aud: key.tokenUri,
    iat: now,
    exp: now + 3600,
    ...(subject ? { sub: subject } : {}),
  });
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key.privateKey).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

function withoutEmpty(tokens: Credentials): Record<string, unknown> {
  return Object.fromEntries(Object.entries(tokens).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

export { scopeUrl };

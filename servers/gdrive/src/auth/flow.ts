/**
 * The installed-app sign-in (RFC 8252): a loopback redirect on 127.0.0.1 and PKCE (S256), as
 * Google requires of desktop clients. The browser shows Google's consent page; Google sends the
 * browser back to http://127.0.0.1:<port>/ with a code, which is exchanged (with the PKCE
 * verifier) for an access token and, on consent, a refresh token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlowInput {
  clientId: string;
  clientSecret?: string | undefined;
  authUrl: string;
  tokenUrl: string;
  scopes: string[];
  /** Ask Google to show the consent page (which is when it hands out a refresh token). */
  consent: boolean;
  /** The account to sign in as, when known (Google preselects it). */
  loginHint?: string | undefined;
  /** Loopback port (0: any free one). */
  port: number;
  /** Show the address to open, and try to open it. */
  open: (url: string) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  token_type?: string;
}

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/** Run the flow once: returns Google's token response. */
export async function signIn(input: FlowInput): Promise<TokenResponse> {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(24).toString('base64url');

  const { server, port } = await listen(input.port);
  try {
    const redirectUri = `http://127.0.0.1:${port}/`;
    const url = new URL(input.authUrl);
    url.search = new URLSearchParams({
      client_id: input.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: input.scopes.join(' '),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      access_type: 'offline',
      // Consent is what makes Google hand out a refresh token; without a hint, let the user pick the account.
      ...(input.consent || !input.loginHint
        ? { prompt: [input.loginHint ? '' : 'select_account', input.consent ? 'consent' : ''].filter(Boolean).join(' ') }
        : {}),
      ...(input.loginHint ? { login_hint: input.loginHint } : {}),
    }).toString();
    const code = await waitForCode(server, state, input.timeoutMs ?? 5 * 60_000, () => input.open(url.href), input.signal);
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: input.clientId,
      code_verifier: verifier,
      ...(input.clientSecret ? { client_secret: input.clientSecret } : {}),
    });
    const response = await fetch(input.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    const data = (await response.json().catch(() => ({}))) as Partial<TokenResponse> & {
      error?: string;
      error_description?: string;
    };
    if (!response.ok || typeof data.access_token !== 'string') {
      throw new SignInError(
        `Google refused the sign-in code (${response.status}${data.error ? ` ${data.error}` : ''}${data.error_description ? `: ${data.error_description}` : ''}).`,
      );
    }
    return data as TokenResponse;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function listen(port: number): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new SignInError(
          error.code === 'EADDRINUSE' ? `port ${port} is in use: pass another with --port (or 0 for any)` : error.message,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body></html>`;

/** Wait for Google to send the browser back with `code` (or `error`) and the state we sent. */
function waitForCode(
  server: Server,
  state: string,
  timeoutMs: number,
  ready: () => void,
  signal: AbortSignal | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new SignInError(`no answer from the browser within ${Math.round(timeoutMs / 60_000)} minutes.`)),
      timeoutMs,
    );
    const onAbort = () => finish(new SignInError('cancelled.'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (outcome: string | Error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      server.removeListener('request', onRequest);
      if (typeof outcome === 'string') resolve(outcome);
      else reject(outcome);
    };
    const onRequest = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/' || (!url.searchParams.has('code') && !url.searchParams.has('error'))) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
        return;
      }
      const html = (status: number, title: string, text: string) =>
        res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE(title, text));
      // The state proves the answer belongs to this sign-in, not to a page that forged a request.
      if (url.searchParams.get('state') !== state) {
        html(
          400,
          'Sign-in not accepted',
          'This answer does not belong to the sign-in that is waiting. Start again from the terminal.',
        );
        return;
      }
      const error = url.searchParams.get('error');
      if (error) {
        html(400, 'Sign-in cancelled', 'Nothing was stored. You can close this tab.');
        finish(
          new SignInError(
            error === 'access_denied' ? 'access was denied in the browser; nothing was stored.' : `Google answered ${error}.`,
          ),
        );
        return;
      }
      html(200, 'Signed in', 'patchbay-gdrive has its token. You can close this tab and go back to the terminal.');
      finish(url.searchParams.get('code') ?? '');
    };
    server.on('request', onRequest);
    ready();
  });
}

/**
 * Shared set-up for the Drive tests: a sandbox on the demo seed, Google's own clients
 * (`@googleapis/drive`, `@googleapis/sheets`, google-auth-library's OAuth2Client and JWT) pointed
 * at it by `rootUrl` and the `endpoints` override, and the recorder that checks every Drive
 * exchange against the discovery document after each test.
 */
import { type drive_v3, drive as driveClient } from '@googleapis/drive';
import { type sheets_v4, sheets as sheetsClient } from '@googleapis/sheets';
import { type Credentials, gaxios, JWT, OAuth2Client } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { GdriveState } from '../../src/gdrive/state.js';
import { type Logger, type Sandbox, startSandbox } from '../../src/index.js';
import { loadDriveDiscovery, SpecRecorder } from './discovery.js';

export const ALEX = 'alex@example.com';
export const SAM = 'sam@example.com';
export const ROBOT = 'patchbay-drive@patchbay-sandbox.iam.gserviceaccount.com';

export interface DriveHarness {
  sandbox: Sandbox<GdriveState>;
  recorder: SpecRecorder;
  warnings: string[];
  /** Drive as Alex with the seed's long-lived `drive` token. */
  drive: drive_v3.Drive;
  sheets: sheets_v4.Sheets;
  /** An OAuth2Client using the sandbox's token endpoints (refreshes like in production). */
  oauth(credentials?: Credentials): OAuth2Client;
  /** Drive with an access token for any user and scopes. */
  as(email: string, scopes: string[], clientId?: string): drive_v3.Drive;
  /** Drive (or Sheets) through a given auth client. */
  driveWith(auth: OAuth2Client | JWT): drive_v3.Drive;
  sheetsWith(auth: OAuth2Client | JWT): sheets_v4.Sheets;
  /** A JWT client for the seed's service account, its token requests sent to the sandbox. */
  jwt(options?: { subject?: string; scopes?: string[] }): JWT;
  /**
   * Per-call options for uploads. googleapis-common applies a client's `rootUrl` to the method URL
   * but not to the media-upload URL (`https://www.googleapis.com/upload/…` stays), so a call that
   * sends content must also pass `rootUrl` in its options — as the connector must.
   */
  upload: { rootUrl: string };
  /** A file id by exact name (from the state). */
  id(name: string): string;
}

export function useDrive(): DriveHarness {
  const h = { warnings: [] as string[] } as DriveHarness;
  const logger: Logger = { info: () => {}, warn: (line) => h.warnings.push(line) };
  beforeAll(async () => {
    h.sandbox = await startSandbox({ service: 'gdrive', logger });
    h.recorder = new SpecRecorder(loadDriveDiscovery());
    h.sandbox.tap(h.recorder.listener);
    const url = h.sandbox.url;
    const rootUrl = `${url}/`;
    h.oauth = (credentials) => {
      const env = h.sandbox.env;
      const client = new OAuth2Client({
        clientId: env['GDRIVE_OAUTH_CLIENT_ID']!,
        clientSecret: env['GDRIVE_OAUTH_CLIENT_SECRET']!,
        redirectUri: 'http://127.0.0.1:8765/callback',
        endpoints: {
          oauth2TokenUrl: `${url}/token`,
          oauth2AuthBaseUrl: `${url}/o/oauth2/v2/auth`,
          oauth2RevokeUrl: `${url}/revoke`,
          tokenInfoUrl: `${url}/tokeninfo`,
        },
      });
      if (credentials) client.setCredentials(credentials);
      return client;
    };
    h.upload = { rootUrl };
    h.driveWith = (auth) => driveClient({ version: 'v3', auth, rootUrl });
    h.sheetsWith = (auth) => sheetsClient({ version: 'v4', auth, rootUrl });
    h.drive = h.driveWith(h.oauth({ access_token: h.sandbox.token }));
    h.sheets = h.sheetsWith(h.oauth({ access_token: h.sandbox.token }));
    h.as = (email, scopes, clientId) => {
      const token = h.sandbox.state.issueAccessToken({
        subject: email,
        scopes,
        clientId: clientId ?? h.sandbox.state.defaultClientId,
        lifetimeSeconds: 3600,
      });
      return h.driveWith(h.oauth({ access_token: token.token }));
    };
    h.jwt = (options = {}) => {
      const key = h.sandbox.state.serviceAccountKeyFile(ROBOT, url);
      // gtoken posts to Google's fixed token URL; the key file's token_uri names the sandbox,
      // and this transporter sends the request there (what a connector honouring token_uri does).
      const transporter = new gaxios.Gaxios();
      transporter.interceptors.request.add({
        resolved: async (config) => {
          const target = String(config.url);
          if (target.startsWith('https://oauth2.googleapis.com/token')) config.url = new URL(key['token_uri']!);
          return config;
        },
      });
      return new JWT({
        email: key['client_email']!,
        key: key['private_key']!,
        scopes: options.scopes ?? ['https://www.googleapis.com/auth/drive'],
        ...(options.subject ? { subject: options.subject } : {}),
        transporter,
      });
    };
    h.id = (name) => {
      const found = h.sandbox.state.findByName(name);
      if (found.length !== 1) throw new Error(`expected one file named ${name}, found ${found.length}`);
      return found[0]!.id;
    };
  });
  afterEach(() => {
    try {
      // Every Drive exchange of the test, success and error, must match the discovery document.
      expect(h.recorder.drain()).toEqual([]);
    } finally {
      h.sandbox.reset();
      h.warnings.length = 0;
    }
  });
  afterAll(() => h.sandbox.close());
  return h;
}

// biome-ignore lint/suspicious/noExplicitAny: error bodies are asserted on loosely
type ErrorBody = any;

/** The GaxiosError a rejected Google client call threw. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; data: ErrorBody; headers: Headers; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status?: number; response?: { status: number; data: unknown; headers: Headers }; message: string };
    return {
      status: e.response?.status ?? e.status ?? 0,
      data: e.response?.data,
      headers: e.response?.headers as Headers,
      message: e.message,
    };
  }
  throw new Error('expected the request to fail');
}

/** A JSON body read with fetch, asserted on loosely. */
export async function jsonOf(res: Response): Promise<ErrorBody> {
  return res.json();
}

/** The single Drive error item (reason, location…) of an error body. */
export function reasonOf(data: ErrorBody): { reason: string; message: string; location?: string } {
  return data?.error?.errors?.[0];
}

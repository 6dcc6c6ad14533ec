/**
 * Google's OAuth scopes the connector asks for or meets, and what each allows, in words for the
 * context tool. Scopes travel as URLs; people read the short names.
 */
export const SCOPE_PREFIX = 'https://www.googleapis.com/auth/';

/** `drive.readonly` → its URL; URLs and the OpenID scopes stay as they are. */
export function scopeUrl(scope: string): string {
  return scope.includes(':') || ['openid', 'email', 'profile'].includes(scope) ? scope : SCOPE_PREFIX + scope;
}

/** A scope URL → its short name (`drive.readonly`). */
export function shortScope(scope: string): string {
  return scope.startsWith(SCOPE_PREFIX) ? scope.slice(SCOPE_PREFIX.length) : scope;
}

/** What the connector asks for: everything in Drive, or reading only. */
export function scopesFor(readOnly: boolean): string[] {
  return [scopeUrl(readOnly ? 'drive.readonly' : 'drive')];
}

const MEANING: Record<string, string> = {
  drive: 'see, edit, create, share and delete all of the account’s Drive files',
  'drive.readonly': 'see and download all Drive files, change nothing',
  'drive.file': 'only the files this app created or the user opened with it',
  'drive.metadata.readonly': 'file names and details only, no contents',
  'drive.metadata': 'file names and details, and change them; no contents',
  'drive.appdata': 'the app’s own hidden folder only',
  spreadsheets: 'see and edit all spreadsheets',
  'spreadsheets.readonly': 'see all spreadsheets',
  documents: 'see and edit all Docs',
  'documents.readonly': 'see all Docs',
  openid: 'who the user is',
  email: 'the account’s email address',
  'userinfo.email': 'the account’s email address',
  profile: 'the account’s name and picture',
  'userinfo.profile': 'the account’s name and picture',
};

export function scopeMeaning(scope: string): string {
  return MEANING[shortScope(scope)] ?? 'not used by this connector';
}

/** Whether the granted scopes let the connector read contents, and write. */
export function abilities(scopes: readonly string[]): { read: boolean; write: boolean; everything: boolean } {
  const short = new Set(scopes.map(shortScope));
  const write = short.has('drive') || short.has('drive.file');
  const read = write || short.has('drive.readonly');
  return { read, write, everything: short.has('drive') || short.has('drive.readonly') };
}

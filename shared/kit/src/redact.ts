/**
 * Secrets never reach a result or a log line. Every option declared `secret` is registered here
 * when the config loads; on top of the known values, shapes that are secrets wherever they appear
 * (passwords in URLs, bearer tokens, well-known token prefixes) are masked too.
 */
const known = new Set<string>();

const PATTERNS: Array<[RegExp, string]> = [
  // scheme://user:password@host → scheme://user:***@host
  [/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^@/\s]+@/gi, '$1:***@'],
  [/\b(Bearer|token)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 ***'],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, '***'],
  [/\bxox[abposr]-[A-Za-z0-9-]{8,}/g, '***'],
  [/\bya29\.[A-Za-z0-9._-]{10,}/g, '***'],
  // password=… in a key=value connection string or a URL query, in any case, spaced around '=',
  // the value bare or quoted (libpq's 'a \' b', SQL's 'a '' b', "…"); an unterminated quote masks
  // the rest of the text.
  [/\b([a-z_.-]*(?:password|passwd|pwd))\s*=\s*(?:'(?:[^'\\]|\\.|'')*'?|"(?:[^"\\]|\\.)*"?|[^&\s;'"]+)/gi, '$1=***'],
];

/** Remember a secret value so that it is masked wherever it shows up later. */
export function registerSecret(value: string | undefined): void {
  // Very short values would mask ordinary words; a real secret is never this short.
  if (value && value.length >= 4) known.add(value);
}

/** Mask every known secret and every secret-shaped substring. */
export function redact(text: string): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Forget registered secrets (tests). */
export function clearSecrets(): void {
  known.clear();
}

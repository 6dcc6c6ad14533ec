/**
 * Secrets never reach a result or a log line. Every option declared `secret` is registered here
 * when the config loads; on top of the known values, shapes that are secrets wherever they appear
 * (passwords in URLs, bearer tokens, well-known token prefixes) are masked too.
 */
// One registry per process, even when two copies of the kit are loaded (a gateway hosting
// connectors bundled separately): a secret one connector registers is masked by all of them.
const REGISTRY = Symbol.for('patchbay.secrets');
const known: Set<string> =
  ((globalThis as Record<symbol, unknown>)[REGISTRY] as Set<string> | undefined) ??
  (() => {
    const set = new Set<string>();
    (globalThis as Record<symbol, unknown>)[REGISTRY] = set;
    return set;
  })();

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

/**
 * Mask the configured secrets (not the secret-shaped patterns) in a tool's result: a value the
 * operator gave as a secret never goes back to the model, whatever produced it, while data that
 * merely looks like a token (a file the user asked for) is left as it is.
 */
export function redactKnown(value: unknown): unknown {
  if (known.size === 0) return value;
  if (typeof value === 'string') {
    let out = value;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('***');
    return out;
  }
  if (Array.isArray(value)) return value.map(redactKnown);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactKnown(v)]));
  }
  return value;
}

/** Forget registered secrets (tests). */
export function clearSecrets(): void {
  known.clear();
}

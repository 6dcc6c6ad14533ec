/** Parse an RFC 8288 `Link` header into rel → URL (GitHub-style `Link: <…>; rel="next"` pagination). */
export function parseLinkHeader(header: string | null | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match) for (const rel of (match[2] as string).split(/\s+/)) links[rel] = match[1] as string;
  }
  return links;
}

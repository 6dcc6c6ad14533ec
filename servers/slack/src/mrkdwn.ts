/**
 * Slack's mrkdwn as a person reads it: `<@U123>` → `@Ada`, `<#C123|general>` → `#general`,
 * `<!here>` → `@here`, `<https://x|the docs>` → `the docs (https://x)`, `&lt;` → `<`. Bold, italics,
 * code and emoji shortcodes are already readable and stay as written.
 */

/** Names known for the IDs a text mentions (looked up beforehand: this runs synchronously). */
export interface Names {
  user(id: string): string | undefined;
  channel(id: string): string | undefined;
}

const ANGLE = /<([^<>\s|][^<>|]*)(?:\|([^<>]*))?>/g;

/** The user and channel IDs a text mentions without a label, which need a lookup. */
export function mentions(text: string): { users: string[]; channels: string[] } {
  const users = new Set<string>();
  const channels = new Set<string>();
  for (const match of text.matchAll(ANGLE)) {
    const target = match[1] as string;
    if (/^@[UW][A-Z0-9]+$/.test(target)) users.add(target.slice(1));
    else if (/^#[CGD][A-Z0-9]+$/.test(target) && !match[2]) channels.add(target.slice(1));
  }
  return { users: [...users], channels: [...channels] };
}

export function readable(text: string, names: Names): string {
  const out = text.replace(ANGLE, (whole, target: string, label: string | undefined) => {
    if (target.startsWith('@')) {
      const id = target.slice(1);
      return `@${names.user(id) ?? label?.replace(/^@/, '') ?? id}`;
    }
    if (target.startsWith('#')) {
      const id = target.slice(1);
      return `#${label || names.channel(id) || id}`;
    }
    if (target.startsWith('!')) return special(target.slice(1), label);
    if (/^(https?|mailto|tel|slack):/i.test(target)) {
      const href = target.replace(/^mailto:/i, '');
      if (!label || label === target || label === href) return href;
      return `${label} (${href})`;
    }
    return whole;
  });
  return out.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^S…|@team>`, `<!date^…|fallback>`. */
function special(body: string, label: string | undefined): string {
  const [kind] = body.split('^');
  if (kind === 'here' || kind === 'channel' || kind === 'everyone') return `@${kind}`;
  if (kind === 'subteam') return label ? `@${label.replace(/^@/, '')}` : '@team';
  if (kind === 'date') return label ?? 'a date';
  return label ?? `@${kind}`;
}

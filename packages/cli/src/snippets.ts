/**
 * Ready-to-paste client entries: for a connector served over HTTP (a URL), or launched by the
 * client as a process (stdio). Secrets never appear: a token is `<token>`, a credential variable
 * is named with a placeholder value.
 */
export const CLIENTS = ['claude-desktop', 'claude-code', 'cursor', 'vscode'] as const;
export type ClientName = (typeof CLIENTS)[number];

export const CLIENT_TITLES: Record<ClientName, string> = {
  'claude-desktop': 'Claude Desktop',
  'claude-code': 'Claude Code',
  cursor: 'Cursor',
  vscode: 'VS Code',
};

/** Where the entry goes, one line per client. */
export const CLIENT_WHERE: Record<ClientName, string> = {
  'claude-desktop': 'claude_desktop_config.json (Settings → Developer → Edit Config), under "mcpServers"',
  'claude-code': 'a terminal, in the project folder',
  cursor: '~/.cursor/mcp.json (or .cursor/mcp.json in a project), under "mcpServers"',
  vscode: '.vscode/mcp.json in the workspace (or the user settings\' MCP configuration), under "servers"',
};

export interface Launch {
  command: string;
  args: string[];
  /** Variables the client must set, with placeholder values. */
  env?: Record<string, string>;
}

export interface HttpTarget {
  url: string;
  /** The gateway asks for a bearer token: the entry carries the header with a placeholder. */
  token?: boolean;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

export function httpSnippet(client: ClientName, name: string, target: HttpTarget): string {
  const headers = target.token ? { Authorization: 'Bearer <token>' } : undefined;
  switch (client) {
    case 'claude-desktop':
      // Claude Desktop's config file launches processes only; mcp-remote bridges to a URL.
      return json({
        mcpServers: {
          [name]: {
            command: 'npx',
            args: [
              '-y',
              'mcp-remote',
              target.url,
              // mcp-remote expands ${VAR} in its arguments from the entry's env: the token stays out of args.
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder for mcp-remote, not for us
              ...(target.token ? ['--header', 'Authorization:Bearer ${PATCHBAY_TOKEN}'] : []),
            ],
            ...(target.token ? { env: { PATCHBAY_TOKEN: '<token>' } } : {}),
          },
        },
      });
    case 'claude-code':
      return `claude mcp add --transport http ${name} ${target.url}${target.token ? ' --header "Authorization: Bearer <token>"' : ''}`;
    case 'cursor':
      return json({ mcpServers: { [name]: { url: target.url, ...(headers ? { headers } : {}) } } });
    case 'vscode':
      return json({ servers: { [name]: { type: 'http', url: target.url, ...(headers ? { headers } : {}) } } });
  }
}

export function stdioSnippet(client: ClientName, name: string, launch: Launch): string {
  const env = launch.env && Object.keys(launch.env).length ? launch.env : undefined;
  switch (client) {
    case 'claude-desktop':
    case 'cursor':
      return json({ mcpServers: { [name]: { command: launch.command, args: launch.args, ...(env ? { env } : {}) } } });
    case 'claude-code': {
      const envFlags = Object.entries(env ?? {}).map(([k, v]) => ` -e ${k}=${shellQuote(v)}`);
      return `claude mcp add ${name}${envFlags.join('')} -- ${[launch.command, ...launch.args].map(shellQuote).join(' ')}`;
    }
    case 'vscode':
      return json({
        servers: { [name]: { type: 'stdio', command: launch.command, args: launch.args, ...(env ? { env } : {}) } },
      });
  }
}

export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

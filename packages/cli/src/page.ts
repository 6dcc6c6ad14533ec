/**
 * The index page at `/`: each connector, its mode, its tools by toolset with their access level,
 * and copy-paste client entries. Plain server-rendered HTML, readable without JavaScript (there is
 * none); `<details>` folds the snippets.
 */
import type { AnyTool } from '@patchbay/kit';
import type { Mounted } from './mount.js';
import { CLIENT_TITLES, CLIENT_WHERE, CLIENTS, httpSnippet, type Launch, stdioSnippet } from './snippets.js';

export interface PageInput {
  version: string;
  /** The gateway's base URL as clients reach it (no trailing slash). */
  base: string;
  mounted: readonly Mounted[];
  /** How a client launches each connector as a process instead. */
  launches: ReadonlyMap<string, Launch>;
  /** Requests need a token (`--http-token`) or an OAuth access token. */
  auth: 'none' | 'token' | 'oauth';
}

const MODE_TEXT: Record<string, string> = {
  live: 'live',
  embedded: 'embedded',
  sandbox: 'sandbox',
  unavailable: 'unavailable',
};

export function renderIndexPage(input: PageInput): string {
  const rows = input.mounted.map((m) => {
    const reason = m.unavailable();
    const mode = reason ? 'unavailable' : (m.mode ?? 'unavailable');
    return `<tr><td><a href="#${m.entry.name}">${esc(m.entry.title)}</a></td><td><span class="mode ${mode}">${MODE_TEXT[mode]}</span></td><td><code>${esc(`${input.base}/${m.entry.name}/mcp`)}</code></td><td>${esc(reason ?? m.label ?? (m.mode === 'live' ? 'your configuration' : ''))}</td></tr>`;
  });
  const authNote =
    input.auth === 'token'
      ? '<p class="note">Requests need <code>Authorization: Bearer &lt;token&gt;</code> with the token the gateway was started with (<code>--http-token</code>); the entries below leave it as <code>&lt;token&gt;</code>.</p>'
      : input.auth === 'oauth'
        ? '<p class="note">Requests need an OAuth access token from the configured issuer; clients discover it through <code>/.well-known/oauth-protected-resource</code>. Scopes: <code>patchbay:&lt;connector&gt;:read</code> (read tools only) or <code>:write</code>.</p>'
        : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Patchbay — ${input.mounted.length} connectors</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Patchbay <small>${esc(input.version)}</small></h1>
<p>Every connector of this gateway, at <code>${esc(input.base)}/&lt;connector&gt;/mcp</code> (Streamable HTTP). Health: <a href="/healthz"><code>/healthz</code></a>.</p>
${authNote}
</header>
<main>
<table class="summary">
<thead><tr><th>Connector</th><th>Mode</th><th>Endpoint</th><th>Serving</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<p class="legend"><span class="mode live">live</span> your service or data · <span class="mode embedded">embedded</span> started by the gateway on this machine · <span class="mode sandbox">sandbox</span> a local emulator with made-up data — sandbox data, not your account · <span class="mode unavailable">unavailable</span> not serving, with the reason</p>
${input.mounted.map((m) => section(m, input)).join('\n')}
</main>
</body>
</html>
`;
}

function section(m: Mounted, input: PageInput): string {
  const reason = m.unavailable();
  const mode = reason ? 'unavailable' : (m.mode ?? 'unavailable');
  const url = `${input.base}/${m.entry.name}/mcp`;
  const name = `patchbay-${m.entry.name}`;
  const parts: string[] = [];
  parts.push(
    `<section id="${esc(m.entry.name)}"><h2>${esc(m.entry.title)} <span class="mode ${mode}">${MODE_TEXT[mode]}</span></h2>`,
  );
  if (reason) parts.push(`<p class="reason">Unavailable: ${esc(reason)}</p>`);
  if (m.note) parts.push(`<p class="demo">${esc(capitalize(m.note))}.</p>`);
  if (m.goLive?.length) parts.push(`<p class="golive">To use your own instead: ${esc(m.goLive.join(' '))}</p>`);
  parts.push(
    `<p>Endpoint <code>${esc(url)}</code> · package <code>${esc(m.entry.package)}</code> · bin <code>${esc(m.entry.bin)}</code></p>`,
  );
  if (m.def) parts.push(toolsTable(m));
  if (!reason) {
    const launch = input.launches.get(m.entry.name);
    const snippets = CLIENTS.map((client) => {
      const http = httpSnippet(client, name, { url, token: input.auth !== 'none' });
      const stdio = launch ? stdioSnippet(client, name, launch) : undefined;
      return `<details><summary>${CLIENT_TITLES[client]}</summary><p>In ${esc(CLIENT_WHERE[client])}. Over HTTP, to this gateway:</p><pre><code>${esc(http)}</code></pre>${
        stdio
          ? `<p>Or launched by the client as a process (stdio), no gateway needed:</p><pre><code>${esc(stdio)}</code></pre>`
          : ''
      }</details>`;
    });
    parts.push(`<h3>Connect a client</h3>${snippets.join('\n')}`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

function toolsTable(m: Mounted): string {
  const def = m.def!;
  const offered = new Set((m.runtime?.tools ?? []).map((t: AnyTool<unknown>) => t.name));
  const groups = Object.entries(def.toolsets).map(([key, toolset]) => {
    const tools = (def.tools as AnyTool<unknown>[]).filter((t) => t.toolset === key);
    if (!tools.length) return '';
    const rows = tools.map((t) => {
      const on = offered.has(t.name);
      return `<tr class="${on ? 'on' : 'off'}"><td><code>${esc(t.name)}</code></td><td>${esc(t.title)}</td><td><span class="access ${t.access}">${t.access}</span></td><td>${on ? 'offered' : 'not offered'}</td></tr>`;
    });
    return `<tbody><tr class="toolset"><th colspan="4">${esc(toolset.title)} <small>(${esc(key)}${toolset.default ? '' : ', opt-in'}): ${esc(toolset.description)}</small></th></tr>${rows.join('')}</tbody>`;
  });
  const count = offered.size;
  return `<h3>Tools <small>${count} offered of ${def.tools.length}</small></h3><table class="tools"><thead><tr><th>Tool</th><th>Title</th><th>Access</th><th>Here</th></tr></thead>${groups.join('')}</table>`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2228;background:#f6f7f9}
header,main{max-width:1080px;margin:0 auto;padding:0 20px}
header{padding-top:20px}
h1{margin:0 0 4px;font-size:26px}h1 small{font-size:14px;color:#6a737d;font-weight:normal}
h2{margin:0 0 8px;font-size:20px}h3{font-size:15px;margin:16px 0 6px}h3 small{color:#6a737d;font-weight:normal}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#0f1720;color:#e6edf3;padding:10px 12px;border-radius:6px;overflow:auto;margin:6px 0}
section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:16px 18px;margin:18px 0}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceef1;vertical-align:top}
table.summary{border:1px solid #dde1e6;border-radius:8px;margin-top:12px}
tr.toolset th{background:#f1f3f5;font-weight:600}tr.toolset small{font-weight:normal;color:#4b5561}
tr.off td{color:#8a939c}
.mode,.access{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;vertical-align:middle}
.mode.live{background:#dafbe1;color:#116329}.mode.embedded{background:#ddf4ff;color:#0a3069}
.mode.sandbox{background:#fff8c5;color:#6a4a00}.mode.unavailable{background:#ffebe9;color:#a40e26}
.access.read{background:#eef1f4;color:#3d4650}.access.write{background:#fff1e5;color:#953800}.access.destructive{background:#ffebe9;color:#a40e26}
.reason{color:#a40e26}.demo{background:#fff8c5;padding:6px 10px;border-radius:6px}
.note,.legend,.golive{color:#4b5561;font-size:13px}
details{margin:4px 0}summary{cursor:pointer;font-weight:600}
`;

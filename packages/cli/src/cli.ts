#!/usr/bin/env node
/**
 * `patchbay`: every Patchbay connector in one process. The only module that prints usage, sets
 * exit codes or listens for signals; everything below it composes.
 */
import { createRequire } from 'node:module';
import {
  createLogger,
  exitOnStop,
  type Level,
  parseListenAddress,
  redact,
  renderHelp,
  unguardedHttpProblem,
} from '@patchbay/kit';
import { type Command, parseArgs } from './args.js';
import { runDoctor } from './doctor/run.js';
import { type HttpGateway, mountAll, serveHttp, serveStdioGateway } from './gateway.js';
import { launchFor } from './launch.js';
import type { Mounted } from './mount.js';
import { configOptions, DEFAULT_PORT, doctorOptions, serveOptions } from './options.js';
import { CLIENT_TITLES, CLIENT_WHERE, type ClientName, httpSnippet, type Launch, stdioSnippet } from './snippets.js';

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
const SHUTDOWN_GRACE_MS = 3_000;

const specsFor = (command: Command) =>
  command === 'config' ? configOptions : command === 'doctor' ? doctorOptions : command === 'list' ? doctorOptions : serveOptions;

const say = (line: string) => process.stderr.write(`patchbay: ${redact(line)}\n`);

async function main(): Promise<void> {
  const cwd = process.cwd();
  const parsed = await parseArgs(process.argv.slice(2), specsFor, process.env, cwd);
  if (parsed.version) {
    process.stdout.write(`patchbay ${VERSION}\n`);
    return;
  }
  if (parsed.help || parsed.command === 'help') {
    process.stdout.write(helpText());
    return;
  }
  if (parsed.problems.length) {
    // Every problem at once: the connectors' own options are checked too (nothing is started).
    const more = await mountAll({
      entries: parsed.entries,
      perConnector: parsed.perConnector,
      sections: parsed.file.sections,
      env: process.env,
      cwd,
      log: () => undefined,
      startDefaults: false,
    });
    if ('mounted' in more) await Promise.allSettled(more.mounted.map((m) => m.close()));
    for (const problem of [...parsed.problems, ...('problems' in more ? more.problems : [])]) say(problem);
    say('run patchbay --help for every option');
    process.exit(2);
  }
  switch (parsed.command) {
    case 'serve':
      return serve(parsed, cwd);
    case 'list':
      return list(parsed, cwd);
    case 'config':
      return config(parsed, cwd);
    case 'doctor': {
      const code = await runDoctor({
        entries: parsed.entries,
        named: parsed.named,
        perConnector: parsed.perConnector,
        sections: parsed.file.sections,
        env: process.env,
        cwd,
        write: (text) => process.stdout.write(redact(text)),
      });
      process.exit(code);
    }
  }
}

type ParsedArgs = Awaited<ReturnType<typeof parseArgs>>;

async function mountFor(parsed: ParsedArgs, cwd: string, quiet = false, startDefaults = true): Promise<Mounted[]> {
  const options = parsed.options;
  // The gateway's --read-only and --log-level reach every connector through its environment,
  // under each connector's own flags and config section.
  const env: Record<string, string | undefined> = { ...process.env };
  if (options.readOnly) env.PATCHBAY_READ_ONLY = 'true';
  if (options.logLevel && options.logLevel !== 'info') env.PATCHBAY_LOG_LEVEL = String(options.logLevel);
  if (quiet) env.PATCHBAY_LOG_LEVEL = 'error';
  const result = await mountAll({
    entries: parsed.entries,
    perConnector: parsed.perConnector,
    sections: parsed.file.sections,
    env,
    cwd,
    log: quiet ? () => undefined : say,
    startDefaults,
  });
  if ('problems' in result) {
    for (const problem of result.problems) say(problem);
    say(`run patchbay --help, or <connector-bin> --help for a connector's options (flags take the --<connector>. prefix)`);
    process.exit(2);
  }
  return result.mounted;
}

async function serve(parsed: ParsedArgs, cwd: string): Promise<void> {
  const options = parsed.options;
  const log = createLogger('patchbay', (options.logLevel as Level) ?? 'info');
  // A fault in one connector must not end the others: logged, and the process goes on.
  process.on('uncaughtException', (error) => log.error('a connector failed outside a call (the others go on)', { error }));
  process.on('unhandledRejection', (error) => log.error('a connector failed outside a call (the others go on)', { error }));

  // Refused before anything starts: beyond loopback, the port is guarded by a token or OAuth.
  const unguarded = options.stdio
    ? undefined
    : unguardedHttpProblem(
        options.http as string | undefined,
        (options.httpToken ?? options.oauthIssuer) as string | undefined,
        ' or --oauth-issuer (team mode)',
      );
  if (unguarded) {
    say(unguarded);
    process.exit(2);
  }

  const started = performance.now();
  const mounted = await mountFor(parsed, cwd);
  let gateway: HttpGateway | undefined;
  let stdio: Awaited<ReturnType<typeof serveStdioGateway>> | undefined;
  const stop = exitOnStop(log, SHUTDOWN_GRACE_MS, () => [
    gateway?.running.close(),
    stdio?.close(),
    ...mounted.map((m) => m.close()),
  ]);

  for (const m of mounted) {
    const reason = m.unavailable();
    if (reason) log.warn(`${m.entry.name} is unavailable: ${reason}`);
  }

  if (options.stdio) {
    try {
      stdio = await serveStdioGateway(mounted, VERSION);
    } catch (error) {
      say(error instanceof Error ? error.message : String(error));
      await stop('nothing to serve', 1);
      return;
    }
    log.info('serving over stdio', {
      connectors: mounted
        .filter((m) => !m.unavailable())
        .map((m) => m.entry.name)
        .join(','),
      ms: Math.round(performance.now() - started),
    });
    void stdio.ended.then((ended) => {
      if (ended.fault) log.error(`the session ended: ${ended.reason}`);
      return stop(ended.reason, ended.fault ? 1 : 0);
    });
    return;
  }

  const address = parseListenAddress((options.http as string | undefined) ?? String(DEFAULT_PORT))!;
  try {
    gateway = await serveHttp(mounted, {
      ...address,
      version: VERSION,
      publicUrl: options.publicUrl as string | undefined,
      token: options.httpToken as string | undefined,
      oauth: options.oauthIssuer
        ? {
            issuer: options.oauthIssuer as string,
            jwksUri: options.oauthJwksUri as string | undefined,
            audiences: options.oauthAudience as string[],
          }
        : undefined,
      allowedHosts: options.allowedHosts as string[],
      allowedOrigins: options.allowedOrigins as string[],
      launches: () => launchesOf(mounted, parsed),
      log,
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'ListenError') {
      say(error.message);
      await stop('could not listen', 2);
      return;
    }
    throw error;
  }
  if (options.oauthIssuer && !options.publicUrl) {
    log.warn(
      `OAuth without --public-url: tokens must be issued for ${gateway.base}/<connector>/mcp; behind a proxy or a load balancer set --public-url to the URL clients use`,
    );
  }
  process.stdout.write(banner(mounted, gateway.base, Boolean(options.httpToken || options.oauthIssuer)));
  log.info('ready', { url: `${gateway.base}/`, ms: Math.round(performance.now() - started) });
}

function launchesOf(mounted: readonly Mounted[], parsed: ParsedArgs): Map<string, Launch> {
  return new Map(
    mounted
      .filter((m) => !m.unavailable())
      .map((m) => [
        m.entry.name,
        launchFor({
          mounted: m,
          argv: parsed.perConnector.get(m.entry.name) ?? [],
          ...(parsed.file.sections.has(m.entry.name) ? { section: parsed.file.sections.get(m.entry.name) } : {}),
          ...(parsed.file.file ? { configFile: parsed.file.file } : {}),
        }),
      ]),
  );
}

/** What `serve` prints on stdout once every connector is mounted: where, in what mode, how to connect. */
function banner(mounted: readonly Mounted[], base: string, token: boolean): string {
  const width = Math.max(...mounted.map((m) => m.entry.name.length));
  const lines = mounted.map((m) => {
    const reason = m.unavailable();
    const name = m.entry.name.padEnd(width);
    if (reason) return `  ${name}  unavailable  ${reason}`;
    return `  ${name}  ${(m.mode ?? '').padEnd(11)}  ${base}/${m.entry.name}/mcp${m.label ? `  (${m.label})` : ''}`;
  });
  const serving = mounted.filter((m) => !m.unavailable());
  const snippets = serving.map(
    (m) => `  ${httpSnippet('claude-code', `patchbay-${m.entry.name}`, { url: `${base}/${m.entry.name}/mcp`, token })}`,
  );
  return [
    '',
    `Patchbay is serving ${serving.length} of ${mounted.length} connectors at ${base}/`,
    ...lines,
    '',
    'Connect a client (Claude Code shown; the index page has Claude Desktop, Cursor and VS Code):',
    ...snippets,
    '',
    `Index page: ${base}/`,
    'Ctrl-C stops it.',
    '',
  ].join('\n');
}

async function list(parsed: ParsedArgs, cwd: string): Promise<void> {
  const mounted = await mountFor(parsed, cwd, true, false);
  const rows = mounted.map((m) => {
    const reason = m.unavailable();
    return [m.entry.name, m.entry.package, m.entry.bin, reason ? 'unavailable' : (m.mode ?? ''), reason ?? m.label ?? ''];
  });
  const header = ['connector', 'package', 'bin', 'here', 'why / what'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ');
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  await Promise.allSettled(mounted.map((m) => m.close()));
  process.exit(0);
}

async function config(parsed: ParsedArgs, cwd: string): Promise<void> {
  const client = parsed.options.client as ClientName | undefined;
  const problems: string[] = [];
  if (!client) problems.push('--client is required: claude-desktop, claude-code, cursor or vscode');
  if (parsed.named.size !== 1) problems.push('name one connector: patchbay config <connector> --client <client>');
  if (problems.length) {
    for (const p of problems) say(p);
    process.exit(2);
  }
  const entry = parsed.entries[0]!;
  const name = `patchbay-${entry.name}`;
  const url = parsed.options.http as string | undefined;
  if (url) {
    const endpoint = `${url.replace(/\/$/, '').replace(/\/(mcp)?$/, '')}/${entry.name}/mcp`;
    process.stderr.write(`# ${CLIENT_TITLES[client!]}: paste into ${CLIENT_WHERE[client!]}\n`);
    process.stdout.write(`${httpSnippet(client!, name, { url: endpoint })}\n`);
    process.exit(0);
  }
  const mounted = await mountFor({ ...parsed, entries: [entry] }, cwd, true);
  const m = mounted[0]!;
  const reason = m.unavailable();
  if (reason) {
    say(`${entry.name} is unavailable here: ${reason}`);
    await m.close();
    process.exit(1);
  }
  const launch = launchFor({
    mounted: m,
    argv: parsed.perConnector.get(entry.name) ?? [],
    ...(parsed.file.sections.has(entry.name) ? { section: parsed.file.sections.get(entry.name) } : {}),
    ...(parsed.file.file ? { configFile: parsed.file.file } : {}),
  });
  process.stderr.write(`# ${CLIENT_TITLES[client!]}: paste into ${CLIENT_WHERE[client!]}\n`);
  if (m.note) process.stderr.write(`# ${entry.name} runs ${m.mode}: ${m.note}\n`);
  if (m.goLive?.length) process.stderr.write(`# To use your own instead (then run this again): ${m.goLive.join(' ')}\n`);
  if (launch.command === 'node') {
    // A demo is launched through the gateway (it starts the emulator or the database), the rest by their own bin.
    const published = launch.args.includes('serve') ? '@patchbay/cli' : entry.package;
    process.stderr.write(`# From this clone (the packages are not published yet); once they are: npx -y ${published}\n`);
  }
  process.stdout.write(`${stdioSnippet(client!, name, launch)}\n`);
  await m.close();
  process.exit(0);
}

function helpText(): string {
  return renderHelp(
    {
      bin: 'patchbay',
      description: 'every Patchbay connector in one process, on embedded defaults when nothing is configured',
      usage:
        'patchbay [serve] [connector…] [options] [--<connector>.<option> …]\n' +
        '       patchbay list\n' +
        '       patchbay config <connector> --client claude-desktop|claude-code|cursor|vscode [--http URL]\n' +
        '       patchbay doctor [connector…]',
      footer:
        'Connectors: git, postgres, puppeteer (browser), github, slack, gdrive. Each takes its own options with its\n' +
        'name as prefix (--git.repository ~/code/app, --postgres.read-write main) or in patchbay.config.json:\n' +
        '  { "connectors": ["git", "postgres"], "git": { "repository": "~/code/app" }, "postgres": { "url": "postgres://…" } }\n' +
        'and reads the same environment variables as its own bin (DATABASE_URL, GITHUB_TOKEN…). With nothing\n' +
        'configured: git serves the checkout it is started in (read-only), postgres an embedded demo database,\n' +
        'the browser the system Chromium, github/slack/gdrive the sandbox emulators with demo data.\n\n' +
        'Examples:\n  patchbay                                  every connector on http://127.0.0.1:8931\n' +
        '  patchbay serve git postgres --stdio       two connectors as one stdio server\n' +
        '  patchbay config postgres --client cursor\n  patchbay doctor postgres',
    },
    [
      { title: 'serve options', specs: serveOptions },
      { title: 'config options', specs: { client: configOptions.client, http: configOptions.http } },
    ],
  );
}

main().catch((error: unknown) => {
  say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ipFamily } from '@patchbay/kit';
import { gitEnv, runGit } from './exec.js';
import type { RemoteGuard } from './network.js';
import { AmbiguousUrl, type Endpoint, parseEndpoint } from './remote-url.js';

const execFileAsync = promisify(execFile);

/**
 * Making git connect to the address that was checked, not to whatever a second DNS answer says
 * (a rebinding name answers a public address to the check and 127.0.0.1 to git):
 *
 * - http(s): curl's own resolve list, `-c http.curloptResolve=host:port:addresses` (git ≥ 2.37),
 *   so curl never asks DNS for that host; and `http.followRedirects=false`, since a redirect
 *   would lead to a host nobody checked. A redirected repository fails with a hint to clone the
 *   URL it moved to, which is then checked like any other.
 * - ssh: `-o HostName=<address>` pins the connection inside ssh itself, with
 *   `-o HostKeyAlias=<name>` so the host key is still checked under the name (known_hosts entries
 *   stay valid). The name is first mapped through the operator's ssh config (`ssh -G`, run through
 *   their core.sshCommand), so aliases (`Host work-github` → `HostName github.com`) are checked as
 *   what they connect to.
 *   A ProxyJump or a ProxyCommand using %h then reaches the pinned address too.
 * - git://: refused unless the host is a literal IP address (which needs no pin). Pinning it
 *   would take a proxy program run through core.gitProxy; the protocol has neither
 *   authentication nor encryption (the reason http:// is refused) and the big hosts have turned it
 *   off, so a name is not worth that machinery.
 *
 * A URL the operator's own config rewrites (url.<base>.insteadOf) to another host or to a local
 * path is the operator's destination and is left alone, as remotes they configured are.
 */
export interface Route {
  /** The URL as the model gave it (or as a cloned repository's config holds it). */
  requested: string;
  /** The same URL after the operator's insteadOf rewrites: where git will really go. */
  effective: string;
}

/** What to add to a git command so it connects only to checked addresses. */
export interface Pin {
  /** `-c` pairs to put before the git command. */
  args: string[];
  env: Record<string, string>;
}

/** A route that may not be taken; `reason` completes "… : <reason>". */
export class RouteRefused extends Error {
  override readonly name = 'RouteRefused';
}

export interface PinContext {
  guard: RemoteGuard;
  /** Where git runs: its config (core.sshCommand) is read there. */
  cwd: string;
}

export async function pinRoutes(routes: Route[], context: PinContext): Promise<Pin> {
  const resolves: string[] = [];
  let curl = false;
  let ssh: { command: string; key: string } | undefined;
  for (const route of routes) {
    const requested = endpointOf(route.requested);
    const effective = endpointOf(route.effective);
    if (effective.transport === 'local' || effective.transport === 'helper') continue;
    if (requested.transport === 'local' || requested.transport === 'helper') continue;
    // Rewritten by the operator to a host of their choosing.
    if (requested.host !== effective.host) continue;

    if (effective.transport === 'git') {
      // Checked first, so a name that points here is reported as such.
      await allowed(context.guard, effective.host);
      if (!ipFamily(effective.host)) {
        throw new RouteRefused(
          `git:// is allowed only to a literal IP address, not to the name ${effective.host}: the name could be answered with another address after the check, and git:// has no transport security. Use the https:// or ssh:// URL of the repository.`,
        );
      }
      continue;
    }
    if (effective.transport === 'curl') {
      curl = true;
      const addresses = await allowed(context.guard, effective.host);
      if (!ipFamily(effective.host)) {
        await requireCurlResolve();
        const list = addresses.map((a) => (ipFamily(a) === 6 ? `[${a}]` : a)).join(',');
        resolves.push(`${effective.host}:${effective.port}:${list}`);
      }
      continue;
    }
    const pinned = await pinSsh(effective, context);
    if (ssh && ssh.key !== pinned.key) {
      throw new RouteRefused('it names several ssh hosts, and one git command can be pinned to one ssh host only.');
    }
    ssh = pinned;
  }
  return {
    args: [
      ...(curl ? ['-c', 'http.followRedirects=false'] : []),
      ...resolves.flatMap((entry) => ['-c', `http.curloptResolve=${entry}`]),
      // Submodules would connect to URLs the repository's content names, unchecked.
      ...(routes.length ? ['-c', 'submodule.recurse=false', '-c', 'fetch.recurseSubmodules=false'] : []),
    ],
    env: ssh ? { GIT_SSH_COMMAND: ssh.command } : {},
  };
}

function endpointOf(url: string): Endpoint {
  try {
    return parseEndpoint(url);
  } catch (error) {
    if (error instanceof AmbiguousUrl) throw new RouteRefused(error.message);
    throw error;
  }
}

async function allowed(guard: RemoteGuard, host: string): Promise<string[]> {
  const verdict = await guard.check(host);
  if (!verdict.allowed) throw new RouteRefused(`${verdict.reason}, which git may not reach from here.`);
  return verdict.addresses;
}

type NetworkEndpoint = Extract<Endpoint, { host: string }>;

async function pinSsh(endpoint: NetworkEndpoint, context: PinContext): Promise<{ command: string; key: string }> {
  const base = (await operatorSshCommand(context.cwd)) ?? 'ssh';
  const config = await sshConfig(base, endpoint, context.cwd);
  const hostname = config.get('hostname') ?? endpoint.host;
  const port = Number(config.get('port') ?? endpoint.port ?? 22);
  const [address] = await allowed(context.guard, hostname);
  // known_hosts is keyed by the name ssh would have used: "[name]:port" off port 22.
  const alias = config.get('hostkeyalias') ?? (port === 22 ? hostname : `[${hostname}]:${port}`);
  return {
    command: `${base} -o ${shellQuote(`HostName=${address}`)} -o ${shellQuote(`HostKeyAlias=${alias}`)}`,
    key: `${address} ${alias}`,
  };
}

/**
 * ssh's own reading of its config for this host (`ssh -G`), through the same command git will run
 * (the operator's core.sshCommand may add `-F file` or options): the name and port it would use.
 * The command is a shell string, as git treats it; the host is passed as an argument, not spliced.
 */
async function sshConfig(base: string, endpoint: NetworkEndpoint, cwd: string): Promise<Map<string, string>> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(
      '/bin/sh',
      [
        '-c',
        `${base} -G "$@"`,
        'ssh',
        ...(endpoint.port !== undefined ? ['-p', String(endpoint.port)] : []),
        '--',
        endpoint.host,
      ],
      { cwd, env: gitEnv(), timeout: 5_000, maxBuffer: 256 * 1024 },
    ));
  } catch (error) {
    throw new RouteRefused(
      `ssh could not read its configuration for ${endpoint.host} (${(error as Error).message.split('\n')[0]}).`,
    );
  }
  const config = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) config.set(line.slice(0, space).toLowerCase(), line.slice(space + 1).trim());
  }
  return config;
}

/** The operator's core.sshCommand (their config, never the model's), which the pin extends rather than replaces. */
async function operatorSshCommand(cwd: string): Promise<string | undefined> {
  try {
    const { stdout } = await runGit(['config', '--get', 'core.sshCommand'], { cwd, timeout: 5_000, maxBytes: 64 * 1024 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

let curlResolveSupport: Promise<boolean> | undefined;

/** http.curloptResolve arrived in git 2.37; an older git would ignore it and resolve the name itself. */
async function requireCurlResolve(): Promise<void> {
  curlResolveSupport ??= runGit(['--version'], { cwd: process.cwd(), timeout: 5_000, maxBytes: 1024 }).then(
    ({ stdout }) => {
      const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number);
      return major > 2 || (major === 2 && minor >= 37);
    },
    () => false,
  );
  if (!(await curlResolveSupport)) {
    throw new RouteRefused(
      'this git is older than 2.37, so an https connection cannot be pinned to the checked address; ask the operator to update git, or use an ssh:// URL.',
    );
  }
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

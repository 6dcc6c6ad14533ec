/**
 * Each connector's doctor checks: can it reach its service, with what privileges. They reuse the
 * connectors' own code (the PostgreSQL role check, the browser lookup) through their packages.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { within } from '@patchbay/kit';
import { lookupBrowser } from '../embedded/browser.js';
import type { AnyRuntime } from '../registry.js';
import type { Check, DoctorContext } from './checks.js';

const run = promisify(execFile);

export async function gitDoctor(runtime: AnyRuntime): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    const { stdout } = await run('git', ['--version'], { timeout: 10_000 });
    checks.push({ status: 'ok', text: stdout.trim() });
  } catch {
    return [{ status: 'fail', text: 'git is not installed (or not on PATH)', fix: 'Install git (Debian: apt-get install git).' }];
  }
  const repositories = runtime.options.repository as string[];
  for (const repository of repositories) {
    try {
      const { stdout } = await run('git', ['-C', repository, 'rev-parse', '--show-toplevel'], {
        timeout: 10_000,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      });
      checks.push({ status: 'ok', text: `repository ${stdout.trim()}` });
    } catch {
      // A folder of repositories is allowed too: the connector finds the repositories inside it.
      checks.push({ status: 'info', text: `${repository} is not itself a repository; repositories inside it are allowed` });
    }
  }
  checks.push({
    status: 'info',
    text: runtime.settings.readOnly
      ? 'read-only: no tool can change a repository'
      : 'read-write: commit, branch, reset… are offered',
  });
  return checks;
}

interface RoleInfo {
  role: string;
  superuser: boolean;
  canWrite: boolean;
  version: string;
  versionNum: number;
  database: string;
}
interface Database {
  name: string;
  readWrite: boolean;
  spec: { display: string };
  role(): Promise<RoleInfo>;
}

/** Every connection: reachable, which server, which role, and whether that role can write. */
export async function postgresDoctor(runtime: AnyRuntime, context: DoctorContext): Promise<Check[]> {
  const { readOnlyRoleSql } = (await import('@patchbay/postgres' as string)) as {
    readOnlyRoleSql: (info: Pick<RoleInfo, 'database' | 'versionNum'>) => string;
  };
  const databases = (runtime.services as { databases: Database[] }).databases;
  const checks: Check[] = [];
  for (const db of databases) {
    const where = `${db.name} (${db.spec.display})`;
    try {
      const info = await within(db.role(), 15_000, () => new Error('no answer within 15 s'));
      checks.push({
        status: 'ok',
        text: `${where}: reachable, PostgreSQL ${info.version}, database ${info.database}, role ${info.role}`,
      });
      if (info.superuser) {
        checks.push({
          status: 'warn',
          text: `${where}: role ${info.role} is a superuser. The connector keeps reads read-only itself, but a role that cannot write is the stronger guarantee`,
          fix: readOnlyRoleSql(info),
        });
      } else if (info.canWrite && !db.readWrite) {
        checks.push({
          status: 'warn',
          text: `${where}: role ${info.role} can write, on a connection the connector treats as read-only`,
          fix: readOnlyRoleSql(info),
        });
      } else {
        checks.push({
          status: 'ok',
          text: `${where}: ${db.readWrite ? 'read-write connection (--read-write)' : `role ${info.role} can only read`}`,
        });
      }
    } catch (error) {
      checks.push({
        status: context.configured ? 'fail' : 'warn',
        text: `${where}: cannot connect: ${error instanceof Error ? error.message : String(error)}`,
        fix: 'Check that the server is running and the URL (host, port, database, user, password) is right.',
      });
    }
  }
  return checks;
}

export async function puppeteerDoctor(runtime: AnyRuntime, context: DoctorContext): Promise<Check[]> {
  const { found, hint } = await lookupBrowser(runtime);
  if (!found) {
    return [{ status: context.configured ? 'fail' : 'warn', text: 'no Chrome or Chromium on this machine', fix: hint }];
  }
  try {
    const { stdout } = await run(found.path, ['--version'], { timeout: 15_000 });
    return [{ status: 'ok', text: `${stdout.trim()} at ${found.path} (${found.source})` }];
  } catch (error) {
    return [
      {
        status: context.configured ? 'fail' : 'warn',
        text: `${found.path} (${found.source}) does not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        fix: hint,
      },
    ];
  }
}

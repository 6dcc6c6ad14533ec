import { randomBytes } from 'node:crypto';
import { registerSecret } from '@patchbay/kit';
import type { PoolClient } from 'pg';
import { catalogRows } from './catalog.js';
import { SECRET_RELATIONS_SQL, type SecretRelations, VIEW_READS_SQL } from './relations.js';
import { scramVerifier } from './scram.js';

/**
 * Who SQL from a model runs as: the database's own guarantee that a read cannot write, read the
 * server's files or run programs, whatever the SQL checks of this server missed.
 *
 * - A connection whose role is not a superuser: reads run as that role, or `SET LOCAL ROLE` to the
 *   role `--read-role` names (which must be one it belongs to, and unable to write). SQL could
 *   switch back to the connection's role with set_config('role', …) — which is still no superuser,
 *   and still inside the READ ONLY transaction.
 * - A superuser connection: SET ROLE would not hold there — a superuser session may become any
 *   role again (set_config('role', 'postgres', true) inside SQL no check sees, e.g. the text given
 *   to crosstab), and SET SESSION AUTHORIZATION can be undone the same way. So reads log in as a
 *   role of their own: the server creates it (`patchbay_readonly`, or the name `--read-role` gives)
 *   with LOGIN and no other attribute, grants it SELECT on the tables and views that expose no
 *   secret and pg_read_all_stats, and logs in as it with a random password it sets only when the
 *   database asks for one. Where that cannot be done (the role exists but is not the server's,
 *   pg_hba.conf does not let it log in, a standby), reads are refused unless the operator accepts
 *   the risk with --allow-superuser-reads.
 */

export const DEFAULT_READ_ROLE = 'patchbay_readonly';
/** The comment that marks a role as created and managed by this server. */
export const MANAGED_MARK = 'patchbay-postgres read role';

export interface ReadAccess {
  /** The role `--read-role` names, if any. */
  readRole?: string;
  allowSuperuserReads: boolean;
  allowFunction: readonly string[];
}

export type ReadPlan =
  /** Superuser connection: reads log in as a role this server manages. */
  | { kind: 'login'; role: string; connectionRole: string }
  /** Reads `SET LOCAL ROLE` to the role the operator named. */
  | { kind: 'set-role'; role: string; connectionRole: string }
  /** Reads run as the connection's own role, which is not a superuser. */
  | { kind: 'self'; role: string; canWrite: boolean; readsSecrets: boolean }
  /** Superuser connection, and the operator accepted reads as the superuser. */
  | { kind: 'superuser'; role: string; why: string }
  /** Reads are refused; `why` and `fix` say what the operator can do. */
  | { kind: 'refused'; why: string; fix: string };

/** Roles whose members reach the server's files or programs, or write every table. */
const POWER_ROLES = ['pg_execute_server_program', 'pg_write_server_files', 'pg_read_server_files', 'pg_write_all_data'];
/** The only role the managed read role is a member of: statistics views (activity, pg_stat_statements). */
const STATS_ROLE = 'pg_read_all_stats';

/** What the database says about the connection's role and the read role. */
export interface RoleFacts {
  role: string;
  superuser: boolean;
  standby: boolean;
  target?: {
    exists: boolean;
    superuser: boolean;
    otherAttributes: string[];
    canLogin: boolean;
    managed: boolean;
    member: boolean;
    powers: string[];
    otherRoles: string[];
    canWrite: boolean;
    readsSecrets: boolean;
    /** It lacks a grant reading needs here (CONNECT, pg_read_all_stats, USAGE or SELECT somewhere). */
    lacksGrants: boolean;
  };
  /** Of the connection's own role. */
  canWrite: boolean;
  readsSecrets: boolean;
}

/** Table-level write privileges on a user table, for a role given by OID (SQL expression). */
const canWriteSql = (role: string) => `EXISTS (
  SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
    AND pg_catalog.has_table_privilege(${role}, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE'))`;

/** What `grantReading` would grant: a cheap test, so that a later start grants nothing when nothing is missing. */
const lacksGrantsSql = (role: string) => `(
  NOT pg_catalog.has_database_privilege(${role}, current_database(), 'CONNECT')
  OR (pg_catalog.to_regrole('${STATS_ROLE}') IS NOT NULL AND NOT pg_catalog.pg_has_role(${role}, '${STATS_ROLE}', 'MEMBER'))
  OR EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
             AND n.nspname NOT LIKE 'pg\\_%' AND NOT pg_catalog.has_schema_privilege(${role}, n.oid, 'USAGE'))
  OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_%' AND NOT pg_catalog.has_table_privilege(${role}, c.oid, 'SELECT')))`;

/** Reads a secret table (pg_authid…) unfiltered: over the `secret` CTE of roleFacts (the secret relations, found once). */
const readsSecretTablesSql = (role: string) =>
  `EXISTS (SELECT 1 FROM secret WHERE is_table AND pg_catalog.has_table_privilege(${role}, secret.oid, 'SELECT'))`;

/**
 * Which of the roles listed in parameter `param` (a text[]) `role` belongs to: MEMBER, not USAGE,
 * since a member may SET ROLE to it even when it does not inherit its privileges.
 */
const powersSql = (role: string, param: string) => `ARRAY(
  SELECT g FROM unnest(${param}::text[]) AS g WHERE pg_catalog.to_regrole(g) IS NOT NULL AND pg_catalog.pg_has_role(${role}, g::regrole, 'MEMBER'))`;

/** A superuser, or a member of one: it can SET ROLE to it, and so can SQL that no check sees. */
const superuserSql = (role: string) => `EXISTS (
  SELECT 1 FROM pg_catalog.pg_roles s WHERE s.rolsuper AND pg_catalog.pg_has_role(${role}, s.oid, 'MEMBER'))`;

/**
 * One query, as the connection's role: who it is, what the read role is, and the relations that
 * hold secrets (see relations.ts). The costly parts — privileges over every table — are computed
 * only where `decide` reads them: the connection role's own for a role that is not a superuser,
 * the read role's grants on a superuser connection (CASE evaluates the branch it takes only); the
 * others are false.
 */
export async function roleFacts(client: PoolClient, target: string): Promise<RoleFacts & { secrets: SecretRelations }> {
  const [row] = await catalogRows<{
    role: string;
    superuser: boolean;
    standby: boolean;
    can_write: boolean;
    reads_secrets: boolean;
    target_exists: boolean;
    target_superuser: boolean;
    target_attributes: string[];
    target_login: boolean;
    target_managed: boolean;
    target_member: boolean;
    target_powers: string[];
    target_roles: string[];
    target_can_write: boolean;
    target_reads_secrets: boolean;
    target_lacks_grants: boolean;
    secret_all: number[];
    secret_tables: number[];
  }>(
    client,
    `WITH secret AS MATERIALIZED (
       SELECT s.oid, c.relkind = 'r' AS is_table FROM (${SECRET_RELATIONS_SQL}) s JOIN pg_catalog.pg_class c ON c.oid = s.oid)
     SELECT me.rolname AS role, su.is AS superuser, pg_catalog.pg_is_in_recovery() AS standby,
       CASE WHEN su.is THEN false ELSE ${canWriteSql('me.oid')} END AS can_write,
       CASE WHEN su.is THEN false ELSE ${readsSecretTablesSql('me.oid')} END AS reads_secrets,
       t.oid IS NOT NULL AS target_exists, t.oid IS NOT NULL AND ${superuserSql('t.oid')} AS target_superuser,
       array_remove(ARRAY[CASE WHEN t.rolcreaterole THEN 'CREATEROLE' END, CASE WHEN t.rolcreatedb THEN 'CREATEDB' END,
         CASE WHEN t.rolreplication THEN 'REPLICATION' END, CASE WHEN t.rolbypassrls THEN 'BYPASSRLS' END], NULL) AS target_attributes,
       coalesce(t.rolcanlogin, false) AS target_login,
       coalesce(pg_catalog.shobj_description(t.oid, 'pg_authid') LIKE '${MANAGED_MARK}%', false) AS target_managed,
       CASE WHEN t.oid IS NULL THEN false ELSE pg_catalog.pg_has_role(me.oid, t.oid, 'MEMBER') END AS target_member,
       CASE WHEN t.oid IS NULL THEN '{}'::text[] ELSE ${powersSql('t.oid', '$2')} END AS target_powers,
       CASE WHEN t.oid IS NULL THEN '{}'::text[] ELSE ARRAY(SELECT m.roleid::regrole::text FROM pg_catalog.pg_auth_members m
         WHERE m.member = t.oid AND m.roleid::regrole::text <> $3) END AS target_roles,
       CASE WHEN t.oid IS NULL OR su.is THEN false ELSE ${canWriteSql('t.oid')} END AS target_can_write,
       CASE WHEN t.oid IS NULL OR NOT su.is THEN false ELSE ${readsSecretTablesSql('t.oid')} END AS target_reads_secrets,
       CASE WHEN t.oid IS NULL THEN true WHEN NOT su.is THEN false ELSE ${lacksGrantsSql('t.oid')} END AS target_lacks_grants,
       ARRAY(SELECT oid FROM secret) AS secret_all, ARRAY(SELECT oid FROM secret WHERE is_table) AS secret_tables
     FROM pg_catalog.pg_roles me
     CROSS JOIN LATERAL (SELECT ${superuserSql('me.oid')} AS is) su
     LEFT JOIN pg_catalog.pg_roles t ON t.rolname = $1
     WHERE me.rolname = current_user`,
    [target, POWER_ROLES, STATS_ROLE],
  );
  if (!row) throw new Error('the connection role is not in pg_roles');
  return {
    role: row.role,
    superuser: row.superuser,
    standby: row.standby,
    canWrite: row.can_write,
    readsSecrets: row.reads_secrets,
    target: {
      exists: row.target_exists,
      superuser: row.target_superuser,
      otherAttributes: row.target_attributes,
      canLogin: row.target_login,
      managed: row.target_managed,
      member: row.target_member,
      powers: row.target_powers,
      otherRoles: row.target_roles,
      canWrite: row.target_can_write,
      readsSecrets: row.target_reads_secrets,
      lacksGrants: row.target_lacks_grants,
    },
    secrets: { all: row.secret_all.map(Number), tables: row.secret_tables.map(Number) },
  };
}

/**
 * Decide how reads run, before anything is created: a plan, or `provision` when this is a
 * superuser connection whose read role the server may create or keep up to date.
 */
export function decide(facts: RoleFacts, access: ReadAccess): ReadPlan | { kind: 'provision'; role: string } {
  const t = facts.target;
  if (!facts.superuser) {
    if (access.readRole === undefined) {
      return { kind: 'self', role: facts.role, canWrite: facts.canWrite, readsSecrets: facts.readsSecrets };
    }
    const named = `--read-role names "${access.readRole}"`;
    const problem = !t?.exists
      ? `${named}, which does not exist`
      : t.superuser
        ? `${named}, which is a superuser or can become one (a member of a superuser role)`
        : !t.member
          ? `${named}, which role "${facts.role}" is not a member of, so it cannot SET ROLE to it`
          : t.powers.length
            ? `${named}, which is a member of ${t.powers.join(', ')}`
            : t.canWrite
              ? `${named}, which can write (INSERT, UPDATE, DELETE or TRUNCATE on a table)`
              : undefined;
    if (problem) {
      return {
        kind: 'refused',
        why: problem,
        fix: `Name a role that can only read and that "${facts.role}" belongs to (GRANT <role> TO "${facts.role}"), or leave out --read-role to read as "${facts.role}".`,
      };
    }
    return { kind: 'set-role', role: access.readRole, connectionRole: facts.role };
  }

  const role = access.readRole ?? DEFAULT_READ_ROLE;
  const refuse = (why: string, fix: string): ReadPlan =>
    access.allowSuperuserReads
      ? { kind: 'superuser', role: facts.role, why }
      : {
          kind: 'refused',
          why,
          fix: `${fix} Or accept the risk with --allow-superuser-reads: then SQL runs as the superuser, and only this server's SQL checks stand between it and the server's files and programs.`,
        };
  if (t?.exists && !t.managed) {
    return refuse(
      `role "${role}" exists and was not created by this server, so it will not take it over (it would have to set its password and grants)`,
      `Name another role with --read-role, drop "${role}", or hand it over with COMMENT ON ROLE "${role}" IS '${MANAGED_MARK}'.`,
    );
  }
  if (t?.exists) {
    const unsafe = [
      ...(t.superuser ? ['SUPERUSER'] : []),
      ...t.otherAttributes,
      ...t.powers.map((p) => `member of ${p}`),
      ...t.otherRoles.map((p) => `member of ${p}`),
      // Table grants that let it write are no danger: its sessions are READ ONLY transactions, and
      // another session needs a password it never learns. Reading the secret catalogs is.
      ...(t.readsSecrets ? ['can read secret catalogs'] : []),
    ];
    if (unsafe.length) {
      return refuse(
        `the read role "${role}" was given more than reading (${unsafe.join(', ')})`,
        `Take it away (ALTER ROLE "${role}" NOSUPERUSER …, REVOKE …) or drop the role; the server recreates it.`,
      );
    }
  }
  if (facts.standby && !t?.exists) {
    return refuse(
      `this is a standby, where the read role "${role}" cannot be created`,
      'Start the server once against the primary (which creates the role), or create it there.',
    );
  }
  return { kind: 'provision', role };
}

/** The SQL that creates the managed read role: it may log in, and nothing else. */
export function createRoleSql(role: string): string {
  const name = ident(role);
  return [
    `CREATE ROLE ${name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT`,
    `COMMENT ON ROLE ${name} IS '${MANAGED_MARK}: SQL from a model runs as this role. It may read and nothing else; do not grant it more.'`,
    `ALTER ROLE ${name} SET default_transaction_read_only = on`,
  ].join('; ');
}

/**
 * Grant the managed read role what reading needs in this database, and nothing it has already:
 * CONNECT, USAGE on the schemas, SELECT on every table, view, materialized view, foreign table and
 * sequence outside the system schemas — except views that expose a secret catalog (which would run
 * with their owner's privileges) — and pg_read_all_stats for the activity and statistics views.
 * Returns how many relations it granted.
 */
export async function grantReading(client: PoolClient, role: string): Promise<number> {
  const name = ident(role);
  const [missing] = await catalogRows<{ connect: boolean; stats: boolean; schemas: string[]; db: string }>(
    client,
    `SELECT pg_catalog.has_database_privilege($1, current_database(), 'CONNECT') AS connect,
       pg_catalog.to_regrole($2) IS NULL OR pg_catalog.pg_has_role($1, $2, 'MEMBER') AS stats,
       ARRAY(SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_namespace n
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
               AND NOT pg_catalog.has_schema_privilege($1, n.oid, 'USAGE')) AS schemas,
       pg_catalog.quote_ident(current_database()) AS db`,
    [role, STATS_ROLE],
  );
  if (missing && !missing.connect) await client.query(`GRANT CONNECT ON DATABASE ${missing.db} TO ${name}`);
  if (missing && !missing.stats) await client.query(`GRANT ${STATS_ROLE} TO ${name}`);
  if (missing?.schemas.length) await client.query(`GRANT USAGE ON SCHEMA ${missing.schemas.join(', ')} TO ${name}`);

  const lacking = await catalogRows<{ oid: number }>(
    client,
    `SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_%' AND NOT pg_catalog.has_table_privilege($1, c.oid, 'SELECT')`,
    [role],
  );
  if (lacking.length === 0) return 0;
  // Only now the costlier part: every view whose definition reaches a secret catalog.
  const rows = await catalogRows<{ name: string }>(
    client,
    `WITH RECURSIVE exposing(oid) AS (
       ${SECRET_RELATIONS_SQL}
       UNION
       SELECT v.view FROM (${VIEW_READS_SQL}) v JOIN exposing e ON e.oid = v.reads WHERE v.view <> v.reads
     )
     SELECT c.oid::regclass::text AS name FROM pg_catalog.pg_class c
     WHERE c.oid = ANY($1::oid[]) AND c.oid NOT IN (SELECT oid FROM exposing) ORDER BY 1`,
    [lacking.map((r) => r.oid)],
  );
  for (let i = 0; i < rows.length; i += 200) {
    const batch = rows.slice(i, i + 200).map((r) => r.name);
    await client.query(`GRANT SELECT ON ${batch.join(', ')} TO ${name}`);
  }
  return rows.length;
}

/** The password this process logs the managed role in with: random, never stored or shown. */
const passwords = new Map<string, string>();
export function readerPassword(role: string): string {
  let password = passwords.get(role);
  if (!password) {
    password = randomBytes(24).toString('hex');
    passwords.set(role, password);
    registerSecret(password);
  }
  return password;
}

/** ALTER ROLE … PASSWORD with the SCRAM verifier of this process's password, never the password. */
export function setPasswordSql(role: string): string {
  return `ALTER ROLE ${ident(role)} PASSWORD '${scramVerifier(readerPassword(role))}'`;
}

/** The connection URL with the read role as user and its password in place of the operator's. */
export function readerUrl(url: string, role: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(role);
  parsed.password = readerPassword(role);
  parsed.searchParams.delete('user');
  parsed.searchParams.delete('password');
  return parsed.toString();
}

/** A role name as a quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Per transaction, as the role reads run as: it must not have become more than a reader since the
 * plan was made. Sent with BEGIN, after SET LOCAL ROLE, so the check costs no round trip of its
 * own; `judgeReader` reads its row.
 */
export const READER_CHECK_SQL = `SELECT current_user AS role, ${superuserSql('r.oid')} AS superuser,
  pg_catalog.array_to_string(${powersSql('r.oid', `'{${POWER_ROLES.join(',')}}'`)}, ', ') AS powers
  FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`;

/**
 * Whether this is a superuser connection whose managed read role exists and may log in: the plan
 * will then log in as it (unless the costlier facts find it unsafe). Sent with BEGIN; `likely`.
 */
export function likelyLoginSql(role: string): string {
  return `SELECT ${superuserSql('me.oid')} AND EXISTS (
    SELECT 1 FROM pg_catalog.pg_roles t WHERE t.rolname = ${literal(role)} AND t.rolcanlogin AND NOT t.rolsuper
      AND pg_catalog.shobj_description(t.oid, 'pg_authid') LIKE ${literal(`${MANAGED_MARK}%`)}) AS likely
    FROM pg_catalog.pg_roles me WHERE me.rolname = current_user`;
}

/** A string as a quoted SQL literal (for names the server itself checked). */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Whether reads under `plan` are checked per transaction (not when they run as the superuser, or not at all). */
export function checksReader(plan: ReadPlan): boolean {
  return plan.kind !== 'superuser' && plan.kind !== 'refused';
}

export interface ReaderRow {
  role: string;
  superuser: boolean;
  powers: string;
}

/** Refuse the read (ReaderChanged) when READER_CHECK_SQL's row says the role became more than a reader. */
export function judgeReader(row: ReaderRow | undefined, plan: ReadPlan): void {
  const problem = !row
    ? 'the role reads run as is gone'
    : row.superuser
      ? `the role reads run as ("${row.role}") has become a superuser or a member of one`
      : plan.kind !== 'self' && row.powers
        ? `the role reads run as ("${row.role}") has become a member of ${row.powers}`
        : undefined;
  if (problem)
    throw new ReaderChanged(`${problem} since this server checked it; reads are refused until the server is restarted.`);
}

export class ReaderChanged extends Error {}

/** What the doctor says of reads: for postgres_check_health and postgres_list_connections. */
export function describePlan(
  plan: ReadPlan,
  readWrite: boolean,
): { status: 'ok' | 'warning' | 'critical'; readsAs?: string; detail: string } {
  switch (plan.kind) {
    case 'login':
      return {
        status: 'ok',
        readsAs: plan.role,
        detail: `SQL from a model runs as "${plan.role}", a role this server manages and logs in as (the connection's role "${plan.connectionRole}" is a superuser): it cannot write, read server files or run programs`,
      };
    case 'set-role':
      return {
        status: 'ok',
        readsAs: plan.role,
        detail: `SQL from a model runs as "${plan.role}" (SET ROLE from "${plan.connectionRole}"), which cannot write; the role it could switch back to is not a superuser either`,
      };
    case 'self':
      if (plan.canWrite || plan.readsSecrets) {
        return {
          status: 'warning',
          readsAs: plan.role,
          detail: `SQL from a model runs as "${plan.role}", which ${plan.canWrite ? 'can write' : 'can read the secret catalogs'}${readWrite ? ' (this connection is read-write)' : ''}: reads are READ ONLY transactions, but a role that can only read, named with --read-role, is the stronger guarantee`,
        };
      }
      return {
        status: 'ok',
        readsAs: plan.role,
        detail: `SQL from a model runs as "${plan.role}", which is not a superuser and cannot write`,
      };
    case 'superuser':
      return {
        status: 'critical',
        readsAs: plan.role,
        detail: `SQL from a model runs as the superuser "${plan.role}" (--allow-superuser-reads) because ${plan.why}: only this server's SQL checks stand between a model and the server's files and programs`,
      };
    case 'refused':
      return { status: 'critical', detail: `reads are refused: ${plan.why}. ${plan.fix}` };
  }
}

import { type Logger, ToolError } from '@patchbay/kit';
import { connectionSpecs, type PostgresOptions } from './config.js';
import { Database, type Metrics } from './database.js';
import { TypeNames } from './rows.js';

export interface PostgresServices {
  options: PostgresOptions;
  log: Logger;
  databases: Database[];
  /** The database a tool's `connection` argument names; the first one when it is left out. */
  database(name: string | undefined): Database;
  /** The read-write database a write names; the only read-write one when it is left out. */
  writable(name: string | undefined): Database;
  /** Column type names, per connection. */
  types(db: Database): TypeNames;
  metrics: Metrics;
  dispose(): Promise<void>;
}

/** The services of one server process. No I/O here: each database connects on first use. */
export function createPostgresServices(options: PostgresOptions, log: Logger): PostgresServices {
  const { specs } = connectionSpecs(options);
  const metrics: Metrics = { rowsFetched: 0, cancels: 0 };
  const limits = {
    statementTimeout: options.statementTimeout,
    lockTimeout: options.lockTimeout,
    idleTimeout: options.idleTimeout,
    poolSize: options.poolSize,
  };
  const access = {
    ...(options.readRole !== undefined ? { readRole: options.readRole } : {}),
    allowSuperuserReads: options.allowSuperuserReads,
    allowFunction: options.allowFunction,
  };
  const databases = specs.map((spec) => new Database(spec, limits, log, metrics, access));
  const typeNames = new Map<Database, TypeNames>();
  const names = () => databases.map((d) => `${d.name} (${d.spec.mode})`).join(', ');

  const database = (name: string | undefined) => {
    const found = name === undefined ? databases[0] : databases.find((d) => d.name === name);
    if (!found) {
      throw new ToolError(`"${name}" is not a connection of this server.`, {
        argument: 'connection',
        hint: `Connections: ${names()}.`,
      });
    }
    return found;
  };

  return {
    options,
    log,
    databases,
    metrics,
    database,
    writable(name) {
      if (name !== undefined) return database(name);
      const writable = databases.filter((d) => d.readWrite);
      if (writable.length === 1) return writable[0] as Database;
      throw new ToolError(
        writable.length === 0
          ? 'no connection of this server is read-write.'
          : 'is required: more than one connection is read-write.',
        { argument: 'connection', hint: `Connections: ${names()}.` },
      );
    },
    types(db) {
      let names = typeNames.get(db);
      if (!names) {
        names = new TypeNames();
        typeNames.set(db, names);
      }
      return names;
    },
    async dispose() {
      await Promise.allSettled(databases.map((d) => d.dispose()));
    },
  };
}

import { formatBytes, moreSchema, section } from '@patchbay/kit';
import * as z from 'zod';
import { catalogRows } from '../catalog.js';
import { connectionInput } from '../inputs.js';
import { tool } from '../kit.js';

/**
 * Replication as this server sees it: the standbys streaming from it (pg_stat_replication), the
 * stream it receives when it is a standby (pg_stat_wal_receiver, without its conninfo, which
 * holds the primary's connection details), and its replication slots with the WAL each keeps on
 * disk. Rows are read as JSON so the views' columns of every PostgreSQL version 12+ are taken as
 * they come.
 */

type Row = Record<string, string | number | boolean | null>;
const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
const num = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : Number(v));
const defined = <T extends Record<string, unknown>>(record: T) =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as { [K in keyof T]: T[K] };

/** An interval's seconds, from its JSON text form (`00:00:01.5`, `1 day 02:00:00`). */
function intervalSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(?:(\d+) days? )?(-?)(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(value);
  if (!match) return undefined;
  const [, days, sign, h, m, s] = match;
  const total = Number(days ?? 0) * 86_400 + Number(h) * 3_600 + Number(m) * 60 + Number(s);
  return Math.round((sign ? -total : total) * 1000) / 1000;
}

export const checkReplicationTool = tool({
  name: 'postgres_check_replication',
  title: 'Replication status and slots',
  description:
    'Whether this server is a primary or a standby; the standbys streaming from it with their lag; the stream it receives as a standby; and its replication slots, inactive ones first, with the WAL each keeps on disk.',
  toolset: 'health',
  access: 'read',
  input: { connection: connectionInput },
  output: {
    connection: z.string(),
    role: z.enum(['primary', 'standby']),
    replay_delay_seconds: z.number().optional().describe('On a standby: since the last replayed transaction'),
    standbys: z.array(
      z.object({
        name: z.string().optional(),
        client: z.string().optional(),
        state: z.string().optional(),
        sync_state: z.string().optional(),
        lag_bytes: z.number().optional(),
        write_lag_seconds: z.number().optional(),
        flush_lag_seconds: z.number().optional(),
        replay_lag_seconds: z.number().optional(),
      }),
    ),
    receiver: z
      .object({
        status: z.string().optional(),
        sender: z.string().optional(),
        slot: z.string().optional(),
        last_message: z.string().optional(),
      })
      .optional(),
    slots: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        plugin: z.string().optional(),
        database: z.string().optional(),
        active: z.boolean(),
        temporary: z.boolean().optional(),
        wal_status: z.string().optional(),
        retained_bytes: z.number().optional(),
        safe_wal_bytes: z.number().optional(),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    const found = await db.read(ctx.signal, async (client) => {
      const [state] = await catalogRows<{ standby: boolean; replay_delay: number | null }>(
        client,
        `SELECT pg_catalog.pg_is_in_recovery() AS standby,
           CASE WHEN pg_catalog.pg_is_in_recovery()
             THEN extract(epoch FROM now() - pg_catalog.pg_last_xact_replay_timestamp())::float8 END AS replay_delay`,
      );
      // The WAL position slots and standbys are measured from: written here, or received here.
      const position =
        'CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_receive_lsn() ELSE pg_catalog.pg_current_wal_lsn() END';
      const standbys = await catalogRows<{ row: Row; lag_bytes: string | null }>(
        client,
        `SELECT to_jsonb(r) AS row, pg_catalog.pg_wal_lsn_diff(${position}, r.replay_lsn)::int8::text AS lag_bytes
         FROM pg_catalog.pg_stat_replication r ORDER BY r.application_name, r.pid LIMIT 500`,
      );
      const receiver = await catalogRows<{ row: Row }>(
        client,
        `SELECT to_jsonb(w) - 'conninfo' AS row FROM pg_catalog.pg_stat_wal_receiver w LIMIT 1`,
      );
      const slots = await catalogRows<{ row: Row; retained: string | null }>(
        client,
        `SELECT to_jsonb(s) AS row, pg_catalog.pg_wal_lsn_diff(${position}, s.restart_lsn)::int8::text AS retained
         FROM pg_catalog.pg_replication_slots s ORDER BY s.active, s.slot_name LIMIT 500`,
      );
      return { state, standbys, receiver: receiver[0]?.row, slots };
    });
    const standby = found.state?.standby === true;
    const standbys = found.standbys.map(({ row, lag_bytes }) =>
      defined({
        name: str(row.application_name),
        client: str(row.client_addr) ?? (row.client_addr === null && row.pid ? 'local socket' : undefined),
        state: str(row.state),
        sync_state: str(row.sync_state),
        lag_bytes: num(lag_bytes),
        write_lag_seconds: intervalSeconds(row.write_lag),
        flush_lag_seconds: intervalSeconds(row.flush_lag),
        replay_lag_seconds: intervalSeconds(row.replay_lag),
      }),
    );
    const receiver = found.receiver
      ? defined({
          status: str(found.receiver.status),
          sender:
            found.receiver.sender_host !== undefined && found.receiver.sender_host !== null
              ? `${found.receiver.sender_host}:${found.receiver.sender_port}`
              : undefined,
          slot: str(found.receiver.slot_name),
          last_message: str(found.receiver.last_msg_receipt_time),
        })
      : undefined;
    const slots = found.slots.map(({ row, retained }) =>
      defined({
        name: String(row.slot_name),
        type: String(row.slot_type),
        plugin: str(row.plugin),
        database: str(row.database),
        active: row.active === true,
        temporary: row.temporary === true ? true : undefined,
        wal_status: str(row.wal_status),
        retained_bytes: num(retained),
        safe_wal_bytes: num(row.safe_wal_size),
      }),
    );
    const delay = found.state?.replay_delay ?? undefined;
    const head = [
      standby
        ? `This server is a standby${delay !== undefined && delay !== null ? `; the last replayed transaction committed ${Math.round(delay)}s ago` : ''}.`
        : 'This server is a primary (not in recovery).',
      ...(receiver
        ? [
            `Receiving WAL: ${receiver.status ?? '?'}${receiver.sender ? ` from ${receiver.sender}` : ''}${receiver.slot ? ` through slot ${receiver.slot}` : ''}${receiver.last_message ? `, last message ${receiver.last_message}` : ''}.`,
          ]
        : standby
          ? ['No WAL receiver is running: this standby is not streaming (restoring from archive, or disconnected).']
          : []),
    ].join('\n');
    const lag = (s: number | undefined) => (s === undefined ? '' : `${s}s`);
    return ctx.page({
      sections: [
        section({
          key: 'standbys',
          items: standbys,
          title: 'standbys streaming from this server:',
          empty: 'No standby is streaming from this server.',
          table: {
            columns: ['standby', 'client', 'state', 'sync', 'behind', 'write lag', 'flush lag', 'replay lag'],
            cells: (s) => [
              s.name ?? '',
              s.client ?? '',
              s.state ?? '',
              s.sync_state ?? '',
              s.lag_bytes !== undefined ? formatBytes(s.lag_bytes) : '',
              lag(s.write_lag_seconds),
              lag(s.flush_lag_seconds),
              lag(s.replay_lag_seconds),
            ],
          },
        }),
        section({
          key: 'slots',
          items: slots,
          title: 'replication slots (an inactive slot keeps WAL on disk until it is used or dropped):',
          empty: 'No replication slots.',
          table: {
            columns: ['slot', 'type', 'plugin', 'database', 'active', 'wal status', 'WAL kept'],
            cells: (s) => [
              s.name,
              s.type,
              s.plugin ?? '',
              s.database ?? '',
              s.active ? 'yes' : 'NO',
              s.wal_status ?? '',
              s.retained_bytes !== undefined ? formatBytes(s.retained_bytes) : '',
            ],
          },
        }),
      ],
      fields: {
        connection: db.name,
        role: standby ? 'standby' : 'primary',
        ...(delay !== undefined && delay !== null ? { replay_delay_seconds: Math.round(delay * 10) / 10 } : {}),
        ...(receiver ? { receiver } : {}),
      },
      head,
      unit: ['entry', 'entries'],
    });
  },
});

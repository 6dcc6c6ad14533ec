import { cursorInput, limitInput, moreSchema, pastLimit, redact } from '@patchbay/kit';
import * as z from 'zod';
import { catalogRows } from '../catalog.js';
import { connectionInput, schemaInput } from '../inputs.js';
import { tool } from '../kit.js';
import { type CatalogObject, listObjects, OBJECT_KINDS, type ObjectKind } from '../objects.js';

/** The catalog toolset besides schemas: the other objects, and the server's settings. */

const oneLine = (text: string | undefined, max: number) => {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** Each kind's table: its columns and an object's cells. */
const LAYOUT: Record<ObjectKind, { columns: string[]; cells: (o: CatalogObject) => unknown[] }> = {
  view: {
    columns: ['view', 'owner', 'definition'],
    cells: (o) => [`${o.schema}.${o.name}`, o.properties.owner ?? '', oneLine(o.definition, 160)],
  },
  materialized_view: {
    columns: ['materialized view', 'rows≈', 'populated', 'indexes', 'definition'],
    cells: (o) => [
      `${o.schema}.${o.name}`,
      o.properties.rows ?? '',
      o.properties.populated ? 'yes' : 'no',
      o.properties.indexes ?? 0,
      oneLine(o.definition, 120),
    ],
  },
  function: {
    columns: ['function', 'returns', 'kind', 'language', 'volatility', 'security definer'],
    cells: (o) => [
      `${o.schema}.${o.definition ?? o.name}`,
      o.properties.returns ?? '',
      o.properties.kind ?? '',
      o.properties.language ?? '',
      o.properties.volatility ?? '',
      o.properties.security_definer ? 'YES' : '',
    ],
  },
  sequence: {
    columns: ['sequence', 'type', 'last value', 'increment', 'max', 'owned by'],
    cells: (o) => [
      `${o.schema}.${o.name}`,
      o.properties.type ?? '',
      o.properties.last_value ?? '',
      o.properties.increment ?? '',
      o.properties.max ?? '',
      o.properties.owned_by ?? '',
    ],
  },
  trigger: {
    columns: ['trigger', 'on', 'timing', 'events', 'level', 'function', 'enabled'],
    cells: (o) => [
      o.name,
      `${o.schema}.${o.table}`,
      o.properties.timing ?? '',
      o.properties.events ?? '',
      o.properties.level ?? '',
      o.properties.function ?? '',
      o.properties.enabled ?? '',
    ],
  },
  extension: {
    columns: ['extension', 'version', 'latest', 'schema', 'comment'],
    cells: (o) => [o.name, o.properties.version ?? '', o.properties.latest ?? '', o.schema ?? '', o.comment ?? ''],
  },
};

export const listObjectsTool = tool({
  name: 'postgres_list_objects',
  title: 'List views, functions, sequences, triggers, extensions',
  description:
    "One kind of object in the user schemas: views and materialized views (definition), functions (signature, language, volatility, SECURITY DEFINER), sequences, triggers, or installed extensions. An extension's own objects are listed as the extension.",
  toolset: 'catalog',
  access: 'read',
  input: {
    kind: z.enum(OBJECT_KINDS).describe('What to list'),
    schema: schemaInput.describe('Only this schema'),
    limit: limitInput(200, 1000, 'objects'),
    cursor: cursorInput,
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    kind: z.enum(OBJECT_KINDS),
    objects: z.array(
      z.object({
        schema: z.string().optional(),
        name: z.string(),
        table: z.string().optional(),
        comment: z.string().optional(),
        definition: z.string().optional(),
        properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    // One past the limit, to know whether more exist.
    const objects = await db.read(ctx.signal, (client) =>
      listObjects(client, args.kind, {
        ...(args.schema ? { schema: args.schema } : {}),
        offset: ctx.position.offset,
        limit: args.limit + 1,
      }),
    );
    const layout = LAYOUT[args.kind];
    const what = args.kind.replace('_', ' ');
    return ctx.page({
      key: 'objects',
      fields: { connection: db.name, kind: args.kind },
      ...pastLimit(objects, 'limit', args.limit),
      table: { columns: layout.columns, cells: layout.cells, maxCell: 200 },
      empty: `No ${what}s${args.schema ? ` in schema "${args.schema}"` : ' outside the system schemas'}.`,
      unit: [what, `${what}s`],
      ...(args.schema ? {} : { hint: 'Or pass schema to narrow the list.' }),
    });
  },
});

/**
 * Settings whose values can hold credentials: a standby's connection string (its password), and
 * the shell commands the server runs (archiving, restoring, SSL passphrases), where a key or a
 * password often sits in the command line. Shown as set, never with their value.
 */
const HIDDEN_VALUE = /conninfo|passphrase|password|_command$/i;

export const listSettingsTool = tool({
  name: 'postgres_list_settings',
  title: 'Server settings changed from their defaults',
  description:
    "Settings that differ from PostgreSQL's built-in defaults (configuration file, ALTER SYSTEM, ALTER DATABASE/ROLE, command line), with their default, source and whether a restart is pending. Values that can hold credentials are hidden.",
  toolset: 'catalog',
  access: 'read',
  input: {
    name: z.string().min(1).max(128).optional().describe('Only settings whose name contains this (any setting, changed or not)'),
    limit: limitInput(200, 1000, 'settings'),
    cursor: cursorInput,
    connection: connectionInput,
  },
  output: {
    connection: z.string(),
    settings: z.array(
      z.object({
        name: z.string(),
        value: z.string(),
        default: z.string().optional(),
        source: z.string(),
        category: z.string(),
        restart_needed: z.boolean().describe('It only changes with a server restart'),
        pending_restart: z.boolean().optional(),
      }),
    ),
    more: moreSchema,
  },
  async handler(args, ctx) {
    const db = ctx.services.database(args.connection);
    const rows = await db.read(ctx.signal, (client) =>
      catalogRows<{
        name: string;
        value: string;
        unit: string | null;
        default: string | null;
        source: string;
        file: string | null;
        line: number | null;
        category: string;
        context: string;
        pending_restart: boolean;
      }>(
        client,
        // 'client' and 'session' are this server's own session (application_name, the timeouts
        // it sets per transaction), not the database's configuration.
        `SELECT s.name, pg_catalog.current_setting(s.name) AS value, s.unit, s.boot_val AS default, s.source,
           s.sourcefile AS file, s.sourceline AS line, s.category, s.context, s.pending_restart
         FROM pg_catalog.pg_settings s
         WHERE CASE WHEN $1::text IS NULL THEN s.source NOT IN ('default', 'client', 'session', 'override')
                                                OR s.pending_restart
                    ELSE strpos(lower(s.name), lower($1)) > 0 END
         ORDER BY s.category, s.name OFFSET $3 LIMIT $2`,
        [args.name ?? null, args.limit + 1, ctx.position.offset],
      ),
    );
    const settings = rows.map((r) => {
      const hidden = HIDDEN_VALUE.test(r.name) && r.value !== '';
      const unit = r.unit ? ` ${r.unit}` : '';
      return {
        name: r.name,
        value: hidden ? '(set; hidden: it can hold credentials)' : redact(r.value),
        ...(r.default !== null && r.default !== '' && !hidden ? { default: `${redact(r.default)}${unit}` } : {}),
        source: r.file && r.source === 'configuration file' ? `${r.file}:${r.line}` : r.source,
        category: r.category,
        restart_needed: r.context === 'postmaster',
        ...(r.pending_restart ? { pending_restart: true } : {}),
      };
    });
    return ctx.page({
      key: 'settings',
      fields: { connection: db.name },
      ...pastLimit(settings, 'limit', args.limit),
      table: {
        columns: ['setting', 'value', 'default', 'source', 'restart'],
        cells: (s) => [
          s.name,
          s.value,
          s.default ?? '',
          s.source,
          s.pending_restart ? 'PENDING' : s.restart_needed ? 'needed' : '',
        ],
        maxCell: 160,
      },
      empty: args.name ? `No setting is named like "${args.name}".` : 'Every setting has its built-in default.',
      unit: ['setting', 'settings'],
      hint: 'Or pass name to look settings up.',
    });
  },
});

export const catalogTools = [listObjectsTool, listSettingsTool];

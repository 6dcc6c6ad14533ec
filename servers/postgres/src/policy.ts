/**
 * Which functions SQL from a model may not call, and why. The database stops most of what a
 * hostile statement could do: reads run in a READ ONLY transaction as a role that cannot write,
 * read server files or run programs (see reader.ts). What is refused here by name, whatever schema
 * it is called through, is what would still be harmful or pointless to try: functions that run SQL
 * given as text (no parser can see into it, and it is where an attack hides), open sessions to
 * other servers, reach the server's files, signal other sessions, change settings, take session
 * locks or create state that outlives a rollback. Every other function is judged by the catalog
 * in `functions.ts`: VOLATILE, extension-owned and SECURITY DEFINER functions are refused unless
 * the operator allowed them.
 */

/** [names, why, refused on read-write connections too (it reaches beyond the database)] */
const DENIED: Array<[RegExp, string, boolean]> = [
  [
    /^(pg_read_file|pg_read_binary_file|pg_read_file_old|pg_stat_file|pg_ls_\w+|pg_current_logfile|pg_file_\w+|pg_logdir_ls|pg_show_all_file_settings|pg_hba_file_rules|pg_ident_file_mappings)$/,
    "reads or writes the database server's files.",
    true,
  ],
  [/^(lo_import|lo_export)$/, "reads or writes the database server's files.", true],
  [/^(lo_\w+|loread|lowrite)$/, 'creates, changes or reads large objects.', false],
  [/^dblink\w*$/, 'opens another database session, where nothing here applies.', true],
  // Core (the XML export functions, text search statistics and rewriting) and contrib
  // (tablefunc's crosstab and connectby, xml2's xpath_table): each builds or takes SQL as text
  // and runs it, in reads and writes alike.
  [
    /^(query_to_xml\w*|query_to_xmlschema|cursor_to_xml\w*|table_to_xml\w*|schema_to_xml\w*|database_to_xml\w*|ts_stat|ts_rewrite|crosstab\w*|connectby|xpath_table)$/,
    'runs SQL passed to it as text, which cannot be checked.',
    true,
  ],
  [
    /^(pg_terminate_backend|pg_cancel_backend|pg_signal_backend|pg_reload_conf|pg_rotate_logfile\w*|pg_promote|pg_switch_wal|pg_create_restore_point|pg_backup_start|pg_backup_stop|pg_start_backup|pg_stop_backup|pg_wal_replay_pause|pg_wal_replay_resume|pg_log_backend_memory_contexts|pg_import_system_collations)$/,
    'controls the server or other sessions.',
    true,
  ],
  [
    /^(pg_\w*replication_slot\w*|pg_replication_origin_\w+|pg_logical_slot_\w+|pg_logical_emit_message)$/,
    'changes replication state, which outlives the transaction.',
    true,
  ],
  [/^(pg_stat_reset\w*|pg_stat_statements_reset)$/, 'resets statistics.', false],
  // hypopg's hypothetical indexes live in the session's memory: a rollback keeps them, and every
  // later plan in that pooled session would see them. Only the index advice calls these, from
  // its own fixed SQL, in a session it closes afterwards (see hypopg.ts).
  [
    /^hypopg_(create_index|drop_index|reset|reset_index|hide_index|unhide_index|unhide_all_indexes)$/,
    'creates, drops or hides hypothetical indexes, which outlive the transaction in the session; postgres_suggest_indexes uses them for you.',
    true,
  ],
  [/^set_config$/, 'changes settings.', false],
  [/^(pg_advisory\w*|pg_try_advisory\w*)$/, 'takes advisory locks, which can outlive the query and block other sessions.', false],
  [/^(nextval|setval)$/, 'advances a sequence, which a rollback does not undo.', false],
  [
    /^(txid_current|txid_current_if_assigned|pg_current_xact_id|pg_current_xact_id_if_assigned|pg_export_snapshot)$/,
    'assigns a transaction ID.',
    false,
  ],
  [/^pg_notify$/, 'sends a notification to other sessions.', false],
];

/**
 * Why SQL from a model may not call a function, or undefined when it may. Writes on a read-write
 * connection may change data (nextval, set_config, advisory locks), but still not reach the
 * server's files, other sessions or other servers.
 */
export function deniedFunction(name: string, forWrite = false): string | undefined {
  const lower = name.toLowerCase();
  for (const [pattern, reason, alsoForWrites] of DENIED) {
    if (pattern.test(lower) && (alsoForWrites || !forWrite)) return `is not allowed: it ${reason}`;
  }
  return undefined;
}

/**
 * Built-in VOLATILE functions that only read (clocks, randomness, sizes, statistics, WAL
 * positions) or wait (pg_sleep, bounded by statement_timeout). Any other built-in VOLATILE
 * function is refused.
 */
export const HARMLESS_VOLATILE_BUILTINS = new Set([
  'clock_timestamp',
  'timeofday',
  'random',
  'random_normal',
  'gen_random_uuid',
  'pg_sleep',
  'pg_sleep_for',
  'pg_sleep_until',
  'pg_blocking_pids',
  'pg_safe_snapshot_blocking_pids',
  'pg_database_size',
  'pg_relation_size',
  'pg_table_size',
  'pg_indexes_size',
  'pg_total_relation_size',
  'pg_tablespace_size',
  'pg_is_in_recovery',
  'pg_current_wal_lsn',
  'pg_current_wal_insert_lsn',
  'pg_current_wal_flush_lsn',
  'pg_last_wal_receive_lsn',
  'pg_last_wal_replay_lsn',
  'pg_last_xact_replay_timestamp',
  'pg_is_wal_replay_paused',
  'pg_get_wal_replay_pause_state',
  'pg_get_wal_resource_managers',
  'pg_jit_available',
  'pg_lock_status',
  'pg_partition_tree',
  'pg_partition_ancestors',
  'pg_notification_queue_usage',
  'pg_sequence_last_value',
  'currval',
  'lastval',
  'pg_xact_commit_timestamp',
  'pg_xact_commit_timestamp_origin',
  'pg_last_committed_xact',
  'pg_xact_status',
  'txid_status',
  'pg_collation_actual_version',
  'pg_database_collation_actual_version',
  'current_query',
  'pg_get_backend_memory_contexts',
  'pg_get_shmem_allocations',
  'pg_get_multixact_members',
  'pg_prepared_xact',
  'pg_show_replication_origin_status',
  'pg_stat_have_stats',
  'pg_stat_clear_snapshot',
  'pg_control_checkpoint',
  'pg_control_init',
  'pg_control_recovery',
  'pg_control_system',
  'pg_stat_get_recovery_prefetch',
]);

export function isHarmlessVolatileBuiltin(name: string): boolean {
  return HARMLESS_VOLATILE_BUILTINS.has(name) || name.startsWith('pg_stat_get_xact_');
}

/**
 * What a statement does that the ROLLBACK around EXPLAIN ANALYZE cannot undo, read from its parse
 * tree before anything runs: sequence values drawn, replication slots created, WAL switched, writes
 * on another server through dblink, session-level advisory locks, files written by large-object
 * functions, signals to other backends, a configuration reload, statistics reset. Inserts into
 * tables whose columns default to a sequence draw from it too; which tables those are only the
 * catalog knows, so the caller passes them in (src/db/sequence-defaults.ts reads them).
 *
 * Functions the statement calls may do any of this unseen: a parse tree shows the calls, not what
 * the functions do. Session state such as an advisory lock taken inside a function is cleared by
 * the runner's session reset instead.
 */
import type { Node, RangeVar } from 'libpg-query';
import { visitNodes } from './parse-tree';
import { parseSql } from './sql-parser';

export type SideEffectKind =
  'sequence' | 'replication' | 'wal' | 'remote-write' | 'session-lock' | 'file' | 'other-backends' | 'configuration' | 'statistics';

export interface SideEffect {
  kind: SideEffectKind;
  /** The function called ("nextval"), or the table inserted into ("public.orders") for a sequence default. */
  functionName: string;
  /** One sentence naming the effect, for the confirmation and the CLI's refusal. */
  message: string;
}

/** A table an INSERT or MERGE writes into, as the statement names it. */
export interface InsertTarget {
  schema?: string;
  table: string;
}

export interface SideEffectContext {
  /** Insert targets whose columns default to a sequence (serial, identity), as `insertTargets` named them. */
  sequenceDefaultTables?: readonly InsertTarget[];
}

const EFFECT_TEXT: Readonly<Record<SideEffectKind, string>> = {
  sequence: 'changes a sequence, and sequence values stay drawn after the rollback',
  replication: 'creates, drops or advances a replication slot or origin, which outlives the transaction',
  wal: "acts on the write-ahead log or the server's recovery, which no rollback undoes",
  'remote-write': 'runs SQL on another connection (dblink), which commits on its own',
  'session-lock': 'takes a session-level advisory lock, which the rollback does not release',
  file: 'reads or writes a file on the server',
  'other-backends': 'signals other server processes (cancel, terminate, reload, log rotation)',
  configuration: 'reloads the server configuration',
  statistics: 'resets collected statistics, which no rollback restores',
};

/** Functions by the effect that escapes the transaction; pg_notify is absent on purpose (it is sent only on commit). */
const FUNCTION_EFFECTS: ReadonlyMap<string, SideEffectKind> = new Map<string, SideEffectKind>([
  ...(['nextval', 'setval'] as const).map((name) => [name, 'sequence'] as const),
  ...(
    [
      'pg_create_physical_replication_slot',
      'pg_create_logical_replication_slot',
      'pg_drop_replication_slot',
      'pg_copy_physical_replication_slot',
      'pg_copy_logical_replication_slot',
      'pg_replication_slot_advance',
      'pg_logical_slot_get_changes',
      'pg_logical_slot_get_binary_changes',
      'pg_replication_origin_create',
      'pg_replication_origin_drop',
      'pg_replication_origin_advance',
      'pg_replication_origin_session_setup',
    ] as const
  ).map((name) => [name, 'replication'] as const),
  ...(
    [
      'pg_switch_wal',
      'pg_switch_xlog',
      'pg_create_restore_point',
      'pg_backup_start',
      'pg_backup_stop',
      'pg_start_backup',
      'pg_stop_backup',
      'pg_logical_emit_message',
      'pg_wal_replay_pause',
      'pg_wal_replay_resume',
      'pg_promote',
    ] as const
  ).map((name) => [name, 'wal'] as const),
  ...(['pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_try_advisory_lock', 'pg_try_advisory_lock_shared'] as const).map(
    (name) => [name, 'session-lock'] as const,
  ),
  ...(['lo_import', 'lo_export', 'pg_file_write', 'pg_file_rename', 'pg_file_unlink', 'pg_file_sync'] as const).map(
    (name) => [name, 'file'] as const,
  ),
  ...(['pg_terminate_backend', 'pg_cancel_backend', 'pg_rotate_logfile', 'pg_log_backend_memory_contexts'] as const).map(
    (name) => [name, 'other-backends'] as const,
  ),
  ['pg_reload_conf', 'configuration'],
  ...(
    [
      'pg_stat_reset',
      'pg_stat_reset_shared',
      'pg_stat_reset_single_table_counters',
      'pg_stat_reset_single_function_counters',
      'pg_stat_reset_slru',
      'pg_stat_reset_replication_slot',
      'pg_stat_reset_subscription_stats',
      'pg_stat_statements_reset',
    ] as const
  ).map((name) => [name, 'statistics'] as const),
]);

/** Every dblink function reaches another connection; only the read-only ones are harmless, and telling them apart needs the SQL they carry. */
const DBLINK_PREFIX = 'dblink';

/**
 * The effects of `sqlText` (one or more statements) that a rollback does not undo, each named
 * once, in the order they appear. Text that does not parse has none here: the server rejects it.
 */
export function findSideEffects(sqlText: string, context: SideEffectContext = {}): SideEffect[] {
  const parsed = parseSql(sqlText);
  if (!parsed.ok) return [];
  const found = new Map<string, SideEffect>();
  const add = (kind: SideEffectKind, functionName: string, message: string) => {
    if (!found.has(`${kind}:${functionName}`)) found.set(`${kind}:${functionName}`, { kind, functionName, message });
  };
  visitNodes(parsed.statements, (nodeType, node) => {
    if (nodeType !== 'FuncCall') return;
    const name = functionName(node.funcname as Node[] | undefined);
    if (name === undefined) return;
    const kind = FUNCTION_EFFECTS.get(name) ?? (name.startsWith(DBLINK_PREFIX) ? 'remote-write' : undefined);
    if (kind) add(kind, name, `${name}() ${EFFECT_TEXT[kind]}.`);
  });
  const sequenceTables = context.sequenceDefaultTables ?? [];
  for (const target of insertTargets(sqlText)) {
    if (!sequenceTables.some((table) => sameTarget(table, target))) continue;
    const name = target.schema ? `${target.schema}.${target.table}` : target.table;
    add(
      'sequence',
      name,
      `Inserting into ${name} draws values from its sequence (serial or identity column), and they stay drawn after the rollback.`,
    );
  }
  return [...found.values()];
}

/** The tables the statement inserts into (INSERT, MERGE, also inside WITH), each once, for the catalog check. */
export function insertTargets(sqlText: string): InsertTarget[] {
  const parsed = parseSql(sqlText);
  if (!parsed.ok) return [];
  const targets: InsertTarget[] = [];
  visitNodes(parsed.statements, (nodeType, node) => {
    if (nodeType !== 'InsertStmt' && nodeType !== 'MergeStmt') return;
    const relation = node.relation as RangeVar | undefined;
    if (!relation?.relname) return;
    const target: InsertTarget = relation.schemaname
      ? { schema: relation.schemaname, table: relation.relname }
      : { table: relation.relname };
    if (!targets.some((known) => sameTarget(known, target))) targets.push(target);
  });
  return targets;
}

function sameTarget(a: InsertTarget, b: InsertTarget): boolean {
  return a.table === b.table && a.schema === b.schema;
}

/** The function's own name, lower case as the parser folds it, ignoring a schema (pg_catalog.nextval is nextval). */
function functionName(parts: Node[] | undefined): string | undefined {
  const last = parts?.at(-1) as { String?: { sval?: string } } | undefined;
  return last?.String?.sval;
}

/** One sentence for a confirmation or a refusal, naming every effect found. */
export function describeSideEffects(effects: readonly SideEffect[]): string {
  return effects.map((effect) => effect.message).join(' ');
}

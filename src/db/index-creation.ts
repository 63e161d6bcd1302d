/**
 * "Create index now": runs one CREATE INDEX the user confirmed, outside any transaction (CREATE
 * INDEX CONCURRENTLY refuses to run inside one), reports PostgreSQL's own progress, and can be
 * cancelled on the server. A cancelled CONCURRENTLY build leaves an invalid index behind, which
 * is dropped so the table is as it was.
 */
import type { PoolClient } from 'pg';
import { sendCancelRequest } from './backend-cancel';
import type { PlanLensPool } from './pool';

/** How often PostgreSQL's progress view is read while an index builds. */
const PROGRESS_INTERVAL_MS = 500;
/**
 * Dropping the invalid leftover of a cancelled build waits for the same transactions the build
 * waited for; rather than hang, give up after this long and tell the user what to drop.
 */
const CLEANUP_LOCK_TIMEOUT_MS = 3_000;
const QUERY_CANCELED = '57014';

export class IndexCreationCancelledError extends Error {
  constructor(
    indexName: string,
    /** The DROP statement to run by hand when an invalid index could not be cleaned up. */
    readonly leftoverDrop?: string,
  ) {
    super(
      leftoverDrop
        ? `Creating ${indexName} was cancelled, but its unfinished (invalid) index could not be dropped while other transactions hold the table; run ${leftoverDrop} later.`
        : `Creating ${indexName} was cancelled; nothing was left behind.`,
    );
    this.name = 'IndexCreationCancelledError';
  }
}

export class IndexCreationError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'IndexCreationError';
  }
}

export interface IndexCreationProgress {
  /** PostgreSQL's phase name, e.g. "building index: scanning table". */
  phase: string;
  /** 0..1 when PostgreSQL reports blocks or tuples for the phase. */
  fraction?: number;
}

export interface CreateIndexOptions {
  /** The index's name and schema, to clean up an invalid leftover after a cancel. */
  indexName: string;
  schema?: string;
  signal?: AbortSignal;
  onProgress?: (progress: IndexCreationProgress) => void;
}

export async function createIndexOnServer(pool: PlanLensPool, ddl: string, options: CreateIndexOptions): Promise<{ durationMs: number }> {
  if (options.signal?.aborted) throw new IndexCreationCancelledError(options.indexName);
  const client = await pool.connect();
  let cancelled = false;
  const onAbort = () => {
    cancelled = true;
    void sendCancelRequest(client);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const stopProgress = options.onProgress && pool.settings.max > 1 ? watchProgress(pool, client, options.onProgress) : () => undefined;
  const started = performance.now();
  let destroy = false;
  try {
    await client.query(ddl);
    return { durationMs: performance.now() - started };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (cancelled || code === QUERY_CANCELED) {
      const leftover = await dropInvalidLeftover(client, options).catch(() => {
        destroy = true;
        return qualifiedName(options);
      });
      throw new IndexCreationCancelledError(options.indexName, leftover ? `DROP INDEX CONCURRENTLY IF EXISTS ${leftover}` : undefined);
    }
    throw new IndexCreationError(`PostgreSQL refused to create ${options.indexName}: ${(error as Error).message}`, code);
  } finally {
    stopProgress();
    options.signal?.removeEventListener('abort', onAbort);
    client.release(destroy);
  }
}

/** Drops the invalid index a cancelled build left; returns its name when it is still there. */
async function dropInvalidLeftover(client: PoolClient, options: CreateIndexOptions): Promise<string | undefined> {
  const { rows } = await client.query<{ invalid: boolean }>(
    `SELECT NOT i.indisvalid AS invalid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND ($2::text IS NULL OR n.nspname = $2)`,
    [options.indexName, options.schema ?? null],
  );
  if (!rows[0]?.invalid) return undefined;
  const name = qualifiedName(options);
  await client.query(`SET lock_timeout = ${CLEANUP_LOCK_TIMEOUT_MS}`);
  try {
    await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    return undefined;
  } catch {
    return name;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

function qualifiedName(options: CreateIndexOptions): string {
  return options.schema ? `${quoteIdent(options.schema)}.${quoteIdent(options.indexName)}` : quoteIdent(options.indexName);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Polls pg_stat_progress_create_index (PostgreSQL 12+) for the building backend from another connection. */
function watchProgress(pool: PlanLensPool, building: PoolClient, report: (progress: IndexCreationProgress) => void): () => void {
  const pid = (building as unknown as { processID?: number }).processID;
  if (typeof pid !== 'number') return () => undefined;
  let stopped = false;
  const timer = setInterval(() => {
    void (async () => {
      let client: PoolClient | undefined;
      try {
        client = await pool.connect();
        const { rows } = await client.query<{
          phase: string;
          blocks_done: string;
          blocks_total: string;
          tuples_done: string;
          tuples_total: string;
        }>('SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total FROM pg_stat_progress_create_index WHERE pid = $1', [pid]);
        const row = rows[0];
        if (!row || stopped) return;
        const [done, total] =
          Number(row.blocks_total) > 0
            ? [Number(row.blocks_done), Number(row.blocks_total)]
            : [Number(row.tuples_done), Number(row.tuples_total)];
        report({ phase: row.phase, fraction: total > 0 ? Math.min(1, done / total) : undefined });
      } catch {
        // Progress is a courtesy; the build itself reports what matters.
      } finally {
        client?.release();
      }
    })();
  }, PROGRESS_INTERVAL_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

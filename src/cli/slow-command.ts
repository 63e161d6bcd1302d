/** `plan-lens slow`: the statements that cost the server most, from pg_stat_statements. */
import { resolveConnection } from '../db/connection-config';
import { describeConnectionError } from '../db/connection-errors';
import { createPool, DEFAULT_POOL_SETTINGS } from '../db/pool';
import { readStatStatements, StatStatementsUnavailableError } from '../db/stat-statements';
import { DEFAULT_WORKLOAD_SETTINGS } from '../core/workload/model';
import { statStatementsReport } from '../core/workload/stat-statements';
import { EXIT, UsageError } from './commands';
import { renderReportText } from './record-command';

export interface SlowCommandOptions {
  db?: string;
  json: boolean;
  limit?: string;
  slowMs?: string;
}

export async function runSlowCommand(options: SlowCommandOptions): Promise<number> {
  const connection = resolveConnection({ url: options.db });
  if (!connection) throw new UsageError('slow needs a server: give --db URL (or set DATABASE_URL or the PG* variables).');
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit must be a positive whole number, got "${options.limit}".`);
  const slowStatementMs = options.slowMs === undefined ? DEFAULT_WORKLOAD_SETTINGS.slowStatementMs : Number(options.slowMs);
  if (!Number.isFinite(slowStatementMs) || slowStatementMs <= 0)
    throw new UsageError(`--slow-ms must be a positive number, got "${options.slowMs}".`);
  const pool = createPool(connection, { ...DEFAULT_POOL_SETTINGS, max: 1 });
  try {
    const statements = await readStatStatements(pool);
    const report = statStatementsReport(statements, { ...DEFAULT_WORKLOAD_SETTINGS, slowStatementMs }, limit);
    process.stdout.write(
      options.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : renderReportText(
            report,
            `The ${report.statements.length} statements with the most total time in pg_stat_statements (since its last reset):`,
          ),
    );
    return EXIT.ok;
  } catch (error) {
    const message = error instanceof StatStatementsUnavailableError ? error.message : describeConnectionError(error, connection.describe());
    process.stderr.write(`plan-lens slow: ${message}\n`);
    return EXIT.usage;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

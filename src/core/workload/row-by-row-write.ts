/**
 * Row-by-row writes: a run of single-row INSERT, UPDATE or DELETE of one shape on one connection
 * (an ORM flushing one object at a time), where one multi-row statement or COPY would do.
 */
import { BoundedMap } from './bounded-map';
import { FindingTotals, roundMs } from './finding-totals';
import type { DetectorRun, RecordedStatement, WorkloadDetector, WorkloadSettings } from './model';
import { recognizeStack, type Stack } from './stack';

const MAX_CONNECTIONS = 1000;
const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE']);

interface Run {
  fingerprint: string;
  query: string;
  sql: string;
  applicationName: string;
  command: string;
  calls: number;
  totalMs: number;
  transactions: Set<number>;
}

interface RowByRowTotals {
  largestRun: number;
  command: string;
  sql: string;
  applicationName: string;
  inOneTransaction: boolean;
}

function isSingleRowWrite(statement: RecordedStatement): boolean {
  return WRITE_COMMANDS.has(statement.command) && statement.rows <= 1 && (statement.valuesRows ?? 1) <= 1;
}

export const rowByRowWrite: WorkloadDetector = {
  id: 'row-by-row-write',
  title: 'Row-by-row writes',
  description: 'Many single-row INSERT, UPDATE or DELETE statements of one shape in a row on one connection.',
  start(settings: WorkloadSettings): DetectorRun {
    const runs = new BoundedMap<number, Run>(MAX_CONNECTIONS);
    const totals = new FindingTotals<RowByRowTotals>();
    const close = (run: Run | undefined, into: FindingTotals<RowByRowTotals>): void => {
      if (!run || run.calls < settings.rowByRowMinCalls) return;
      const entry = into.add(run.fingerprint, run.query, run.calls, run.totalMs, () => ({
        largestRun: 0,
        command: run.command,
        sql: run.sql,
        applicationName: run.applicationName,
        inOneTransaction: true,
      }));
      entry.extra.largestRun = Math.max(entry.extra.largestRun, run.calls);
      if (run.transactions.size > 1) entry.extra.inOneTransaction = false;
    };
    return {
      observe(statement) {
        if (statement.error) return;
        const run = runs.get(statement.connectionId);
        if (run && run.fingerprint === statement.fingerprint && isSingleRowWrite(statement)) {
          run.calls += 1;
          run.totalMs += statement.durationMs;
          // Bounded: only "one or several" matters for the message.
          if (run.transactions.size < 2) run.transactions.add(statement.transactionId);
          return;
        }
        // Statements of other shapes in between (SAVEPOINT, a SELECT of the new id) end the run.
        close(run, totals);
        if (!isSingleRowWrite(statement)) {
          runs.delete(statement.connectionId);
          return;
        }
        runs.set(statement.connectionId, {
          fingerprint: statement.fingerprint,
          query: statement.normalized,
          sql: statement.sql,
          applicationName: statement.applicationName,
          command: statement.command,
          calls: 1,
          totalMs: statement.durationMs,
          transactions: new Set([statement.transactionId]),
        });
      },
      findings() {
        const all = totals.clone();
        for (const run of runs.values()) close(run, all);
        return all.map((entry) => ({
          id: 'row-by-row-write' as const,
          severity: entry.calls >= 1000 ? ('critical' as const) : ('warning' as const),
          fingerprint: entry.fingerprint,
          query: entry.query,
          calls: entry.calls,
          totalMs: roundMs(entry.totalMs),
          message:
            `Row-by-row ${entry.extra.command}: ${entry.calls} single-row statements of "${entry.query}" ` +
            `(${roundMs(entry.totalMs)} ms in total, up to ${entry.extra.largestRun} in a row` +
            `${entry.extra.inOneTransaction ? ' in one transaction' : ''}).`,
          fix: rowByRowFix(recognizeStack(entry.extra.applicationName, entry.extra.sql), entry.extra.command),
        }));
      },
    };
  },
};

function rowByRowFix(stack: Stack, command: string): string {
  const generic =
    command === 'INSERT'
      ? "Write the rows in one statement: a multi-row INSERT ... VALUES (...), (...), COPY for large batches, or the driver's executemany / psycopg2.extras.execute_values."
      : `Change the rows in one statement: ${command} ... WHERE id = ANY($1), or ${command} ... FROM (VALUES ...) AS v joined on the key.`;
  switch (stack) {
    case 'sqlalchemy':
      return (
        `SQLAlchemy: send the rows together, session.execute(${command === 'INSERT' ? 'insert' : command === 'UPDATE' ? 'update' : 'delete'}(Model), [dict, ...]) ` +
        'with a list of parameter dictionaries, and do not flush() or commit() inside the loop. ' +
        generic
      );
    case 'django':
      return (
        `Django: ${command === 'INSERT' ? 'Model.objects.bulk_create(objects)' : command === 'UPDATE' ? 'queryset.update(...) or bulk_update(objects, fields)' : 'queryset.delete()'}. ` +
        generic
      );
    case 'activerecord':
      return (
        `ActiveRecord: ${command === 'INSERT' ? 'Model.insert_all(rows)' : command === 'UPDATE' ? 'Model.where(...).update_all(...) or upsert_all' : 'Model.where(...).delete_all'}. ` +
        generic
      );
    case 'unknown':
      return generic;
  }
}

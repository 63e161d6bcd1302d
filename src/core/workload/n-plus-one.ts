/**
 * N+1: a run of one statement shape on one connection, with different parameters each time,
 * right after a query that returned at least as many rows: the classic ORM loop that loads a
 * relation per row (SQLAlchemy's lazy `product.category` inside `for product in products`).
 */
import { BoundedMap } from './bounded-map';
import { FindingTotals, roundMs } from './finding-totals';
import type { DetectorRun, RecordedStatement, WorkloadDetector, WorkloadFinding, WorkloadSettings } from './model';
import { recognizeStack, type Stack } from './stack';

const MAX_CONNECTIONS = 1000;

interface Run {
  fingerprint: string;
  query: string;
  sql: string;
  applicationName: string;
  firstKey: string;
  varied: boolean;
  calls: number;
  totalMs: number;
  driverRows: number;
  driverQuery: string;
}

interface ConnectionState {
  previous?: RecordedStatement;
  run?: Run;
}

interface NPlusOneTotals {
  runs: number;
  largestRun: number;
  driverQuery: string;
  sql: string;
  applicationName: string;
}

export const nPlusOne: WorkloadDetector = {
  id: 'n-plus-one',
  title: 'N+1 queries',
  description: 'The same query runs once per row of a preceding query on one connection.',
  start(settings: WorkloadSettings): DetectorRun {
    const connections = new BoundedMap<number, ConnectionState>(MAX_CONNECTIONS);
    const totals = new FindingTotals<NPlusOneTotals>();
    const qualifies = (run: Run): boolean => run.varied && run.calls >= settings.nPlusOneMinCalls && run.driverRows >= run.calls;
    const close = (run: Run | undefined, into: FindingTotals<NPlusOneTotals>): void => {
      if (!run || !qualifies(run)) return;
      const entry = into.add(run.fingerprint, run.query, run.calls, run.totalMs, () => ({
        runs: 0,
        largestRun: 0,
        driverQuery: run.driverQuery,
        sql: run.sql,
        applicationName: run.applicationName,
      }));
      entry.extra.runs += 1;
      entry.extra.largestRun = Math.max(entry.extra.largestRun, run.calls);
    };
    return {
      observe(statement) {
        if (statement.error) return;
        const state = connections.get(statement.connectionId) ?? {};
        const key = statementKey(statement);
        const run = state.run;
        if (run && run.fingerprint === statement.fingerprint) {
          run.calls += 1;
          run.totalMs += statement.durationMs;
          if (key !== run.firstKey) run.varied = true;
        } else {
          close(run, totals);
          const driver = state.previous;
          state.run =
            statement.command === 'SELECT' && driver?.command === 'SELECT'
              ? {
                  fingerprint: statement.fingerprint,
                  query: statement.normalized,
                  sql: statement.sql,
                  applicationName: statement.applicationName,
                  firstKey: key,
                  varied: false,
                  calls: 1,
                  totalMs: statement.durationMs,
                  driverRows: driver.rows,
                  driverQuery: driver.normalized,
                }
              : undefined;
        }
        state.previous = statement;
        connections.set(statement.connectionId, state);
      },
      findings() {
        // Runs still open count too: the recording may stop in the middle of the loop.
        const all = totals.clone();
        for (const state of connections.values()) close(state.run, all);
        return all.map((entry): WorkloadFinding => {
          const stack = recognizeStack(entry.extra.applicationName, entry.extra.sql);
          return {
            id: 'n-plus-one',
            severity: entry.totalMs >= 100 || entry.extra.largestRun >= 100 ? 'critical' : 'warning',
            fingerprint: entry.fingerprint,
            query: entry.query,
            calls: entry.calls,
            totalMs: roundMs(entry.totalMs),
            message:
              `N+1: ${entry.calls} calls of "${entry.query}" (${roundMs(entry.totalMs)} ms in total` +
              `${entry.extra.runs > 1 ? `, ${entry.extra.runs} loops` : ''}), one per row of "${entry.extra.driverQuery}".`,
            fix: nPlusOneFix(stack, entry.query),
          };
        });
      },
    };
  },
};

/** Same SQL and same parameters. */
export function statementKey(statement: RecordedStatement): string {
  return statement.params.length === 0 ? statement.sql : `${statement.sql}\u0000${JSON.stringify(statement.params)}`;
}

/** A lookup by primary key (`WHERE x.id = $1`) is a many-to-one relation; by another column, a collection. */
function isManyToOne(query: string): boolean {
  return /\bWHERE\s+(?:[\w"]+\.)?"?id"?\s*=\s*\$\d+/i.test(query);
}

function nPlusOneFix(stack: Stack, query: string): string {
  const generic = 'Load them in one query: JOIN the table into the preceding query, or fetch all rows at once with WHERE id = ANY($1).';
  const manyToOne = isManyToOne(query);
  switch (stack) {
    case 'sqlalchemy':
      return manyToOne
        ? 'SQLAlchemy: load the relation with the parent query, options(joinedload(Parent.relation)) for this many-to-one ' +
            '(contains_eager() when the query already joins it). ' +
            generic
        : 'SQLAlchemy: load the collection with options(selectinload(Parent.collection)) (one extra query for all rows). ' + generic;
    case 'django':
      return manyToOne
        ? 'Django: queryset.select_related("relation") joins it into the first query. ' + generic
        : 'Django: queryset.prefetch_related("collection") loads it in one more query. ' + generic;
    case 'activerecord':
      return 'ActiveRecord: Model.includes(:relation) loads it with the parent records. ' + generic;
    case 'unknown':
      return generic;
  }
}

/**
 * N+1: a run of one statement shape on one connection, with different parameters each time,
 * right after a query that returned at least as many rows: the classic ORM loop that loads a
 * relation per row (SQLAlchemy's lazy `product.category` inside `for product in products`).
 * Loops that load more than one thing per row interleave their shapes: a lookup first seen right
 * after another of the loop's lookups joins the loop, driven by that lookup's rows, so a loop
 * reading two relations per row, or a loop over each row's collection reading a relation per
 * item (`for item in order.items: item.product`), is seen shape by shape.
 */
import { BoundedMap } from './bounded-map';
import { FindingTotals, roundMs } from './finding-totals';
import type { DetectorRun, RecordedStatement, WorkloadDetector, WorkloadFinding, WorkloadSettings } from './model';
import { recognizeStack, type Stack } from './stack';

const MAX_CONNECTIONS = 1000;
/** Shapes one loop may interleave; a new one beyond that starts a new loop. */
const MAX_LOOP_SHAPES = 8;

interface Run {
  fingerprint: string;
  query: string;
  sql: string;
  applicationName: string;
  firstKey: string;
  varied: boolean;
  calls: number;
  totalMs: number;
  /** Rows this shape returned in the run: the driving rows of a shape nested in it. */
  rows: number;
  /** The rows of the query before the run, or of the run it is nested in (read when the loop closes). */
  driver: { rows: number } | Run;
  driverQuery: string;
}

interface ConnectionState {
  previous?: RecordedStatement;
  /** The runs of one loop by fingerprint, in the order they started. */
  loop?: Map<string, Run>;
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
    const qualifies = (run: Run): boolean => run.varied && run.calls >= settings.nPlusOneMinCalls && run.driver.rows >= run.calls;
    const close = (loop: Map<string, Run> | undefined, into: FindingTotals<NPlusOneTotals>): void => {
      for (const run of loop?.values() ?? []) closeRun(run, into);
    };
    const closeRun = (run: Run, into: FindingTotals<NPlusOneTotals>): void => {
      if (!qualifies(run)) return;
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
        const previous = state.previous;
        const fresh = (driver: Run['driver'], driverQuery: string): Run => ({
          fingerprint: statement.fingerprint,
          query: statement.normalized,
          sql: statement.sql,
          applicationName: statement.applicationName,
          firstKey: key,
          varied: false,
          calls: 1,
          totalMs: statement.durationMs,
          rows: statement.rows,
          driver,
          driverQuery,
        });
        const run = state.loop?.get(statement.fingerprint);
        const before = previous && previous.fingerprint !== statement.fingerprint ? state.loop?.get(previous.fingerprint) : undefined;
        if (run && before && before.calls === 1 && before.rows > 1) {
          // A query seen once that returned several rows, then a lookup of the loop again: the
          // next loop (the next request, the next page), driven by that query.
          state.loop!.delete(before.fingerprint);
          close(state.loop, totals);
          state.loop = new Map([[statement.fingerprint, fresh({ rows: previous!.rows }, previous!.normalized)]]);
        } else if (run) {
          run.calls += 1;
          run.totalMs += statement.durationMs;
          run.rows += statement.rows;
          if (key !== run.firstKey) run.varied = true;
        } else if (statement.command === 'SELECT' && before && state.loop!.size < MAX_LOOP_SHAPES) {
          state.loop!.set(statement.fingerprint, fresh(before, previous!.normalized));
        } else {
          close(state.loop, totals);
          state.loop =
            statement.command === 'SELECT' && previous?.command === 'SELECT'
              ? new Map([[statement.fingerprint, fresh({ rows: previous.rows }, previous.normalized)]])
              : undefined;
        }
        state.previous = statement;
        connections.set(statement.connectionId, state);
      },
      findings() {
        // Runs still open count too: the recording may stop in the middle of the loop.
        const all = totals.clone();
        for (const state of connections.values()) close(state.loop, all);
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

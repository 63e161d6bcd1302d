/**
 * The plan and SQL readers on generated input: whatever arrives, they answer or reject it with
 * their own error, never crash with another one, and never take long.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeExplainOutput } from '../../src/core/analyze';
import { PlanParseError } from '../../src/core/plan';
import {
  checkSingleStatement,
  classifyStatement,
  ensureSqlParser,
  findPlaceholders,
  SqlInputError,
  splitStatements,
} from '../../src/core/sql';
import { findSideEffects, insertTargets } from '../../src/core/sql/side-effects';
import { tokenizeSql } from '../../src/core/sql/tokens';

/** Bounded time for one input of at most a few kilobytes, on a busy machine. */
const PER_INPUT_MS = 2_000;

function timed<T>(what: string, input: unknown, run: () => T, limitMs = PER_INPUT_MS): T {
  const started = performance.now();
  const value = run();
  const ms = performance.now() - started;
  assert.ok(ms < limitMs, `${what} took ${ms.toFixed(0)} ms on ${JSON.stringify(input).slice(0, 200)}`);
  return value;
}

const planKeys = fc.constantFrom(
  'Node Type',
  'Plans',
  'Strategy',
  'Partial Mode',
  'Join Type',
  'Parent Relationship',
  'Subplan Name',
  'Relation Name',
  'Actual Rows',
  'Actual Loops',
  'Actual Total Time',
  'Actual Startup Time',
  'Plan Rows',
  'Total Cost',
  'Startup Cost',
  'Workers Launched',
  'Rows Removed by Filter',
  'Shared Hit Blocks',
  'CTE Name',
  'constructor',
  '__proto__',
  'toString',
  'Filter',
  'Index Name',
);
const planValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    'Aggregate',
    'SetOp',
    'Hash Join',
    'Seq Scan',
    'Limit',
    'Gather',
    'CTE Scan',
    'InitPlan',
    'SubPlan',
    'Hashed',
    'constructor',
    '__proto__',
  ),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
);
const planNode = fc.letrec((tie) => ({
  node: fc
    .record(
      {
        'Node Type': fc.constantFrom('Aggregate', 'SetOp', 'Hash Join', 'Seq Scan', 'Limit', 'Gather', 'CTE Scan', 'Append', 'Nested Loop'),
        Plans: fc.array(tie('node'), { maxLength: 3 }),
        extra: fc.dictionary(planKeys, planValue, { maxKeys: 6 }),
      },
      { requiredKeys: ['Node Type'] },
    )
    .map(({ extra, ...node }) => ({ ...extra, ...node })),
})).node;

describe('fuzzing the readers', function () {
  this.timeout(300_000);

  before(async function () {
    await ensureSqlParser();
  });

  it('the plan reader and analysis: a report or a PlanParseError for any generated plan', function () {
    fc.assert(
      fc.property(planNode, fc.dictionary(planKeys, planValue, { maxKeys: 3 }), fc.boolean(), (plan, top, asText) => {
        const input = [{ ...top, Plan: plan }];
        try {
          timed('analysis', input, () => analyzeExplainOutput(asText ? JSON.stringify(input) : input));
        } catch (error) {
          if (!(error instanceof PlanParseError)) throw error;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the plan reader on arbitrary text: a report or a PlanParseError', function () {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 2_000 }), fc.json(), fc.stringMatching(/^[\s+|\-[\]{}":,0-9a-z]{0,500}$/)), (text) => {
        try {
          timed('analysis', text, () => analyzeExplainOutput(text));
        } catch (error) {
          if (!(error instanceof PlanParseError)) throw error;
        }
      }),
      { numRuns: 400 },
    );
  });

  const sqlPiece = fc.constantFrom(
    'SELECT',
    'INSERT INTO t',
    'VALUES',
    '(',
    ')',
    ',',
    ';',
    "'",
    '"',
    '$$',
    '$1',
    ':name',
    '?',
    '%s',
    '--',
    '/*',
    '*/',
    'nextval',
    "('s')",
    'WITH',
    'AS',
    'FROM',
    'WHERE',
    'IN',
    '1',
    "E'\\'",
    'U&"',
    '\n',
    ' ',
    'pg_advisory_lock(1)',
    'dblink',
    '::int',
    '[',
    ']',
    'COPY',
    'BEGIN',
  );
  const sqlText = fc.oneof(
    fc.array(sqlPiece, { maxLength: 40 }).map((parts) => parts.join(' ')),
    fc.string({ maxLength: 500 }),
  );

  it('the SQL readers: an answer or a SqlInputError for any text', function () {
    fc.assert(
      fc.property(sqlText, (sql) => {
        timed('SQL readers', sql, () => {
          splitStatements(sql);
          tokenizeSql(sql);
          findPlaceholders(sql);
          findSideEffects(sql);
          insertTargets(sql);
          const checked = checkSingleStatement(sql);
          if (checked.ok) {
            try {
              classifyStatement(sql);
            } catch (error) {
              if (!(error instanceof SqlInputError)) throw error;
            }
          }
        });
      }),
      { numRuns: 400 },
    );
  });

  it('a 65 000-value IN list is read without overflowing the stack', function () {
    const sql = `SELECT * FROM t WHERE id IN (${Array.from({ length: 65_000 }, (_, i) => i).join(', ')})`;
    // Linear, but 130 000 tokens through WASM take seconds on a loaded machine.
    const { tokens } = timed('tokenizing', 'IN list', () => tokenizeSql(sql), 30_000);
    assert.equal(tokens.length, 8 + 65_000 + 64_999 + 1);
    assert.equal(classifyStatement(sql).kind, 'query');
    assert.deepEqual(findSideEffects(sql), []);
  });
});

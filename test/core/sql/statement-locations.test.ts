/**
 * Findings placed on the part of the statement they are about, located by PostgreSQL's parser:
 * on real plans with their statements (the 240-partition table, the rule fixtures), and on
 * statements written to test the edges (schema, alias, several tables, non-ASCII text, a
 * statement the parser rejects).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planAdvice } from '../../../src/core/advice/finding-ranking';
import { evaluateRules } from '../../../src/core/advice/rules';
import { ensureSqlParser } from '../../../src/core/sql';
import { subjectLocator, type StatementSubject } from '../../../src/core/sql/statement-locations';
import { loadPlan, PLANS_DIR } from '../advice/rule-fixtures';

/** The query of a fixture's .sql file: its last statement, without the comments and SET lines before it. */
function fixtureStatement(jsonPath: string): string {
  const lines = readFileSync(jsonPath.replace(/\.json$/, '.sql'), 'utf8').split('\n');
  return lines
    .filter((line) => line.trim() !== '' && !line.startsWith('--') && !/^SET /i.test(line))
    .join('\n')
    .replace(/;\s*$/, '');
}

function spanText(sql: string, subject: StatementSubject): string | undefined {
  const span = subjectLocator(sql)!(subject);
  return span && sql.slice(span.start, span.end);
}

describe('where in the statement a finding is about', () => {
  before(() => ensureSqlParser());

  it('the 240-partition finding sits on the conditions on the partitioned table', () => {
    const path = join(PLANS_DIR, 'partitions', 'filter-240-pg15.json');
    const plan = loadPlan(path, 'partitions');
    const [finding] = planAdvice(plan.plan, evaluateRules(plan.plan)).findings;
    assert.equal(finding.subject?.kind, 'predicate');
    assert.equal(spanText(fixtureStatement(path), finding.subject!), "status = 'cancelled' AND total > 900");
  });

  it('a top-N sort sits on the ORDER BY key, its direction included', () => {
    const path = join(PLANS_DIR, 'rules', 'top-n-sort-without-index', 'triggers-pg15.json');
    const plan = loadPlan(path, 'top-n');
    const finding = planAdvice(plan.plan, evaluateRules(plan.plan)).findings.find((f) => f.ruleId === 'top-n-sort-without-index')!;
    assert.deepEqual(finding.subject, { kind: 'order-by' });
    assert.equal(spanText(fixtureStatement(path), finding.subject), 'created_at DESC');
  });

  it('a table reference covers its schema and alias', () => {
    const sql = 'SELECT o.id FROM shop.orders AS o JOIN items i ON i.order_id = o.id';
    assert.equal(spanText(sql, { kind: 'table', names: ['orders'] }), 'shop.orders AS o');
    assert.equal(spanText(sql, { kind: 'table', names: ['items', 'i'] }), 'items i');
    assert.equal(spanText(sql, { kind: 'table', names: ['payments'] }), undefined);
  });

  it('conditions: those on the table among several, unqualified ones when it is alone', () => {
    const sql =
      "SELECT * FROM orders o JOIN items i ON i.oid = o.id WHERE o.status = 'x' AND i.total > 9 AND i.sku IN (1, 2) ORDER BY o.created_at DESC NULLS LAST, o.id";
    assert.equal(spanText(sql, { kind: 'predicate', names: ['items', 'i'] }), 'i.total > 9 AND i.sku IN (1, 2)');
    assert.equal(spanText(sql, { kind: 'predicate', names: ['orders', 'o'] }), "o.status = 'x'");
    assert.equal(spanText(sql, { kind: 'order-by' }), 'o.created_at DESC NULLS LAST, o.id');
    assert.equal(spanText('SELECT * FROM t WHERE a = 1 AND lower(b) = $1', { kind: 'predicate', names: ['t'] }), 'a = 1 AND lower(b) = $1');
  });

  it('counts in UTF-16 where the text before is not ASCII', () => {
    const sql = "SELECT 'déjà vu 🐘' AS x FROM orders WHERE note = 'ünïcode'";
    assert.equal(spanText(sql, { kind: 'table', names: ['orders'] }), 'orders');
    assert.equal(spanText(sql, { kind: 'predicate', names: ['orders'] }), "note = 'ünïcode'");
  });

  it('nothing to place in text the parser rejects, or in two statements', () => {
    assert.equal(subjectLocator('SELECT * FROM orders WHERE :status = status'), undefined);
    assert.equal(subjectLocator('SELECT 1; SELECT 2'), undefined);
  });
});

import assert from 'node:assert/strict';
import type { ModelIndex } from '../../../src/core/code/models';
import {
  codeSitesOf,
  linkRecordedNPlusOne,
  recordedNPlusOneOfReport,
  statementLookups,
  type RecordedNPlusOne,
} from '../../../src/core/code/runtime-links';
import type { CodeParsers } from '../../../src/core/code/syntax';
import { formatClockTime } from '../../../src/core/format';
import { ensureSqlParser } from '../../../src/core/sql/sql-parser';
import { loadCodeParsers } from '../../../src/host/grammar-files';
import { indexedModels, lintApp } from '../../support/code-apps';

/** The statements SQLAlchemy's lazy loads send, as the recorder normalizes them. */
const CATEGORY_BY_ID =
  'SELECT categories.id AS categories_id, categories.name AS categories_name \nFROM categories \nWHERE categories.id = $1';
const ITEMS_BY_ORDER =
  'SELECT order_items.id AS order_items_id, order_items.order_id AS order_items_order_id \nFROM order_items \nWHERE $1 = order_items.order_id';
const AT = new Date(2026, 11, 5, 11, 42).getTime();

function recorded(query: string, extra: Partial<RecordedNPlusOne> = {}): RecordedNPlusOne {
  return { fingerprint: 'f', query, calls: 8, totalMs: 3.25, severity: 'warning', recordedAt: AT, ...extra };
}

describe('linking code N+1 findings with recorded N+1', () => {
  let parsers: CodeParsers;
  let models: ModelIndex;

  before(async () => {
    await ensureSqlParser();
    parsers = await loadCodeParsers();
    models = indexedModels(parsers);
  });

  it('reads the table and the column compared with a parameter from the parse tree, on either side and through an alias', () => {
    assert.deepEqual(statementLookups(CATEGORY_BY_ID), [
      { table: 'categories', column: 'id', summary: 'SELECT … FROM categories WHERE categories.id = $1' },
    ]);
    assert.deepEqual(statementLookups(ITEMS_BY_ORDER), [
      { table: 'order_items', column: 'order_id', summary: 'SELECT … FROM order_items WHERE order_items.order_id = $1' },
    ]);
    assert.deepEqual(
      statementLookups('SELECT c.* FROM "categories" AS c WHERE c.id = $2 AND c.deleted = false').map((l) => [
        l.table,
        l.column,
        l.summary,
      ]),
      [['categories', 'id', 'SELECT … FROM categories WHERE c.id = $2 AND …']],
    );
    // Not a per-row lookup: a join, a batch by ANY, a comparison that is not equality, a write.
    for (const sql of [
      'SELECT * FROM products p JOIN categories c ON c.id = p.category_id WHERE c.id = $1',
      'SELECT * FROM categories WHERE id = ANY($1)',
      'SELECT * FROM categories WHERE id > $1',
      'UPDATE categories SET name = $2 WHERE id = $1',
      'SELECT * FROM categories WHERE other.id = $1',
    ])
      assert.deepEqual(statementLookups(sql), [], sql);
  });

  it('the code finding of a lazy many-to-one and of a lazy collection carry the lookup their lazy load runs', () => {
    const [category] = lintApp(parsers, 'sqlalchemy_shop/category_report.py', { models }).findings;
    assert.deepEqual(category.perRowLookup, { table: 'categories', column: 'id' });
    const [items] = lintApp(parsers, 'sqlalchemy_shop/order_report.py', { models }).findings;
    assert.deepEqual(items.perRowLookup, { table: 'order_items', column: 'order_id' });
  });

  it('adds what the recording saw to the matching code finding, and raises it to an error when the recording rates it critical', () => {
    const { findings } = lintApp(parsers, 'sqlalchemy_shop/category_report.py', { models });
    const [linked] = linkRecordedNPlusOne(findings, [recorded(ITEMS_BY_ORDER, { totalMs: 99 }), recorded(CATEGORY_BY_ID)]);
    assert.equal(
      linked.message,
      `${findings[0].message} Seen at run time: 8 queries of \`SELECT … FROM categories WHERE categories.id = $1\` in 3.25 ms (recording at ${formatClockTime(AT)}).`,
    );
    assert.equal(formatClockTime(AT), '11:42');
    assert.equal(linked.severity, 'warning');
    const [critical] = linkRecordedNPlusOne(findings, [recorded(CATEGORY_BY_ID, { calls: 150, totalMs: 120, severity: 'critical' })]);
    assert.deepEqual([critical.severity, /150 queries .* in 120 ms/.test(critical.message)], ['error', true]);
  });

  it('leaves the code finding alone for a recorded N+1 on another table or by another column', () => {
    const { findings } = lintApp(parsers, 'sqlalchemy_shop/category_report.py', { models });
    const others = [
      recorded('SELECT customers.id FROM customers WHERE customers.id = $1'),
      recorded('SELECT categories.id FROM categories WHERE categories.parent_id = $1'),
      recorded(ITEMS_BY_ORDER),
    ];
    assert.deepEqual(linkRecordedNPlusOne(findings, others), findings);
  });

  it('finds the code of a recorded N+1 among the known sites, and none for another table or column', () => {
    const sites = [
      {
        path: 'category_report.py',
        range: { start: { line: 12, column: 32 }, end: { line: 12, column: 48 } },
        lookup: { table: 'categories', column: 'id' },
      },
      {
        path: 'order_report.py',
        range: { start: { line: 11, column: 44 }, end: { line: 11, column: 55 } },
        lookup: { table: 'order_items', column: 'order_id' },
      },
    ];
    assert.deepEqual(
      codeSitesOf(recorded(ITEMS_BY_ORDER), sites).map((s) => s.path),
      ['order_report.py'],
    );
    assert.deepEqual(codeSitesOf(recorded('SELECT * FROM order_items WHERE product_id = $1'), sites), []);
    assert.deepEqual(codeSitesOf(recorded('SELECT * FROM products WHERE id = $1'), sites), []);
  });

  it('reads the N+1 findings of a saved recording with their statements', () => {
    const report = {
      version: 1,
      statements: [{ fingerprint: 'a', query: CATEGORY_BY_ID, calls: 8, totalMs: 3.25, meanMs: 0.4, rows: 8 }],
      findings: [
        { id: 'n-plus-one', severity: 'warning', fingerprint: 'a', calls: 8, totalMs: 3.25, message: '…', fix: '…' },
        { id: 'slow-statement', severity: 'warning', fingerprint: 'a', calls: 1, totalMs: 600, message: '…', fix: '…' },
      ],
    };
    assert.deepEqual(recordedNPlusOneOfReport(report, AT), [recorded(CATEGORY_BY_ID, { fingerprint: 'a' })]);
  });
});

/**
 * Every warning rule against real plans from PostgreSQL 15 and PGlite 18
 * (test/fixtures/plans/rules/<rule-id>/, captured by test/fixtures/capture-rule-plans.ts): each
 * fires on its trigger plans, on the node it is about, with the plan's own numbers in its title,
 * and stays silent on its clean plans. Expected numbers are read from the raw EXPLAIN output, not
 * from Plan Lens's model.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding, Severity } from '../../../src/core/advice/advice-model';
import { evaluateRules, RULES } from '../../../src/core/advice/rules';
import type { RawPlanNode } from '../../../src/core/plan';
import { formatCount, formatFactor, formatKb, formatMs, formatPercent, formatRows } from '../../../src/core/format';
import { SEQ_SCAN_CRITICAL_KEPT_SHARE } from '../../../src/core/advice/rules/seq-scan-large-table';
import { rowsRemovedByFilter, ROWS_REMOVED_CRITICAL_SHARE } from '../../../src/core/advice/rules/rows-removed-by-filter';
import { MISESTIMATE_CRITICAL_FACTOR } from '../../../src/core/advice/rules/row-misestimate';
import { NESTED_LOOP_CRITICAL_ROWS_READ, NESTED_LOOP_MIN_LOOPS } from '../../../src/core/advice/rules/nested-loop-many-loops';
import { DEFAULT_HASH_MEM_MULTIPLIER, SORT_MEMORY_PER_DISK_KB } from '../../../src/core/advice/rules/work-mem-spills';
import { BITMAP_BYTES_PER_HEAP_BLOCK, LOSSY_WARNING_RECHECK_SHARE } from '../../../src/core/advice/rules/lossy-bitmap-heap-scan';
import { HEAP_FETCHES_WARNING_SHARE } from '../../../src/core/advice/rules/index-only-scan-heap-fetches';
import { INDEX_FILTER_CRITICAL_SHARE } from '../../../src/core/advice/rules/index-scan-filter-not-selective';
import { slowNode, SLOW_NODE_CRITICAL_SHARE, SLOW_NODE_WARNING_SHARE } from '../../../src/core/advice/rules/slow-node';
import { JIT_CRITICAL_SHARE, PLANNING_WARNING_MS } from '../../../src/core/advice/rules/plan-timing';
import { num, RULE_PLANS_DIR, rawNode, rulePlan, ruleFiles, suggestedWorkMemKb, total, type RulePlan } from './rule-fixtures';
import type { AnalyzedPlan } from '../../../src/core/plan/model';
import { sortFindings } from '../../../src/core/advice/finding-ranking';

const SERVERS = ['pg15', 'pglite18'] as const;

function findingsOf(plan: RulePlan, ruleId: string): Finding[] {
  return evaluateRules(plan.plan).filter((f) => f.ruleId === ruleId);
}

/** Rules say what an index must serve; only the index advisor writes CREATE INDEX. */
function assertIndexNeed(finding: Finding, parts: string[]): void {
  assert.ok(finding.indexNeed !== undefined, `${finding.ruleId} should say an index could fix it`);
  for (const part of parts) assert.ok(finding.indexNeed.includes(part), `"${finding.indexNeed}" should contain "${part}"`);
  assert.ok(!/CREATE INDEX/i.test(finding.fix), finding.fix);
  assert.ok(finding.fix.startsWith(`An index serving ${finding.indexNeed} could help`), finding.fix);
}

/** The one finding of `ruleId` on the node at `nodeId` (null: plan-wide). */
function theFinding(plan: RulePlan, ruleId: string, nodeId: number | null): Finding {
  const findings = findingsOf(plan, ruleId);
  const onNode = findings.filter((f) => f.nodeId === nodeId);
  assert.equal(
    onNode.length,
    1,
    `${plan.name}: expected one ${ruleId} finding on node ${nodeId}, got ${JSON.stringify(findings.map((f) => [f.nodeId, f.title]))}`,
  );
  return onNode[0];
}

function assertTitleHas(finding: Finding, parts: string[]): void {
  for (const part of parts) assert.ok(finding.title.includes(part), `"${finding.title}" should contain "${part}"`);
}

const isScanOf = (type: string, relation: string) => (n: RawPlanNode) => n['Node Type'] === type && n['Relation Name'] === relation;

/** What evaluateRules must return: every rule run alone, less its findings on nodes a superseding rule reported. */
function eachRuleAloneLessSuperseded(plan: AnalyzedPlan): Finding[] {
  const alone = new Map(RULES.map((rule) => [rule.id, rule.evaluate(plan)]));
  return sortFindings(
    RULES.flatMap((rule) => {
      const superseded = new Set((rule.supersededBy ?? []).flatMap((id) => alone.get(id)!.map((f) => f.nodeId)));
      return alone.get(rule.id)!.filter((f) => f.nodeId === null || !superseded.has(f.nodeId));
    }),
  );
}

describe('warning rules on real plans', () => {
  describe('superseded findings', () => {
    it('evaluateRules returns what the rules find alone, less what a more specific rule reported on the same node', () => {
      const plans = RULES.flatMap((rule) =>
        [...ruleFiles(rule.id, 'triggers'), ...ruleFiles(rule.id, 'clean')].map((file) => rulePlan(rule.id, file)),
      );
      assert.ok(plans.length > 20, `only ${plans.length} rule plans`);
      let superseded = 0;
      for (const { name, plan } of plans) {
        const expected = eachRuleAloneLessSuperseded(plan);
        assert.deepEqual(evaluateRules(plan), expected, name);
        superseded += RULES.reduce((sum, rule) => sum + rule.evaluate(plan).length, 0) - expected.length;
      }
      assert.ok(superseded > 0, 'no plan has a superseded finding: the test would prove nothing');
    });

    it('a rule superseded by a superseded rule gives way to what supersedes that one too', () => {
      // evaluateRules reads a superseding rule's findings as kept (its own superseded ones dropped):
      // the same as reading all it found only while this holds.
      for (const rule of RULES) {
        for (const id of rule.supersededBy ?? []) {
          for (const further of RULES.find((r) => r.id === id)!.supersededBy ?? []) {
            assert.ok(rule.supersededBy!.includes(further), `${rule.id} gives way to ${id} but not to ${further}, which supersedes ${id}`);
          }
        }
      }
    });
  });

  describe('every rule has real plans', () => {
    for (const rule of RULES) {
      it(`${rule.id}: at least one trigger and one clean plan, each with its statement`, () => {
        const triggers = ruleFiles(rule.id, 'triggers');
        const clean = ruleFiles(rule.id, 'clean');
        assert.ok(triggers.length > 0, `no triggers-*.json in ${join(RULE_PLANS_DIR, rule.id)}`);
        assert.ok(clean.length > 0, `no clean-*.json in ${join(RULE_PLANS_DIR, rule.id)}`);
        for (const file of [...triggers, ...clean])
          assert.ok(existsSync(join(RULE_PLANS_DIR, rule.id, `${file}.sql`)), `${rule.id}/${file}.sql is missing`);
      });

      it(`${rule.id}: fires on every trigger plan and on no clean plan`, () => {
        for (const file of ruleFiles(rule.id, 'triggers')) {
          assert.ok(findingsOf(rulePlan(rule.id, file), rule.id).length > 0, `${rule.id} did not fire on ${file}`);
        }
        for (const file of ruleFiles(rule.id, 'clean')) {
          assert.deepEqual(
            findingsOf(rulePlan(rule.id, file), rule.id).map((f) => f.title),
            [],
            `${rule.id} fired on ${file}`,
          );
        }
      });
    }
  });

  describe('seq-scan-large-table', () => {
    const RULE = 'seq-scan-large-table';
    for (const server of SERVERS) {
      it(`${server}: a Seq Scan keeping 0.5% of 100,000 rows is critical, with the rows read and kept`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const { node, id } = rawNode(plan, isScanOf('Seq Scan', 'items'));
        const kept = total(node, 'Actual Rows');
        const read = kept + total(node, 'Rows Removed by Filter');
        assert.ok(kept / read < SEQ_SCAN_CRITICAL_KEPT_SHARE, 'the fixture keeps less than the critical share');
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'critical');
        assertTitleHas(finding, [
          'Seq Scan on items',
          `reads ${formatCount(read)} rows`,
          `keep ${formatCount(kept)}`,
          `(${formatPercent(kept / read)})`,
        ]);
        assertIndexNeed(finding, [String(node['Filter']), 'items']);
        assert.ok(finding.impactMs > 0 && finding.impactMs <= plan.plan.nodes[id].exclusiveMs!);
      });
    }

    it('pg15: a Parallel Seq Scan keeping 5% is a warning, its processes not called loops', () => {
      const plan = rulePlan(RULE, 'triggers-parallel-pg15');
      const { node, id } = rawNode(plan, (n) => n['Node Type'] === 'Seq Scan' && n['Parallel Aware'] === true);
      const kept = total(node, 'Actual Rows');
      const read = kept + total(node, 'Rows Removed by Filter');
      const finding = theFinding(plan, RULE, id);
      assert.equal(finding.severity, 'warning');
      assertTitleHas(finding, ['Parallel Seq Scan on items', formatCount(read), formatCount(kept)]);
      assert.ok(!finding.title.includes('loops'), finding.title);
    });

    it('supersedes rows-removed-by-filter on the same node, which would fire on its own', () => {
      const plan = rulePlan(RULE, 'triggers-pg15');
      const { id } = rawNode(plan, isScanOf('Seq Scan', 'items'));
      const alone = rowsRemovedByFilter.evaluate(plan.plan);
      assert.deepEqual(
        alone.map((f) => f.nodeId),
        [id],
      );
      assert.deepEqual(findingsOf(plan, 'rows-removed-by-filter'), []);
    });
  });

  describe('rows-removed-by-filter', () => {
    const RULE = 'rows-removed-by-filter';
    const cases = [
      { file: 'triggers', relation: 'regions', severity: 'critical' as Severity },
      { file: 'triggers-warning', relation: 'items', severity: 'warning' as Severity },
    ];
    for (const server of SERVERS) {
      for (const c of cases) {
        it(`${server}: ${c.file}: Seq Scan on ${c.relation} is ${c.severity}, with the rows removed and read`, () => {
          const plan = rulePlan(RULE, `${c.file}-${server}`);
          const { node, id } = rawNode(plan, isScanOf('Seq Scan', c.relation));
          const removed = total(node, 'Rows Removed by Filter');
          const read = removed + total(node, 'Actual Rows');
          assert.equal(
            removed / read > ROWS_REMOVED_CRITICAL_SHARE,
            c.severity === 'critical',
            'the fixture is on the intended side of the critical share',
          );
          const finding = theFinding(plan, RULE, id);
          assert.equal(finding.severity, c.severity);
          assertTitleHas(finding, [
            `Seq Scan on ${c.relation}`,
            'Filter removes',
            `${formatCount(removed)} of ${formatCount(read)}`,
            `(${formatPercent(removed / read)})`,
          ]);
          assert.ok(finding.explanation.includes(String(node['Filter'])), 'the explanation quotes the filter');
        });
      }
    }
  });

  describe('row-misestimate', () => {
    const RULE = 'row-misestimate';
    const factorOf = (node: RawPlanNode): number => {
      const actual = Math.max(num(node, 'Actual Rows'), 1);
      const planned = Math.max(num(node, 'Plan Rows'), 1);
      return Math.max(actual / planned, planned / actual);
    };
    for (const server of SERVERS) {
      it(`${server}: three correlated columns, 1 row estimated for 1,000: critical, "more", CREATE STATISTICS on them`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const { node, id } = rawNode(plan, isScanOf('Seq Scan', 'readings'));
        const factor = factorOf(node);
        assert.ok(factor >= MISESTIMATE_CRITICAL_FACTOR);
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'critical');
        assertTitleHas(finding, [
          'Seq Scan on readings',
          `returned ${formatRows(num(node, 'Actual Rows'))} rows`,
          `estimated ${formatRows(num(node, 'Plan Rows'))}`,
          `(${formatFactor(factor)} more)`,
        ]);
        assert.ok(finding.fix.includes('ANALYZE readings'), finding.fix);
        assert.ok(finding.fix.includes(`the columns of ${String(node['Filter'])}`), finding.fix);
        assert.ok(finding.fix.includes('CREATE STATISTICS ... (dependencies, ndistinct, mcv) ON those columns FROM readings'), finding.fix);
        assert.equal(finding.indexNeed, undefined);
      });

      it(`${server}: 25,000 rows estimated, none found: critical, "fewer"`, () => {
        const plan = rulePlan(RULE, `triggers-over-${server}`);
        const { node, id } = rawNode(plan, isScanOf('Seq Scan', 'readings'));
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'critical');
        assertTitleHas(finding, [`estimated ${formatRows(num(node, 'Plan Rows'))}`, `(${formatFactor(factorOf(node))} fewer)`]);
      });

      it(`${server}: reported where the error starts, not at the join that inherits it`, () => {
        const plan = rulePlan(RULE, `triggers-join-${server}`);
        const { node: join } = rawNode(plan, (n) => ['Nested Loop', 'Hash Join', 'Merge Join'].includes(n['Node Type']));
        assert.ok(factorOf(join) >= MISESTIMATE_CRITICAL_FACTOR, 'the join is as far off as the scan');
        const { id } = rawNode(plan, isScanOf('Seq Scan', 'readings'));
        assert.deepEqual(
          findingsOf(plan, RULE).map((f) => f.nodeId),
          [id],
        );
      });
    }
  });

  describe('nested-loop-many-loops', () => {
    const RULE = 'nested-loop-many-loops';
    for (const server of SERVERS) {
      it(`${server}: the inner side rescanned 2,000 times without an index, with its loops and rows read`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const { node: loop, id } = rawNode(plan, (n) => n['Node Type'] === 'Nested Loop');
        const inner = loop.Plans!.find((c) => c['Parent Relationship'] === 'Inner')!;
        const loops = num(inner, 'Actual Loops');
        const read =
          inner['Node Type'] === 'Materialize'
            ? total(inner, 'Actual Rows')
            : total(inner, 'Actual Rows') + Math.round(((inner['Rows Removed by Filter'] as number | undefined) ?? 0) * loops);
        assert.ok(loops >= NESTED_LOOP_MIN_LOOPS && read < NESTED_LOOP_CRITICAL_ROWS_READ);
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'warning');
        assertTitleHas(finding, ['Nested Loop', 'tags', `${formatCount(loops)} times`, `reading ${formatCount(read)} rows`]);
        assertIndexNeed(finding, ['the join key of tags']);
      });
    }
  });

  describe('sort-spill-to-disk', () => {
    const RULE = 'sort-spill-to-disk';
    for (const server of SERVERS) {
      it(`${server}: an external merge names the disk space and a work_mem that covers it`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const { node, id } = rawNode(plan, (n) => n['Node Type'] === 'Sort');
        const diskKb = num(node, 'Sort Space Used');
        assert.equal(node['Sort Space Type'], 'Disk');
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'warning');
        assertTitleHas(finding, ['Sort by note DESC', `spilled ${formatKb(diskKb)} to disk`, `(${String(node['Sort Method'])})`]);
        assert.ok(suggestedWorkMemKb(finding.fix) >= diskKb * SORT_MEMORY_PER_DISK_KB, finding.fix);
      });

      it(`${server}: an Incremental Sort names the peak disk space of its groups`, () => {
        const plan = rulePlan(RULE, `triggers-incremental-${server}`);
        const { node, id } = rawNode(plan, (n) => n['Node Type'] === 'Incremental Sort');
        const groups = node['Pre-sorted Groups'] as { 'Sort Space Disk': Record<string, unknown> };
        const peakKb = num(groups['Sort Space Disk'], 'Peak Sort Space Used');
        const finding = theFinding(plan, RULE, id);
        assertTitleHas(finding, ['Incremental Sort by category, note', `spilled ${formatKb(peakKb)} to disk`]);
      });
    }

    it('pg15: a parallel sort names the largest spill of the leader and its workers', () => {
      const plan = rulePlan(RULE, 'triggers-parallel-pg15');
      const { node, id } = rawNode(plan, (n) => n['Node Type'] === 'Sort');
      const workers = node['Workers'] as Array<Record<string, unknown>>;
      assert.ok(workers.length > 0, 'the workers report their own sorts');
      const largestKb = Math.max(num(node, 'Sort Space Used'), ...workers.map((w) => num(w, 'Sort Space Used')));
      const finding = theFinding(plan, RULE, id);
      assertTitleHas(finding, [`spilled ${formatKb(largestKb)} to disk`]);
    });
  });

  describe('hash-spill-batches', () => {
    const RULE = 'hash-spill-batches';
    for (const server of SERVERS) {
      it(`${server}: a Hash in batches names them and a work_mem for the whole table`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const { node, id } = rawNode(plan, (n) => n['Node Type'] === 'Hash');
        const batches = num(node, 'Hash Batches');
        const peakKb = num(node, 'Peak Memory Usage');
        assert.ok(batches > 1);
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'warning');
        assertTitleHas(finding, [
          'Hash of Seq Scan on items',
          `${formatCount(batches)} batches`,
          `planned ${formatCount(num(node, 'Original Hash Batches'))}`,
          formatKb(peakKb),
        ]);
        assert.ok(suggestedWorkMemKb(finding.fix) * DEFAULT_HASH_MEM_MULTIPLIER >= peakKb * batches, finding.fix);
      });

      it(`${server}: a HashAggregate that spilled names its disk usage and batches`, () => {
        const plan = rulePlan(RULE, `triggers-hashagg-${server}`);
        const { node, id } = rawNode(plan, (n) => n['Node Type'] === 'Aggregate' && n['Strategy'] === 'Hashed');
        const diskKb = num(node, 'Disk Usage');
        const finding = theFinding(plan, RULE, id);
        assertTitleHas(finding, ['HashAggregate', `spilled ${formatKb(diskKb)}`, `${formatCount(num(node, 'HashAgg Batches'))} batches`]);
        assert.ok(suggestedWorkMemKb(finding.fix) * DEFAULT_HASH_MEM_MULTIPLIER >= diskKb, finding.fix);
      });
    }
  });

  describe('lossy-bitmap-heap-scan', () => {
    const RULE = 'lossy-bitmap-heap-scan';
    for (const server of SERVERS) {
      it(`${server}: lossy blocks and rows rechecked away, with a work_mem for an exact bitmap`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const { node, id } = rawNode(plan, isScanOf('Bitmap Heap Scan', 'items'));
        const lossy = num(node, 'Lossy Heap Blocks');
        const blocks = lossy + num(node, 'Exact Heap Blocks');
        const rechecked = total(node, 'Rows Removed by Index Recheck');
        const read = rechecked + total(node, 'Actual Rows');
        assert.ok(rechecked / read >= LOSSY_WARNING_RECHECK_SHARE);
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'warning');
        assertTitleHas(finding, [
          `${formatCount(lossy)} of ${formatCount(blocks)} heap blocks lossy`,
          `(${formatPercent(lossy / blocks)})`,
          `removed ${formatCount(rechecked)} rows`,
        ]);
        assert.ok(suggestedWorkMemKb(finding.fix) * 1024 >= blocks * BITMAP_BYTES_PER_HEAP_BLOCK, finding.fix);
      });
    }
  });

  describe('index-only-scan-heap-fetches', () => {
    const RULE = 'index-only-scan-heap-fetches';
    for (const server of SERVERS) {
      it(`${server}: a never-vacuumed table: every row fetched, VACUUM suggested`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const { node, id } = rawNode(plan, isScanOf('Index Only Scan', 'events_fresh'));
        const fetches = num(node, 'Heap Fetches');
        const rows = total(node, 'Actual Rows');
        assert.ok(fetches / rows >= HEAP_FETCHES_WARNING_SHARE);
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'warning');
        assertTitleHas(finding, [
          'Index Only Scan using events_fresh_day_idx on events_fresh',
          `fetched ${formatCount(fetches)} of ${formatCount(rows)} rows`,
        ]);
        assert.ok(finding.fix.includes('VACUUM events_fresh'), finding.fix);
      });
    }
  });

  describe('top-n-sort-without-index', () => {
    const RULE = 'top-n-sort-without-index';
    for (const server of SERVERS) {
      it(`${server}: the 20 newest of 100,000 rows, with the rows sorted and an index on the sort key`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const { node: sort, id } = rawNode(plan, (n) => n['Node Type'] === 'Sort');
        const { node: limit } = rawNode(plan, (n) => n['Node Type'] === 'Limit');
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'warning');
        assertTitleHas(finding, [
          'Sort by created_at DESC',
          `reads ${formatCount(total(sort.Plans![0], 'Actual Rows'))} rows`,
          `return ${formatCount(total(limit, 'Actual Rows'))}`,
        ]);
        assertIndexNeed(finding, ['the sort order (created_at DESC) on items']);
      });

      it(`${server}: from the estimates of a plan without ANALYZE, as info with no time at stake`, () => {
        const plan = rulePlan(RULE, `triggers-estimate-${server}`);
        assert.equal(plan.plan.analyzed, false);
        const { node: sort, id } = rawNode(plan, (n) => n['Node Type'] === 'Sort');
        const { node: limit } = rawNode(plan, (n) => n['Node Type'] === 'Limit');
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'info');
        assert.equal(finding.impactMs, 0);
        assertTitleHas(finding, ['estimated', formatCount(num(sort.Plans![0], 'Plan Rows')), formatCount(num(limit, 'Plan Rows'))]);
      });
    }
  });

  describe('index-scan-filter-not-selective', () => {
    const RULE = 'index-scan-filter-not-selective';
    for (const server of SERVERS) {
      it(`${server}: the index on category finds 2,000 rows, the filter on sku keeps 5%: compound index`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const { node, id } = rawNode(
          plan,
          (n) => ['Index Scan', 'Bitmap Heap Scan'].includes(n['Node Type']) && n['Relation Name'] === 'items',
        );
        const removed = total(node, 'Rows Removed by Filter');
        const found = removed + total(node, 'Actual Rows');
        assert.ok(removed / found > INDEX_FILTER_CRITICAL_SHARE);
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'critical');
        assertTitleHas(finding, [
          'on items',
          `removes ${formatCount(removed)} of ${formatCount(found)}`,
          `(${formatPercent(removed / found)})`,
        ]);
        assertIndexNeed(finding, ['the filter', String(node['Filter']), 'items']);
      });
    }
  });

  describe('slow-node', () => {
    const RULE = 'slow-node';
    const expectedSeverity = (share: number): Severity =>
      share >= SLOW_NODE_CRITICAL_SHARE ? 'critical' : share >= SLOW_NODE_WARNING_SHARE ? 'warning' : 'info';
    for (const server of SERVERS) {
      it(`${server}: the scan of a count(*) takes most of the time, graded by its share`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const { node, id } = rawNode(plan, (n) => n['Relation Name'] === 'items');
        assert.equal(node.Plans, undefined, 'the scan is a leaf: its own time is its total time');
        const ownMs = num(node, 'Actual Total Time') * num(node, 'Actual Loops');
        const share = ownMs / num(plan.raw, 'Execution Time');
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, expectedSeverity(share));
        assertTitleHas(finding, ['on items', `takes ${formatPercent(share)} of the execution time`, formatMs(ownMs)]);
      });
    }

    it('gives way to a specific rule on the same node', () => {
      const plan = rulePlan('sort-spill-to-disk', 'triggers-pg15');
      const { id } = rawNode(plan, (n) => n['Node Type'] === 'Sort');
      const alone = slowNode.evaluate(plan.plan);
      assert.ok(
        alone.some((f) => f.nodeId === id),
        'slow-node alone fires on the sort',
      );
      assert.ok(!findingsOf(plan, RULE).some((f) => f.nodeId === id));
    });
  });

  describe('parallel-workers-short', () => {
    const RULE = 'parallel-workers-short';
    for (const server of SERVERS) {
      it(`${server}: a Gather planned for 2 workers that got none`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const { node, id } = rawNode(plan, (n) => n['Node Type'] === 'Gather');
        const launched = num(node, 'Workers Launched');
        assert.equal(launched, 0);
        const finding = theFinding(plan, RULE, id);
        assert.equal(finding.severity, 'warning');
        assertTitleHas(finding, [`launched ${formatCount(launched)} of ${formatCount(num(node, 'Workers Planned'))} planned workers`]);
      });
    }
  });

  describe('jit-overhead', () => {
    const RULE = 'jit-overhead';
    it('pg15: JIT with inlining and optimization on a short aggregate, graded by its share', () => {
      const plan = rulePlan(RULE, 'triggers-pg15');
      const jit = plan.raw['JIT'] as { Timing: Record<string, unknown> };
      const jitMs = num(jit.Timing, 'Total');
      const executionMs = num(plan.raw, 'Execution Time');
      const finding = theFinding(plan, RULE, null);
      assert.equal(finding.severity, jitMs / executionMs >= JIT_CRITICAL_SHARE ? 'critical' : 'warning');
      assertTitleHas(finding, [formatMs(jitMs), formatPercent(jitMs / executionMs), formatMs(executionMs)]);
      assert.equal(finding.impactMs, Math.round(jitMs * 1000) / 1000);
    });
  });

  describe('planning-slower-than-execution', () => {
    const RULE = 'planning-slower-than-execution';
    for (const server of SERVERS) {
      it(`${server}: eight joined tables plan longer than they run`, () => {
        const plan = rulePlan(RULE, `triggers-${server}`);
        const planningMs = num(plan.raw, 'Planning Time');
        const executionMs = num(plan.raw, 'Execution Time');
        const finding = theFinding(plan, RULE, null);
        assert.equal(finding.severity, planningMs >= PLANNING_WARNING_MS ? 'warning' : 'info');
        assertTitleHas(finding, [`Planning took ${formatMs(planningMs)}`, `the ${formatMs(executionMs)} execution`]);
        assert.ok(finding.fix.includes('prepared statement'));
      });
    }
  });
});

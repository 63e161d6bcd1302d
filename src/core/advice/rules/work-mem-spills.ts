/**
 * sort-spill-to-disk and hash-spill-batches: a sort, a hash table or a hash aggregate outgrew
 * work_mem and went through temporary files. Both fixes name the work_mem that would have kept
 * it in memory, worked out from the sizes PostgreSQL reported.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan, PlanNode } from '../../plan/model';
import { exclusiveMs, rawWorkers, rowChildren, sortKeys } from './node-facts';
import { nodeFinding, type Rule } from './rule';
import { formatCount, formatKb, memorySetting } from '../../format';
import { nodeName } from '../../plan/node-label';

export const SORT_SPILL_TO_DISK = 'sort-spill-to-disk';
export const HASH_SPILL_BATCHES = 'hash-spill-batches';

/**
 * Memory an in-memory sort needs per kB it wrote to disk: rows carry more overhead in memory than
 * in the temporary file (measured on PostgreSQL 15: 9,256 kB on disk, 15,087 kB in memory).
 */
export const SORT_MEMORY_PER_DISK_KB = 2;
/**
 * Memory a hash aggregate needs per kB it spilled, on top of its peak memory: spilled rows are
 * stored compactly, hash table entries are not (measured on PostgreSQL 15: 185 kB peak + 3,464 kB
 * on disk at 64 kB, 14,353 kB in memory).
 */
export const HASHAGG_MEMORY_PER_DISK_KB = 4;
/** Margin on every suggested work_mem: the sizes above are estimates, and a second attempt costs more than a little memory. */
export const WORK_MEM_HEADROOM = 1.25;
/** hash_mem_multiplier's default since PostgreSQL 15: hash tables may use work_mem times this. */
export const DEFAULT_HASH_MEM_MULTIPLIER = 2;

interface SortSpill {
  method: string;
  diskKb: number;
}

export const sortSpillToDisk: Rule = {
  id: SORT_SPILL_TO_DISK,
  title: 'Sort spilled to disk',
  description:
    'A Sort (or Incremental Sort) did not fit in work_mem and sorted through temporary files (external merge or external sort), which is much slower than sorting in memory.',
  needs: 'actuals',
  thresholds: [
    { name: 'SORT_MEMORY_PER_DISK_KB', value: SORT_MEMORY_PER_DISK_KB, meaning: 'kB of work_mem needed per kB written to disk' },
    { name: 'WORK_MEM_HEADROOM', value: WORK_MEM_HEADROOM, meaning: 'margin on the suggested work_mem' },
  ],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const findings: Finding[] = [];
    for (const node of plan.nodes) {
      if ((node.nodeType !== 'Sort' && node.nodeType !== 'Incremental Sort') || !node.executed) continue;
      const spill = sortSpill(node);
      if (!spill) continue;
      const keys = sortKeys(node).join(', ');
      const neededKb = spill.diskKb * SORT_MEMORY_PER_DISK_KB;
      findings.push(
        nodeFinding(SORT_SPILL_TO_DISK, node, {
          severity: 'warning',
          title: `${nodeName(node)}${keys ? ` by ${keys}` : ''} spilled ${formatKb(spill.diskKb)} to disk (${spill.method})`,
          explanation:
            `The ${formatCount(node.actualRowsTotal ?? 0)} rows to sort did not fit in work_mem, so PostgreSQL sorted them in runs written to temporary files and merged those: ` +
            'each row was written and read back at least once, instead of being sorted in memory.',
          remedy:
            `Give this query more work_mem: SET work_mem = '${memorySetting(neededKb * WORK_MEM_HEADROOM)}' (SET LOCAL inside its transaction), ` +
            `about ${SORT_MEMORY_PER_DISK_KB}x the ${formatKb(spill.diskKb)} written, since rows take more room in memory than on disk. ` +
            'Raise it for this query or role rather than server-wide: every sort and hash of every connection may use that much. ' +
            `${keys ? `An index on the sort key (${keys}) can avoid the sort altogether. ` : ''}Selecting fewer or narrower columns shrinks what is sorted.`,
          impactMs: exclusiveMs(node),
        }),
      );
    }
    return findings;
  },
};

export const hashSpillBatches: Rule = {
  id: HASH_SPILL_BATCHES,
  title: 'Hash table spilled to disk',
  description:
    'A Hash (of a Hash Join) split its table into several batches, or a HashAggregate spilled to disk, because the rows did not fit in work_mem x hash_mem_multiplier: the overflow went through temporary files.',
  needs: 'actuals',
  thresholds: [
    {
      name: 'HASHAGG_MEMORY_PER_DISK_KB',
      value: HASHAGG_MEMORY_PER_DISK_KB,
      meaning: 'kB of memory a hash aggregate needs per kB it spilled',
    },
    { name: 'WORK_MEM_HEADROOM', value: WORK_MEM_HEADROOM, meaning: 'margin on the suggested work_mem' },
    {
      name: 'DEFAULT_HASH_MEM_MULTIPLIER',
      value: DEFAULT_HASH_MEM_MULTIPLIER,
      meaning: 'hash_mem_multiplier assumed when the plan does not report it',
    },
  ],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const multiplier = hashMemMultiplier(plan);
    const findings: Finding[] = [];
    for (const node of plan.nodes) {
      if (!node.executed) continue;
      if (node.nodeType === 'Hash') {
        const finding = hashJoinSpill(plan, node, multiplier);
        if (finding) findings.push(finding);
      } else if (node.nodeType === 'Aggregate' && (node.strategy === 'Hashed' || node.strategy === 'Mixed')) {
        const finding = hashAggregateSpill(node, multiplier);
        if (finding) findings.push(finding);
      }
    }
    return findings;
  },
};

function sortSpill(node: PlanNode): SortSpill | undefined {
  let spill: SortSpill | undefined;
  const note = (method: string, diskKb: number): void => {
    if (!spill || diskKb > spill.diskKb) spill = { method, diskKb };
  };
  for (const entry of [node.raw as Record<string, unknown>, ...rawWorkers(node)]) {
    const method = typeof entry['Sort Method'] === 'string' ? entry['Sort Method'] : undefined;
    const used = typeof entry['Sort Space Used'] === 'number' ? entry['Sort Space Used'] : 0;
    if (entry['Sort Space Type'] === 'Disk' || method?.startsWith('external')) note(method ?? 'external sort', used);
    // Incremental Sort reports per group kind: the methods used and the peak disk space.
    for (const key of ['Full-sort Groups', 'Pre-sorted Groups']) {
      const groups = entry[key];
      if (typeof groups !== 'object' || groups === null) continue;
      const record = groups as Record<string, unknown>;
      const methods = Array.isArray(record['Sort Methods Used']) ? (record['Sort Methods Used'] as unknown[]).map(String) : [];
      const disk = record['Sort Space Disk'] as Record<string, unknown> | undefined;
      const peak = typeof disk?.['Peak Sort Space Used'] === 'number' ? disk['Peak Sort Space Used'] : 0;
      const external = methods.find((m) => m.startsWith('external'));
      if (external || peak > 0) note(external ?? 'external sort', peak);
    }
  }
  return spill;
}

function hashMemMultiplier(plan: AnalyzedPlan): number {
  const value = Number(plan.settings?.['hash_mem_multiplier']);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_HASH_MEM_MULTIPLIER;
}

/** A number from the node, or else the largest a parallel worker reported. */
function largest(node: PlanNode, key: string): number | undefined {
  const values = [node.raw[key], ...rawWorkers(node).map((w) => w[key])].filter((v): v is number => typeof v === 'number');
  return values.length > 0 ? Math.max(...values) : undefined;
}

function workMemFix(neededKb: number, multiplier: number, basis: string): string {
  const setting = memorySetting((neededKb / multiplier) * WORK_MEM_HEADROOM);
  return (
    `Give this query more work_mem: SET work_mem = '${setting}' (SET LOCAL inside its transaction). ${basis} ` +
    `A hash table may use work_mem x hash_mem_multiplier (${multiplier}); raising hash_mem_multiplier instead gives more memory to hash tables only. ` +
    'Raise it for this query or role rather than server-wide: every sort and hash of every connection may use that much.'
  );
}

function hashJoinSpill(plan: AnalyzedPlan, hash: PlanNode, multiplier: number): Finding | undefined {
  const batches = largest(hash, 'Hash Batches');
  if (batches === undefined || batches <= 1) return undefined;
  const original = largest(hash, 'Original Hash Batches') ?? batches;
  const peakKb = largest(hash, 'Peak Memory Usage') ?? 0;
  const neededKb = peakKb * batches;
  const source = rowChildren(plan, hash)[0];
  const join = hash.parentId === null ? undefined : plan.nodes[hash.parentId];
  const grew = batches > original;
  return nodeFinding(HASH_SPILL_BATCHES, hash, {
    severity: 'warning',
    title: `${nodeName(hash)}${source ? ` of ${nodeName(source)}` : ''} split into ${formatCount(batches)} batches (planned ${formatCount(original)}), ${formatKb(peakKb)} peak memory`,
    explanation:
      `The ${formatCount(hash.actualRowsTotal ?? 0)} rows of the hash table did not fit in memory, so PostgreSQL split both join inputs into ${formatCount(batches)} batches ` +
      'and wrote all but the first to temporary files, to read them back batch by batch.' +
      (grew
        ? ` It planned ${formatCount(original)} and had to split further while building the table: the inner side had more rows, or wider ones, than estimated.`
        : ''),
    remedy: workMemFix(
      neededKb,
      multiplier,
      `The whole table takes about ${formatKb(neededKb)} (${formatKb(peakKb)} per batch x ${formatCount(batches)}).`,
    ),
    // Writing and re-reading the batches happens in the Hash and in the join above it.
    impactMs: exclusiveMs(hash) + (join && join.nodeType === 'Hash Join' ? exclusiveMs(join) : 0),
  });
}

function hashAggregateSpill(node: PlanNode, multiplier: number): Finding | undefined {
  const batches = largest(node, 'HashAgg Batches') ?? 0;
  const diskKb = largest(node, 'Disk Usage') ?? 0;
  if (batches <= 1 && diskKb <= 0) return undefined;
  const peakKb = largest(node, 'Peak Memory Usage') ?? 0;
  const neededKb = peakKb + diskKb * HASHAGG_MEMORY_PER_DISK_KB;
  return nodeFinding(HASH_SPILL_BATCHES, node, {
    severity: 'warning',
    title: `${nodeName(node)} spilled ${formatKb(diskKb)} to disk in ${formatCount(batches)} batches, ${formatKb(peakKb)} peak memory`,
    explanation:
      `The ${formatCount(node.actualRowsTotal ?? 0)} groups did not fit in memory, so PostgreSQL wrote rows of groups it had no room for to temporary files ` +
      'and aggregated them in later passes.',
    remedy: workMemFix(
      neededKb,
      multiplier,
      `In memory the groups take about ${formatKb(neededKb)}: the ${formatKb(peakKb)} used plus about ${HASHAGG_MEMORY_PER_DISK_KB}x the ${formatKb(diskKb)} spilled, which is stored compactly.`,
    ),
    impactMs: exclusiveMs(node),
  });
}

/**
 * Reading plans as `plan-lens analyze` and Visualize Plan do (findPlans: the plans' boundaries in
 * the input, then JSON.parse or the text reader) and analysing them (analyzePlan): the real plans in
 * ../shared/plans/ (when present) and synthetic plans of 1k, 10k and 50k nodes mixing deep chains
 * and wide fan-outs, with InitPlans, CTEs and Gathers. Times are medians over several runs after a warm-up;
 * the heap column is the growth of the JS heap during one parse + analysis (run with --expose-gc
 * for it to mean anything).
 *
 * The rules column is evaluateRules on the analysed plan: every warning rule, superseded findings
 * dropped, sorted. On the 50k-node synthetic plan it must stay under RULES_50K_TARGET_MS.
 *
 * Also a 4000-node text-format plan (psql framed, ANALYZE, BUFFERS): its parse must stay under
 * TEXT_PLAN_TARGET_MS. A missed target makes the bench exit non-zero.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { evaluateRules } from '../src/core/advice/rules';
import { analyzePlan, findPlans, type RawExplainResult } from '../src/core/plan';
import { underTarget } from './targets';

const SHARED_PLANS = resolve(__dirname, '..', '..', 'shared', 'plans');
const SYNTHETIC_SIZES = [1000, 10000, 50000];
const WARMUP_RUNS = 3;
/** At least this many measured runs, and more for small plans until MIN_MEASURED_MS have passed. */
const MIN_RUNS = 9;
const MAX_RUNS = 200;
const MIN_MEASURED_MS = 500;
const LARGE_INPUT_BYTES = 1 << 20;

interface Row {
  plan: string;
  nodes: number;
  bytes: number;
  parseMs: number;
  analyzeMs: number;
  totalMs: number;
  rulesMs: number;
  findings: number;
  heapMb: number | undefined;
}

export async function run(): Promise<void> {
  const inputs: Array<{ name: string; text: string }> = [];
  if (existsSync(SHARED_PLANS)) {
    for (const file of readdirSync(SHARED_PLANS)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      inputs.push({ name: file, text: readFileSync(join(SHARED_PLANS, file), 'utf8') });
    }
  } else {
    console.log(`note: ${SHARED_PLANS} is absent; measuring synthetic plans only`);
  }
  for (const size of SYNTHETIC_SIZES) inputs.push({ name: `synthetic-${size / 1000}k`, text: syntheticPlan(size) });

  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) console.log('note: run with node --expose-gc for the heap column');

  const textPlan = syntheticTextPlan(TEXT_PLAN_NODES);
  inputs.push({ name: `text-${TEXT_PLAN_NODES / 1000}k`, text: textPlan });

  const rows = inputs.map(({ name, text }) => measure(name, text, gc));
  printTable(rows);

  const text = rows[rows.length - 1];
  if (text.nodes !== TEXT_PLAN_NODES) throw new Error(`the text plan read as ${text.nodes} nodes, not ${TEXT_PLAN_NODES}`);
  const textVerdict = underTarget(`text-plan parse of ${text.nodes} nodes`, text.parseMs, TEXT_PLAN_TARGET_MS, 'ms');
  console.log(`text-plan parse of ${text.nodes} nodes: ${text.parseMs.toFixed(1)} ms, ${textVerdict}`);
  const large = rows.find((row) => row.plan === 'synthetic-50k')!;
  const rulesVerdict = underTarget(`evaluateRules on ${large.plan}`, large.rulesMs, RULES_50K_TARGET_MS, 'ms');
  console.log(
    `evaluateRules on ${large.plan} (${large.nodes} nodes, ${large.findings} findings): ${large.rulesMs.toFixed(1)} ms, ${rulesVerdict}`,
  );
}

const TEXT_PLAN_NODES = 4000;
const TEXT_PLAN_TARGET_MS = 100;
/** The rules on a 50k-node plan: the extension runs them on every explain, before the panel shows the advice. */
const RULES_50K_TARGET_MS = 300;

/**
 * A text-format plan of `size` nodes as psql prints EXPLAIN (ANALYZE, BUFFERS): an Append over
 * chains of joins, sorts and scans 20 levels deep, each node with the property lines PostgreSQL
 * writes for its type.
 */
export function syntheticTextPlan(size: number): string {
  const next = random(size + 1);
  const depth = 20;
  const lines = [' QUERY PLAN', '-'.repeat(60)];
  const actual = (loops: number) =>
    `(actual time=${(next() * 5).toFixed(3)}..${(5 + next() * 50).toFixed(3)} rows=${Math.floor(next() * 9000)} loops=${loops})`;
  const cost = () =>
    `(cost=${(next() * 100).toFixed(2)}..${(100 + next() * 9000).toFixed(2)} rows=${1 + Math.floor(next() * 9000)} width=${4 + Math.floor(next() * 100)})`;
  lines.push(` Append  ${cost()} ${actual(1)}`, '   Buffers: shared hit=9000 read=100');
  let made = 1;
  for (let chain = 0; made < size; chain++) {
    for (let level = 0; level < depth && made < size; level++, made++) {
      const pad = ' '.repeat(3 + level * 6);
      const props = ' '.repeat(3 + level * 6 + 6);
      const leaf = level === depth - 1 || made === size - 1;
      if (leaf) {
        lines.push(`${pad}->  Seq Scan on part_${chain} p${chain}  ${cost()} ${actual(1)}`);
        lines.push(
          `${props}Filter: ((status = ${chain % 10}) AND (amount > '${level}'::numeric))`,
          `${props}Rows Removed by Filter: ${Math.floor(next() * 5000)}`,
        );
      } else if (level % 3 === 0) {
        lines.push(`${pad}->  Hash Join  ${cost()} ${actual(1)}`, `${props}Hash Cond: (a${level}.id = b${level}.id)`);
      } else if (level % 3 === 1) {
        lines.push(
          `${pad}->  Sort  ${cost()} ${actual(1)}`,
          `${props}Sort Key: a${level}.created_at DESC`,
          `${props}Sort Method: quicksort  Memory: 25kB`,
        );
      } else {
        lines.push(
          `${pad}->  Index Scan using idx_${level} on t_${level} t  ${cost()} ${actual(3)}`,
          `${props}Index Cond: (id = a${level}.id)`,
        );
      }
      lines.push(`${props}Buffers: shared hit=${Math.floor(next() * 500)} read=${Math.floor(next() * 50)}`);
    }
  }
  lines.push(' Planning Time: 12.345 ms', ' Execution Time: 2345.678 ms', `(${lines.length - 2} rows)`);
  return lines.join('\n');
}

function measure(name: string, text: string, gc: (() => void) | undefined): Row {
  let nodes = 0;
  const parseTimes: number[] = [];
  const analyzeTimes: number[] = [];
  const totalTimes: number[] = [];
  const rulesTimes: number[] = [];
  let findings = 0;
  let measured = 0;
  for (let i = 0; i < WARMUP_RUNS + MAX_RUNS; i++) {
    const warmUp = i < WARMUP_RUNS;
    if (!warmUp && parseTimes.length >= MIN_RUNS && measured >= MIN_MEASURED_MS) break;
    // A large plan's garbage would be collected during the next run and charged to it; for small
    // plans a full collection before each run disturbs the timing more than it helps.
    if (text.length >= LARGE_INPUT_BYTES) gc?.();
    const t0 = performance.now();
    const raw = onePlan(text);
    const t1 = performance.now();
    const plan = analyzePlan(raw);
    const t2 = performance.now();
    findings = evaluateRules(plan).length;
    const t3 = performance.now();
    nodes = plan.nodes.length;
    if (warmUp) continue;
    parseTimes.push(t1 - t0);
    analyzeTimes.push(t2 - t1);
    totalTimes.push(t2 - t0);
    rulesTimes.push(t3 - t2);
    measured += t3 - t0;
  }

  let heapMb: number | undefined;
  if (gc) {
    gc();
    const before = process.memoryUsage().heapUsed;
    const raw = onePlan(text);
    const afterParse = process.memoryUsage().heapUsed;
    const plan = analyzePlan(raw);
    const afterAnalyze = process.memoryUsage().heapUsed;
    heapMb = (Math.max(afterParse, afterAnalyze) - before) / (1024 * 1024);
    if (plan.nodes.length !== nodes) throw new Error('the plan changed between runs');
  }

  return {
    plan: name,
    nodes,
    bytes: Buffer.byteLength(text),
    parseMs: median(parseTimes),
    analyzeMs: median(analyzeTimes),
    totalMs: median(totalTimes),
    rulesMs: median(rulesTimes),
    findings,
    heapMb,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function printTable(rows: Row[]): void {
  const header = ['plan', 'nodes', 'bytes', 'parse ms', 'analyze ms', 'total ms', 'rules ms', 'findings', 'peak heap delta MB'];
  const cells = rows.map((row) => [
    row.plan,
    String(row.nodes),
    String(row.bytes),
    row.parseMs.toFixed(2),
    row.analyzeMs.toFixed(2),
    row.totalMs.toFixed(2),
    row.rulesMs.toFixed(2),
    String(row.findings),
    row.heapMb === undefined ? 'n/a' : row.heapMb.toFixed(1),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i].length)));
  const format = (line: string[]): string =>
    line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of cells) console.log(format(line));
}

/** Deterministic pseudo-random numbers (mulberry32), so every run measures the same plans. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCANS = ['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan'];
const INNER = ['Hash Join', 'Nested Loop', 'Merge Join', 'Sort', 'Aggregate', 'Append', 'Limit', 'Materialize', 'Hash', 'Gather'];

/**
 * A plan of `size` nodes as EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) would write it. Each node hangs
 * under the previous one (deep chains) or under one of the last few or any earlier node (fan-outs).
 * Written out iteratively: JSON.stringify recurses and cannot serialise plans thousands of levels deep.
 */
function syntheticPlan(size: number): string {
  const next = random(size);
  const parent = new Int32Array(size).fill(-1);
  const children: number[][] = Array.from({ length: size }, () => []);
  for (let id = 1; id < size; id++) {
    const r = next();
    parent[id] = r < 0.45 ? id - 1 : r < 0.9 ? Math.max(0, id - 1 - Math.floor(next() * 64)) : Math.floor(next() * id);
    children[parent[id]].push(id);
  }

  const selfMs = Float64Array.from({ length: size }, () => 0.001 + next() * 0.2);
  const inclusiveMs = Float64Array.from(selfMs);
  for (let id = size - 1; id > 0; id--) inclusiveMs[parent[id]] += inclusiveMs[id];

  const pieces: string[] = [];
  const emit = (id: number, relationship: string, index: number): void => {
    const leaf = children[id].length === 0;
    const type = leaf ? SCANS[id % SCANS.length] : INNER[id % INNER.length];
    const rows = 1 + Math.floor(next() * 10000);
    const removed = Math.floor(next() * 5000);
    const hit = Math.floor(next() * 500);
    const read = Math.floor(next() * 50);
    const fields: string[] = [`"Node Type": ${JSON.stringify(type)}`];
    if (relationship === 'InitPlan') fields.push(`"Parent Relationship": "InitPlan"`, `"Subplan Name": "InitPlan ${id}"`);
    else if (relationship === 'InitPlan CTE') fields.push(`"Parent Relationship": "InitPlan"`, `"Subplan Name": "CTE c${id}"`);
    else if (id > 0) fields.push(`"Parent Relationship": ${JSON.stringify(relationship)}`);
    fields.push(`"Parallel Aware": false`, `"Async Capable": false`);
    if (leaf) fields.push(`"Relation Name": "table_${id % 97}"`, `"Alias": "t${id}"`);
    if (type.startsWith('Index')) fields.push(`"Scan Direction": "Forward"`, `"Index Name": "table_${id % 97}_pkey"`);
    if (type === 'Gather') fields.push(`"Workers Planned": 2`, `"Workers Launched": 2`);
    fields.push(
      `"Startup Cost": ${(next() * 100).toFixed(2)}`,
      `"Total Cost": ${(next() * 100000).toFixed(2)}`,
      `"Plan Rows": ${1 + Math.floor(next() * 10000)}`,
      `"Plan Width": ${4 + Math.floor(next() * 200)}`,
      `"Actual Startup Time": ${(inclusiveMs[id] * next()).toFixed(3)}`,
      `"Actual Total Time": ${inclusiveMs[id].toFixed(3)}`,
      `"Actual Rows": ${rows}`,
      `"Actual Loops": 1`,
    );
    if (leaf) {
      const reference = index === 0 && id % 7 === 0 ? ` AND (b > (InitPlan ${parent[id]}).col1)` : '';
      fields.push(`"Filter": "(a > ${id})${reference}"`, `"Rows Removed by Filter": ${removed}`);
    }
    fields.push(
      `"Shared Hit Blocks": ${hit}`,
      `"Shared Read Blocks": ${read}`,
      `"Shared Dirtied Blocks": 0`,
      `"Shared Written Blocks": 0`,
      `"Local Hit Blocks": 0`,
      `"Local Read Blocks": 0`,
      `"Local Dirtied Blocks": 0`,
      `"Local Written Blocks": 0`,
      `"Temp Read Blocks": 0`,
      `"Temp Written Blocks": 0`,
      `"I/O Read Time": ${(read * 0.01).toFixed(3)}`,
      `"I/O Write Time": 0.000`,
    );
    pieces.push(`{${fields.join(', ')}`);
  };

  // Every 50th inner node's second child becomes an InitPlan and every 80th a CTE, with a CTE Scan
  // as its sibling reading it; the references make the InitPlan and CTE corrections do real work.
  const relationshipOf = (id: number, index: number): string => {
    const p = parent[id];
    if (index === 1 && p % 50 === 0) return 'InitPlan';
    if (index === 1 && p % 80 === 0) return 'InitPlan CTE';
    return index === 0 ? 'Outer' : 'Inner';
  };

  const stack: Array<{ id: number; next: number }> = [{ id: 0, next: 0 }];
  emit(0, '', 0);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    const list = children[frame.id];
    if (frame.next < list.length) {
      const index = frame.next++;
      pieces.push(index === 0 ? `, "Plans": [` : ', ');
      const child = list[index];
      const relationship = relationshipOf(child, index);
      if (relationship === 'InitPlan CTE') {
        pieces.push(
          `{"Node Type": "CTE Scan", "Parent Relationship": "Inner", "CTE Name": "c${child}", "Actual Total Time": ${inclusiveMs[child].toFixed(3)}, "Actual Rows": 1, "Actual Loops": 1, "Plan Rows": 1}, `,
        );
      }
      emit(child, relationship, index);
      stack.push({ id: child, next: 0 });
    } else {
      pieces.push(list.length > 0 ? ']}' : '}');
      stack.pop();
    }
  }
  return `[{"Plan": ${pieces.join('')}, "Planning Time": 1.000, "Triggers": [], "Execution Time": ${inclusiveMs[0].toFixed(3)}}]`;
}

/** The one plan of a bench input, read the way users' inputs are. */
function onePlan(text: string): RawExplainResult {
  const plans = findPlans(text);
  const [found] = plans;
  if (plans.length !== 1 || !found.raw || found.error)
    throw new Error(`expected one readable plan, found ${plans.length}: ${found?.error?.message ?? ''}`);
  return found.raw;
}

/**
 * How helpful the index advice is, measured on a real PostgreSQL server with HypoPG:
 *
 *   node --import tsx bench/advice-scenarios.ts [scenario names...]
 *
 * For each scenario of bench/advice-scenarios/scenarios.ts: build its schema, time the query
 * (median of RUNS EXPLAIN ANALYZE runs after a warm-up), ask for index advice, then create the
 * suggestions for real one after another in their ranked order and time the query after each.
 * A suggestion is helpful when creating it made the query at least HELPFUL_SPEEDUP times faster,
 * useless when the planner ignores it or it gains less than USEFUL_SPEEDUP, harmful when the
 * query got slower. Needs the server named by DATABASE_URL or the PG* variables; without one it
 * says so and exits 0.
 */
import type { IndexSuggestion } from '../src/core/advice/advice-model';
import { adviseIndexes } from '../src/db/advise-indexes';
import { resolveConnection } from '../src/db/connection-config';
import { createPool, type PlanLensPool } from '../src/db/pool';
import { buildScenario, createForReal, dropScenario, planUsesIndex, timeQuery } from './advice-scenarios/scenario-runner';
import { ADVICE_SCENARIOS, type AdviceScenario } from './advice-scenarios/scenarios';

/** EXPLAIN ANALYZE runs per measurement, after one warm-up run. */
const RUNS = 3;
/** A suggestion this many times faster or more counts as helpful. */
const HELPFUL_SPEEDUP = 5;
/** Below this speed-up a created index is useless: not worth its writes and space. */
const USEFUL_SPEEDUP = 1.2;
/** Below this the query got slower: a harmful index. Leaves room for timing noise. */
const HARMFUL_SPEEDUP = 0.9;
/**
 * The target: at least this share of the scenarios an index can help sped up HELPFUL_SPEEDUP times,
 * no useless or harmful suggestion, and none at all where no index can help.
 */
const TARGET_HELPED_SHARE = 0.9;

interface SuggestionResult {
  suggestion: IndexSuggestion;
  /** Query time with this and every higher-ranked suggestion created, ms. */
  afterMs: number;
  /** Time before this one / time after it. */
  speedup: number;
  used: boolean;
}

interface ScenarioResult {
  scenario: AdviceScenario;
  beforeMs: number;
  adviceMs: number;
  suggestions: SuggestionResult[];
}

async function main(): Promise<void> {
  const connection = resolveConnection({ env: process.env });
  if (!connection) {
    console.log(
      'advice-scenarios: no PostgreSQL server configured (set DATABASE_URL or PGHOST & co., with HypoPG installed); nothing measured.',
    );
    return;
  }
  const only = process.argv.slice(2);
  const scenarios = ADVICE_SCENARIOS.filter((scenario) => only.length === 0 || only.includes(scenario.name));
  if (scenarios.length === 0) throw new Error(`no scenario named ${only.join(', ')}`);
  const pool = createPool(connection, { max: 2 });
  const started = performance.now();
  const results: ScenarioResult[] = [];
  try {
    console.log(`advice-scenarios on ${connection.describe()}: ${scenarios.length} scenarios, median of ${RUNS} runs each`);
    for (const scenario of scenarios) {
      results.push(await measureScenario(pool, scenario));
      printScenario(results[results.length - 1]!);
    }
  } finally {
    for (const scenario of scenarios) await dropScenario(pool, scenario).catch(() => undefined);
    await pool.end();
  }
  printSummary(results, performance.now() - started);
}

async function measureScenario(pool: PlanLensPool, scenario: AdviceScenario): Promise<ScenarioResult> {
  const schema = await buildScenario(pool, scenario);
  const sql = scenario.query(schema);
  const values = scenario.values;
  const before = await timeQuery(pool, sql, RUNS, values);
  const adviceStarted = performance.now();
  const suggestions = await adviseIndexes(pool, sql, before.plan, { concurrently: false, ...(values ? { values } : {}) });
  const adviceMs = performance.now() - adviceStarted;
  const measured: SuggestionResult[] = [];
  let previousMs = before.medianMs;
  // The indexes of a set (one per OR branch) only help together: they are created and timed as one.
  const done = new Set<string>();
  for (const first of suggestions) {
    if (done.has(first.id)) continue;
    const unit = first.set === undefined ? [first] : suggestions.filter((suggestion) => suggestion.set === first.set);
    for (const suggestion of unit) done.add(suggestion.id);
    const names = new Map<IndexSuggestion, string[]>();
    for (const suggestion of unit) names.set(suggestion, await createForReal(pool, suggestion));
    const after = await timeQuery(pool, sql, RUNS, values);
    for (const suggestion of unit) {
      measured.push({
        suggestion,
        afterMs: after.medianMs,
        speedup: previousMs / after.medianMs,
        used: planUsesIndex(after.plan, names.get(suggestion)!),
      });
    }
    previousMs = after.medianMs;
  }
  await dropScenario(pool, scenario);
  return { scenario, beforeMs: before.medianMs, adviceMs, suggestions: measured };
}

function isHelpful(result: SuggestionResult): boolean {
  return result.used && result.speedup >= HELPFUL_SPEEDUP;
}

function isUseless(result: SuggestionResult): boolean {
  return !result.used || result.speedup < USEFUL_SPEEDUP;
}

function isHarmful(result: SuggestionResult): boolean {
  return result.speedup < HARMFUL_SPEEDUP;
}

function printScenario(result: ScenarioResult): void {
  const { scenario } = result;
  console.log(`\n${scenario.name} (${scenario.form}${scenario.canHelp ? '' : ', no index can help'}): ${scenario.description}`);
  console.log(`  before ${ms(result.beforeMs)}; advice took ${ms(result.adviceMs)}`);
  if (result.suggestions.length === 0) console.log('  no suggestion');
  for (const measured of result.suggestions) {
    const { verification } = measured.suggestion;
    const cost =
      verification.costBefore !== undefined ? ` cost ${num(verification.costBefore)} -> ${num(verification.costAfter ?? 0)}` : '';
    const verdict = isHarmful(measured) ? 'HARMFUL' : isUseless(measured) ? 'USELESS' : isHelpful(measured) ? 'helpful' : 'modest';
    console.log(`  ${measured.suggestion.ddl}`);
    console.log(
      `    ${verification.method}${cost}; after ${ms(measured.afterMs)}, ${measured.speedup.toFixed(1)}x, ${measured.used ? 'used' : 'NOT USED'}: ${verdict}`,
    );
  }
}

function printSummary(results: ScenarioResult[], elapsedMs: number): void {
  const header = ['scenario', 'form', 'can help', 'suggestions', 'before', 'after', 'speed-up', 'verdict'];
  const rows = results.map((result) => {
    const last = result.suggestions[result.suggestions.length - 1];
    const total = last ? result.beforeMs / last.afterMs : 1;
    const verdict = scenarioVerdict(result);
    return [
      result.scenario.name,
      result.scenario.form,
      result.scenario.canHelp ? 'yes' : 'no',
      String(result.suggestions.length),
      ms(result.beforeMs),
      last ? ms(last.afterMs) : '-',
      last ? `${total.toFixed(1)}x` : '-',
      verdict,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  console.log(`\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const row of rows) console.log(line(row));

  const all = results.flatMap((result) => result.suggestions);
  const helpable = results.filter((result) => result.scenario.canHelp);
  const served = helpable.filter(
    (result) => result.suggestions.length > 0 && result.beforeMs / result.suggestions.at(-1)!.afterMs >= HELPFUL_SPEEDUP,
  );
  const badScenarios = results.filter((result) => result.suggestions.some(isUseless));
  const harmfulScenarios = results.filter((result) => result.suggestions.some(isHarmful));
  const silentNoHelp = results.filter((result) => !result.scenario.canHelp && result.suggestions.length === 0);
  console.log('');
  console.log(`suggestions made:                          ${all.length}`);
  console.log(`suggestions >= ${HELPFUL_SPEEDUP}x once created:            ${share(all.filter(isHelpful).length, all.length)}`);
  console.log(`scenarios an index can help, sped up >= ${HELPFUL_SPEEDUP}x: ${share(served.length, helpable.length)}`);
  console.log(
    `scenarios with a useless suggestion:       ${share(badScenarios.length, results.length)} (used by no plan or < ${USEFUL_SPEEDUP}x)`,
  );
  console.log(`scenarios with a harmful suggestion:       ${share(harmfulScenarios.length, results.length)}`);
  console.log(`no-help scenarios left without suggestion: ${share(silentNoHelp.length, results.length - helpable.length)}`);
  console.log(`total time:                                ${(elapsedMs / 1000).toFixed(1)} s`);
  const helpedShare = helpable.length === 0 ? 1 : served.length / helpable.length;
  // A suggestion where no index can help is useless however much it gains on paper.
  const trapsProposed = results.length - helpable.length - silentNoHelp.length;
  if (helpedShare < TARGET_HELPED_SHARE || badScenarios.length > 0 || harmfulScenarios.length > 0 || trapsProposed > 0) {
    console.log(
      `below target: >= ${Math.round(TARGET_HELPED_SHARE * 100)}% of the helpable scenarios sped up ${HELPFUL_SPEEDUP}x, ` +
        'no useless or harmful suggestion, nothing proposed where no index can help',
    );
    process.exitCode = 1;
  }
}

function scenarioVerdict(result: ScenarioResult): string {
  if (result.suggestions.some(isHarmful)) return 'HARMFUL';
  if (result.suggestions.some(isUseless)) return 'USELESS';
  if (result.suggestions.length === 0) return result.scenario.canHelp ? 'MISSED' : 'ok (nothing proposed)';
  const total = result.beforeMs / result.suggestions.at(-1)!.afterMs;
  return total >= HELPFUL_SPEEDUP ? 'helpful' : 'modest';
}

function share(part: number, whole: number): string {
  return whole === 0 ? '-' : `${part}/${whole} (${Math.round((part / whole) * 100)}%)`;
}

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

function num(value: number): string {
  return value.toFixed(value < 100 ? 2 : 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});

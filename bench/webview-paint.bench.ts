/**
 * How fast the plan webview paints, in headless Chromium on the standalone page with the
 * production bundle: from posting the showPlan message to the painted tree, for every captured
 * plan and for synthetic plans of 1k, 10k and 50k nodes; the page's JS heap once painted; and
 * the time of each interaction on the 4004- and 50k-node plans, click to paint, in the tree and
 * in the grid. The 50k-node plan
 * is also painted with its advice (the rules' findings, grouped and ranked) and with 23,000
 * per-node findings, the worst a host could send. PLAN_LENS_BENCH_PLANS=name,... paints only the
 * plans whose names contain one of them.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { analyzePlan } from '../src/core/plan';
import type { AnalyzedPlan } from '../src/core/plan/model';
import type { Finding, PlanAdvice } from '../src/core/advice/advice-model';
import { planAdvice } from '../src/core/advice/finding-ranking';
import { evaluateRules } from '../src/core/advice/rules';
import {
  PLANS_DIR,
  chromiumAvailable,
  launchChromium,
  loadPlan,
  openStandalonePage,
  postAndPaint,
  serveRepository,
  showPlanMessage,
  timeAction,
  type PageAction,
  type StandalonePage,
  type StaticServer,
} from '../test/webview/standalone-page';
import { syntheticExplain } from '../test/webview/synthetic-plans';
import { PlanIndex } from '../webview-ui/src/visible-tree';
import { underTarget } from './targets';

/** Cold pages per plan; the median is reported. */
const RUNS = 3;
const SYNTHETIC_SIZES = [1_000, 10_000, 50_000];
const INTERACTION_TARGET_MS = 100;
/** Paint target of the 50k-node plan, with or without findings. */
const LARGE_PLAN_TARGET_MS = 2000;
/** Per-node findings of the worst case: one on nearly every scan of the 50k-node plan. */
const MANY_FINDINGS = 23_000;

interface PlanCase {
  name: string;
  plan: AnalyzedPlan;
  advice?: PlanAdvice;
  /** Targets from the product's requirements, where there is one. */
  targetMs?: number;
  targetHeapMb?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function heapMb(open: StandalonePage): Promise<number> {
  const cdp = await open.page.context().newCDPSession(open.page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return (metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? 0) / 2 ** 20;
}

function planCases(): PlanCase[] {
  const cases: PlanCase[] = [];
  if (existsSync(PLANS_DIR)) {
    const files = readdirSync(PLANS_DIR)
      .filter((file) => file.endsWith('.json'))
      .sort((a, b) => statSync(join(PLANS_DIR, a)).size - statSync(join(PLANS_DIR, b)).size);
    for (const file of files) {
      const plan = loadPlan(file);
      const large = plan.nodes.length > 1000;
      cases.push({
        name: file.replace(/\.json$/, ''),
        plan,
        targetMs: large ? 500 : plan.nodes.length <= 20 ? 50 : undefined,
        targetHeapMb: large ? 60 : undefined,
      });
    }
  } else {
    console.log(`(no captured plans: ${PLANS_DIR} is absent; the repository's 4004-node plan and synthetic plans only)`);
    cases.push({ name: 'partitions-4000-n4004', plan: loadPlan('partitions-4000-n4004.json'), targetMs: 500, targetHeapMb: 60 });
  }
  for (const size of SYNTHETIC_SIZES) {
    cases.push({
      name: `synthetic-${size / 1000}k`,
      plan: analyzePlan(syntheticExplain(size)),
      targetMs: size >= 50_000 ? LARGE_PLAN_TARGET_MS : undefined,
    });
  }
  const large = cases[cases.length - 1].plan;
  const advice = planAdvice(large, evaluateRules(large));
  cases.push({ name: `synthetic-50k + ${advice.findings.length} findings`, plan: large, advice, targetMs: LARGE_PLAN_TARGET_MS });
  cases.push({
    name: `synthetic-50k + ${MANY_FINDINGS / 1000}k findings`,
    plan: large,
    advice: manyFindings(large),
    targetMs: LARGE_PLAN_TARGET_MS,
  });
  const only = (process.env.PLAN_LENS_BENCH_PLANS ?? '').split(',').filter((name) => name !== '');
  return only.length === 0 ? cases : cases.filter((c) => only.some((name) => c.name.includes(name)));
}

/** One finding on each of the first MANY_FINDINGS nodes that read a table, none grouped. */
function manyFindings(plan: AnalyzedPlan): PlanAdvice {
  const findings: Finding[] = plan.nodes
    .filter((node) => node.relation !== undefined)
    .slice(0, MANY_FINDINGS)
    .map((node, i) => ({
      ruleId: 'rows-removed-by-filter',
      severity: i % 10 === 0 ? 'warning' : 'info',
      nodeId: node.id,
      nodeIds: [node.id],
      title: `${node.label} on ${node.relation}: Filter removes most rows read`,
      explanation: 'The scan read rows only to discard them.',
      fix: 'Filter earlier.',
      remedy: 'Filter earlier.',
      impactMs: node.exclusiveMs ?? 0,
      suggestionIds: [],
    }));
  return { findings: findings.sort((a, b) => b.impactMs - a.impactMs), suggestions: [] };
}

async function firstPaint(browser: Browser, server: StaticServer, planCase: PlanCase): Promise<string[]> {
  const message = { ...showPlanMessage(planCase.plan), ...(planCase.advice ? { advice: planCase.advice } : {}) };
  const times: number[] = [];
  const heaps: number[] = [];
  let shown = '';
  for (let run = 0; run < RUNS; run++) {
    const open = await openStandalonePage(browser, server);
    times.push(await postAndPaint(open.page, message));
    heaps.push(await heapMb(open));
    shown = (await open.page.getAttribute('.tree-status', 'data-shown')) ?? '';
    await open.page.close();
  }
  const ms = median(times);
  const heap = median(heaps);
  return [
    planCase.name,
    String(planCase.plan.nodes.length),
    shown,
    ms.toFixed(1),
    underTarget(`${planCase.name}: first paint`, ms, planCase.targetMs, 'ms'),
    heap.toFixed(1),
    underTarget(`${planCase.name}: JS heap`, heap, planCase.targetHeapMb, 'MB'),
  ];
}

interface Step {
  /** Steps without a label only move the selection to where the next timed step acts. */
  label?: string;
  action: PageAction;
}

/** What a user does on a large plan, in order: each labelled step is timed from input to paint. */
function interactions(plan: AnalyzedPlan): Step[] {
  const family = plan.nodes.reduce((widest, node) => (node.childIds.length > widest.childIds.length ? node : widest));
  const { shown, grouped } = new PlanIndex(plan).family(family.id);
  const target = plan.nodes[grouped[Math.floor(grouped.length / 2)]];
  const press = (key: string, times: number): Step[] => Array.from({ length: times }, () => ({ action: { key } }));
  const toFamily = [{ action: { key: 'Home' } }, ...press('ArrowDown', family.depth)];
  return [
    // The plan may open on its hottest path, with the root out of view: Home brings it.
    { label: 'select the root (Home, details pane)', action: { key: 'Home' } },
    { label: 'arrow down (select the child)', action: { key: 'ArrowDown' } },
    { label: 'zoom in', action: { click: '.zoom-in' } },
    { label: 'zoom out', action: { click: '.zoom-out' } },
    ...toFamily,
    ...press('ArrowDown', 1),
    ...press('ArrowRight', shown.length),
    { label: `expand the group of ${grouped.length} (Shift+Enter)`, action: { key: 'Enter', shift: true } },
    { label: 'fit to view, all expanded (outlines)', action: { click: '.fit' } },
    { label: 'zoom in, all expanded', action: { click: '.zoom-in' } },
    ...toFamily,
    { label: 'regroup', action: { click: `.card[data-node-id="${family.id}"] .card-regroup` } },
    { label: 'search by relation', action: { search: target.relation ?? target.label } },
    { label: 'jump to the match in the group (Enter)', action: { key: 'Enter', on: '.search-input' } },
    { label: 'clear the search', action: { search: '' } },
    ...toFamily,
    { label: 'collapse the family (Shift+Enter)', action: { key: 'Enter', shift: true } },
    { label: 'expand the family (Shift+Enter)', action: { key: 'Enter', shift: true } },
    { label: 'switch to the grid', action: { click: '.view-grid' } },
    { label: 'grid: Home', action: { key: 'Home', on: '.grid-view' } },
    { label: 'grid: arrow down', action: { key: 'ArrowDown', on: '.grid-view' } },
    { label: 'grid: page down', action: { key: 'PageDown', on: '.grid-view' } },
    { label: 'grid: End (a node folded in the tree)', action: { key: 'End', on: '.grid-view' } },
    { label: 'grid: sort by exclusive time', action: { click: '.grid-sort[data-column="exclusive"]' } },
    { label: 'grid: sort by rows', action: { click: '.grid-sort[data-column="rows"]' } },
    { label: 'grid: back to plan order', action: { click: '.grid-sort[data-column="node"]' } },
    { label: 'switch back to the tree', action: { click: '.view-tree' } },
  ];
}

async function interact(browser: Browser, server: StaticServer, name: string, plan: AnalyzedPlan): Promise<string[][]> {
  const open = await openStandalonePage(browser, server);
  await postAndPaint(open.page, showPlanMessage(plan));
  const rows: string[][] = [];
  for (const { label, action } of interactions(plan)) {
    const ms = await timeAction(open.page, action);
    if (label) {
      rows.push([name, label, ms.toFixed(1), underTarget(`${name}: ${label}`, ms, INTERACTION_TARGET_MS, 'ms')]);
    }
  }
  rows.push([name, 'JS heap afterwards', `${(await heapMb(open)).toFixed(1)} MB`, '']);
  await open.page.close();
  return rows;
}

export async function run(): Promise<void> {
  if (!chromiumAvailable()) {
    console.log('skipped: no Chromium (set PLAN_LENS_CHROMIUM or install /usr/bin/chromium)');
    return;
  }
  const { buildWebview } = await import('../webview-ui/build.mjs');
  await buildWebview({ production: true });
  const server = await serveRepository();
  const browser = await launchChromium();
  try {
    const cases = planCases();
    const paintRows: string[][] = [];
    for (const planCase of cases) {
      paintRows.push(await firstPaint(browser, server, planCase));
    }
    console.log(`First paint: showPlan posted -> tree painted (median of ${RUNS} cold pages), JS heap after GC`);
    console.log(table(['plan', 'nodes', 'shown', 'paint ms', 'target', 'heap MB', 'target'], paintRows));

    const interactionRows: string[][] = [];
    for (const planCase of cases.filter((c) => c.name.startsWith('partitions-4000') || c.name === 'synthetic-50k')) {
      interactionRows.push(...(await interact(browser, server, planCase.name, planCase.plan)));
    }
    console.log('\nInteractions: input -> painted');
    console.log(table(['plan', 'interaction', 'ms', 'target'], interactionRows));
  } finally {
    await browser.close();
    await server.close();
  }
}

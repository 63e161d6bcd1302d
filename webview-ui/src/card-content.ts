/**
 * The text of a card, decided once for both the layout (which measures it) and the renderer
 * (which draws it). Only formatting here: every number comes from the analysed plan.
 */
import type { AnalyzedPlan, PlanNode } from '../../src/core/plan/model';
import { nodeName, ranOnText, tasksShownText } from '../../src/core/plan/node-label';
import type { HighlightMetric } from '../../src/protocol';
// The card flags a misestimate from where the row-misestimate rule starts to report one.
import { MISESTIMATE_INFO_FACTOR } from '../../src/core/advice/rules/row-misestimate';
import { formatCompact, formatCost, formatCostRange, formatFactor, formatMs, formatNumber, formatPercent } from '../../src/core/format';

/** Heat levels by share of total time: the hottest nodes stand out before anything is read. */
const HEAT_THRESHOLDS = [0.02, 0.1, 0.25, 0.5];

export type Heat = 0 | 1 | 2 | 3 | 4;

export function heatOf(share: number | undefined): Heat {
  let heat = 0;
  for (const threshold of HEAT_THRESHOLDS) {
    if ((share ?? 0) >= threshold) {
      heat++;
    }
  }
  return heat as Heat;
}

const SHARE_LEGEND = ['<2%', '2–10%', '10–25%', '25–50%', '≥50%'];

/** Heat levels of a misestimate, from where the row-misestimate rule starts to report one. */
const MISESTIMATE_HEAT_FACTORS = [MISESTIMATE_INFO_FACTOR, 100, 1000, 10_000];

function heatOfFactor(factor: number | undefined): Heat {
  return MISESTIMATE_HEAT_FACTORS.filter((threshold) => (factor ?? 1) >= threshold).length as Heat;
}

const shareOf = (value: number | undefined, max: number) => (value !== undefined && max > 0 ? value / max : undefined);

const sharedBlocks = (node: PlanNode) =>
  node.buffers && node.buffers.sharedHit + node.buffers.sharedRead + node.buffers.sharedDirtied + node.buffers.sharedWritten;

/** What the cards can highlight: the heat of a node by each measure, and the legend that explains it. */
export const HIGHLIGHTS: ReadonlyArray<{
  metric: HighlightMetric;
  label: string;
  /** The legend's title. */
  legendLabel: string;
  /** One text per heat level, 0 to 4. */
  legend: readonly string[];
  heat(node: PlanNode, plan: AnalyzedPlan): Heat;
}> = [
  {
    metric: 'exclusive',
    label: 'Exclusive time',
    legendLabel: 'Exclusive time',
    legend: SHARE_LEGEND,
    heat: (node) => heatOf(node.exclusiveShare),
  },
  {
    metric: 'rows',
    label: 'Rows',
    legendLabel: 'Rows, of the most',
    legend: SHARE_LEGEND,
    heat: (node, plan) =>
      plan.analyzed
        ? heatOf(shareOf(node.actualRowsTotal, plan.maxima.actualRowsTotal))
        : heatOf(shareOf(node.planRowsTotal, plan.maxima.planRowsTotal)),
  },
  {
    metric: 'misestimate',
    label: 'Misestimate',
    legendLabel: 'Estimate off by',
    legend: ['<×10', '×10', '×100', '×1000', '≥×10k'],
    heat: (node) => (node.stoppedEarly ? 0 : heatOfFactor(node.misestimate?.factor)),
  },
  {
    metric: 'cost',
    label: 'Cost',
    legendLabel: 'Total cost, of the root',
    legend: SHARE_LEGEND,
    heat: (node, plan) => heatOf(shareOf(node.totalCost, plan.maxima.totalCost)),
  },
  {
    metric: 'buffers',
    label: 'Buffers',
    legendLabel: 'Shared blocks, of the most',
    legend: SHARE_LEGEND,
    heat: (node, plan) => heatOf(shareOf(sharedBlocks(node), plan.maxima.sharedBlocks)),
  },
];

export function highlightOf(metric: HighlightMetric | undefined): (typeof HIGHLIGHTS)[number] {
  return HIGHLIGHTS.find((highlight) => highlight.metric === metric) ?? HIGHLIGHTS[0];
}

export interface CardContent {
  title: string;
  /** What the node works on (relation, index, CTE) or, failing that, its key condition. */
  subtitle: string;
  /** Exclusive time, for analysed plans. */
  time?: { text: string; share: number };
  /** Cost, for estimate-only plans. */
  cost?: string;
  rows: string;
  misestimate?: { text: string; direction: 'under' | 'over' };
  /** Quieter facts after the rows: loops, a Limit stopping the node early. */
  notes: string[];
  neverExecuted: boolean;
  heat: Heat;
  /** A node that ran on another server (Citus): where, for the REMOTE_TEXT badge's tooltip. */
  remote?: string;
}

/** The badge on the cards and grid rows of nodes that ran on another server. */
export const REMOTE_TEXT = 'remote';

/** Raw keys worth a glance on a node that works on no relation, in order of preference. */
const SUBTITLE_KEYS = ['Hash Cond', 'Merge Cond', 'Join Filter', 'Sort Key', 'Group Key', 'Index Cond', 'Filter', 'Recheck Cond'];

/** What a node works on, as PostgreSQL's text format says it: "using idx on products p", "on orders". */
export function nodeTarget(node: PlanNode): string {
  const alias = node.alias && node.alias !== node.relation ? ` ${node.alias}` : '';
  if (node.relation) {
    return node.index ? `using ${node.index} on ${node.relation}${alias}` : `on ${node.relation}${alias}`;
  }
  if (node.index) {
    return `using ${node.index}`;
  }
  if (node.cteName) {
    return `on ${node.cteName}${alias}`;
  }
  if (node.functionName) {
    return `on ${node.functionName}${alias}`;
  }
  return '';
}

function subtitleOf(node: PlanNode, analyzed: boolean): string {
  const parts: string[] = [];
  if (node.subplanName) {
    parts.push(node.subplanName);
  }
  if (node.tasks) {
    parts.push(tasksShownText(node.tasks));
  }
  const onWhat = nodeTarget(node);
  if (onWhat) {
    parts.push(onWhat);
  } else if (node.workersPlanned !== undefined) {
    parts.push(
      node.workersLaunched !== undefined
        ? `${node.workersLaunched} of ${node.workersPlanned} workers launched`
        : `${node.workersPlanned} workers planned`,
    );
  } else {
    const raw = node.raw as Record<string, unknown>;
    const key = SUBTITLE_KEYS.find((k) => raw[k] !== undefined);
    if (key) {
      const value = raw[key];
      parts.push(`${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
    }
  }
  if (parts.length === 0 && analyzed) {
    // PostgreSQL's text format shows the cost on every line; every node has one. (An estimate-only
    // card shows it below anyway.)
    return `cost ${formatCostRange(node.startupCost, node.totalCost)}`;
  }
  return parts.join(' · ');
}

/** "Index Scan using idx on products p": a node in one line, as PostgreSQL's text format names it. */
export function describeNode(node: PlanNode, plan: AnalyzedPlan): CardContent {
  const neverExecuted = plan.analyzed && !node.executed;
  const content: CardContent = {
    title: node.label,
    subtitle: subtitleOf(node, plan.analyzed),
    rows: '',
    notes: [],
    neverExecuted,
    heat: heatOf(node.exclusiveShare),
  };
  if (node.remote) {
    content.remote = ranOnText(node.remote);
  }
  if (plan.analyzed) {
    content.time = {
      text: `${formatMs(node.exclusiveMs ?? 0)} · ${formatPercent(node.exclusiveShare ?? 0)}`,
      share: node.exclusiveShare ?? 0,
    };
  } else {
    content.cost = `cost ${formatCostRange(node.startupCost, node.totalCost)}`;
  }
  if (neverExecuted) {
    content.rows = 'never executed';
  } else if (node.actualRowsTotal !== undefined) {
    content.rows = `${formatCompact(node.actualRowsTotal)} rows of ${formatCompact(node.planRowsTotal)} est.`;
  } else {
    content.rows = `${formatCompact(node.planRowsTotal)} rows est.`;
  }
  if (!neverExecuted && node.misestimate && node.misestimate.factor >= MISESTIMATE_INFO_FACTOR && node.misestimate.direction !== 'exact') {
    content.misestimate = {
      text: `${formatFactor(node.misestimate.factor)} ${node.misestimate.direction}`,
      direction: node.misestimate.direction,
    };
  }
  if (node.loops > 1) {
    content.notes.push(`${formatCompact(node.loops)} loops`);
  }
  if (node.stoppedEarly) {
    // Fewer rows than estimated, by design: the badge would cry wolf, so say why instead.
    content.notes.push('stopped by a Limit');
  }
  return content;
}

/** What a group of folded siblings amounts to: how many, of what, and their time and rows together. */
export function describeGroup(memberIds: readonly number[], plan: AnalyzedPlan): CardContent {
  const labels = new Map<string, number>();
  let inclusiveMs = 0;
  let rows = 0;
  let totalCost = 0;
  for (const id of memberIds) {
    const node = plan.nodes[id];
    labels.set(node.label, (labels.get(node.label) ?? 0) + 1);
    inclusiveMs += node.inclusiveMs ?? 0;
    rows += node.actualRowsTotal ?? node.planRowsTotal;
    totalCost += node.totalCost;
  }
  const byCount = [...labels].sort((a, b) => b[1] - a[1]);
  const what = byCount.length === 1 ? `${byCount[0][0]} nodes` : byCount.map(([label, n]) => `${label} ×${n}`).join(', ');
  const share = plan.totalMs ? inclusiveMs / plan.totalMs : 0;
  return {
    title: `+${memberIds.length} more`,
    subtitle: what,
    time: plan.analyzed ? { text: `${formatMs(inclusiveMs)} · ${formatPercent(share)} in all`, share } : undefined,
    cost: plan.analyzed ? undefined : `cost ${formatCost(totalCost)} in all`,
    rows: `${formatCompact(rows)} rows${plan.analyzed ? '' : ' est.'} in all`,
    notes: [],
    neverExecuted: false,
    heat: heatOf(share),
  };
}

/** A card's tooltip: the node in one line, then its times, rows and loops, in full. */
export function cardTooltip(node: PlanNode, plan: AnalyzedPlan): string {
  const lines = [node.subplanName ? `${node.subplanName}: ${nodeName(node)}` : nodeName(node)];
  if (node.remote) {
    lines.push(ranOnText(node.remote));
  }
  if (node.tasks) {
    lines.push(`Citus: ${tasksShownText(node.tasks)}`);
  }
  if (plan.analyzed && node.inclusiveMs !== undefined) {
    lines.push(
      `Exclusive ${formatMs(node.exclusiveMs ?? 0)} (${formatPercent(node.exclusiveShare ?? 0)}) · inclusive ${formatMs(node.inclusiveMs)}`,
    );
  }
  lines.push(`Cost ${formatCostRange(node.startupCost, node.totalCost)}`);
  if (plan.analyzed && !node.executed) {
    lines.push('Never executed');
  } else if (node.actualRowsTotal !== undefined) {
    const off =
      node.misestimate && node.misestimate.direction !== 'exact'
        ? ` (${formatFactor(node.misestimate.factor)} ${node.misestimate.direction})`
        : '';
    lines.push(`Rows ${formatNumber(node.actualRowsTotal)} of ${formatNumber(node.planRowsTotal)} estimated${off}`);
  } else {
    lines.push(`Rows ${formatNumber(node.planRowsTotal)} estimated`);
  }
  if (node.loops > 1) {
    lines.push(`Loops ${formatNumber(node.loops)}`);
  }
  return lines.join('\n');
}

/** A group card's tooltip: what its card says, on separate lines. */
export function describeGroupTooltip(content: CardContent): string {
  return [`${content.title}: ${content.subtitle}`, content.time?.text ?? content.cost ?? '', content.rows].filter(Boolean).join('\n');
}

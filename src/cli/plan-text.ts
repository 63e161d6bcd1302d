/**
 * The terminal view of an analysed plan: an indented tree, one node a line, with the numbers a
 * reader needs to see where the time went and what the planner misjudged.
 */
import type { AnalyzedPlan, PlanNode } from '../core/plan/model';

export interface TextStyle {
  bold(text: string): string;
  dim(text: string): string;
  hot(text: string): string;
  warn(text: string): string;
}

const ANSI = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
export const COLOR_STYLE: TextStyle = { bold: ANSI('1'), dim: ANSI('2'), hot: ANSI('31;1'), warn: ANSI('33') };
export const PLAIN_STYLE: TextStyle = { bold: (t) => t, dim: (t) => t, hot: (t) => t, warn: (t) => t };

/** Shares at or above this are drawn as hot: they are where a reader should look first. */
const HOT_SHARE = 0.25;
/** Misestimates at or above this factor are flagged, as the planner's choices start to go wrong there. */
const MISESTIMATE_FLAG = 10;

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function formatShare(share: number | undefined): string {
  return share === undefined ? '' : `${(share * 100).toFixed(1)}%`;
}

function nodeTitle(node: PlanNode): string {
  let title = node.label;
  if (node.index) title += ` using ${node.index}`;
  if (node.relation) {
    const name = node.schema && node.schema !== 'public' ? `${node.schema}.${node.relation}` : node.relation;
    title += ` on ${name}`;
    if (node.alias && node.alias !== node.relation) title += ` ${node.alias}`;
  } else if (node.cteName) {
    title += ` on ${node.cteName}`;
  } else if (node.functionName) {
    title += ` on ${node.functionName}`;
  }
  if (node.subplanName) title = `${node.subplanName}: ${title}`;
  return title;
}

function nodeMetrics(plan: AnalyzedPlan, node: PlanNode, style: TextStyle): string {
  if (!plan.analyzed) {
    return style.dim(`cost ${node.startupCost.toFixed(2)}..${node.totalCost.toFixed(2)}  est ${formatCount(node.planRowsTotal)} rows`);
  }
  if (!node.executed) return style.dim('never executed');
  const parts: string[] = [];
  const share = formatShare(node.exclusiveShare);
  const self = `self ${formatMs(node.exclusiveMs)}${share ? ` ${share}` : ''}`;
  parts.push((node.exclusiveShare ?? 0) >= HOT_SHARE ? style.hot(self) : self);
  parts.push(`total ${formatMs(node.inclusiveMs)}`);
  let rows = `rows ${formatCount(node.actualRowsTotal ?? 0)} of ${formatCount(node.planRowsTotal)} est`;
  if (node.misestimate && node.misestimate.factor >= MISESTIMATE_FLAG) {
    rows += style.warn(` (x${formatCount(node.misestimate.factor)} ${node.misestimate.direction}estimated)`);
  }
  parts.push(rows);
  if (node.loops !== 1) parts.push(`loops ${formatCount(node.loops)}`);
  if (node.removedRatio !== undefined && node.removedRatio >= 0.5) {
    parts.push(style.warn(`${(node.removedRatio * 100).toFixed(0)}% of rows removed by filter`));
  }
  return parts.join('  ');
}

export function renderPlanText(plan: AnalyzedPlan, style: TextStyle = PLAIN_STYLE): string {
  const lines: string[] = [];
  // Iterative preorder walk: plans can be thousands of levels deep or wide.
  const stack: Array<{ id: number; prefix: string; isLast: boolean; isRoot: boolean }> = [
    { id: 0, prefix: '', isLast: true, isRoot: true },
  ];
  while (stack.length > 0) {
    const { id, prefix, isLast, isRoot } = stack.pop()!;
    const node = plan.nodes[id];
    const branch = isRoot ? '' : isLast ? '└─ ' : '├─ ';
    lines.push(`${prefix}${branch}${style.bold(nodeTitle(node))}  ${nodeMetrics(plan, node, style)}`);
    const childPrefix = isRoot ? '' : prefix + (isLast ? '   ' : '│  ');
    for (let i = node.childIds.length - 1; i >= 0; i--) {
      stack.push({ id: node.childIds[i], prefix: childPrefix, isLast: i === node.childIds.length - 1, isRoot: false });
    }
  }
  lines.push('');
  if (plan.planningMs !== undefined) lines.push(`Planning time:  ${formatMs(plan.planningMs)}`);
  if (plan.executionMs !== undefined) lines.push(`Execution time: ${formatMs(plan.executionMs)}`);
  for (const trigger of plan.triggers) {
    lines.push(`Trigger ${trigger.name}${trigger.relation ? ` on ${trigger.relation}` : ''}: ${formatMs(trigger.timeMs)} (${formatCount(trigger.calls)} calls)`);
  }
  if (plan.jit) lines.push(`JIT: ${plan.jit.functions} functions, ${formatMs(plan.jit.totalMs)}`);
  if (!plan.analyzed) lines.push(style.dim('Estimates only: the statement was planned, not run.'));
  return lines.join('\n');
}

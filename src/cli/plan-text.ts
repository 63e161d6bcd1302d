/**
 * The terminal view of an analysed plan: an indented tree, one node a line, with the numbers a
 * reader needs to see where the time went and what the planner misjudged.
 */
import { VERIFICATION_METHOD_NAMES, type IndexSuggestion, type PlanAdvice, type Severity } from '../core/advice/advice-model';
import { MISESTIMATE_INFO_FACTOR } from '../core/advice/rules/row-misestimate';
import type { AnalyzedPlan, PlanNode } from '../core/plan/model';
import { formatChange, formatCostRange, formatCount, formatFactor, formatMs, formatPercent } from '../core/format';
import { nodeName } from '../core/plan/node-label';

export interface TextStyle {
  bold(text: string): string;
  dim(text: string): string;
  hot(text: string): string;
  warn(text: string): string;
}

const ANSI = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
export const COLOR_STYLE: TextStyle = { bold: ANSI('1'), dim: ANSI('2'), hot: ANSI('31;1'), warn: ANSI('33') };
export const PLAIN_STYLE: TextStyle = { bold: (t) => t, dim: (t) => t, hot: (t) => t, warn: (t) => t };

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from a plan or an input with its control characters written as \uXXXX, so it cannot steer the terminal. */
export function visibleControls(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Levels drawn with tree lines; deeper nodes keep this indentation and name their level, so a line never grows with depth. */
export const MAX_DRAWN_DEPTH = 48;

/** Shares at or above this are drawn as hot: they are where a reader should look first. */
const HOT_SHARE = 0.25;

function formatShare(share: number | undefined): string {
  return share === undefined ? '' : formatPercent(share);
}

/** Times are absent with EXPLAIN (ANALYZE, TIMING OFF). */
function timeText(ms: number | undefined): string {
  return ms === undefined ? '-' : formatMs(ms);
}

function nodeTitle(node: PlanNode): string {
  const name = nodeName(node);
  return visibleControls(node.subplanName ? `${node.subplanName}: ${name}` : name);
}

function nodeMetrics(plan: AnalyzedPlan, node: PlanNode, style: TextStyle): string {
  if (!plan.analyzed) {
    return style.dim(`cost ${formatCostRange(node.startupCost, node.totalCost)}  est ${formatCount(node.planRowsTotal)} rows`);
  }
  if (!node.executed) return style.dim('never executed');
  const parts: string[] = [];
  const share = formatShare(node.exclusiveShare);
  const self = `self ${timeText(node.exclusiveMs)}${share ? ` ${share}` : ''}`;
  parts.push((node.exclusiveShare ?? 0) >= HOT_SHARE ? style.hot(self) : self);
  parts.push(`total ${timeText(node.inclusiveMs)}`);
  let rows = `rows ${formatCount(node.actualRowsTotal ?? 0)} of ${formatCount(node.planRowsTotal)} est`;
  if (node.misestimate && node.misestimate.factor >= MISESTIMATE_INFO_FACTOR) {
    rows += style.warn(` (${formatFactor(node.misestimate.factor)} ${node.misestimate.direction}estimated)`);
  }
  parts.push(rows);
  if (node.loops !== 1) parts.push(`loops ${formatCount(node.loops)}`);
  if (node.removedRatio !== undefined && node.removedRatio >= 0.5) {
    parts.push(style.warn(`${formatPercent(node.removedRatio)} of rows removed by filter`));
  }
  return parts.join('  ');
}

export function renderPlanText(plan: AnalyzedPlan, style: TextStyle = PLAIN_STYLE): string {
  const lines: string[] = [];
  // Iterative preorder walk: plans can be thousands of levels deep or wide.
  const stack: Array<{ id: number; prefix: string; isLast: boolean; depth: number }> = [{ id: 0, prefix: '', isLast: true, depth: 0 }];
  while (stack.length > 0) {
    const { id, prefix, isLast, depth } = stack.pop()!;
    const node = plan.nodes[id];
    const branch = depth === 0 ? '' : isLast ? '└─ ' : '├─ ';
    const level = depth > MAX_DRAWN_DEPTH ? style.dim(`[level ${depth}] `) : '';
    lines.push(`${prefix}${branch}${level}${style.bold(nodeTitle(node))}  ${nodeMetrics(plan, node, style)}`);
    const childPrefix = depth === 0 || depth >= MAX_DRAWN_DEPTH ? prefix : prefix + (isLast ? '   ' : '│  ');
    for (let i = node.childIds.length - 1; i >= 0; i--) {
      stack.push({ id: node.childIds[i], prefix: childPrefix, isLast: i === node.childIds.length - 1, depth: depth + 1 });
    }
  }
  lines.push('');
  if (plan.planningMs !== undefined) lines.push(`Planning time:  ${formatMs(plan.planningMs)}`);
  if (plan.executionMs !== undefined) lines.push(`Execution time: ${formatMs(plan.executionMs)}`);
  for (const trigger of plan.triggers) {
    const on = trigger.relation ? ` on ${trigger.relation}` : '';
    lines.push(visibleControls(`Trigger ${trigger.name}${on}: ${formatMs(trigger.timeMs)} (${formatCount(trigger.calls)} calls)`));
  }
  if (plan.jit) lines.push(`JIT: ${plan.jit.functions} functions, ${formatMs(plan.jit.totalMs)}`);
  if (!plan.analyzed) lines.push(style.dim('Estimates only: the statement was planned, not run.'));
  return lines.join('\n');
}

const SEVERITY_MARK: Record<Severity, string> = { critical: 'critical', warning: 'warning ', info: 'info    ' };

function describeVerification(suggestion: IndexSuggestion): string {
  const { method, costBefore, costAfter, usedByPlanner, note } = suggestion.verification;
  if (method !== 'unverified' && costBefore !== undefined && costAfter !== undefined) {
    const change = formatChange(costBefore, costAfter);
    const drop = change ? ` (${change})` : '';
    return `verified with ${VERIFICATION_METHOD_NAMES[method]}: estimated cost ${formatCount(costBefore)} -> ${formatCount(costAfter)}${drop}${usedByPlanner ? ', the planner uses it' : ''}`;
  }
  return `unverified${note ? `: ${note}` : ''}`;
}

/** Findings by time at stake, then the index suggestions with their DDL, as the text report's tail. */
export function renderAdviceText(plan: AnalyzedPlan, advice: PlanAdvice, style: TextStyle = PLAIN_STYLE): string {
  const lines: string[] = [];
  if (advice.headline) lines.push(advice.headline.status === 'within' ? advice.headline.text : style.warn(advice.headline.text));
  if (advice.fixFirst) lines.push(style.bold(advice.fixFirst.text));
  if (lines.length > 0) lines.push('');
  if (advice.findings.length > 0) {
    lines.push(style.bold(`Findings (${advice.findings.length}, largest time at stake first):`));
    for (const finding of advice.findings) {
      const where =
        finding.nodeId === null
          ? 'plan'
          : `#${finding.nodeId} ${nodeTitle(plan.nodes[finding.nodeId])}${finding.nodeIds.length > 1 ? ` and ${finding.nodeIds.length - 1} more nodes` : ''}`;
      const mark = finding.severity === 'critical' ? style.hot(SEVERITY_MARK.critical) : finding.severity === 'warning' ? style.warn(SEVERITY_MARK.warning) : SEVERITY_MARK.info;
      lines.push(`  ${mark}  ${visibleControls(finding.title)}  ${style.dim(`[${finding.ruleId}, ~${formatMs(finding.impactMs)}, ${where}]`)}`);
      lines.push(`            Fix: ${visibleControls(finding.fix)}`);
    }
  } else {
    lines.push('No findings.');
  }
  if (advice.suggestions.length > 0) {
    lines.push('', style.bold(`Index suggestions (${advice.suggestions.length}):`));
    for (const suggestion of advice.suggestions) {
      lines.push(`  ${visibleControls(suggestion.ddl)}`);
      lines.push(style.dim(`    ${visibleControls(suggestion.reason)}`));
      lines.push(style.dim(`    ${describeVerification(suggestion)}`));
    }
  }
  return lines.join('\n');
}

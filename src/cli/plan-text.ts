/**
 * The terminal view of an analysed plan: an indented tree, one node a line, with the numbers a
 * reader needs to see where the time went and what the planner misjudged.
 */
import { VERIFICATION_METHOD_NAMES, type IndexSuggestion, type PlanAdvice, type Severity } from '../core/advice/advice-model';
import { MISESTIMATE_INFO_FACTOR } from '../core/advice/rules/row-misestimate';
import type { RawPlanNode } from '../core/plan/explain-json';
import type { AnalyzedPlan, PlanNode } from '../core/plan/model';
import { formatChange, formatCostRange, formatCount, formatFactor, formatKb, formatMs, formatPercent, formatRows } from '../core/format';
import { nodeName } from '../core/plan/node-label';
import { countPlanNodes, planTimeMs, statementExcerpt, type FoundPlan } from '../core/plan/find-plans';

export interface TextStyle {
  bold(text: string): string;
  dim(text: string): string;
  hot(text: string): string;
  warn(text: string): string;
}

const ANSI = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
export const COLOR_STYLE: TextStyle = { bold: ANSI('1'), dim: ANSI('2'), hot: ANSI('31;1'), warn: ANSI('33') };
export const PLAIN_STYLE: TextStyle = { bold: (t) => t, dim: (t) => t, hot: (t) => t, warn: (t) => t };

const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from a plan or an input with its control characters written as \uXXXX, so it cannot steer the terminal. */
export function visibleControls(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Levels drawn with tree lines; deeper nodes keep this indentation and name their level, so a line never grows with depth. */
export const MAX_DRAWN_DEPTH = 48;

export type ColorChoice = 'auto' | 'always' | 'never';

/**
 * The style for `--color`: "auto" colours a terminal unless NO_COLOR is set (no-color.org), and
 * FORCE_COLOR (any value but 0 or false) colours even a pipe.
 */
export function chooseStyle(choice: ColorChoice, isTty: boolean, env: NodeJS.ProcessEnv): TextStyle {
  if (choice === 'always') return COLOR_STYLE;
  if (choice === 'never') return PLAIN_STYLE;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return COLOR_STYLE;
  return isTty && !env.NO_COLOR ? COLOR_STYLE : PLAIN_STYLE;
}

/** Columns long lines wrap at: the terminal's width, else 100. */
export function terminalWidth(columns: number | undefined): number {
  return columns && columns >= 40 ? columns : 100;
}

/** Shares at or above this are drawn as hot: they are where a reader should look first. */
const HOT_SHARE = 0.25;

function formatShare(share: number | undefined): string {
  return share === undefined ? '' : formatPercent(share);
}

/** Times are absent with EXPLAIN (ANALYZE, TIMING OFF). */
function timeText(ms: number | undefined): string {
  return ms === undefined ? '-' : formatMs(ms);
}

/** "#11 InitPlan 1: Seq Scan on t". */
function nodeTitle(node: PlanNode): string {
  const name = nodeName(node);
  const title = node.subplanName ? `${node.subplanName}: ${name}` : name;
  return visibleControls(`#${node.id} ${title}`);
}

const CONDITIONS = ['Index Cond', 'Recheck Cond', 'Hash Cond', 'Merge Cond', 'Join Filter', 'Filter', 'One-Time Filter', 'Cache Key'];

/** The node's conditions, sort and hash details and buffers: what explain.depesz.com shows under each node. */
function nodeDetails(node: PlanNode): string[] {
  const raw = node.raw as RawPlanNode;
  const lines: string[] = [];
  for (const key of CONDITIONS) if (typeof raw[key] === 'string') lines.push(`${key}: ${raw[key] as string}`);
  if (Array.isArray(raw['Sort Key'])) {
    const method = raw['Sort Method']
      ? `  (${raw['Sort Method']}${raw['Sort Space Used'] !== undefined ? `, ${raw['Sort Space Type']} ${formatKb(raw['Sort Space Used'])}` : ''})`
      : '';
    lines.push(`Sort Key: ${raw['Sort Key'].join(', ')}${method}`);
  }
  if (raw['Hash Batches'] !== undefined) {
    const grew =
      raw['Original Hash Batches'] !== undefined && raw['Original Hash Batches'] !== raw['Hash Batches']
        ? ` (planned ${raw['Original Hash Batches']})`
        : '';
    const memory = raw['Peak Memory Usage'] !== undefined ? `, memory ${formatKb(raw['Peak Memory Usage'])}` : '';
    lines.push(`Hash: ${formatCount(raw['Hash Buckets'] ?? 0)} buckets, ${raw['Hash Batches']} batches${grew}${memory}`);
  }
  if (raw['HashAgg Batches'] !== undefined)
    lines.push(`HashAgg: ${raw['HashAgg Batches']} batches${raw['Disk Usage'] ? `, disk ${formatKb(raw['Disk Usage'])}` : ''}`);
  const b = node.buffers;
  if (b && b.sharedHit + b.sharedRead + b.sharedDirtied + b.sharedWritten + b.tempRead + b.tempWritten > 0) {
    const parts = [`shared hit ${formatCount(b.sharedHit)}`, `read ${formatCount(b.sharedRead)}`];
    if (b.sharedDirtied) parts.push(`dirtied ${formatCount(b.sharedDirtied)}`);
    if (b.sharedWritten) parts.push(`written ${formatCount(b.sharedWritten)}`);
    if (b.tempRead || b.tempWritten) parts.push(`temp read ${formatCount(b.tempRead)} written ${formatCount(b.tempWritten)}`);
    lines.push(`Buffers: ${parts.join(', ')}`);
  }
  return lines;
}

/** `text` broken at spaces into lines of at most `width` columns; the first starts with `first`, the rest with `rest`. */
export function wrap(text: string, width: number, first: string, rest: string): string[] {
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > width) {
      out.push(line);
      line = rest + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  out.push(line);
  return out;
}

/** A value of the numeric columns, right-aligned; `paint` colours it after padding, so colour never shifts a column. */
interface Cell {
  text: string;
  paint?: (text: string) => string;
}

/**
 * The numeric columns at the left of every node line, as explain.depesz.com's table: with ANALYZE,
 * exclusive time and its share, inclusive time, rows per loop and the estimate per loop (as
 * PostgreSQL prints both), the misestimate, loops; without, the cost range and the row estimate.
 */
const ANALYZE_COLUMNS = ['exclusive', '%', 'inclusive', 'rows', 'est', 'misest.', 'loops'];
const ESTIMATE_COLUMNS = ['cost', 'est rows'];

function nodeCells(plan: AnalyzedPlan, node: PlanNode, style: TextStyle): Cell[] {
  if (!plan.analyzed) return [{ text: formatCostRange(node.startupCost, node.totalCost) }, { text: formatCount(node.planRows) }];
  const estimate = { text: formatCount(node.planRows) };
  if (!node.executed)
    return [{ text: '' }, { text: '' }, { text: '' }, { text: '' }, estimate, { text: '' }, { text: formatCount(node.loops) }];
  const hot = (node.exclusiveShare ?? 0) >= HOT_SHARE ? style.hot : undefined;
  const misestimate =
    node.misestimate && node.misestimate.factor >= MISESTIMATE_INFO_FACTOR
      ? { text: `${formatFactor(node.misestimate.factor)} ${node.misestimate.direction}`, paint: style.warn }
      : { text: '' };
  return [
    { text: timeText(node.exclusiveMs), paint: hot },
    { text: formatShare(node.exclusiveShare), paint: hot },
    { text: timeText(node.inclusiveMs) },
    { text: formatRows(node.actualRows ?? 0) },
    estimate,
    misestimate,
    { text: formatCount(node.loops) },
  ];
}

/** One line of the tree view before layout: a node line has cells, a detail line none. */
interface TreeRow {
  cells?: Cell[];
  /** Tree drawing before the text, on its first line and on the lines it wraps to. */
  lead: string;
  rest: string;
  text: string;
  paint?: (text: string) => string;
  leadPaint?: (text: string) => string;
}

/** Text after the tree drawing keeps at least this many columns, however deep the node or narrow the terminal. */
const MIN_TREE_TEXT = 40;

/**
 * The rows laid out: the cells right-aligned in columns of one width each (the widest value or the
 * header), a header naming them, the tree after them at the same column on every line; text wraps
 * to `width` with continuation lines under the tree column.
 */
function layoutRows(rows: TreeRow[], names: string[], style: TextStyle, width: number): string[] {
  const widths = names.map((name) => name.length);
  for (const row of rows) row.cells?.forEach((cell, j) => (widths[j] = Math.max(widths[j], cell.text.length)));
  const columns = (cells: Cell[]) =>
    cells
      .map((cell, j) => {
        const padded = cell.text.padStart(widths[j]);
        return cell.paint ? cell.paint(padded) : padded;
      })
      .join('  ') + '  ';
  const gutter = widths.reduce((sum, w) => sum + w + 2, 0);
  const blank = ' '.repeat(gutter);
  const lines = [style.dim(`${names.map((name, j) => name.padStart(widths[j])).join('  ')}  node`)];
  for (const row of rows) {
    const treeWidth = Math.max(width - gutter, row.rest.length + MIN_TREE_TEXT);
    const leadPaint = row.leadPaint ?? ((text: string) => text);
    const paint = row.paint ?? ((text: string) => text);
    wrap(row.text, treeWidth, row.lead, row.rest).forEach((line, i) => {
      const lead = i === 0 ? row.lead : row.rest;
      const left = i === 0 && row.cells ? columns(row.cells) : blank;
      lines.push(`${left}${leadPaint(lead)}${paint(line.slice(lead.length))}`.trimEnd());
    });
  }
  return lines;
}

export function renderPlanText(plan: AnalyzedPlan, style: TextStyle = PLAIN_STYLE, width = 100, advice?: PlanAdvice): string {
  const lines: string[] = [];
  // What to look at before the tree: the target and the finding whose fix saves the most.
  if (advice?.headline) lines.push(advice.headline.status === 'within' ? advice.headline.text : style.warn(advice.headline.text));
  if (advice?.fixFirst)
    lines.push(...wrap(visibleControls(advice.fixFirst.text), width, '', '  ').map((line, i) => (i === 0 ? style.bold(line) : line)));
  if (advice?.headline || advice?.fixFirst) lines.push('');
  lines.push(...renderTree(plan, style, width));
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

/** The tree lines under their column header. */
function renderTree(plan: AnalyzedPlan, style: TextStyle, width: number): string[] {
  return layoutRows(treeRows(plan, style), plan.analyzed ? ANALYZE_COLUMNS : ESTIMATE_COLUMNS, style, width);
}

/** The tree's rows in preorder (Citus tasks and their remote plans are ordinary nodes of it). */
function treeRows(plan: AnalyzedPlan, style: TextStyle): TreeRow[] {
  const rows: TreeRow[] = [];
  // Iterative preorder walk: plans can be thousands of levels deep or wide.
  const stack: Array<{ id: number; prefix: string; isLast: boolean; depth: number }> = [{ id: 0, prefix: '', isLast: true, depth: 0 }];
  while (stack.length > 0) {
    const { id, prefix, isLast, depth } = stack.pop()!;
    const node = plan.nodes[id];
    const branch = depth === 0 ? '' : isLast ? '└─ ' : '├─ ';
    const level = depth > MAX_DRAWN_DEPTH ? `[level ${depth}] ` : '';
    const childPrefix = depth === 0 || depth >= MAX_DRAWN_DEPTH ? prefix : prefix + (isLast ? '   ' : '│  ');
    const detailPrefix = childPrefix + (node.childIds.length > 0 ? '│  ' : '   ');
    const never = plan.analyzed && !node.executed ? '  (never executed)' : '';
    rows.push({
      cells: nodeCells(plan, node, style),
      lead: `${prefix}${branch}${level}`,
      rest: `${detailPrefix}  `,
      text: `${nodeTitle(node)}${never}`,
      paint: style.bold,
    });
    for (const detail of nodeDetails(node))
      rows.push({ lead: detailPrefix, rest: `${detailPrefix}    `, text: detail, leadPaint: style.dim });
    if (plan.analyzed && node.removedRatio !== undefined && node.removedRatio >= 0.5) {
      const text = `${formatPercent(node.removedRatio)} of rows removed by filter`;
      rows.push({ lead: detailPrefix, rest: `${detailPrefix}    `, text, paint: style.warn, leadPaint: style.dim });
    }
    for (let i = node.childIds.length - 1; i >= 0; i--) {
      stack.push({ id: node.childIds[i], prefix: childPrefix, isLast: i === node.childIds.length - 1, depth: depth + 1 });
    }
  }
  return rows;
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
export function renderAdviceText(plan: AnalyzedPlan, advice: PlanAdvice, style: TextStyle = PLAIN_STYLE, width = 100): string {
  const lines: string[] = [];
  if (advice.findings.length > 0) {
    lines.push(style.bold(`Findings (${advice.findings.length}, largest time at stake first):`));
    for (const finding of advice.findings) {
      const where =
        finding.nodeId === null
          ? 'plan'
          : `${nodeTitle(plan.nodes[finding.nodeId])}${finding.nodeIds.length > 1 ? ` and ${finding.nodeIds.length - 1} more nodes` : ''}`;
      const mark =
        finding.severity === 'critical'
          ? style.hot(SEVERITY_MARK.critical)
          : finding.severity === 'warning'
            ? style.warn(SEVERITY_MARK.warning)
            : SEVERITY_MARK.info;
      lines.push(
        `  ${mark}  ${visibleControls(finding.title)}  ${style.dim(`[${finding.ruleId}, ~${formatMs(finding.impactMs)}, ${where}]`)}`,
      );
      lines.push(...wrap(visibleControls(finding.fix), width, '            Fix: ', '                 '));
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

/**
 * The list of plans an input holds (an auto_explain log), one line each: number, line, duration,
 * nodes and the statement on one line; the slowest marked. Says which plan the report below is about.
 */
export function renderPlanIndex(
  plans: FoundPlan[],
  chosen: number,
  slowest: number | undefined,
  name: string,
  style: TextStyle = PLAIN_STYLE,
  width = 100,
): string {
  // Without ANALYZE or a log's duration there is no slowest to mark.
  const timed = slowest !== undefined && planTimeMs(plans[slowest]) !== undefined;
  const rows = plans.map((plan, i) => ({
    mark: i === slowest && timed ? '*' : '',
    number: String(i + 1),
    line: formatCount(plan.startLine),
    time: timeText(planTimeMs(plan)),
    nodes: plan.raw ? formatCount(countPlanNodes(plan.raw.Plan)) : '-',
    what: plan.error && !plan.raw ? `cannot be read: ${plan.error.message}` : statementOf(plan, width),
    damaged: plan.error !== undefined,
  }));
  const head = { mark: '', number: '#', line: 'line', time: 'duration', nodes: 'nodes', what: 'statement' };
  const widths = (['number', 'line', 'time', 'nodes'] as const).map((key) =>
    rows.reduce((widest, row) => Math.max(widest, row[key].length), head[key].length),
  );
  const fixed = (row: typeof head) =>
    `${row.mark.padEnd(2)}${row.number.padStart(widths[0])}  ${row.line.padStart(widths[1])}  ${row.time.padStart(widths[2])}  ${row.nodes.padStart(widths[3])}  `;
  const room = Math.max(20, width - fixed(head).length);
  const which =
    chosen !== slowest
      ? `plan ${chosen + 1} is analysed below${timed ? '; the slowest is marked *' : ''}`
      : timed
        ? `the slowest (*) is plan ${chosen + 1}, analysed below; choose another with --plan N`
        : `none states its duration: plan ${chosen + 1}, the first readable, is analysed below; choose another with --plan N`;
  const lines = [
    style.bold(visibleControls(`${formatCount(plans.length)} plans in ${name}: ${which}.`)),
    style.dim(`${fixed(head)}${head.what}`),
  ];
  for (const row of rows) {
    const what = visibleControls(row.what.length > room ? `${row.what.slice(0, room - 1)}…` : row.what);
    const text = `${fixed(row)}${row.damaged ? style.warn(what) : what}`;
    lines.push(row.mark ? style.bold(text) : text);
  }
  return lines.join('\n');
}

/** A plan's statement on one line; a plan read only up to damage says where. */
function statementOf(plan: FoundPlan, width: number): string {
  const statement = statementExcerpt(plan.queryText, width) || '(no statement in the input)';
  return plan.error?.line === undefined ? statement : `(damaged at line ${formatCount(plan.error.line)}) ${statement}`;
}

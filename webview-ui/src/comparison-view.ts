/**
 * Two plans of one statement side by side (before and after creating an index, or two plans from
 * the history): what changed at the top (time, cost, buffers, nodes that went, came or changed
 * method), then each plan as a compact outline with its nodes' times.
 * The full tree stays the main view's; an outline reads at a glance and fits two columns.
 */
import type { AnalyzedPlan } from '../../src/core/plan/model';
import type { ComparedPlan, ShowComparisonMessage } from '../../src/protocol';
import { plural } from './advice-text';
import { heatOf, nodeTarget } from './card-content';
import { button, el } from './dom';
import { formatCompact, formatCost, formatCostRange, formatMs, formatNumber, formatPercent, formatRunTime } from '../../src/core/format';
import type { NodeChange } from '../../src/core/plan/plan-diff';
import { comparePlans } from './plan-comparison';

/** Rows of an outline; a plan of thousands of nodes is compared by its summary, not by scrolling. */
const OUTLINE_ROWS = 400;
/** Node changes listed in the summary before "and N more". */
const LISTED_CHANGES = 12;
/** Indentation of an outline row per depth, px. */
const INDENT = 14;

function changeItem(change: NodeChange): HTMLLIElement {
  const item = el('li', `node-change ${change.kind}`);
  if (change.kind === 'replaced') {
    item.append(el('span', 'change-from', change.from), el('span', 'change-arrow', ' → '), el('span', 'change-to', change.to));
  } else {
    item.append(el('span', 'change-sign', change.kind === 'removed' ? '−' : '+'), el('span', 'change-name', change.name));
  }
  return item;
}

function tile(className: string, label: string, value: string, note?: string): HTMLDivElement {
  const element = el('div', `summary-tile ${className}`);
  element.append(el('div', 'tile-label', label), el('div', 'tile-value', value));
  if (note) {
    element.append(el('div', 'tile-note', note));
  }
  return element;
}

/** One plan as an indented list of its nodes, those without a counterpart on the other side marked. */
function outline(plan: AnalyzedPlan, changed: ReadonlySet<number>, mark: 'removed' | 'added', other: string): HTMLElement {
  const list = el('ol', 'node-outline');
  for (const node of plan.nodes.slice(0, OUTLINE_ROWS)) {
    const row = el('li', `outline-row heat-${heatOf(node.exclusiveShare)}`);
    row.dataset.nodeId = String(node.id);
    if (changed.has(node.id)) {
      row.classList.add(mark);
      row.title = mark === 'removed' ? `Not in the ${other}` : `New in the ${other}`;
    }
    row.style.paddingLeft = `${10 + node.depth * INDENT}px`;
    const name = el('span', 'outline-name');
    name.append(el('span', 'outline-label', node.label));
    const target = nodeTarget(node);
    if (target) {
      name.append(el('span', 'outline-target', ` ${target}`));
    }
    const measure = plan.analyzed
      ? `${formatMs(node.exclusiveMs ?? 0)} · ${formatPercent(node.exclusiveShare ?? 0)}`
      : `cost ${formatCostRange(node.startupCost, node.totalCost)}`;
    const rows = node.actualRowsTotal ?? node.planRowsTotal;
    row.append(name, el('span', 'outline-rows', `${formatCompact(rows)} rows`), el('span', 'outline-time', measure));
    list.append(row);
  }
  const rest = plan.nodes.length - OUTLINE_ROWS;
  if (rest > 0) {
    list.append(el('li', 'outline-more', `and ${plural(rest, 'more node')}`));
  }
  return list;
}

interface SideWords {
  title: string;
  /** The later plan, as the outline's marks name it: "plan after the index". */
  other: string;
}

function side(kind: 'before' | 'after', compared: ComparedPlan, changed: ReadonlySet<number>, words: SideWords): HTMLElement {
  const column = el('section', `comparison-side ${kind}`);
  const { plan, meta } = compared;
  const head = el('div', 'side-head');
  head.append(el('h2', 'side-title', words.title));
  const facts = [
    plan.executionMs !== undefined ? formatMs(plan.executionMs) : undefined,
    `cost ${formatCost(plan.nodes[0].totalCost)}`,
    plural(plan.nodes.length, 'node'),
    `ran ${formatRunTime(meta.ranAt)}`,
  ].filter((fact): fact is string => fact !== undefined);
  head.append(el('span', 'side-facts', facts.join(' · ')));
  column.append(head, outline(plan, changed, kind === 'before' ? 'removed' : 'added', words.other));
  return column;
}

export class ComparisonView {
  readonly element: HTMLElement;
  private readonly backButton: HTMLButtonElement;

  constructor(back: () => void) {
    this.element = el('section', 'comparison');
    this.element.setAttribute('aria-label', 'Two plans compared');
    this.element.hidden = true;
    this.backButton = button('text-button comparison-back', '← Back to plan', 'Show the later plan on its own');
    this.backButton.addEventListener('click', back);
  }

  show(message: ShowComparisonMessage): void {
    const comparison = comparePlans(message.before.plan, message.after.plan);

    const head = el('header', 'comparison-head');
    const titles = el('div', 'comparison-titles');
    const { index } = message;
    if (index) {
      titles.append(el('h1', 'comparison-title', `Before and after ${index.name}`), el('code', 'comparison-ddl', index.ddl));
    } else {
      titles.append(
        el('h1', 'comparison-title', 'Two plans of this statement'),
        el('code', 'comparison-statement', message.after.meta.statement),
      );
    }
    head.append(titles, this.backButton);

    const summary = el('div', 'comparison-summary');
    if (comparison.time) {
      summary.append(tile(`time ${comparison.time.trend}`, 'Execution time', comparison.time.text, comparison.time.verdict));
    }
    summary.append(
      tile('cost', 'Total cost', comparison.cost.text),
      ...(comparison.buffers ? [tile('buffers', 'Shared buffers', comparison.buffers.text, comparison.buffers.note)] : []),
      tile('nodes', 'Nodes', `${formatNumber(message.before.plan.nodes.length)} → ${formatNumber(message.after.plan.nodes.length)}`),
    );
    const changes = el('section', 'comparison-changes');
    changes.append(el('h2', 'tile-label', 'Node changes'));
    if (comparison.changes.length === 0) {
      changes.append(el('div', 'tile-note', 'The same nodes: only their costs and times changed.'));
    } else {
      const list = el('ul', 'node-changes');
      list.append(...comparison.changes.slice(0, LISTED_CHANGES).map(changeItem));
      const rest = comparison.changes.length - LISTED_CHANGES;
      if (rest > 0) {
        list.append(el('li', 'node-change more', `and ${plural(rest, 'more change')}`));
      }
      changes.append(list);
    }

    const sides = el('div', 'comparison-sides');
    const words = index
      ? { before: { title: 'Before', other: 'plan after the index' }, after: { title: 'After', other: 'plan after the index' } }
      : { before: { title: 'Earlier', other: 'later plan' }, after: { title: 'Later', other: 'later plan' } };
    sides.append(
      side('before', message.before, comparison.removedIds, words.before),
      side('after', message.after, comparison.addedIds, words.after),
    );
    this.element.replaceChildren(head, summary, changes, sides);
    this.element.scrollTop = 0;
  }
}

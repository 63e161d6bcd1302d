/**
 * Everything about the selected node: Plan Lens's findings and index suggestions first, then its
 * metrics, then every key PostgreSQL wrote, verbatim. With nothing selected it can show a
 * plan-wide finding or every index suggestion instead. All of it is plan or advice data, so all
 * of it goes in as text.
 */
import type { Finding, IndexSuggestion } from '../../src/core/advice/advice-model';
import type { AnalyzedPlan, NodeBuffers, PlanNode } from '../../src/core/plan/model';
import type { IndexCreationMessage } from '../../src/protocol';
import type { AdviceIndex } from './advice-index';
import { SEVERITY_NAMES, formatImpact } from './advice-text';
import { describeGroup } from './card-content';
import { button, el } from './dom';
import { formatFactor, formatMs, formatNumber, formatPercent } from '../../src/core/format';
import { ranOnText, tasksShownText } from '../../src/core/plan/node-label';
import { statusIcon } from './status-icon';
import { SuggestionCard, type SuggestionActions } from './suggestion-card';
import type { GroupItem, TreeItem } from './visible-tree';

/** A raw EXPLAIN value as text: strings as they are, lists one item a line, objects as JSON. */
function formatRawValue(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value.join('\n');
  }
  if (typeof value === 'object' && value !== null) {
    return JSON.stringify(value, null, 2);
  }
  return String(value);
}

/** Fields that copy a PostgreSQL key unchanged; the EXPLAIN section already shows them. */
const SAME_AS_RAW = 'raw';

interface FieldSpec {
  label: string;
  format(node: PlanNode, plan: AnalyzedPlan): string | undefined;
}

const nodeRef = (plan: AnalyzedPlan, id: number) => `#${id} ${plan.nodes[id].label}`;
/** Children listed by name; a family of thousands is summed up after these. */
const LISTED_CHILDREN = 50;
const ms = (value: number | undefined) => (value === undefined ? undefined : formatMs(value));
const exact = (value: number | undefined) => (value === undefined ? undefined : formatNumber(value));
const share = (value: number | undefined) => (value === undefined ? undefined : formatPercent(value));

function formatBuffers(buffers: NodeBuffers | undefined): string | undefined {
  if (!buffers) {
    return undefined;
  }
  const line = (kind: string, hit: number | undefined, read: number, dirtied: number | undefined, written: number) =>
    `${kind}: ${hit === undefined ? '' : `hit ${formatNumber(hit)}, `}read ${formatNumber(read)}, ` +
    `${dirtied === undefined ? '' : `dirtied ${formatNumber(dirtied)}, `}written ${formatNumber(written)}`;
  return [
    line('shared', buffers.sharedHit, buffers.sharedRead, buffers.sharedDirtied, buffers.sharedWritten),
    line('local', buffers.localHit, buffers.localRead, buffers.localDirtied, buffers.localWritten),
    line('temp', undefined, buffers.tempRead, undefined, buffers.tempWritten),
  ].join('\n');
}

/**
 * One entry per field of the model, in reading order; `satisfies` makes a field added to
 * PlanNode a compile error here until the pane shows it.
 */
const NODE_FIELDS = {
  exclusiveMs: { label: 'Exclusive time', format: (n) => ms(n.exclusiveMs) },
  exclusiveShare: { label: 'Share of total time', format: (n) => share(n.exclusiveShare) },
  inclusiveMs: { label: 'Inclusive time', format: (n) => ms(n.inclusiveMs) },
  actualRowsTotal: { label: 'Rows, all loops', format: (n) => exact(n.actualRowsTotal) },
  planRowsTotal: { label: 'Estimated rows, all loops', format: (n) => exact(n.planRowsTotal) },
  misestimate: {
    label: 'Misestimate',
    format: (n) =>
      n.misestimate && (n.misestimate.direction === 'exact' ? 'exact' : `${formatFactor(n.misestimate.factor)} ${n.misestimate.direction}`),
  },
  stoppedEarly: { label: 'Stopped early', format: (n) => (n.stoppedEarly ? 'yes: a Limit above read only part of its rows' : undefined) },
  loops: { label: 'Loops', format: (n) => formatNumber(n.loops) },
  executed: { label: 'Executed', format: (n, plan) => (plan.analyzed ? (n.executed ? 'yes' : 'never') : 'not measured (estimate only)') },
  rowsRemovedByFilter: { label: 'Rows removed by filter', format: (n) => exact(n.rowsRemovedByFilter) },
  rowsRemovedByJoinFilter: { label: 'Rows removed by join filter', format: (n) => exact(n.rowsRemovedByJoinFilter) },
  rowsRemovedByIndexRecheck: { label: 'Rows removed by index recheck', format: (n) => exact(n.rowsRemovedByIndexRecheck) },
  removedRatio: { label: 'Share of rows removed', format: (n) => share(n.removedRatio) },
  buffers: { label: 'Buffers, this node alone', format: (n) => formatBuffers(n.buffers) },
  cacheHitRatio: { label: 'Cache hit ratio', format: (n) => share(n.cacheHitRatio) },
  ioReadMs: { label: 'I/O read time', format: (n) => ms(n.ioReadMs) },
  ioWriteMs: { label: 'I/O write time', format: (n) => ms(n.ioWriteMs) },
  wal: {
    label: 'WAL, this node alone',
    format: (n) =>
      n.wal && `${formatNumber(n.wal.records)} records, ${formatNumber(n.wal.fpi)} full-page images, ${formatNumber(n.wal.bytes)} bytes`,
  },
  label: { label: 'Label', format: (n) => n.label },
  remote: { label: 'Remote', format: (n) => n.remote && ranOnText(n.remote) },
  distributedTable: { label: 'Distributed table', format: (n) => n.distributedTable },
  tasks: { label: 'Citus tasks', format: (n) => n.tasks && tasksShownText(n.tasks) },
  id: { label: 'Node', format: (n) => `#${n.id}` },
  depth: { label: 'Depth', format: (n) => String(n.depth) },
  parentId: { label: 'Parent', format: (n, plan) => (n.parentId === null ? undefined : nodeRef(plan, n.parentId)) },
  childIds: {
    label: 'Children',
    format: (n, plan) => {
      if (n.childIds.length === 0) {
        return undefined;
      }
      const listed = n.childIds.slice(0, LISTED_CHILDREN).map((id) => nodeRef(plan, id));
      const rest = n.childIds.length - listed.length;
      return [...listed, ...(rest > 0 ? [`and ${formatNumber(rest)} more`] : [])].join('\n');
    },
  },
  nodeType: SAME_AS_RAW,
  parentRelationship: SAME_AS_RAW,
  subplanName: SAME_AS_RAW,
  relation: SAME_AS_RAW,
  schema: SAME_AS_RAW,
  alias: SAME_AS_RAW,
  index: SAME_AS_RAW,
  cteName: SAME_AS_RAW,
  functionName: SAME_AS_RAW,
  joinType: SAME_AS_RAW,
  strategy: SAME_AS_RAW,
  operation: SAME_AS_RAW,
  parallelAware: SAME_AS_RAW,
  startupCost: SAME_AS_RAW,
  totalCost: SAME_AS_RAW,
  planRows: SAME_AS_RAW,
  planWidth: SAME_AS_RAW,
  actualRows: SAME_AS_RAW,
  workersPlanned: SAME_AS_RAW,
  workersLaunched: SAME_AS_RAW,
} satisfies Record<Exclude<keyof PlanNode, 'raw'>, FieldSpec | typeof SAME_AS_RAW>;

/** A list of label / value pairs; values keep their line breaks. */
function fieldList(entries: Array<[string, string]>, className: string): HTMLDListElement {
  const list = el('dl', `fields ${className}`);
  for (const [label, value] of entries) {
    list.append(el('dt', undefined, label), el('dd', undefined, value));
  }
  return list;
}

function section(title: string, ...content: HTMLElement[]): HTMLElement {
  const wrapper = el('section', 'details-section');
  wrapper.append(el('h3', undefined, title), ...content);
  return wrapper;
}

export interface DetailsPaneHandlers extends SuggestionActions {
  close(): void;
  expandGroup(group: GroupItem): void;
  /** Where creating a suggested index stands, if the user started it. */
  creationOf(suggestionId: string): IndexCreationMessage | undefined;
}

/** What the pane shows: the selected card, or with nothing selected, a plan-wide finding or every suggestion. */
type PaneView = { kind: 'item'; item: TreeItem } | { kind: 'finding'; finding: Finding } | { kind: 'suggestions' };

export class DetailsPane {
  readonly element: HTMLElement;
  private readonly body: HTMLDivElement;
  private readonly title: HTMLHeadingElement;
  private readonly badge: HTMLSpanElement;
  private plan?: AnalyzedPlan;
  private advice?: AdviceIndex;
  private view?: PaneView;
  private cards: SuggestionCard[] = [];

  constructor(private readonly handlers: DetailsPaneHandlers) {
    this.element = el('aside', 'details-pane');
    this.element.setAttribute('aria-label', 'Details');
    this.element.hidden = true;
    const head = el('div', 'details-head');
    this.title = el('h2', 'details-title');
    this.badge = el('span', 'details-id');
    const close = button('details-close', '×', 'Close details');
    close.setAttribute('aria-label', 'Close details');
    close.addEventListener('click', () => this.handlers.close());
    head.append(this.title, this.badge, close);
    this.body = el('div', 'details-body');
    this.element.append(head, this.body);
  }

  /** The plan the pane describes and its advice; shows nothing until told what. */
  setPlan(plan: AnalyzedPlan, advice: AdviceIndex): void {
    this.plan = plan;
    this.advice = advice;
    this.render(undefined);
  }

  /** New advice for the same plan: what is shown stays, with the new findings and suggestions. */
  setAdvice(advice: AdviceIndex): void {
    this.advice = advice;
    const view = this.view;
    if (view?.kind === 'finding') {
      const same = advice.sameFinding(view.finding);
      this.render(same && { kind: 'finding', finding: same }, true);
    } else {
      this.render(view, true);
    }
  }

  /** The selected card, or none (which closes the pane). */
  show(item: TreeItem | undefined): void {
    this.render(item && { kind: 'item', item });
  }

  showFinding(finding: Finding): void {
    this.render({ kind: 'finding', finding });
  }

  showSuggestions(): void {
    this.render({ kind: 'suggestions' });
  }

  /** What the pane shows, or undefined when it is closed. */
  get showing(): PaneView['kind'] | undefined {
    return this.view?.kind;
  }

  /** Progress of creating an index, shown on its card wherever the pane has it. */
  updateCreation(creation: IndexCreationMessage): void {
    for (const card of this.cards) {
      if (card.suggestion.id === creation.suggestionId) {
        card.setCreation(creation);
      }
    }
  }

  private render(view: PaneView | undefined, keepScroll = false): void {
    this.view = view;
    this.cards = [];
    const plan = this.plan;
    if (!view || !plan) {
      this.element.hidden = true;
      this.body.replaceChildren();
      return;
    }
    const scrollTop = this.body.scrollTop;
    this.element.hidden = false;
    this.element.dataset.view = view.kind;
    if (view.kind === 'finding') {
      this.showPlanFinding(view.finding, plan);
    } else if (view.kind === 'suggestions') {
      this.showAllSuggestions(plan);
    } else if (view.item.kind === 'group') {
      this.showGroup(view.item, plan);
    } else {
      this.showNode(plan.nodes[view.item.nodeId], plan);
    }
    this.body.scrollTop = keepScroll ? scrollTop : 0;
  }

  private findingBlock(finding: Finding, plan: AnalyzedPlan, linkNode: boolean): HTMLElement {
    const block = el('article', `finding ${finding.severity}`);
    block.dataset.ruleId = finding.ruleId;
    const head = el('div', 'finding-head');
    head.append(statusIcon(finding.severity), el('h4', 'finding-title', finding.title));
    const fix = el('p', 'finding-fix');
    fix.append(el('span', 'finding-label', 'Fix'), document.createTextNode(finding.fix));
    const meta = el('div', 'finding-meta');
    const impact = formatImpact(finding.impactMs);
    meta.append(el('span', `severity-name ${finding.severity}`, SEVERITY_NAMES[finding.severity]));
    if (impact) {
      meta.append(el('span', undefined, `${impact} at stake`));
    }
    meta.append(el('span', 'rule-id', finding.ruleId));
    block.append(head, el('p', 'finding-explanation', finding.explanation), fix, meta);
    if (linkNode && finding.nodeId !== null && finding.nodeId < plan.nodes.length) {
      const nodeId = finding.nodeId;
      const link = button('node-link', `Show #${nodeId} ${plan.nodes[nodeId].label}`, 'Show this node in the tree');
      link.addEventListener('click', () => this.handlers.openNode(nodeId));
      block.append(link);
    }
    return block;
  }

  private suggestionCards(suggestions: readonly IndexSuggestion[], plan: AnalyzedPlan, listNodes: boolean): HTMLElement[] {
    return suggestions.map((suggestion) => {
      const card = new SuggestionCard(suggestion, plan, this.handlers, listNodes);
      card.setCreation(this.handlers.creationOf(suggestion.id));
      this.cards.push(card);
      return card.element;
    });
  }

  /** The findings and suggestions sections, those that have something to show. */
  private adviceSections(
    findings: readonly Finding[],
    suggestions: readonly IndexSuggestion[],
    plan: AnalyzedPlan,
    linkNodes: boolean,
  ): HTMLElement[] {
    const sections: HTMLElement[] = [];
    if (findings.length > 0) {
      const list = el('div', 'findings');
      list.append(...findings.map((finding) => this.findingBlock(finding, plan, linkNodes)));
      sections.push(section('Findings', list));
    }
    if (suggestions.length > 0) {
      const list = el('div', 'suggestions');
      list.append(...this.suggestionCards(suggestions, plan, linkNodes));
      sections.push(section('Index suggestions', list));
    }
    return sections;
  }

  private showPlanFinding(finding: Finding, plan: AnalyzedPlan): void {
    this.title.textContent = 'Plan-wide finding';
    this.badge.textContent = '';
    const suggestions = finding.suggestionIds
      .map((id) => this.advice?.suggestion(id))
      .filter((suggestion): suggestion is IndexSuggestion => suggestion !== undefined);
    this.body.replaceChildren(...this.adviceSections([finding], suggestions, plan, true));
  }

  private showAllSuggestions(plan: AnalyzedPlan): void {
    const suggestions = this.advice?.suggestions ?? [];
    this.title.textContent = 'Index suggestions';
    this.badge.textContent = formatNumber(suggestions.length);
    const list = el('div', 'suggestions');
    list.append(...this.suggestionCards(suggestions, plan, true));
    this.body.replaceChildren(suggestions.length > 0 ? list : el('p', 'details-empty', 'No index suggestions for this plan.'));
  }

  private showNode(node: PlanNode, plan: AnalyzedPlan): void {
    this.title.textContent = node.label;
    this.badge.textContent = `#${node.id}`;
    const derived: Array<[string, string]> = [];
    for (const spec of Object.values(NODE_FIELDS)) {
      if (spec === SAME_AS_RAW) {
        continue;
      }
      const value = (spec as FieldSpec).format(node, plan);
      if (value !== undefined) {
        derived.push([spec.label, value]);
      }
    }
    const raw = Object.entries(node.raw).map(([key, value]): [string, string] => [key, formatRawValue(value)]);
    this.body.replaceChildren(
      ...this.adviceSections(this.advice?.findingsOn(node.id) ?? [], this.advice?.suggestionsFor(node.id) ?? [], plan, false),
      section('Plan Lens', fieldList(derived, 'derived')),
      section('EXPLAIN output', fieldList(raw, 'raw')),
    );
  }

  private showGroup(group: GroupItem, plan: AnalyzedPlan): void {
    const content = describeGroup(group.memberIds, plan);
    this.title.textContent = `${content.title} children`;
    this.badge.textContent = `of #${group.parentId}`;
    const summary: Array<[string, string]> = [
      ['Parent', nodeRef(plan, group.parentId)],
      ['Folded', content.subtitle],
    ];
    if (content.time) {
      summary.push(['Time, all folded subtrees', content.time.text]);
    }
    summary.push(['Rows', content.rows]);
    const showAll = button('details-show-all', `Show all ${group.memberIds.length}`);
    showAll.addEventListener('click', () => this.handlers.expandGroup(group));
    const findings = this.advice?.findingsUnder(group.memberIds, plan) ?? [];
    const folded = el('div', 'findings');
    folded.append(...findings.map((finding) => this.findingBlock(finding, plan, true)));
    this.body.replaceChildren(
      section('Folded siblings', fieldList(summary, 'derived'), showAll),
      ...(findings.length > 0 ? [section('Findings in the folded nodes', folded)] : []),
    );
  }
}

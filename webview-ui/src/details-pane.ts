/**
 * Everything about the selected node: Plan Lens's metrics first, then every key PostgreSQL wrote,
 * verbatim. All of it is plan data, so all of it goes in as text.
 */
import type { AnalyzedPlan, NodeBuffers, PlanNode } from '../../src/core/plan/model';
import { describeGroup } from './card-content';
import { button, el } from './dom';
import { formatExact, formatFactor, formatMs, formatRawValue, formatShare } from './format';
import type { GroupItem, TreeItem } from './visible-tree';

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
const exact = (value: number | undefined) => (value === undefined ? undefined : formatExact(value));
const share = (value: number | undefined) => (value === undefined ? undefined : formatShare(value));

function formatBuffers(buffers: NodeBuffers | undefined): string | undefined {
  if (!buffers) {
    return undefined;
  }
  const line = (kind: string, hit: number | undefined, read: number, dirtied: number | undefined, written: number) =>
    `${kind}: ${hit === undefined ? '' : `hit ${formatExact(hit)}, `}read ${formatExact(read)}, ` +
    `${dirtied === undefined ? '' : `dirtied ${formatExact(dirtied)}, `}written ${formatExact(written)}`;
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
      n.misestimate &&
      (n.misestimate.direction === 'exact' ? 'exact' : `${formatFactor(n.misestimate.factor)} ${n.misestimate.direction}`),
  },
  stoppedEarly: { label: 'Stopped early', format: (n) => (n.stoppedEarly ? 'yes: a Limit above read only part of its rows' : undefined) },
  loops: { label: 'Loops', format: (n) => formatExact(n.loops) },
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
      n.wal && `${formatExact(n.wal.records)} records, ${formatExact(n.wal.fpi)} full-page images, ${formatExact(n.wal.bytes)} bytes`,
  },
  label: { label: 'Label', format: (n) => n.label },
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
      return [...listed, ...(rest > 0 ? [`and ${formatExact(rest)} more`] : [])].join('\n');
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

function section(title: string, content: HTMLElement): HTMLElement {
  const wrapper = el('section', 'details-section');
  wrapper.append(el('h3', undefined, title), content);
  return wrapper;
}

export interface DetailsPaneHandlers {
  close(): void;
  expandGroup(group: GroupItem): void;
}

export class DetailsPane {
  readonly element: HTMLElement;
  private readonly body: HTMLDivElement;
  private readonly title: HTMLHeadingElement;
  private readonly badge: HTMLSpanElement;

  constructor(private readonly handlers: DetailsPaneHandlers) {
    this.element = el('aside', 'details-pane');
    this.element.setAttribute('aria-label', 'Node details');
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

  show(item: TreeItem | undefined, plan: AnalyzedPlan): void {
    if (!item) {
      this.element.hidden = true;
      this.body.replaceChildren();
      return;
    }
    this.element.hidden = false;
    this.body.scrollTop = 0;
    if (item.kind === 'group') {
      this.showGroup(item, plan);
    } else {
      this.showNode(plan.nodes[item.nodeId], plan);
    }
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
    this.body.replaceChildren(section('Folded siblings', fieldList(summary, 'derived')), showAll);
  }
}

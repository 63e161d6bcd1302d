/**
 * The webview page: header, toolbar, tree and details pane, driven by the host's messages and
 * the user's clicks, with the view state kept through `setState`.
 */
import type { AnalyzedPlan } from '../../src/core/plan/model';
import {
  WEBVIEW_STATE_VERSION,
  type HostToWebview,
  type ShowPlanMessage,
  type WebviewRequest,
  type WebviewState,
} from '../../src/protocol';
import { HEAT_LEGEND } from './card-content';
import { CardSizer, canvasTextMeasurer } from './card-size';
import { DetailsPane } from './details-pane';
import { el } from './dom';
import { formatExact } from './format';
import type { HostBridge } from './host-bridge';
import { NodeSearch } from './node-search';
import { markPaintedSoon } from './paint-mark';
import { PlanHeader } from './plan-header';
import { Toolbar } from './toolbar';
import { layoutTree, type TreeLayout } from './tree-layout';
import { TreeView } from './tree-view';
import { PlanIndex, TreeVisibility, holderOf, itemByKey, nodeIdOfKey, type TreeItem } from './visible-tree';

/** State is written this long after the last change: one write for a burst of zooming or clicking. */
const PERSIST_DELAY_MS = 300;

interface OpenPlan {
  message: ShowPlanMessage;
  index: PlanIndex;
  visibility: TreeVisibility;
  sizer: CardSizer;
  search: NodeSearch;
  layout?: TreeLayout;
  matches: number[];
}

/** Two showPlan messages of the same run: the host resending after a reload must not reset the view. */
function sameRun(a: ShowPlanMessage, b: ShowPlanMessage): boolean {
  return (
    a.meta.ranAt === b.meta.ranAt &&
    a.meta.statement === b.meta.statement &&
    a.meta.server === b.meta.server &&
    a.plan.nodes.length === b.plan.nodes.length
  );
}

const REQUEST_OUTCOME: Record<WebviewRequest['type'], string> = {
  copyPlanJson: 'Plan JSON copied',
  openRawPlan: 'Raw plan opened',
};

export class PlanApp {
  private readonly header = new PlanHeader();
  private readonly toolbar: Toolbar;
  private readonly tree: TreeView;
  private readonly details: DetailsPane;
  private readonly body: HTMLElement;
  private readonly status: HTMLDivElement;
  private readonly legend: HTMLDivElement;
  private readonly notice: HTMLDivElement;
  private open?: OpenPlan;
  private selectedKey?: string;
  private searchText = '';
  private nextRequestId = 1;
  private readonly pending = new Map<number, WebviewRequest['type']>();
  private persistTimer?: ReturnType<typeof setTimeout>;

  constructor(
    root: HTMLElement,
    private readonly host: HostBridge,
  ) {
    this.toolbar = new Toolbar({
      search: (text) => this.search(text),
      step: (backward) => this.stepMatch(backward),
      zoomIn: () => this.tree.zoomIn(),
      zoomOut: () => this.tree.zoomOut(),
      fit: () => this.tree.fit(),
      copyPlanJson: () => this.request('copyPlanJson'),
      openRawPlan: () => this.request('openRawPlan'),
    });
    this.tree = new TreeView({
      select: (item) => this.select(item, { reveal: true }),
      toggle: (item) => this.toggle(item),
      regroup: (nodeId) => this.changeVisibility((v) => v.regroup(nodeId), `n${nodeId}`),
      viewChanged: () => this.persistSoon(),
    });
    this.details = new DetailsPane({
      close: () => this.select(undefined),
      expandGroup: (group) => this.toggle(group),
    });

    const top = el('header', 'top');
    top.append(this.header.element, this.toolbar.element);
    this.status = el('div', 'tree-status');
    this.legend = el('div', 'legend');
    this.tree.viewport.append(this.status, this.legend);
    this.body = el('main', 'plan-body');
    this.body.append(this.tree.viewport, this.details.element);
    this.notice = el('div', 'notice');
    root.append(top, this.body, this.notice);

    document.addEventListener('keydown', (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'f' && this.open) {
        event.preventDefault();
        this.toolbar.searchInput.focus();
        this.toolbar.searchInput.select();
      }
    });
    this.showNotice('waiting', 'Waiting for a plan…');
  }

  handle(message: HostToWebview): void {
    switch (message.type) {
      case 'showPlan':
        this.showPlan(message);
        break;
      case 'showLoading':
        this.showNotice('loading', message.message ?? 'Running EXPLAIN…');
        break;
      case 'showError':
        this.showNotice('error', message.message);
        break;
      case 'reply': {
        const request = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (request) {
          this.toolbar.notify(message.ok ? REQUEST_OUTCOME[request] : message.error, !message.ok);
        }
        break;
      }
    }
  }

  /** Shows a plan; with `restored`, the view as it was when the state was saved. */
  showPlan(message: ShowPlanMessage, restored?: WebviewState): void {
    if (this.open && !restored && sameRun(this.open.message, message)) {
      this.open.message = message;
      this.showNotice(undefined);
      return;
    }
    const plan = message.plan;
    const index = new PlanIndex(plan);
    const visibility = restored
      ? new TreeVisibility(index, restored.collapsedNodeIds, restored.expandedGroupIds)
      : TreeVisibility.initial(index);
    this.open = {
      message,
      index,
      visibility,
      sizer: new CardSizer(plan, canvasTextMeasurer(getComputedStyle(document.body).fontFamily)),
      search: new NodeSearch(plan),
      matches: [],
    };
    // Before the layout: the tree must be displayed to have a size to fit into.
    this.showNotice(undefined);
    this.header.show(plan, message.meta);
    this.showLegend(plan);
    this.searchText = restored?.searchText ?? '';
    this.toolbar.setSearchText(this.searchText);
    this.selectedKey = undefined;
    this.details.show(undefined, plan);
    this.relayout();
    if (restored?.transform) {
      this.tree.setTransform(restored.transform);
    } else {
      this.tree.openingView();
    }
    const selected = restored?.selectedNodeId;
    this.select(selected !== undefined ? this.open.layout?.tree.nodeItems.get(selected) : undefined, { notifyHost: false });
    // Written at once, not debounced: a reload right after this must find the plan.
    this.persist();
  }

  /** The view state restored from a previous life of the page, if it holds a plan. */
  restore(state: WebviewState): void {
    if (state.lastShowPlan) {
      this.showPlan(state.lastShowPlan, state);
    }
  }

  private relayout(anchor?: TreeItem): void {
    const open = this.open!;
    const tree = open.visibility.build();
    open.layout = layoutTree(tree, open.message.plan, open.sizer);
    this.tree.show(open.message.plan, open.sizer, open.layout, anchor);
    this.status.textContent = `${formatExact(open.message.plan.nodes.length)} nodes · ${formatExact(tree.nodeItems.size)} shown`;
    this.status.dataset.total = String(open.message.plan.nodes.length);
    this.status.dataset.shown = String(tree.nodeItems.size);
    this.updateMarks();
  }

  private changeVisibility(change: (visibility: TreeVisibility) => void, anchorKey: string): void {
    const open = this.open;
    if (!open?.layout) {
      return;
    }
    // The relayout builds new items, so this one keeps the anchor's old placement.
    const anchor = itemByKey(open.layout.tree, anchorKey);
    change(open.visibility);
    this.relayout(anchor);
    const tree = open.layout.tree;
    if (this.selectedKey && !itemByKey(tree, this.selectedKey)) {
      // A selection the change hid moves to what hides it now.
      const selectedId = nodeIdOfKey(this.selectedKey);
      this.select(selectedId !== undefined ? holderOf(tree, open.index, selectedId) : undefined);
    } else {
      this.tree.setSelected(this.selectedKey);
    }
    this.persistSoon();
  }

  private toggle(item: TreeItem): void {
    if (item.kind === 'group') {
      const wasSelected = this.selectedKey === item.key;
      this.changeVisibility((v) => v.expandGroup(item.parentId), `n${item.parentId}`);
      if (wasSelected) {
        // The keyboard stays where the group was: on the first of the nodes it folded.
        this.select(this.open?.layout?.tree.nodeItems.get(item.memberIds[0]), { reveal: true });
      }
    } else if (this.open!.message.plan.nodes[item.nodeId].childIds.length > 0) {
      this.changeVisibility((v) => v.toggle(item.nodeId), item.key);
    }
  }

  private select(
    item: TreeItem | undefined,
    { reveal = false, center = false, notifyHost = true }: { reveal?: boolean; center?: boolean; notifyHost?: boolean } = {},
  ): void {
    const open = this.open;
    if (!open) {
      return;
    }
    const changed = item?.key !== this.selectedKey;
    this.selectedKey = item?.key;
    this.tree.setSelected(item?.key);
    if (changed) {
      this.details.show(item, open.message.plan);
      if (item?.kind === 'node' && notifyHost) {
        this.host.post({ type: 'selectNode', nodeId: item.nodeId });
      }
    }
    if (item && (reveal || center)) {
      this.tree.reveal(item, center);
    }
    this.updateMatchCount();
    this.persistSoon();
  }

  private search(text: string): void {
    this.searchText = text;
    this.updateMarks();
    this.persistSoon();
  }

  private updateMarks(): void {
    const open = this.open;
    if (!open?.layout) {
      return;
    }
    open.matches = open.search.find(this.searchText);
    const tree = open.layout.tree;
    const holders = new Set<string>();
    for (const id of open.matches) {
      if (!tree.nodeItems.has(id)) {
        holders.add(holderOf(tree, open.index, id).key);
      }
    }
    this.tree.setMarks({ active: this.searchText.trim() !== '', matches: new Set(open.matches), holders });
    this.updateMatchCount();
  }

  private updateMatchCount(): void {
    const matches = this.open?.matches ?? [];
    const at = matches.indexOf(nodeIdOfKey(this.selectedKey) ?? -1);
    this.toolbar.setMatches(matches.length, at >= 0 ? at : undefined, this.searchText);
  }

  /** Selects the next (or previous) match in plan order, opening whatever hides it. */
  private stepMatch(backward: boolean): void {
    const open = this.open;
    if (!open || open.matches.length === 0) {
      return;
    }
    const matches = open.matches;
    const selectedId = nodeIdOfKey(this.selectedKey);
    let target: number;
    if (selectedId === undefined) {
      target = backward ? matches[matches.length - 1] : matches[0];
    } else if (backward) {
      target = [...matches].reverse().find((id) => id < selectedId) ?? matches[matches.length - 1];
    } else {
      target = matches.find((id) => id > selectedId) ?? matches[0];
    }
    if (!open.layout?.tree.nodeItems.has(target)) {
      open.visibility.reveal(target);
      this.relayout();
      this.persistSoon();
    }
    this.select(open.layout!.tree.nodeItems.get(target), { center: true });
  }

  private request(type: WebviewRequest['type']): void {
    if (!this.open) {
      return;
    }
    const id = this.nextRequestId++;
    this.pending.set(id, type);
    this.host.post({ type, id });
  }

  private showLegend(plan: AnalyzedPlan): void {
    const swatches = el('div', 'legend-heat');
    if (plan.analyzed) {
      swatches.append(el('span', 'legend-label', 'Exclusive time'));
      for (const { heat, text } of HEAT_LEGEND) {
        const swatch = el('span', `legend-swatch heat-${heat}`);
        swatch.append(el('span', 'swatch'), el('span', undefined, text));
        swatches.append(swatch);
      }
    }
    this.legend.replaceChildren(
      swatches,
      el('div', 'legend-edges', plan.analyzed ? 'Edge width: rows (log scale)' : 'Edge width: estimated rows (log scale)'),
    );
  }

  /** A message over the tree: waiting for the first plan, running, or failed. `undefined` clears it. */
  private showNotice(kind: 'waiting' | 'loading' | 'error' | undefined, text = ''): void {
    this.notice.className = kind ? `notice ${kind}` : 'notice';
    this.notice.hidden = kind === undefined;
    this.notice.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    this.notice.replaceChildren();
    if (kind) {
      if (kind === 'loading') {
        this.notice.append(el('span', 'spinner'));
      }
      this.notice.append(el('span', 'notice-text', text));
    }
    // An error replaces the tree: what is behind it is the previous run, not this one.
    this.body.hidden = kind === 'error' || !this.open;
    markPaintedSoon();
  }

  private persistSoon(): void {
    clearTimeout(this.persistTimer);
    this.persistTimer = setTimeout(() => this.persist(), PERSIST_DELAY_MS);
  }

  private persist(): void {
    const open = this.open;
    if (!open) {
      return;
    }
    this.host.setState({
      version: WEBVIEW_STATE_VERSION,
      transform: this.tree.transform,
      selectedNodeId: nodeIdOfKey(this.selectedKey),
      collapsedNodeIds: [...open.visibility.collapsed],
      expandedGroupIds: [...open.visibility.expandedGroups],
      searchText: this.searchText,
      lastShowPlan: open.message,
    });
  }
}

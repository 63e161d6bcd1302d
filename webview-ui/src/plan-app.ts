/**
 * The webview page: header, findings, toolbar, tree and details pane, or the before/after
 * comparison in their place, driven by the host's messages and the user's clicks, with the view
 * state kept through `setState`.
 */
import type { Finding, PlanAdvice } from '../../src/core/advice/advice-model';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import {
  STATE_PLAN_MAX_NODES,
  WEBVIEW_STATE_VERSION,
  type HighlightMetric,
  type HostToWebview,
  type IndexCreationMessage,
  type PlanViewKind,
  type ShowComparisonMessage,
  type ShowPlanMessage,
  type WebviewRequest,
  type WebviewState,
} from '../../src/protocol';
import { AdviceIndex } from './advice-index';
import { plural } from './advice-text';
import { highlightOf } from './card-content';
import { CardSizer, canvasTextMeasurer } from './card-size';
import { ComparisonView } from './comparison-view';
import { DetailsPane } from './details-pane';
import { el } from './dom';
import { FindingsBar } from './findings-bar';
import { formatNumber } from '../../src/core/format';
import { GridView } from './grid-view';
import type { HostBridge } from './host-bridge';
import { NodeSearch } from './node-search';
import { markPaintedSoon } from './paint-mark';
import { PlanHeader } from './plan-header';
import { RunState } from './run-state';
import { Toolbar } from './toolbar';
import { layoutTree, type TreeLayout } from './tree-layout';
import { TreeView } from './tree-view';
import { PlanIndex, TreeVisibility, holderOf, itemByKey, nodeIdOfKey, type TreeItem } from './visible-tree';

/** State is written this long after the last change: one write for a burst of zooming or clicking. */
const PERSIST_DELAY_MS = 300;

interface OpenPlan {
  message: ShowPlanMessage;
  /** The advice shown: the message's own, or what a later showAdvice replaced it with. */
  advice: AdviceIndex;
  index: PlanIndex;
  visibility: TreeVisibility;
  sizer: CardSizer;
  search: NodeSearch;
  layout?: TreeLayout;
  matches: number[];
  /** The node with the most exclusive time (the root for a plan without times): where the plan opens and Fit goes. */
  hottestId: number;
}

function hottestNodeId(plan: AnalyzedPlan): number {
  let hottest = 0;
  for (const node of plan.nodes) {
    if ((node.exclusiveMs ?? 0) > (plan.nodes[hottest].exclusiveMs ?? 0)) {
      hottest = node.id;
    }
  }
  return hottest;
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
  copyDdl: 'CREATE INDEX copied',
  insertDdl: 'CREATE INDEX inserted into the editor',
};

export class PlanApp {
  private readonly header = new PlanHeader();
  private readonly findingsBar: FindingsBar;
  private readonly toolbar: Toolbar;
  private readonly tree: TreeView;
  private readonly grid: GridView;
  private readonly details: DetailsPane;
  private readonly comparisonView: ComparisonView;
  private readonly top: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLDivElement;
  private readonly legend: HTMLDivElement;
  private readonly notice: HTMLDivElement;
  private readonly runState = new RunState();
  private open?: OpenPlan;
  /** The before/after comparison on screen in place of the plan, if any. */
  private comparison?: ShowComparisonMessage;
  /** Progress of "Create index now", by suggestion id, as the host last reported it. */
  private readonly creations = new Map<string, IndexCreationMessage>();
  private selectedKey?: string;
  private view: PlanViewKind = 'tree';
  private highlight: HighlightMetric = 'exclusive';
  /** Whether selecting shows the details pane: Escape or its close button turn it off, Enter or a click on again. */
  private detailsOpen = true;
  private searchText = '';
  private nextRequestId = 1;
  private readonly pending = new Map<number, WebviewRequest['type']>();
  private persistTimer?: ReturnType<typeof setTimeout>;
  /** A restored view whose plan the host is sending again. */
  private heldView?: WebviewState;

  constructor(
    root: HTMLElement,
    private readonly host: HostBridge,
  ) {
    this.toolbar = new Toolbar({
      search: (text) => this.search(text),
      step: (backward) => this.stepMatch(backward),
      zoomIn: () => this.tree.zoomIn(),
      zoomOut: () => this.tree.zoomOut(),
      fit: () => this.tree.fit(this.hottestItem()),
      setView: (view) => this.setView(view),
      setHighlight: (metric) => this.setHighlight(metric),
      copyPlanJson: () => this.request((id) => ({ type: 'copyPlanJson', id })),
      openRawPlan: () => this.request((id) => ({ type: 'openRawPlan', id })),
    });
    this.findingsBar = new FindingsBar({
      openFinding: (finding) => this.openFinding(finding),
      openSuggestions: () => this.openSuggestions(),
    });
    this.tree = new TreeView({
      select: (item) => this.select(item, { reveal: true }),
      open: (item) => this.openDetails(item),
      toggle: (item) => this.toggle(item),
      regroup: (nodeId) => this.changeVisibility((v) => v.regroup(nodeId), `n${nodeId}`),
      viewChanged: () => this.persistSoon(),
    });
    this.details = new DetailsPane({
      close: () => this.closeDetails(),
      expandGroup: (group) => this.toggle(group),
      openNode: (nodeId) => this.openNode(nodeId),
      copy: (suggestion) => this.request((id) => ({ type: 'copyDdl', id, suggestionId: suggestion.id })),
      insert: (suggestion) => this.request((id) => ({ type: 'insertDdl', id, suggestionId: suggestion.id })),
      create: (suggestion) => this.host.post({ type: 'createIndex', suggestionId: suggestion.id }),
      cancel: (suggestion) => this.host.post({ type: 'cancelIndexCreation', suggestionId: suggestion.id }),
      creationOf: (suggestionId) => this.creations.get(suggestionId),
    });
    this.grid = new GridView({
      select: (nodeId) => this.selectFromGrid(nodeId),
      open: (nodeId) => {
        this.detailsOpen = true;
        this.selectFromGrid(nodeId);
      },
      sortChanged: () => this.persistSoon(),
    });
    this.comparisonView = new ComparisonView(() => this.closeComparison());

    this.top = el('header', 'top');
    this.top.append(this.header.element, this.findingsBar.element, this.toolbar.element);
    this.status = el('div', 'tree-status');
    this.legend = el('div', 'legend');
    this.tree.viewport.append(this.status, this.legend);
    this.body = el('main', 'plan-body');
    this.body.append(this.tree.viewport, this.grid.element, this.details.element);
    this.notice = el('div', 'notice');
    root.append(this.runState.element, this.top, this.body, this.comparisonView.element, this.notice);

    document.addEventListener('keydown', (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'f' && this.open && !this.comparison) {
        event.preventDefault();
        this.toolbar.searchInput.focus();
        this.toolbar.searchInput.select();
      } else if (event.key === 'Escape' && event.target !== this.toolbar.searchInput && !this.details.element.hidden) {
        event.preventDefault();
        this.closeDetails();
      }
    });
    this.showNotice('Waiting for a plan…');
  }

  handle(message: HostToWebview): void {
    switch (message.type) {
      case 'showPlan': {
        const held = this.heldView?.heldPlan;
        const view = held && held.ranAt === message.meta.ranAt && held.nodes === message.plan.nodes.length ? this.heldView : undefined;
        this.heldView = undefined;
        this.showPlan(message, view);
        break;
      }
      case 'showAdvice':
        this.showAdvice(message.advice);
        break;
      case 'indexCreation':
        this.showCreation(message);
        break;
      case 'showComparison':
        this.showComparison(message);
        break;
      case 'showRunning':
        this.showNotice(undefined);
        this.runState.running(message);
        this.updateLayers();
        break;
      case 'showFailed':
        this.showNotice(undefined);
        this.runState.failed(message, this.open?.message.meta.ranAt);
        this.updateLayers();
        break;
      case 'showCancelled':
        this.showNotice(this.open ? undefined : 'Cancelled. Explain a statement to see its plan.');
        this.runState.cancelled(message, this.open?.message.meta.ranAt);
        this.updateLayers();
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
    if (this.comparison && !sameRun(this.comparedRun(), message)) {
      // Another run replaces the comparison; the plan after the index (sent again, or with its advice) does not.
      this.comparison = undefined;
    }
    this.runState.clear();
    if (this.open && !restored && sameRun(this.open.message, message)) {
      this.open.message = message;
      this.showNotice(undefined);
      if (message.advice) {
        this.showAdvice(message.advice);
      }
      return;
    }
    const plan = message.plan;
    const index = new PlanIndex(plan);
    const visibility = restored
      ? new TreeVisibility(index, restored.collapsedNodeIds, restored.expandedGroupIds)
      : TreeVisibility.initial(index);
    this.open?.sizer.stopMeasuring();
    // Progress of an index still being created stays; how earlier attempts ended belongs to the earlier plan.
    for (const [id, creation] of this.creations) {
      if (creation.state !== 'running') {
        this.creations.delete(id);
      }
    }
    this.open = {
      message,
      advice: new AdviceIndex(message.advice, plan),
      index,
      visibility,
      sizer: new CardSizer(plan, canvasTextMeasurer(getComputedStyle(document.body).fontFamily)),
      search: new NodeSearch(plan),
      matches: [],
      hottestId: hottestNodeId(plan),
    };
    // Before the layout: the tree must be displayed to have a size to fit into.
    this.showNotice(undefined);
    this.header.show(plan, message.meta);
    this.findingsBar.show(this.open.advice, plan);
    this.searchText = restored?.searchText ?? '';
    this.open.matches = this.open.search.find(this.searchText);
    this.toolbar.setSearchText(this.searchText);
    this.selectedKey = undefined;
    this.details.setPlan(plan, this.open.advice);
    this.highlight = restored?.highlight ?? this.highlight;
    this.open.sizer.setHighlight(this.highlight);
    this.toolbar.setHighlight(this.highlight);
    this.showLegend(plan);
    this.grid.show(plan, restored?.gridSort ?? this.grid.sort.column, restored?.gridAscending ?? this.grid.sort.ascending);
    this.setView(restored?.view ?? this.view, { persist: false });
    this.relayout();
    if (restored?.transform) {
      this.tree.setTransform(restored.transform);
    } else {
      this.tree.openingView(this.hottestItem()!);
    }
    const selected = restored?.selectedNodeId;
    this.select(selected !== undefined ? this.open.layout?.tree.nodeItems.get(selected) : undefined);
    // Written at once, not debounced: a reload right after this must find the plan.
    this.persist();
  }

  /** The view state restored from a previous life of the page, if it holds a plan. */
  restore(state: WebviewState): void {
    if (state.heldPlan) {
      // The view waits for its plan, which the host holds.
      this.heldView = state;
      this.host.post({ type: 'resendPlan' });
      return;
    }
    if (state.lastShowPlan) {
      this.showPlan({ ...state.lastShowPlan, advice: state.lastAdvice }, state);
      if (state.lastComparison) {
        this.showComparison(state.lastComparison);
      }
    }
  }

  /** New advice for the plan on screen: badges, findings and the details pane follow, the view stays. */
  private showAdvice(advice: PlanAdvice): void {
    const open = this.open;
    if (!open) {
      return;
    }
    open.advice = new AdviceIndex(advice, open.message.plan);
    this.findingsBar.show(open.advice, open.message.plan);
    this.details.setAdvice(open.advice);
    // Badges change card widths.
    this.relayout();
    this.tree.setSelected(this.selectedKey);
    this.findingsBar.setCurrent(nodeIdOfKey(this.selectedKey));
    this.persist();
  }

  private showCreation(creation: IndexCreationMessage): void {
    this.creations.set(creation.suggestionId, creation);
    this.details.updateCreation(creation);
    markPaintedSoon();
  }

  /** The comparison in place of the plan; behind it, the plan after the index is the main view. */
  private showComparison(message: ShowComparisonMessage): void {
    const after: ShowPlanMessage = { type: 'showPlan', plan: message.after.plan, meta: message.after.meta };
    if (!this.open || !sameRun(this.open.message, after)) {
      this.showPlan(after);
    }
    this.comparison = message;
    this.comparisonView.show(message);
    this.updateLayers();
    this.persist();
    markPaintedSoon();
  }

  private closeComparison(): void {
    this.comparison = undefined;
    this.updateLayers();
    this.persist();
    markPaintedSoon();
  }

  /** The run the comparison's `after` plan came from, as a showPlan of it. */
  private comparedRun(): ShowPlanMessage {
    const after = this.comparison!.after;
    return { type: 'showPlan', plan: after.plan, meta: after.meta };
  }

  private relayout(anchor?: TreeItem): void {
    const open = this.open!;
    const tree = open.visibility.build();
    open.sizer.setBadges(open.advice.badges(tree, open.index));
    open.layout = layoutTree(tree, open.message.plan, open.sizer);
    this.tree.show(open.message.plan, open.sizer, open.layout, anchor);
    // A group is one click from showing all its members: their sizes are worked out ahead, while idle.
    for (const group of tree.groupItems.values()) {
      open.sizer.measureWhenIdle(group.memberIds);
    }
    this.status.textContent = `${plural(open.message.plan.nodes.length, 'node')} · ${formatNumber(tree.nodeItems.size)} shown`;
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

  private select(item: TreeItem | undefined, { reveal = false, center = false }: { reveal?: boolean; center?: boolean } = {}): void {
    const open = this.open;
    if (!open) {
      return;
    }
    const changed = item?.key !== this.selectedKey;
    this.selectedKey = item?.key;
    this.tree.setSelected(item?.key);
    // The pane may show a list instead of the selection; selecting anything brings it back to the selection.
    const paneWas = this.details.showing;
    if (this.detailsOpen && (changed || (item && paneWas !== 'item'))) {
      this.details.show(item);
    }
    if (changed) {
      this.findingsBar.setCurrent(nodeIdOfKey(item?.key));
    }
    this.grid.setSelected(nodeIdOfKey(item?.key), this.view === 'grid');
    // A pane that just opened narrows the tree: the selection must not end up behind it.
    if (item && this.view === 'tree' && (reveal || center || paneWas !== this.details.showing)) {
      this.tree.reveal(item, center);
    }
    this.updateMatchCount();
    this.persistSoon();
  }

  /** A finding from the list: its node selected and in view, or for a plan-wide one, its details. */
  private openFinding(finding: Finding): void {
    if (finding.nodeId !== null) {
      this.openNode(finding.nodeId);
      return;
    }
    this.select(undefined);
    this.details.showFinding(finding);
    this.findingsBar.setCurrent(undefined, finding);
    markPaintedSoon();
  }

  /** Selects a node and brings it into view, opening whatever collapsed node or group hides it. */
  private openNode(nodeId: number): void {
    const open = this.open;
    if (!open?.layout || nodeId >= open.message.plan.nodes.length) {
      return;
    }
    if (!open.layout.tree.nodeItems.has(nodeId)) {
      open.visibility.reveal(nodeId);
      this.relayout();
      this.persistSoon();
    }
    this.detailsOpen = true;
    this.select(open.layout.tree.nodeItems.get(nodeId), { reveal: true });
  }

  private openSuggestions(): void {
    this.select(undefined);
    this.details.showSuggestions();
    this.findingsBar.setCurrent(undefined);
    markPaintedSoon();
  }

  /** Enter, Space or a click: the item selected and its details shown. */
  private openDetails(item: TreeItem): void {
    this.detailsOpen = true;
    this.select(item, { reveal: true });
  }

  /** Escape or the pane's close button: the pane closes, the selection stays for the keyboard to go on from. */
  private closeDetails(): void {
    if (this.selectedKey) {
      this.detailsOpen = false;
    } else {
      // A plan-wide finding or the suggestions: nothing is selected, so only the pane closes.
      this.findingsBar.setCurrent(undefined);
    }
    this.details.show(undefined);
    markPaintedSoon();
  }

  /** A grid row selected: the node everywhere, whatever folds it away in the tree. */
  private selectFromGrid(nodeId: number): void {
    const open = this.open;
    if (!open?.layout) {
      return;
    }
    if (!open.layout.tree.nodeItems.has(nodeId)) {
      open.visibility.reveal(nodeId);
      this.relayout();
    }
    this.select(open.layout.tree.nodeItems.get(nodeId));
  }

  /** The card of the hottest node, or what folds it away. */
  private hottestItem(): TreeItem | undefined {
    const open = this.open;
    if (!open?.layout) {
      return undefined;
    }
    const tree = open.layout.tree;
    return tree.nodeItems.get(open.hottestId) ?? holderOf(tree, open.index, open.hottestId);
  }

  private setView(view: PlanViewKind, { persist = true } = {}): void {
    this.view = view;
    this.toolbar.setView(view);
    this.tree.viewport.hidden = view !== 'tree';
    this.grid.element.hidden = view !== 'grid';
    const item = this.selectedKey && this.open?.layout ? itemByKey(this.open.layout.tree, this.selectedKey) : undefined;
    if (view === 'grid') {
      this.grid.refresh();
      this.grid.setSelected(nodeIdOfKey(this.selectedKey), true);
    } else if (item) {
      this.tree.reveal(item);
    }
    markPaintedSoon();
    if (persist) {
      this.persistSoon();
    }
  }

  private setHighlight(metric: HighlightMetric): void {
    this.highlight = metric;
    const open = this.open;
    if (!open) {
      return;
    }
    open.sizer.setHighlight(metric);
    this.tree.redraw();
    this.showLegend(open.message.plan);
    this.persistSoon();
  }

  private search(text: string): void {
    this.searchText = text;
    if (this.open) {
      this.open.matches = this.open.search.find(text);
    }
    this.updateMarks();
    this.persistSoon();
  }

  /** Marks the matches, and the cards that hide some, on the tree as it is laid out now. */
  private updateMarks(): void {
    const open = this.open;
    if (!open?.layout) {
      return;
    }
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

  /** Posts a request the host answers with a `reply`, whose outcome the toolbar's toast tells. */
  private request(make: (id: number) => WebviewRequest): void {
    if (!this.open) {
      return;
    }
    const message = make(this.nextRequestId++);
    this.pending.set(message.id, message.type);
    this.host.post(message);
  }

  private showLegend(plan: AnalyzedPlan): void {
    const swatches = el('div', 'legend-heat');
    const highlight = highlightOf(this.highlight);
    if (plan.analyzed || highlight.metric === 'cost' || highlight.metric === 'rows') {
      swatches.append(el('span', 'legend-label', highlight.legendLabel));
      highlight.legend.forEach((text, heat) => {
        const swatch = el('span', `legend-swatch heat-${heat}`);
        swatch.append(el('span', 'swatch'), el('span', undefined, text));
        swatches.append(swatch);
      });
    }
    this.legend.replaceChildren(
      swatches,
      el('div', 'legend-edges', plan.analyzed ? 'Edge width: rows (log scale)' : 'Edge width: estimated rows (log scale)'),
    );
  }

  /** A quiet message where the plan would be, before there is one. `undefined` clears it. */
  private showNotice(text: string | undefined): void {
    this.notice.className = 'notice waiting';
    this.notice.hidden = text === undefined;
    this.notice.setAttribute('role', 'status');
    this.notice.replaceChildren(el('span', 'notice-text', text ?? ''));
    this.updateLayers();
    markPaintedSoon();
  }

  /** Which of the plan view and the comparison is on screen, and whether it is the previous run's. */
  private updateLayers(): void {
    const comparing = this.comparison !== undefined && this.runState.kind === undefined;
    const stale = this.runState.kind === 'failed' || this.runState.kind === 'cancelled';
    this.top.hidden = comparing || !this.open;
    this.top.classList.toggle('stale', stale);
    this.body.hidden = !this.open || comparing;
    this.body.classList.toggle('stale', stale);
    this.comparisonView.element.hidden = !comparing;
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
    const { plan, meta } = open.message;
    const held = plan.nodes.length > STATE_PLAN_MAX_NODES;
    this.host.setState({
      version: WEBVIEW_STATE_VERSION,
      transform: this.tree.transform,
      selectedNodeId: nodeIdOfKey(this.selectedKey),
      collapsedNodeIds: [...open.visibility.collapsed],
      expandedGroupIds: [...open.visibility.expandedGroups],
      searchText: this.searchText,
      view: this.view,
      highlight: this.highlight,
      gridSort: this.grid.sort.column,
      gridAscending: this.grid.sort.ascending,
      ...(held
        ? { heldPlan: { ranAt: meta.ranAt, nodes: plan.nodes.length } }
        : { lastShowPlan: { type: 'showPlan', plan, meta }, lastAdvice: open.advice.advice, lastComparison: this.comparison }),
    });
  }
}

/**
 * The zoomable plan tree. Layout happens elsewhere, once per expand or collapse; here a zoom or
 * pan only moves one transform and then brings into the DOM the few cards that entered the
 * viewport (and drops those that left), so the cost of a frame does not grow with the plan.
 * Zoomed out past reading, cards give way to outlines drawn as a handful of paths.
 */
import { select } from 'd3-selection';
import { zoom, zoomIdentity, zoomTransform, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import type { ViewTransform } from '../../src/protocol';
import type { CardSizer } from './card-size';
import { markPaintedSoon } from './paint-mark';
import { cardTooltip, describeGroupTooltip } from './card-content';
import { CARD, CARD_HEIGHT } from './card-size';
import { cardElementId, createCard } from './plan-card';
import { silhouettes, type TreeLayout } from './tree-layout';
import { itemByKey, type TreeItem } from './visible-tree';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Below this scale card text is too small to read, so outlines replace the cards. */
const FAR_SCALE = 0.4;
/** The smallest scale at which card text stays at 11 px: a plan that fits only below it opens on its hottest path. */
export const READABLE_SCALE = 11 / CARD.smallestFont;
/** Below this, a fitted tree is a strip too thin to see (a card under 12 px high): Fit shows the hottest path instead. */
const MIN_FIT_SCALE = 12 / CARD_HEIGHT;
/** Where the view goes when the keyboard or search moves to a card too small to read. */
const FOCUS_SCALE = READABLE_SCALE;
const SCALE_EXTENT: [number, number] = [0.01, 2];
/** Cards this far (screen pixels) outside the viewport are kept, so a short pan adds none. */
const CULL_MARGIN = 240;
const FIT_MARGIN = 24;
/** Below the tree, room for the status line and legend drawn over the viewport's bottom edge. */
const FIT_MARGIN_BOTTOM = 44;
const ZOOM_STEP = 1.25;
/** Where the hottest card sits, as a share of the view's height, when the path to it is too long to show whole. */
const PATH_CARD_AT = 0.7;

export interface TreeViewHandlers {
  select(item: TreeItem): void;
  /** Enter or Space: the item's details. */
  open(item: TreeItem): void;
  toggle(item: TreeItem): void;
  regroup(nodeId: number): void;
  viewChanged(transform: ViewTransform): void;
}

/** Search results as the tree shows them. */
export interface TreeMarks {
  active: boolean;
  matches: ReadonlySet<number>;
  /** Keys of collapsed nodes and groups that hide a match. */
  holders: ReadonlySet<string>;
}

const NO_MARKS: TreeMarks = { active: false, matches: new Set(), holders: new Set() };

type Direction = 'up' | 'down' | 'left' | 'right';

const ARROWS = new Map<string, Direction>([
  ['ArrowUp', 'up'],
  ['ArrowDown', 'down'],
  ['ArrowLeft', 'left'],
  ['ArrowRight', 'right'],
]);

export class TreeView {
  readonly viewport: HTMLDivElement;
  private readonly world: HTMLDivElement;
  private readonly edgeGroup: SVGGElement;
  private readonly outlineGroup: SVGGElement;
  private readonly cardLayer: HTMLDivElement;
  private readonly zoomBehavior: ZoomBehavior<HTMLDivElement, unknown>;
  private plan?: AnalyzedPlan;
  private sizer?: CardSizer;
  private layout?: TreeLayout;
  private selectedKey?: string;
  private marks: TreeMarks = NO_MARKS;
  private outlinesDrawn = false;
  private cullQueued = false;
  private far = false;

  constructor(private readonly handlers: TreeViewHandlers) {
    this.viewport = document.createElement('div');
    this.viewport.className = 'tree-viewport';
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute('role', 'tree');
    this.viewport.setAttribute('aria-label', 'Query plan');

    this.world = document.createElement('div');
    this.world.className = 'tree-world';
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.classList.add('tree-edges');
    this.outlineGroup = document.createElementNS(SVG_NS, 'g');
    this.outlineGroup.classList.add('outlines');
    this.edgeGroup = document.createElementNS(SVG_NS, 'g');
    this.edgeGroup.classList.add('edges');
    svg.append(this.edgeGroup, this.outlineGroup);
    this.cardLayer = document.createElement('div');
    this.cardLayer.className = 'tree-cards';
    this.world.append(svg, this.cardLayer);
    this.viewport.append(this.world);

    this.zoomBehavior = zoom<HTMLDivElement, unknown>()
      .scaleExtent(SCALE_EXTENT)
      .on('zoom', (event: { transform: ZoomTransform }) => this.applyTransform(event.transform))
      .on('end', (event: { transform: ZoomTransform }) => {
        const { x, y, k } = event.transform;
        this.handlers.viewChanged({ x, y, k });
      });
    // Double-click belongs to the cards (collapse), not to zooming.
    select(this.viewport).call(this.zoomBehavior).on('dblclick.zoom', null);

    this.cardLayer.addEventListener('click', (event) => this.onCardClick(event));
    this.cardLayer.addEventListener('dblclick', (event) => {
      const item = this.itemAt(event.target);
      if (item && !(event.target as Element).closest('button')) {
        this.handlers.toggle(item);
      }
    });
    this.viewport.addEventListener('keydown', (event) => this.onKeyDown(event));
    new ResizeObserver(() => this.queueCull()).observe(this.viewport);
  }

  get transform(): ViewTransform {
    const { x, y, k } = zoomTransform(this.viewport);
    return { x, y, k };
  }

  /**
   * Draws a new layout: edges at once, cards for what the viewport shows. `anchor`, the item
   * clicked as it was placed before, stays where it was on screen, so the tree moves around the
   * user's pointer rather than away from it.
   */
  show(plan: AnalyzedPlan, sizer: CardSizer, layout: TreeLayout, anchor?: TreeItem): void {
    this.plan = plan;
    this.sizer = sizer;
    this.layout = layout;
    // The view moves and the cards are picked before the edges change: both measure the viewport,
    // which after new edges would force a layout of all of them now, and again for the frame.
    const moved = anchor && itemByKey(layout.tree, anchor.key);
    if (anchor && moved) {
      const { x, y, k } = this.transform;
      const dx = anchor.x + anchor.width / 2 - (moved.x + moved.width / 2);
      const dy = anchor.y - moved.y;
      if (dx !== 0 || dy !== 0) {
        this.setTransform({ x: x + dx * k, y: y + dy * k, k });
      }
    }
    this.outlineGroup.replaceChildren();
    this.outlinesDrawn = false;
    this.cardLayer.replaceChildren();
    this.cull();
    this.edgeGroup.replaceChildren(
      ...layout.edges.map(({ width, path }) => {
        const element = document.createElementNS(SVG_NS, 'path');
        element.setAttribute('d', path);
        element.setAttribute('stroke-width', String(width));
        return element;
      }),
    );
  }

  setSelected(key: string | undefined): void {
    this.selectedKey = key;
    this.redecorate();
  }

  setMarks(marks: TreeMarks): void {
    this.marks = marks;
    this.viewport.classList.toggle('searching', marks.active);
    this.redecorate();
  }

  setTransform(transform: ViewTransform): void {
    select(this.viewport).call(this.zoomBehavior.transform, zoomIdentity.translate(transform.x, transform.y).scale(transform.k));
  }

  zoomIn(): void {
    select(this.viewport).call(this.zoomBehavior.scaleBy, ZOOM_STEP);
  }

  zoomOut(): void {
    select(this.viewport).call(this.zoomBehavior.scaleBy, 1 / ZOOM_STEP);
  }

  /**
   * The whole tree in view, never enlarged past its natural size; a tree so wide that it would
   * shrink to a strip shows instead as much as fits around the hottest card, at the smallest
   * scale that still draws the cards' shapes.
   */
  fit(hottest?: TreeItem): void {
    if (!this.layout) {
      return;
    }
    const fitScale = this.fitScale();
    if (fitScale < MIN_FIT_SCALE && hottest) {
      this.showPath(hottest, MIN_FIT_SCALE);
      return;
    }
    const { minX, minY, maxX } = this.layout.bounds;
    const k = Math.max(SCALE_EXTENT[0], Math.min(1, fitScale));
    // Centred across, hung from the top: a plan reads from its root down.
    this.setTransform({ x: this.viewport.clientWidth / 2 - ((minX + maxX) / 2) * k, y: FIT_MARGIN - minY * k, k });
  }

  /** How a plan first appears: fitted if its text stays readable (11 px or more), else its hottest card and the path to it, readable. */
  openingView(hottest: TreeItem): void {
    if (!this.layout) {
      return;
    }
    if (this.fitScale() >= READABLE_SCALE) {
      this.fit();
      return;
    }
    this.showPath(hottest, READABLE_SCALE);
  }

  /** At scale k: the card centred across, and below the root when the path to it fits. */
  private showPath(item: TreeItem, k: number): void {
    const { clientWidth: width, clientHeight: height } = this.viewport;
    const { minY } = this.layout!.bounds;
    let x = width / 2 - (item.x + item.width / 2) * k;
    if (item.width * k > width - 2 * FIT_MARGIN) {
      // Wider than the view: its start, where the node's name is, rather than its middle.
      x = FIT_MARGIN - item.x * k;
    }
    const pathFits = (item.y + item.height - minY) * k <= height - FIT_MARGIN - FIT_MARGIN_BOTTOM;
    // The path leads down to the card: when it cannot all show, the card sits low, with as much of the path above it as fits.
    const y = pathFits ? FIT_MARGIN - minY * k : (height - FIT_MARGIN_BOTTOM) * PATH_CARD_AT - (item.y + item.height / 2) * k;
    this.setTransform({ x, y, k });
  }

  /** Draws every card again, e.g. after the highlighted measure changed. */
  redraw(): void {
    this.outlineGroup.replaceChildren();
    this.outlinesDrawn = false;
    this.cardLayer.replaceChildren();
    this.cull();
  }

  /** The scale at which the whole layout fits the viewport. */
  private fitScale(): number {
    const { minX, minY, maxX, maxY } = this.layout!.bounds;
    const { clientWidth: width, clientHeight: height } = this.viewport;
    return Math.min((width - 2 * FIT_MARGIN) / (maxX - minX), (height - FIT_MARGIN - FIT_MARGIN_BOTTOM) / (maxY - minY));
  }

  /** Pans (and zooms in, if too far out to read) just enough to bring a card into view. */
  reveal(item: TreeItem, center = false): void {
    const { clientWidth: width, clientHeight: height } = this.viewport;
    let { x, y, k } = this.transform;
    if (center || k < FAR_SCALE) {
      k = Math.max(k, FOCUS_SCALE);
      this.setTransform({ x: width / 2 - (item.x + item.width / 2) * k, y: height / 2 - (item.y + item.height / 2) * k, k });
      return;
    }
    const left = item.x * k + x;
    const top = item.y * k + y;
    const right = left + item.width * k;
    const bottom = top + item.height * k;
    const margin = FIT_MARGIN;
    if (left < margin) {
      x += margin - left;
    } else if (right > width - margin) {
      x -= Math.min(right - (width - margin), left - margin);
    }
    if (top < margin) {
      y += margin - top;
    } else if (bottom > height - margin) {
      y -= Math.min(bottom - (height - margin), top - margin);
    }
    if (x !== this.transform.x || y !== this.transform.y) {
      this.setTransform({ x, y, k });
    }
  }

  private applyTransform(transform: ZoomTransform): void {
    this.world.style.transform = `translate(${transform.x}px, ${transform.y}px) scale(${transform.k})`;
    const far = transform.k < FAR_SCALE;
    if (far !== this.far) {
      this.far = far;
      this.viewport.classList.toggle('far', far);
    }
    this.queueCull();
  }

  private queueCull(): void {
    if (this.cullQueued) {
      return;
    }
    this.cullQueued = true;
    requestAnimationFrame(() => {
      this.cullQueued = false;
      this.cull();
    });
  }

  /** Keeps in the DOM exactly the cards near the viewport. */
  private cull(): void {
    const layout = this.layout;
    if (!layout) {
      return;
    }
    let visible: TreeItem[] = [];
    if (this.far) {
      this.drawOutlines();
    } else {
      const { x, y, k } = this.transform;
      const left = (-CULL_MARGIN - x) / k;
      const top = (-CULL_MARGIN - y) / k;
      const right = (this.viewport.clientWidth + CULL_MARGIN - x) / k;
      const bottom = (this.viewport.clientHeight + CULL_MARGIN - y) / k;
      visible = layout.tree.items.filter(
        (item) => item.x < right && item.x + item.width > left && item.y < bottom && item.y + item.height > top,
      );
    }
    select(this.cardLayer)
      .selectAll<HTMLDivElement, TreeItem>('div.card')
      .data(visible, (item) => item.key)
      .join(
        (enter) => enter.append((item) => this.createCard(item)),
        (update) => update,
        (exit) => exit.remove(),
      );
    this.markActiveDescendant();
    markPaintedSoon();
  }

  /** Points assistive technology at the selected card, when it is in the DOM. */
  private markActiveDescendant(): void {
    const id = this.selectedKey && cardElementId(this.selectedKey);
    if (id && document.getElementById(id)) {
      this.viewport.setAttribute('aria-activedescendant', id);
    } else {
      this.viewport.removeAttribute('aria-activedescendant');
    }
  }

  private drawOutlines(): void {
    if (this.outlinesDrawn || !this.layout || !this.sizer) {
      return;
    }
    const sizer = this.sizer;
    this.outlineGroup.replaceChildren(
      ...silhouettes(this.layout, (item) => sizer.heat(item)).map(({ heat, path }) => {
        const element = document.createElementNS(SVG_NS, 'path');
        element.setAttribute('d', path);
        element.classList.add(`heat-${heat}`);
        return element;
      }),
    );
    this.outlinesDrawn = true;
  }

  private createCard(item: TreeItem): HTMLDivElement {
    const plan = this.plan!;
    const hasChildren = item.kind === 'node' && plan.nodes[item.nodeId].childIds.length > 0;
    const content = { ...this.sizer!.content(item), heat: this.sizer!.heat(item) };
    const card = createCard(item, content, hasChildren, this.sizer!.badge(item));
    card.title = item.kind === 'node' ? cardTooltip(plan.nodes[item.nodeId], plan) : describeGroupTooltip(content);
    this.decorate(card, item);
    return card;
  }

  private decorate(card: HTMLElement, item: TreeItem): void {
    const selected = item.key === this.selectedKey;
    const match = item.kind === 'node' && this.marks.matches.has(item.nodeId);
    const holdsMatch = this.marks.holders.has(item.key);
    card.classList.toggle('selected', selected);
    card.setAttribute('aria-selected', String(selected));
    card.classList.toggle('match', match);
    card.classList.toggle('holds-match', holdsMatch);
    card.classList.toggle('dimmed', this.marks.active && !match && !holdsMatch);
  }

  private redecorate(): void {
    select(this.cardLayer)
      .selectAll<HTMLDivElement, TreeItem>('div.card')
      .each((item, i, cards) => this.decorate(cards[i], item));
    this.markActiveDescendant();
    markPaintedSoon();
  }

  private itemAt(target: EventTarget | null): TreeItem | undefined {
    const card = (target as Element | null)?.closest<HTMLDivElement>('div.card');
    return card ? select<HTMLDivElement, TreeItem>(card).datum() : undefined;
  }

  private onCardClick(event: MouseEvent): void {
    const item = this.itemAt(event.target);
    if (!item) {
      return;
    }
    const control = (event.target as Element).closest('button');
    if (control?.classList.contains('card-regroup') && item.kind === 'node') {
      this.handlers.regroup(item.nodeId);
    } else if (control) {
      this.handlers.toggle(item);
    } else {
      this.handlers.open(item);
    }
    this.viewport.focus({ preventScroll: true });
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (!this.layout || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const current = this.selectedItem();
    const direction = ARROWS.get(event.key);
    if (direction) {
      const next = current ? this.neighbour(current, direction) : this.layout.tree.root;
      if (next) {
        this.handlers.select(next);
      }
    } else if (event.key === 'Enter' && event.shiftKey && current) {
      this.handlers.toggle(current);
    } else if ((event.key === 'Enter' || event.key === ' ') && current) {
      this.handlers.open(current);
    } else if (event.key === 'Home') {
      this.handlers.select(this.layout.tree.root);
    } else if (event.key === '+' || event.key === '=') {
      this.zoomIn();
    } else if (event.key === '-') {
      this.zoomOut();
    } else {
      return;
    }
    event.preventDefault();
  }

  private selectedItem(): TreeItem | undefined {
    return this.selectedKey && this.layout ? itemByKey(this.layout.tree, this.selectedKey) : undefined;
  }

  /** Up: the parent. Down: the first child. Left and right: the next card in the same row. */
  private neighbour(item: TreeItem, direction: Direction): TreeItem | undefined {
    switch (direction) {
      case 'up':
        return item.parent ?? undefined;
      case 'down':
        return item.children[0];
      case 'left':
      case 'right': {
        const row = this.layout!.rows[item.depth];
        const at = row.indexOf(item);
        return row[at + (direction === 'left' ? -1 : 1)];
      }
    }
  }
}

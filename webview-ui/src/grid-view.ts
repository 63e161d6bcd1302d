/**
 * The plan as a table: one row per node, sortable by column, driven by the keyboard like a list.
 * Rows have one fixed height, so only those in view (and a margin) are in the DOM, and scrolling
 * a plan of 50k nodes costs what scrolling one of 50 does.
 */
import type { AnalyzedPlan } from '../../src/core/plan/model';
import { el } from './dom';
import { remoteBadge } from './plan-card';
import { GRID_COLUMNS, gridCells, gridColumn, gridOrder, type GridColumnId } from './grid-rows';
import { markPaintedSoon } from './paint-mark';

/** Must match .grid-row's height in grid.css. */
export const GRID_ROW_HEIGHT = 24;
/** Rows drawn beyond each edge of the view, so a short scroll adds none. */
const OVERSCAN = 10;
/** Indentation per depth level, capped so deep plans keep room for the name. */
const INDENT_PX = 12;
const MAX_INDENT_DEPTH = 16;

export interface GridViewHandlers {
  select(nodeId: number): void;
  /** Enter or Space: the node's details. */
  open(nodeId: number): void;
  sortChanged(column: GridColumnId | undefined, ascending: boolean): void;
}

export function gridRowId(nodeId: number): string {
  return `grid-row-${nodeId}`;
}

export class GridView {
  readonly element: HTMLDivElement;
  private readonly header: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly rowLayer: HTMLDivElement;
  private plan?: AnalyzedPlan;
  private order: number[] = [];
  /** Position of each node in `order`. */
  private positions = new Int32Array(0);
  private sortColumn?: GridColumnId;
  private ascending = true;
  private selectedId?: number;
  private drawn = new Map<number, HTMLDivElement>();
  private renderQueued = false;

  constructor(private readonly handlers: GridViewHandlers) {
    this.element = el('div', 'grid-view');
    this.element.hidden = true;
    this.element.setAttribute('role', 'grid');
    this.element.setAttribute('aria-label', 'Query plan nodes');
    this.element.tabIndex = 0;

    this.header = el('div', 'grid-row grid-header');
    this.header.setAttribute('role', 'row');
    this.header.setAttribute('aria-rowindex', '1');
    for (const column of GRID_COLUMNS) {
      const cell = el('div', `grid-cell col-${column.id}`);
      cell.setAttribute('role', 'columnheader');
      const sort = el('button', 'grid-sort', column.label);
      sort.type = 'button';
      sort.title = `${column.title}. Sort by ${column.label.toLowerCase()}`;
      sort.tabIndex = -1;
      sort.dataset.column = column.id;
      sort.addEventListener('click', () => this.clickSort(column.id));
      cell.append(sort);
      this.header.append(cell);
    }

    this.scroller = el('div', 'grid-scroll');
    this.spacer = el('div', 'grid-spacer');
    this.rowLayer = el('div', 'grid-rows');
    this.rowLayer.setAttribute('role', 'rowgroup');
    this.spacer.append(this.rowLayer);
    this.scroller.append(this.header, this.spacer);
    this.element.append(this.scroller);

    this.scroller.addEventListener('scroll', () => this.queueRender());
    this.rowLayer.addEventListener('click', (event) => {
      const row = (event.target as Element).closest<HTMLDivElement>('.grid-row');
      if (row?.dataset.nodeId !== undefined) {
        this.handlers.open(Number(row.dataset.nodeId));
        this.element.focus({ preventScroll: true });
      }
    });
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
    new ResizeObserver(() => this.queueRender()).observe(this.scroller);
  }

  get sort(): { column?: GridColumnId; ascending: boolean } {
    return { column: this.sortColumn, ascending: this.ascending };
  }

  show(plan: AnalyzedPlan, sortColumn?: string, ascending = true): void {
    this.plan = plan;
    this.element.classList.toggle('estimate', !plan.analyzed);
    this.element.setAttribute('aria-rowcount', String(plan.nodes.length + 1));
    this.setSort(sortColumn ? gridColumn(sortColumn)?.id : undefined, ascending);
  }

  setSelected(nodeId: number | undefined, reveal: boolean): void {
    this.selectedId = nodeId;
    for (const [id, row] of this.drawn) {
      this.decorate(row, id);
    }
    if (nodeId !== undefined && reveal) {
      this.scrollToRow(this.positions[nodeId]);
    }
    this.markActiveDescendant();
    markPaintedSoon();
  }

  /** Draws the rows now, e.g. after the grid was hidden and could not measure itself. */
  refresh(): void {
    this.render();
  }

  private setSort(column: GridColumnId | undefined, ascending: boolean): void {
    const plan = this.plan!;
    this.sortColumn = column;
    this.ascending = ascending;
    this.order = gridOrder(plan, column, ascending);
    this.positions = new Int32Array(plan.nodes.length);
    this.order.forEach((id, at) => {
      this.positions[id] = at;
    });
    for (const cell of this.header.children) {
      const id = (cell.firstElementChild as HTMLElement).dataset.column;
      cell.setAttribute('aria-sort', id === column ? (ascending ? 'ascending' : 'descending') : 'none');
    }
    this.spacer.style.height = `${this.order.length * GRID_ROW_HEIGHT}px`;
    this.rowLayer.replaceChildren();
    this.drawn.clear();
    this.render();
  }

  /** Numbers sort largest first on the first click, then smallest; the node column goes back to plan order. */
  private clickSort(column: GridColumnId): void {
    const numeric = gridColumn(column)?.numeric ?? false;
    const ascending = this.sortColumn === column ? !this.ascending : !numeric;
    this.setSort(column === 'node' && ascending ? undefined : column, ascending);
    if (this.selectedId !== undefined) {
      this.scrollToRow(this.positions[this.selectedId]);
    }
    this.handlers.sortChanged(this.sortColumn, this.ascending);
  }

  private queueRender(): void {
    if (this.renderQueued) {
      return;
    }
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  /** Keeps in the DOM exactly the rows near the view. */
  private render(): void {
    const plan = this.plan;
    if (!plan || this.element.hidden) {
      return;
    }
    const headerHeight = this.header.offsetHeight;
    const top = Math.max(0, this.scroller.scrollTop - headerHeight);
    const first = Math.max(0, Math.floor(top / GRID_ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.order.length, Math.ceil((top + this.scroller.clientHeight) / GRID_ROW_HEIGHT) + OVERSCAN);
    const wanted = new Set<number>();
    for (let at = first; at < last; at++) {
      wanted.add(this.order[at]);
    }
    for (const [id, row] of this.drawn) {
      if (!wanted.has(id)) {
        row.remove();
        this.drawn.delete(id);
      }
    }
    for (let at = first; at < last; at++) {
      const id = this.order[at];
      let row = this.drawn.get(id);
      if (!row) {
        row = this.createRow(id, plan);
        this.drawn.set(id, row);
        this.rowLayer.append(row);
      }
      row.style.transform = `translateY(${at * GRID_ROW_HEIGHT}px)`;
      row.setAttribute('aria-rowindex', String(at + 2));
    }
    this.markActiveDescendant();
    markPaintedSoon();
  }

  private createRow(id: number, plan: AnalyzedPlan): HTMLDivElement {
    const node = plan.nodes[id];
    const cells = gridCells(node, plan);
    const row = el('div', 'grid-row');
    row.id = gridRowId(id);
    row.dataset.nodeId = String(id);
    row.setAttribute('role', 'row');
    const cell = (column: GridColumnId, text: string, className = '') => {
      const element = el('div', `grid-cell col-${column}${className ? ` ${className}` : ''}`, text);
      element.setAttribute('role', 'gridcell');
      row.append(element);
      return element;
    };
    const name = cell('node', '');
    name.style.paddingLeft = `${6 + Math.min(node.depth, MAX_INDENT_DEPTH) * INDENT_PX}px`;
    const label = el('span', 'grid-node-name', cells.node);
    name.title = cells.node;
    if (cells.remote) {
      name.append(remoteBadge(cells.remote));
    }
    name.append(label);
    cell('exclusive', cells.exclusive, `heat-${cells.exclusiveHeat} heat-cell`);
    cell('inclusive', cells.inclusive, `heat-${cells.inclusiveHeat} heat-cell`);
    cell('rows', cells.rows, cells.rows === 'never executed' ? 'never-executed' : '');
    cell('misestimate', cells.misestimate, cells.misestimateDirection ? `grid-misestimate ${cells.misestimateDirection}` : '');
    cell('loops', cells.loops);
    cell('buffers', cells.buffers);
    cell('conditions', cells.conditions).title = cells.conditions;
    this.decorate(row, id);
    return row;
  }

  private decorate(row: HTMLDivElement, id: number): void {
    const selected = id === this.selectedId;
    row.classList.toggle('selected', selected);
    row.setAttribute('aria-selected', String(selected));
  }

  private markActiveDescendant(): void {
    if (this.selectedId !== undefined && this.drawn.has(this.selectedId)) {
      this.element.setAttribute('aria-activedescendant', gridRowId(this.selectedId));
    } else {
      this.element.removeAttribute('aria-activedescendant');
    }
  }

  /** Scrolls just enough for the row at `at` to be in view below the sticky header. */
  private scrollToRow(at: number): void {
    const headerHeight = this.header.offsetHeight;
    const rowTop = headerHeight + at * GRID_ROW_HEIGHT;
    const viewTop = this.scroller.scrollTop + headerHeight;
    const viewBottom = this.scroller.scrollTop + this.scroller.clientHeight;
    if (rowTop < viewTop) {
      this.scroller.scrollTop = rowTop - headerHeight;
    } else if (rowTop + GRID_ROW_HEIGHT > viewBottom) {
      this.scroller.scrollTop = rowTop + GRID_ROW_HEIGHT - this.scroller.clientHeight;
    }
    this.render();
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (!this.plan || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const at = this.selectedId === undefined ? -1 : this.positions[this.selectedId];
    const page = Math.max(1, Math.floor((this.scroller.clientHeight - this.header.offsetHeight) / GRID_ROW_HEIGHT) - 1);
    const last = this.order.length - 1;
    const moves = new Map<string, number>([
      ['ArrowDown', Math.min(last, at + 1)],
      ['ArrowUp', Math.max(0, at - 1)],
      ['PageDown', Math.min(last, Math.max(0, at) + page)],
      ['PageUp', Math.max(0, at - page)],
      ['Home', 0],
      ['End', last],
    ]);
    const to = moves.get(event.key);
    if (to !== undefined) {
      this.handlers.select(this.order[to]);
    } else if ((event.key === 'Enter' || event.key === ' ') && this.selectedId !== undefined) {
      this.handlers.open(this.selectedId);
    } else {
      return;
    }
    event.preventDefault();
  }
}

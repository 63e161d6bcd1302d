/** Search, zoom and the plan actions, above the tree. */
import type { HighlightMetric, PlanViewKind } from '../../src/protocol';
import { HIGHLIGHTS } from './card-content';
import { button, el } from './dom';

export interface ToolbarHandlers {
  search(text: string): void;
  /** Moves to the next match (or the previous one). */
  step(backward: boolean): void;
  zoomIn(): void;
  zoomOut(): void;
  fit(): void;
  setView(view: PlanViewKind): void;
  setHighlight(metric: HighlightMetric): void;
  copyPlanJson(): void;
  openRawPlan(): void;
}

const TOAST_MS = 2500;

export class Toolbar {
  readonly element: HTMLElement;
  readonly searchInput: HTMLInputElement;
  private readonly matchCount: HTMLSpanElement;
  private readonly toast: HTMLSpanElement;
  private readonly viewButtons: Map<PlanViewKind, HTMLButtonElement>;
  private readonly highlight: HTMLSelectElement;
  private readonly treeControls: HTMLElement[];
  private toastTimer?: ReturnType<typeof setTimeout>;

  constructor(handlers: ToolbarHandlers) {
    this.element = el('div', 'toolbar');
    this.element.setAttribute('role', 'toolbar');

    const search = el('div', 'search');
    this.searchInput = el('input', 'search-input');
    this.searchInput.type = 'search';
    this.searchInput.placeholder = 'Find node, relation, index…';
    this.searchInput.setAttribute('aria-label', 'Find nodes by type, relation or index');
    this.searchInput.spellcheck = false;
    this.searchInput.addEventListener('input', () => handlers.search(this.searchInput.value));
    this.searchInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        handlers.step(event.shiftKey);
      } else if (event.key === 'Escape' && this.searchInput.value !== '') {
        event.preventDefault();
        this.searchInput.value = '';
        handlers.search('');
      }
    });
    this.matchCount = el('span', 'match-count');
    this.matchCount.setAttribute('aria-live', 'polite');
    const previous = button('icon-button', '↑', 'Previous match (Shift+Enter)');
    previous.addEventListener('click', () => handlers.step(true));
    const next = button('icon-button', '↓', 'Next match (Enter)');
    next.addEventListener('click', () => handlers.step(false));
    search.append(this.searchInput, this.matchCount, previous, next);

    const views = el('div', 'view-switch');
    views.setAttribute('role', 'group');
    views.setAttribute('aria-label', 'View');
    this.viewButtons = new Map([
      ['tree', button('text-button view-tree', 'Tree', 'The plan as a tree of cards')],
      ['grid', button('text-button view-grid', 'Grid', 'The plan as a table, one row per node (sortable)')],
    ]);
    for (const [view, control] of this.viewButtons) {
      control.addEventListener('click', () => handlers.setView(view));
      views.append(control);
    }

    const highlight = el('label', 'highlight');
    highlight.append(el('span', 'highlight-label', 'Highlight'));
    this.highlight = el('select', 'highlight-select');
    this.highlight.title = 'What the colour of the cards measures';
    for (const { metric, label } of HIGHLIGHTS) {
      const option = el('option', undefined, label);
      option.value = metric;
      this.highlight.append(option);
    }
    this.highlight.addEventListener('change', () => handlers.setHighlight(this.highlight.value as HighlightMetric));
    highlight.append(this.highlight);

    const zoom = el('div', 'zoom-controls');
    const zoomOut = button('icon-button zoom-out', '−', 'Zoom out (-)');
    zoomOut.addEventListener('click', handlers.zoomOut);
    const zoomIn = button('icon-button zoom-in', '+', 'Zoom in (+)');
    zoomIn.addEventListener('click', handlers.zoomIn);
    const fit = button('text-button fit', 'Fit', 'Fit the tree to the view');
    fit.addEventListener('click', handlers.fit);
    zoom.append(zoomOut, zoomIn, fit);

    const actions = el('div', 'actions');
    const copy = button('text-button copy-plan', 'Copy plan JSON', 'Copy the plan as PostgreSQL returned it');
    copy.addEventListener('click', handlers.copyPlanJson);
    const open = button('text-button open-raw', 'Open raw plan', 'Open the plan JSON in an editor');
    open.addEventListener('click', handlers.openRawPlan);
    this.toast = el('span', 'toast');
    this.toast.setAttribute('role', 'status');
    actions.append(this.toast, copy, open);

    this.treeControls = [zoom, highlight];
    this.element.append(views, search, highlight, zoom, actions);
  }

  /** The view shown, and the controls that only apply to the tree. */
  setView(view: PlanViewKind): void {
    for (const [kind, control] of this.viewButtons) {
      control.setAttribute('aria-pressed', String(kind === view));
    }
    for (const control of this.treeControls) {
      control.hidden = view !== 'tree';
    }
  }

  setHighlight(metric: HighlightMetric): void {
    this.highlight.value = metric;
  }

  setSearchText(text: string): void {
    this.searchInput.value = text;
  }

  /** "3 of 12" once the user stepped to a match, "12 matches" before, "No match" for none. */
  setMatches(total: number, current: number | undefined, query: string): void {
    this.matchCount.classList.toggle('none', query.trim() !== '' && total === 0);
    if (query.trim() === '') {
      this.matchCount.textContent = '';
    } else if (total === 0) {
      this.matchCount.textContent = 'No match';
    } else if (current === undefined) {
      this.matchCount.textContent = total === 1 ? '1 match' : `${total} matches`;
    } else {
      this.matchCount.textContent = `${current + 1} of ${total}`;
    }
  }

  notify(text: string, isError = false): void {
    this.toast.textContent = text;
    this.toast.classList.toggle('error', isError);
    this.toast.classList.add('visible');
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => this.toast.classList.remove('visible'), TOAST_MS);
  }
}

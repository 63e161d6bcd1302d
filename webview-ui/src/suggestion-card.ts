/**
 * One index suggestion in the details pane: its CREATE INDEX, why, how far it was verified, the
 * actions on it, and the progress of creating it. Every string in it is advice text, which names
 * tables, columns and predicates of the user's query: text only.
 */
import type { IndexSuggestion } from '../../src/core/advice/advice-model';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import type { IndexCreationMessage } from '../../src/protocol';
import { describeVerification } from './advice-text';
import { nodeName } from '../../src/core/plan/node-label';
import { button, el } from './dom';
import { statusIcon } from './status-icon';

export interface SuggestionActions {
  copy(suggestion: IndexSuggestion): void;
  insert(suggestion: IndexSuggestion): void;
  create(suggestion: IndexSuggestion): void;
  cancel(suggestion: IndexSuggestion): void;
  /** Selects a node the suggestion is for. */
  openNode(nodeId: number): void;
}

export class SuggestionCard {
  readonly element: HTMLElement;
  private readonly createButton: HTMLButtonElement;
  private readonly progress: HTMLDivElement;

  /** `listNodes`: name the nodes the index is for (when the card is not shown under one of them). */
  constructor(
    readonly suggestion: IndexSuggestion,
    plan: AnalyzedPlan,
    private readonly actions: SuggestionActions,
    listNodes: boolean,
  ) {
    this.element = el('article', 'suggestion');
    this.element.dataset.suggestionId = suggestion.id;

    const head = el('div', 'suggestion-head');
    head.append(el('h4', 'suggestion-name', suggestion.name));
    const kinds = el('span', 'suggestion-kinds');
    for (const kind of suggestion.kinds) {
      kinds.append(el('span', 'kind-tag', kind));
    }
    head.append(kinds);
    const table = suggestion.schema ? `${suggestion.schema}.${suggestion.table}` : suggestion.table;
    this.element.append(head, el('div', 'suggestion-table', `on ${table}`));

    const ddl = el('pre', 'suggestion-ddl');
    ddl.append(el('code', undefined, suggestion.ddl));
    this.element.append(ddl, el('p', 'suggestion-reason', suggestion.reason));

    const verification = describeVerification(suggestion.verification);
    const verified = el('div', `suggestion-verification ${verification.outcome}`);
    verified.append(
      statusIcon(
        verification.outcome === 'verified' ? 'done' : verification.outcome === 'rejected' ? 'warning' : 'info',
        'verification-icon',
      ),
      el('span', undefined, verification.text),
    );
    this.element.append(verified);

    if (listNodes) {
      const nodes = suggestion.nodeIds.filter((id) => id < plan.nodes.length);
      if (nodes.length > 0) {
        const links = el('div', 'suggestion-nodes');
        links.append(el('span', 'suggestion-nodes-label', 'For'));
        for (const nodeId of nodes) {
          const link = button('node-link', `#${nodeId} ${nodeName(plan.nodes[nodeId])}`, 'Show this node in the tree');
          link.addEventListener('click', () => this.actions.openNode(nodeId));
          links.append(link);
        }
        this.element.append(links);
      }
    }

    const buttons = el('div', 'suggestion-actions');
    const copy = button('text-button copy-ddl', 'Copy DDL', 'Copy the CREATE INDEX statement');
    copy.addEventListener('click', () => this.actions.copy(suggestion));
    const insert = button(
      'text-button insert-ddl',
      'Insert into editor',
      'Insert the CREATE INDEX statement below the query in its editor',
    );
    insert.addEventListener('click', () => this.actions.insert(suggestion));
    this.createButton = button(
      'primary-button create-index',
      'Create index now',
      'Run the CREATE INDEX on the server (you confirm first), then explain again',
    );
    this.createButton.addEventListener('click', () => this.actions.create(suggestion));
    buttons.append(this.createButton, copy, insert);

    this.progress = el('div', 'creation');
    this.progress.setAttribute('role', 'status');
    this.progress.hidden = true;
    this.element.append(buttons, this.progress);
  }

  /** Shows where creating the index stands, as the host last reported it. */
  setCreation(creation: IndexCreationMessage | undefined): void {
    const state = creation?.state;
    this.element.dataset.creation = state ?? '';
    this.createButton.disabled = state === 'running';
    // A created index needs creating no more; a failed or cancelled one may be tried again.
    this.createButton.hidden = state === 'done';
    this.progress.hidden = creation === undefined;
    this.progress.className = `creation ${state ?? ''}`;
    if (!creation) {
      this.progress.replaceChildren();
      return;
    }
    const message = el('span', 'creation-message', creation.message);
    switch (creation.state) {
      case 'running': {
        const cancel = button('text-button cancel-creation', 'Cancel', 'Stop creating the index');
        cancel.addEventListener('click', () => this.actions.cancel(this.suggestion));
        this.progress.replaceChildren(el('span', 'spinner'), message, cancel);
        break;
      }
      case 'done':
        this.progress.replaceChildren(statusIcon('done', 'creation-icon'), message);
        break;
      case 'failed':
        this.progress.replaceChildren(statusIcon('critical', 'creation-icon'), message);
        break;
      case 'cancelled':
        this.progress.replaceChildren(statusIcon('info', 'creation-icon'), message);
        break;
    }
  }
}

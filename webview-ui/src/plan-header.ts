/** The run at a glance: title, mode, execution and planning time, server, when, and the statement. */
import type { AnalyzedPlan } from '../../src/core/plan/model';
import type { PlanMeta } from '../../src/protocol';
import { button, el } from './dom';
import { formatMs, formatNumber, formatRunTime } from '../../src/core/format';
import { describeParams } from './run-state';

export class PlanHeader {
  readonly element: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly mode: HTMLSpanElement;
  private readonly stats: HTMLDivElement;
  private readonly server: HTMLSpanElement;
  private readonly ranAt: HTMLTimeElement;
  private readonly params: HTMLSpanElement;
  private readonly statement: HTMLDivElement;
  private readonly statementToggle: HTMLButtonElement;
  private readonly statementText: HTMLElement;
  private statementSource = '';

  constructor() {
    this.element = el('div', 'plan-header');
    const titleRow = el('div', 'title-row');
    this.title = el('h1', 'plan-title');
    this.mode = el('span', 'mode-badge');
    this.stats = el('div', 'stats');
    titleRow.append(this.title, this.mode, this.stats);

    const metaRow = el('div', 'meta-row');
    this.server = el('span', 'server');
    this.server.title = 'Server';
    this.ranAt = el('time', 'ran-at');
    this.params = el('span', 'params');
    this.params.title = 'Parameter values sent with the statement';
    metaRow.append(this.server, this.ranAt, this.params);

    this.statement = el('div', 'statement');
    this.statementToggle = button('statement-toggle', '▸', 'Show the whole statement');
    this.statementToggle.setAttribute('aria-expanded', 'false');
    this.statementToggle.addEventListener('click', () => this.setStatementExpanded(!this.statement.classList.contains('expanded')));
    this.statementText = el('code', 'statement-text');
    this.statement.append(this.statementToggle, this.statementText);

    this.element.append(titleRow, metaRow, this.statement);
  }

  show(plan: AnalyzedPlan, meta: PlanMeta): void {
    this.title.textContent = meta.title ?? 'Query plan';
    this.mode.textContent = meta.mode === 'analyze' ? 'ANALYZE' : 'ESTIMATE';
    this.mode.classList.toggle('estimate', meta.mode !== 'analyze');

    const stats: Array<[string, string]> = [];
    if (plan.executionMs !== undefined) {
      stats.push(['Execution', formatMs(plan.executionMs)]);
    }
    if (plan.planningMs !== undefined) {
      stats.push(['Planning', formatMs(plan.planningMs)]);
    }
    if (!plan.analyzed) {
      stats.push(['Total cost', formatNumber(plan.nodes[0].totalCost)]);
    }
    if (meta.durationMs !== undefined) {
      stats.push(['Round trip', formatMs(meta.durationMs)]);
    }
    stats.push(['Nodes', formatNumber(plan.nodes.length)]);
    this.stats.replaceChildren(
      ...stats.map(([label, value]) => {
        const stat = el('span', 'stat');
        stat.append(el('span', 'stat-label', label), el('span', 'stat-value', value));
        return stat;
      }),
    );

    this.server.textContent = meta.server;
    this.server.hidden = meta.server === '';
    this.ranAt.textContent = `ran ${formatRunTime(meta.ranAt)}`;
    this.ranAt.dateTime = meta.ranAt;
    this.ranAt.title = meta.ranAt;

    this.params.textContent = meta.params && meta.params.length > 0 ? describeParams(meta.params) : '';
    this.params.hidden = this.params.textContent === '';

    this.statementSource = meta.statement;
    this.statement.hidden = meta.statement.trim() === '';
    this.setStatementExpanded(false);
  }

  private setStatementExpanded(expanded: boolean): void {
    this.statement.classList.toggle('expanded', expanded);
    this.statementToggle.textContent = expanded ? '▾' : '▸';
    this.statementToggle.setAttribute('aria-expanded', String(expanded));
    this.statementToggle.title = expanded ? 'Show the statement on one line' : 'Show the whole statement';
    // On one line, the statement's own line breaks and indentation would only waste the line.
    this.statementText.textContent = expanded ? this.statementSource : this.statementSource.replace(/\s+/g, ' ').trim();
  }
}

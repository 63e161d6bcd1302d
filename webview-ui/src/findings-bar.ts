/**
 * The advice at a glance, under the plan header: how many findings of which severity, each of
 * them by impact (a click goes to its node), and the way to every index suggestion. Hidden until
 * advice arrives; "No findings" once it says so.
 */
import type { Finding } from '../../src/core/advice/advice-model';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import { SEVERITIES_DESCENDING, countSeverities, type AdviceIndex } from './advice-index';
import { SEVERITY_NAMES, describeSeverities, formatImpact, plural } from './advice-text';
import { button, el } from './dom';
import { statusIcon } from './status-icon';

export interface FindingsBarHandlers {
  openFinding(finding: Finding): void;
  openSuggestions(): void;
}

export class FindingsBar {
  readonly element: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly counts: HTMLSpanElement;
  private readonly teaser: HTMLSpanElement;
  private readonly suggestionsLink: HTMLButtonElement;
  private readonly list: HTMLOListElement;
  private entries: Array<{ finding: Finding; element: HTMLButtonElement }> = [];
  private expanded = true;

  constructor(private readonly handlers: FindingsBarHandlers) {
    this.element = el('section', 'findings-bar');
    this.element.setAttribute('aria-label', 'Findings');
    this.element.hidden = true;
    const summary = el('div', 'findings-summary');
    this.toggle = button('findings-toggle', '');
    this.toggle.addEventListener('click', () => this.setExpanded(!this.expanded));
    this.counts = el('span', 'severity-counts');
    this.teaser = el('span', 'findings-teaser');
    this.suggestionsLink = button('suggestions-link', '', 'Show every index suggestion');
    this.suggestionsLink.addEventListener('click', () => this.handlers.openSuggestions());
    summary.append(this.toggle, this.counts, this.teaser, this.suggestionsLink);
    this.list = el('ol', 'findings-list');
    this.list.id = 'findings-list';
    this.toggle.setAttribute('aria-controls', this.list.id);
    this.element.append(summary, this.list);
  }

  show(advice: AdviceIndex, plan: AnalyzedPlan): void {
    this.element.hidden = !advice.hasAdvice;
    const findings = advice.findings;
    const counts = countSeverities(findings);
    this.element.classList.toggle('empty', findings.length === 0);
    this.toggle.disabled = findings.length === 0;
    this.toggle.dataset.count = String(findings.length);
    this.counts.replaceChildren(
      ...SEVERITIES_DESCENDING.filter((severity) => counts[severity] > 0).map((severity) => {
        const count = el('span', `severity-count ${severity}`);
        count.title = `${counts[severity]} ${SEVERITY_NAMES[severity].toLowerCase()}`;
        count.append(statusIcon(severity), el('span', undefined, String(counts[severity])));
        return count;
      }),
    );
    this.counts.setAttribute('aria-label', describeSeverities(counts));
    this.teaser.textContent = findings[0]?.title ?? '';

    const suggestions = advice.suggestions.length;
    this.suggestionsLink.hidden = suggestions === 0;
    this.suggestionsLink.textContent = plural(suggestions, 'index suggestion');

    this.entries = findings.map((finding) => ({ finding, element: this.entry(finding, plan) }));
    this.list.replaceChildren(
      ...this.entries.map(({ element }) => {
        const item = el('li');
        item.append(element);
        return item;
      }),
    );
    this.setExpanded(this.expanded);
  }

  /** Marks the entries about what the details pane shows: the selected node, or a plan-wide finding. */
  setCurrent(nodeId: number | undefined, finding?: Finding): void {
    for (const entry of this.entries) {
      const current = finding ? entry.finding === finding : nodeId !== undefined && entry.finding.nodeId === nodeId;
      entry.element.classList.toggle('current', current);
      if (current) {
        entry.element.setAttribute('aria-current', 'true');
      } else {
        entry.element.removeAttribute('aria-current');
      }
    }
  }

  private entry(finding: Finding, plan: AnalyzedPlan): HTMLButtonElement {
    const entry = button(`finding-entry ${finding.severity}`, '');
    entry.dataset.severity = finding.severity;
    entry.dataset.nodeId = finding.nodeId === null ? '' : String(finding.nodeId);
    const where = finding.nodeId === null ? 'whole plan' : `#${finding.nodeId} ${plan.nodes[finding.nodeId]?.label ?? ''}`.trim();
    entry.title = `${SEVERITY_NAMES[finding.severity]}: ${finding.title}`;
    entry.append(statusIcon(finding.severity), el('span', 'finding-entry-title', finding.title), el('span', 'finding-where', where));
    entry.append(el('span', 'finding-impact', formatImpact(finding.impactMs) ?? ''));
    entry.addEventListener('click', () => this.handlers.openFinding(finding));
    return entry;
  }

  private setExpanded(expanded: boolean): void {
    this.expanded = expanded;
    const count = this.entries.length;
    const open = expanded && count > 0;
    this.list.hidden = !open;
    this.teaser.hidden = open || count === 0;
    this.element.classList.toggle('expanded', open);
    this.toggle.setAttribute('aria-expanded', String(open));
    this.toggle.replaceChildren(
      el('span', 'chevron', count === 0 ? '' : open ? '▾' : '▸'),
      el('span', 'findings-count', count === 0 ? 'No findings' : plural(count, 'finding')),
    );
    this.toggle.title = count === 0 ? 'Plan Lens found nothing to improve in this plan' : open ? 'Hide the findings' : 'Show the findings';
  }
}

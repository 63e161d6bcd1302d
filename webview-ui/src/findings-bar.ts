/**
 * The advice at a glance, under the plan header: the execution time against its target, what to
 * fix first, how many findings of which severity, each of them by impact (a click goes to its
 * node), and the way to every index suggestion. Hidden until advice arrives; "No findings" once it
 * says so. The list builds its entries a page at a time: a plan can carry thousands of findings,
 * and nobody reads past the first ones before acting on them.
 */
import type { Finding } from '../../src/core/advice/advice-model';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import { SEVERITIES_DESCENDING, countSeverities, type AdviceIndex } from './advice-index';
import { SEVERITY_NAMES, describeSeverities, formatImpact, plural } from './advice-text';
import { button, el } from './dom';
import { statusIcon } from './status-icon';

/** Entries built when the list is shown, and how many more each "Show more" adds. */
export const FINDINGS_PAGE = 50;

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
  private readonly headline: HTMLParagraphElement;
  private readonly fixFirst: HTMLParagraphElement;
  private readonly list: HTMLOListElement;
  private readonly more: HTMLButtonElement;
  private findings: readonly Finding[] = [];
  private plan: AnalyzedPlan | undefined;
  private entries: Array<{ finding: Finding; element: HTMLButtonElement }> = [];
  private current: { nodeId: number | undefined; finding?: Finding } = { nodeId: undefined };
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
    this.headline = el('p', 'findings-headline');
    this.fixFirst = el('p', 'fix-first');
    this.list = el('ol', 'findings-list');
    this.list.id = 'findings-list';
    this.toggle.setAttribute('aria-controls', this.list.id);
    this.more = button('findings-more', '');
    this.more.addEventListener('click', () => this.appendPage());
    this.element.append(this.headline, this.fixFirst, summary, this.list, this.more);
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
    const { headline, fixFirst } = advice.advice ?? {};
    this.headline.textContent = headline?.text ?? '';
    this.headline.hidden = headline === undefined;
    this.headline.dataset.status = headline?.status ?? '';
    this.fixFirst.textContent = fixFirst?.text ?? '';
    this.fixFirst.hidden = fixFirst === undefined;

    const suggestions = advice.suggestions.length;
    this.suggestionsLink.hidden = suggestions === 0;
    this.suggestionsLink.textContent = plural(suggestions, 'index suggestion');

    this.findings = findings;
    this.plan = plan;
    this.entries = [];
    this.list.replaceChildren();
    this.appendPage();
    this.setExpanded(this.expanded);
  }

  /** Marks the entries about what the details pane shows: the selected node, or a plan-wide finding. */
  setCurrent(nodeId: number | undefined, finding?: Finding): void {
    this.current = { nodeId, finding };
    for (const entry of this.entries) this.markCurrent(entry);
  }

  private markCurrent(entry: { finding: Finding; element: HTMLButtonElement }): void {
    const { nodeId, finding } = this.current;
    const current = finding ? entry.finding === finding : nodeId !== undefined && entry.finding.nodeIds.includes(nodeId);
    entry.element.classList.toggle('current', current);
    if (current) {
      entry.element.setAttribute('aria-current', 'true');
    } else {
      entry.element.removeAttribute('aria-current');
    }
  }

  /** Builds the next page of entries. */
  private appendPage(): void {
    const from = this.entries.length;
    const page = this.findings.slice(from, from + FINDINGS_PAGE).map((finding) => ({ finding, element: this.entry(finding, this.plan!) }));
    this.entries.push(...page);
    this.list.append(
      ...page.map((entry) => {
        this.markCurrent(entry);
        const item = el('li');
        item.append(entry.element);
        return item;
      }),
    );
    const rest = this.findings.length - this.entries.length;
    this.more.hidden = rest === 0 || !this.expanded;
    this.more.textContent = `Show ${Math.min(rest, FINDINGS_PAGE)} more of ${plural(rest, 'finding')}`;
  }

  private entry(finding: Finding, plan: AnalyzedPlan): HTMLButtonElement {
    const entry = button(`finding-entry ${finding.severity}`, '');
    entry.dataset.severity = finding.severity;
    entry.dataset.nodeId = finding.nodeId === null ? '' : String(finding.nodeId);
    const others = finding.nodeIds.length - 1;
    const where =
      finding.nodeId === null
        ? 'whole plan'
        : `#${finding.nodeId} ${plan.nodes[finding.nodeId]?.label ?? ''}`.trim() + (others > 0 ? ` +${others} nodes` : '');
    entry.title = `${SEVERITY_NAMES[finding.severity]}: ${finding.title}`;
    entry.append(statusIcon(finding.severity), el('span', 'finding-entry-title', finding.title), el('span', 'finding-where', where));
    entry.append(el('span', 'finding-impact', formatImpact(finding.impactMs) ?? ''));
    entry.addEventListener('click', () => this.handlers.openFinding(finding));
    return entry;
  }

  private setExpanded(expanded: boolean): void {
    this.expanded = expanded;
    const count = this.findings.length;
    const open = expanded && count > 0;
    this.list.hidden = !open;
    this.more.hidden = !open || this.entries.length >= this.findings.length;
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

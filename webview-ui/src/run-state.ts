/**
 * The explain in progress or how the last one ended, above the plan: running (the statement, its
 * parameter values and a ticking elapsed time), failed (the cause and PostgreSQL's detail) or
 * cancelled. After a failure or a cancel the plan below is the previous run's, and says so.
 */
import type { ShowCancelledMessage, ShowFailedMessage, ShowRunningMessage } from '../../src/protocol';
import { el } from './dom';
import { formatMs, formatRunTime } from '../../src/core/format';
import { markPaintedSoon } from './paint-mark';

/** Often enough for tenths of a second to move, rarely enough to cost nothing. */
const TICK_MS = 200;

export type RunStateKind = 'running' | 'failed' | 'cancelled';

/** "$1 = '42', $2 = NULL": parameter values as the statement received them. */
export function describeParams(params: ReadonlyArray<string | null>): string {
  return params.map((value, i) => `$${i + 1} = ${value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`}`).join(', ');
}

export class RunState {
  readonly element: HTMLDivElement;
  private kindNow?: RunStateKind;
  private ticker?: ReturnType<typeof setInterval>;

  constructor() {
    this.element = el('div', 'run-state');
    this.element.hidden = true;
  }

  get kind(): RunStateKind | undefined {
    return this.kindNow;
  }

  running(message: ShowRunningMessage): void {
    this.reset('running', 'status');
    const started = Date.parse(message.startedAt);
    // The host's clock and the page's are the same machine's; a start that does not parse counts from now.
    const since = Number.isNaN(started) ? Date.now() : started;
    const elapsed = el('span', 'run-elapsed');
    const tick = () => {
      elapsed.textContent = formatMs(Math.max(0, Date.now() - since));
    };
    tick();
    this.ticker = setInterval(tick, TICK_MS);
    const head = el('div', 'run-head');
    head.append(el('span', 'spinner'), el('span', 'run-title', 'Running EXPLAIN…'), elapsed);
    this.element.append(head, el('code', 'run-statement', message.statement.replace(/\s+/g, ' ').trim()));
    if (message.params && message.params.length > 0) {
      this.element.append(el('div', 'run-params', `Parameters: ${describeParams(message.params)}`));
    }
  }

  failed(message: ShowFailedMessage, previousRanAt: string | undefined): void {
    this.reset('failed', 'alert');
    const head = el('div', 'run-head');
    head.append(el('span', 'run-title', 'Explain failed'));
    this.element.append(head, el('div', 'run-message', message.message));
    if (message.detail) {
      this.element.append(el('div', 'run-detail', message.detail));
    }
    this.appendStaleNote(previousRanAt);
  }

  cancelled(message: ShowCancelledMessage, previousRanAt: string | undefined): void {
    this.reset('cancelled', 'status');
    const head = el('div', 'run-head');
    head.append(el('span', 'run-title', 'Explain cancelled'));
    this.element.append(head);
    if (message.message) {
      this.element.append(el('div', 'run-message', message.message));
    }
    this.appendStaleNote(previousRanAt);
  }

  clear(): void {
    clearInterval(this.ticker);
    this.kindNow = undefined;
    this.element.hidden = true;
    this.element.replaceChildren();
  }

  private reset(kind: RunStateKind, role: 'status' | 'alert'): void {
    this.clear();
    this.kindNow = kind;
    this.element.className = `run-state ${kind}`;
    this.element.setAttribute('role', role);
    this.element.hidden = false;
    markPaintedSoon();
  }

  private appendStaleNote(previousRanAt: string | undefined): void {
    if (previousRanAt !== undefined) {
      this.element.append(
        el('div', 'run-stale-note', `The plan below is stale: it is from the previous run (${formatRunTime(previousRanAt)}).`),
      );
    }
  }
}

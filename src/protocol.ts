/**
 * The messages the extension host and the plan webview exchange, and the state the webview
 * persists. Both sides import this file; nothing else crosses the boundary.
 *
 * The webview speaks first: it posts `ready` once its listener is installed, and only then does
 * the host send anything, so no message is lost to a page that is still loading. Requests that
 * expect an answer carry an `id`; the host's `reply` echoes it.
 */
import type { AnalyzedPlan } from './core/plan/model';

export type ExplainMode = 'analyze' | 'estimate';

export interface PlanMeta {
  /** The statement as it was sent to the server. */
  statement: string;
  /** Where it ran, for display ("postgres@localhost:5432/shop"); never carries a password. */
  server: string;
  /** ISO 8601 time the EXPLAIN started. */
  ranAt: string;
  mode: ExplainMode;
  /** Round-trip time of the EXPLAIN as the host measured it. */
  durationMs?: number;
  title?: string;
}

export interface ShowPlanMessage {
  type: 'showPlan';
  plan: AnalyzedPlan;
  meta: PlanMeta;
}

export interface ShowErrorMessage {
  type: 'showError';
  message: string;
}

export interface ShowLoadingMessage {
  type: 'showLoading';
  /** What is running, e.g. "Running EXPLAIN ANALYZE…"; the webview has a default. */
  message?: string;
}

/** The answer to a webview request, matched by `id`. */
export type ReplyMessage =
  | { type: 'reply'; id: number; ok: true }
  | { type: 'reply'; id: number; ok: false; error: string };

export type HostToWebview = ShowPlanMessage | ShowErrorMessage | ShowLoadingMessage | ReplyMessage;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type WebviewToHost =
  | { type: 'ready' }
  /** Copy the plan as PostgreSQL returned it; answered by a `reply`. */
  | { type: 'copyPlanJson'; id: number }
  /** Open the plan JSON in an editor; answered by a `reply`. */
  | { type: 'openRawPlan'; id: number }
  /** The user selected a node; lets the editor follow along. */
  | { type: 'selectNode'; nodeId: number }
  | { type: 'log'; level: LogLevel; message: string };

export type WebviewRequest = Extract<WebviewToHost, { id: number }>;

/** A d3-zoom transform: screen = world * k + (x, y). */
export interface ViewTransform {
  x: number;
  y: number;
  k: number;
}

/** Bumped when the shape of `WebviewState` changes; a state of another version is discarded. */
export const WEBVIEW_STATE_VERSION = 1;

/** What `setState` keeps so that hiding the panel or reloading the window restores the view. */
export interface WebviewState {
  version: typeof WEBVIEW_STATE_VERSION;
  transform?: ViewTransform;
  selectedNodeId?: number;
  /** Nodes whose subtree is hidden, including the ones collapsed automatically. */
  collapsedNodeIds: number[];
  /** Parents whose large family of children is shown in full instead of grouped. */
  expandedGroupIds: number[];
  searchText: string;
  lastShowPlan?: ShowPlanMessage;
}

const LOG_LEVELS: ReadonlySet<string> = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);

/** Longest `log` message the host accepts; a webview has no reason to send more. */
export const MAX_LOG_MESSAGE_LENGTH = 10_000;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isId(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

/**
 * Validates a message received from the webview. The webview renders user data, so the host
 * treats whatever it posts as untrusted input and acts only on shapes it knows.
 */
export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (!isRecord(x)) {
    return false;
  }
  switch (x.type) {
    case 'ready':
      return true;
    case 'copyPlanJson':
    case 'openRawPlan':
      return isId(x.id);
    case 'selectNode':
      return isId(x.nodeId);
    case 'log':
      return (
        typeof x.level === 'string' &&
        LOG_LEVELS.has(x.level) &&
        typeof x.message === 'string' &&
        x.message.length <= MAX_LOG_MESSAGE_LENGTH
      );
    default:
      return false;
  }
}

function isPlanMeta(x: unknown): x is PlanMeta {
  return (
    isRecord(x) &&
    typeof x.statement === 'string' &&
    typeof x.server === 'string' &&
    typeof x.ranAt === 'string' &&
    (x.mode === 'analyze' || x.mode === 'estimate') &&
    (x.durationMs === undefined || typeof x.durationMs === 'number') &&
    (x.title === undefined || typeof x.title === 'string')
  );
}

/**
 * Validates a message received by the webview. Checks the envelope only: the plan comes from the
 * host's own analysis, and walking every node of a large plan here would cost more than it guards.
 */
export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isRecord(x)) {
    return false;
  }
  switch (x.type) {
    case 'showPlan':
      return isRecord(x.plan) && Array.isArray(x.plan.nodes) && x.plan.nodes.length > 0 && isPlanMeta(x.meta);
    case 'showError':
      return typeof x.message === 'string';
    case 'showLoading':
      return x.message === undefined || typeof x.message === 'string';
    case 'reply':
      return isId(x.id) && (x.ok === true || (x.ok === false && typeof x.error === 'string'));
    default:
      return false;
  }
}

/** Validates a restored state; anything else (an older version, a corrupt object) is dropped. */
export function isWebviewState(x: unknown): x is WebviewState {
  const isIdList = (v: unknown) => Array.isArray(v) && v.every(isId);
  return (
    isRecord(x) &&
    x.version === WEBVIEW_STATE_VERSION &&
    isIdList(x.collapsedNodeIds) &&
    isIdList(x.expandedGroupIds) &&
    typeof x.searchText === 'string' &&
    (x.selectedNodeId === undefined || isId(x.selectedNodeId)) &&
    (x.transform === undefined ||
      (isRecord(x.transform) &&
        Number.isFinite(x.transform.x) &&
        Number.isFinite(x.transform.y) &&
        Number.isFinite(x.transform.k) &&
        (x.transform.k as number) > 0)) &&
    (x.lastShowPlan === undefined || (isHostToWebview(x.lastShowPlan) && x.lastShowPlan.type === 'showPlan'))
  );
}

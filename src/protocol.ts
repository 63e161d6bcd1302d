/**
 * The messages the extension host and the plan webview exchange, and the state the webview
 * persists. Both sides import this file; nothing else crosses the boundary.
 *
 * The webview speaks first: it posts `ready` once its listener is installed, and only then does
 * the host send anything, so no message is lost to a page that is still loading. Requests that
 * expect an answer carry an `id`; the host's `reply` echoes it.
 */
import type { AnalyzedPlan } from './core/plan/model';
import {
  VERIFICATION_METHOD_NAMES,
  type ExecutionHeadline,
  type Finding,
  type FixFirst,
  type IndexSuggestion,
  type PlanAdvice,
  type Severity,
} from './core/advice/advice-model';

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
  /** The values sent for the statement's placeholders ($1, $2, ...), in order; null is SQL NULL. */
  params?: Array<string | null>;
}

export interface ShowPlanMessage {
  type: 'showPlan';
  plan: AnalyzedPlan;
  meta: PlanMeta;
  /** Findings and index suggestions; absent while they are still being computed. */
  advice?: PlanAdvice;
}

/** Sent after showPlan when the index suggestions were verified (HypoPG re-planning takes a moment). */
export interface ShowAdviceMessage {
  type: 'showAdvice';
  advice: PlanAdvice;
}

export type IndexCreationState = 'running' | 'done' | 'failed' | 'cancelled';

/** Progress of "Create index now" for one suggestion. */
export interface IndexCreationMessage {
  type: 'indexCreation';
  suggestionId: string;
  state: IndexCreationState;
  /** What happened, for the user: "Creating idx_… (CONCURRENTLY)", PostgreSQL's error, … */
  message: string;
}

/** One side of a before/after comparison. */
export interface ComparedPlan {
  plan: AnalyzedPlan;
  meta: PlanMeta;
}

/**
 * Two plans of one statement side by side: before and after creating an index, or two plans the
 * plan history kept (the earlier as `before`).
 */
export interface ShowComparisonMessage {
  type: 'showComparison';
  /** The index created between the two runs; absent when two stored plans are compared. */
  index?: IndexSuggestion;
  before: ComparedPlan;
  after: ComparedPlan;
}

/** An explain has started: the panel shows the statement and how long it has been running. */
export interface ShowRunningMessage {
  type: 'showRunning';
  statement: string;
  /** The placeholder values sent with it, as in PlanMeta. */
  params?: Array<string | null>;
  /** ISO 8601 time it started; the webview counts the elapsed time from it. */
  startedAt: string;
}

/** The explain failed: the panel shows why, and keeps the previous plan marked as stale. */
export interface ShowFailedMessage {
  type: 'showFailed';
  /** One sentence naming the cause and the fix. */
  message: string;
  /** PostgreSQL's own words (detail, hint, position), when there are any. */
  detail?: string;
}

/** The user cancelled the explain; the previous plan, if any, stays marked as stale. */
export interface ShowCancelledMessage {
  type: 'showCancelled';
  message?: string;
}

/** The answer to a webview request, matched by `id`. */
export type ReplyMessage = { type: 'reply'; id: number; ok: true } | { type: 'reply'; id: number; ok: false; error: string };

export type HostToWebview =
  | ShowPlanMessage
  | ShowAdviceMessage
  | IndexCreationMessage
  | ShowComparisonMessage
  | ShowRunningMessage
  | ShowFailedMessage
  | ShowCancelledMessage
  | ReplyMessage;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type WebviewToHost =
  | { type: 'ready' }
  /** The page restored a view whose plan was too large for its state: send the plan on screen again. */
  | { type: 'resendPlan' }
  /** Copy the plan as PostgreSQL returned it; answered by a `reply`. */
  | { type: 'copyPlanJson'; id: number }
  /** Open the plan JSON in an editor; answered by a `reply`. */
  | { type: 'openRawPlan'; id: number }
  | { type: 'log'; level: LogLevel; message: string }
  /** Copy a suggestion's CREATE INDEX to the clipboard; answered by a `reply`. */
  | { type: 'copyDdl'; id: number; suggestionId: string }
  /** Insert a suggestion's CREATE INDEX below the statement in its editor; answered by a `reply`. */
  | { type: 'insertDdl'; id: number; suggestionId: string }
  /** Create the index on the server (after the host asks for confirmation), then re-explain. */
  | { type: 'createIndex'; suggestionId: string }
  | { type: 'cancelIndexCreation'; suggestionId: string };

export type WebviewRequest = Extract<WebviewToHost, { id: number }>;

/** A d3-zoom transform: screen = world * k + (x, y). */
export interface ViewTransform {
  x: number;
  y: number;
  k: number;
}

/** The two views of a plan: the tree of cards, or one table row per node. */
export type PlanViewKind = 'tree' | 'grid';

/** What the cards' heat colour measures. */
export type HighlightMetric = 'exclusive' | 'rows' | 'misestimate' | 'cost' | 'buffers';

export const HIGHLIGHT_METRICS: readonly HighlightMetric[] = ['exclusive', 'rows', 'misestimate', 'cost', 'buffers'];

/** Bumped when the shape of `WebviewState` changes; a state of another version is discarded. */
/**
 * Plans larger than this stay out of the saved state, which VS Code serialises whole on every save
 * (a 50,000-node plan is about 54 MB of JSON and 350 ms of work after each pan or click): the state
 * keeps the view and which run it was, and the host, which holds the plan, sends it again.
 */
export const STATE_PLAN_MAX_NODES = 5_000;

export const WEBVIEW_STATE_VERSION = 2;

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
  /** The view on screen; the tree when absent. */
  view?: PlanViewKind;
  /** What the cards highlight; exclusive time when absent. */
  highlight?: HighlightMetric;
  /** Grid rows ordered by this column, descending unless `gridAscending`; plan order when absent. */
  gridSort?: string;
  gridAscending?: boolean;
  /** The plan on screen, without its advice: that is `lastAdvice`, which a later showAdvice may have replaced. */
  lastShowPlan?: ShowPlanMessage;
  /** The advice shown for `lastShowPlan`, if any arrived. */
  lastAdvice?: PlanAdvice;
  /** The comparison, while it is on screen (its `after` is `lastShowPlan`). */
  lastComparison?: ShowComparisonMessage;
  /**
   * In place of `lastShowPlan` for a plan too large to keep in the state: the run it was, which the
   * host still holds and sends again on `resendPlan`; the view above applies to it.
   */
  heldPlan?: { ranAt: string; nodes: number };
}

const LOG_LEVELS: ReadonlySet<string> = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);

/** Longest `log` message the host accepts; a webview has no reason to send more. */
export const MAX_LOG_MESSAGE_LENGTH = 10_000;

/** Longest suggestion id either side accepts: ids are index names, which PostgreSQL cuts at 63 bytes. */
export const MAX_SUGGESTION_ID_LENGTH = 256;

const SEVERITIES: ReadonlySet<string> = new Set<Severity>(['info', 'warning', 'critical']);
const INDEX_CREATION_STATES: ReadonlySet<string> = new Set<IndexCreationState>(['running', 'done', 'failed', 'cancelled']);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isId(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

function isSuggestionId(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= MAX_SUGGESTION_ID_LENGTH;
}

const isString = (x: unknown): x is string => typeof x === 'string';

function isParams(x: unknown): x is Array<string | null> {
  return Array.isArray(x) && x.every((value) => value === null || typeof value === 'string');
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
    case 'resendPlan':
      return true;
    case 'copyPlanJson':
    case 'openRawPlan':
      return isId(x.id);
    case 'log':
      return (
        typeof x.level === 'string' &&
        LOG_LEVELS.has(x.level) &&
        typeof x.message === 'string' &&
        x.message.length <= MAX_LOG_MESSAGE_LENGTH
      );
    case 'copyDdl':
    case 'insertDdl':
      return isId(x.id) && isSuggestionId(x.suggestionId);
    case 'createIndex':
    case 'cancelIndexCreation':
      return isSuggestionId(x.suggestionId);
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
    (x.title === undefined || typeof x.title === 'string') &&
    (x.params === undefined || isParams(x.params))
  );
}

function isComparedPlan(x: unknown): x is ComparedPlan {
  return isRecord(x) && isRecord(x.plan) && Array.isArray(x.plan.nodes) && x.plan.nodes.length > 0 && isPlanMeta(x.meta);
}

function isFinding(x: unknown): x is Finding {
  return (
    isRecord(x) &&
    typeof x.ruleId === 'string' &&
    typeof x.severity === 'string' &&
    SEVERITIES.has(x.severity) &&
    (x.nodeId === null || isId(x.nodeId)) &&
    Array.isArray(x.nodeIds) &&
    x.nodeIds.every(isId) &&
    typeof x.title === 'string' &&
    typeof x.explanation === 'string' &&
    typeof x.fix === 'string' &&
    Number.isFinite(x.impactMs) &&
    Array.isArray(x.suggestionIds) &&
    x.suggestionIds.every(isString)
  );
}

function isIndexSuggestion(x: unknown): x is IndexSuggestion {
  return (
    isRecord(x) &&
    isSuggestionId(x.id) &&
    typeof x.table === 'string' &&
    typeof x.name === 'string' &&
    typeof x.ddl === 'string' &&
    typeof x.reason === 'string' &&
    Array.isArray(x.kinds) &&
    x.kinds.every(isString) &&
    Array.isArray(x.nodeIds) &&
    x.nodeIds.every(isId) &&
    isRecord(x.verification) &&
    (x.verification.method === 'unverified' || Object.hasOwn(VERIFICATION_METHOD_NAMES, x.verification.method as string))
  );
}

function isHeadline(x: unknown): x is ExecutionHeadline {
  return (
    isRecord(x) &&
    Number.isFinite(x.executionMs) &&
    Number.isFinite(x.targetMs) &&
    (x.status === 'within' || x.status === 'over' || x.status === 'far-over') &&
    typeof x.text === 'string'
  );
}

function isFixFirst(x: unknown): x is FixFirst {
  return (
    isRecord(x) &&
    typeof x.ruleId === 'string' &&
    Array.isArray(x.nodeIds) &&
    x.nodeIds.every(isId) &&
    Number.isFinite(x.expectedGainMs) &&
    (x.expectedGainShare === undefined || Number.isFinite(x.expectedGainShare)) &&
    Array.isArray(x.suggestionIds) &&
    x.suggestionIds.every(isString) &&
    typeof x.text === 'string'
  );
}

/**
 * Advice is a few dozen entries at most, so unlike the plan it is checked entry by entry: the
 * webview renders each field it checks here.
 */
function isPlanAdvice(x: unknown): x is PlanAdvice {
  return (
    isRecord(x) &&
    Array.isArray(x.findings) &&
    x.findings.every(isFinding) &&
    Array.isArray(x.suggestions) &&
    x.suggestions.every(isIndexSuggestion) &&
    (x.headline === undefined || isHeadline(x.headline)) &&
    (x.fixFirst === undefined || isFixFirst(x.fixFirst))
  );
}

/**
 * Validates a message received by the webview. Checks the plan's envelope only: the plan comes
 * from the host's own analysis, and walking every node of a large plan here would cost more than
 * it guards.
 */
export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isRecord(x)) {
    return false;
  }
  switch (x.type) {
    case 'showPlan':
      return (
        isRecord(x.plan) &&
        Array.isArray(x.plan.nodes) &&
        x.plan.nodes.length > 0 &&
        isPlanMeta(x.meta) &&
        (x.advice === undefined || isPlanAdvice(x.advice))
      );
    case 'showAdvice':
      return isPlanAdvice(x.advice);
    case 'indexCreation':
      return (
        isSuggestionId(x.suggestionId) && typeof x.state === 'string' && INDEX_CREATION_STATES.has(x.state) && typeof x.message === 'string'
      );
    case 'showComparison':
      return (x.index === undefined || isIndexSuggestion(x.index)) && isComparedPlan(x.before) && isComparedPlan(x.after);
    case 'showRunning':
      return typeof x.statement === 'string' && (x.params === undefined || isParams(x.params)) && typeof x.startedAt === 'string';
    case 'showFailed':
      return typeof x.message === 'string' && (x.detail === undefined || typeof x.detail === 'string');
    case 'showCancelled':
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
    (x.view === undefined || x.view === 'tree' || x.view === 'grid') &&
    (x.highlight === undefined || (HIGHLIGHT_METRICS as readonly unknown[]).includes(x.highlight)) &&
    (x.gridSort === undefined || typeof x.gridSort === 'string') &&
    (x.gridAscending === undefined || typeof x.gridAscending === 'boolean') &&
    (x.selectedNodeId === undefined || isId(x.selectedNodeId)) &&
    (x.transform === undefined ||
      (isRecord(x.transform) &&
        Number.isFinite(x.transform.x) &&
        Number.isFinite(x.transform.y) &&
        Number.isFinite(x.transform.k) &&
        (x.transform.k as number) > 0)) &&
    (x.lastShowPlan === undefined || (isHostToWebview(x.lastShowPlan) && x.lastShowPlan.type === 'showPlan')) &&
    (x.lastAdvice === undefined || isPlanAdvice(x.lastAdvice)) &&
    (x.lastComparison === undefined || (isHostToWebview(x.lastComparison) && x.lastComparison.type === 'showComparison')) &&
    (x.heldPlan === undefined || (isRecord(x.heldPlan) && typeof x.heldPlan.ranAt === 'string' && isId(x.heldPlan.nodes)))
  );
}

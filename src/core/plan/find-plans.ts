/**
 * Every plan in a text that may hold several: an auto_explain log (each `LOG:  duration: 1.2 ms  plan:`
 * entry, text or JSON, among ordinary log lines), psql output of several EXPLAINs one after another,
 * several JSON results. Only the boundaries are found here; each plan is read by parseExplainJson, so
 * there is one reader of plans. A text with one plan (or none) is read whole, exactly as parseExplainJson
 * reads it.
 */
import { formatCount, formatMs } from '../format';
import type { RawExplainResult, RawPlanNode } from './explain-json';
import { findBalancedEnd, parseExplainJson, PlanParseError } from './parse-plan';
import { startsTextPlan } from './parse-text-plan';
import { stripTerminalDecoration } from './plan-lines';

export interface FoundPlan {
  /** 1-based line the entry starts on: its log line, its "Query Text", or the plan's first line. */
  startLine: number;
  /** 1-based last line of the entry. */
  endLine: number;
  format: 'text' | 'json';
  /** The duration the log entry states (auto_explain's "duration: 1.234 ms"). */
  durationMs?: number;
  /** What precedes the log level on the entry's line: timestamp, process id, user@database as log_line_prefix writes them. */
  logPrefix?: string;
  queryText?: string;
  /** The plan read, or what could be read before its damage. */
  raw?: RawExplainResult;
  /** Why the plan could not be read (whole or in part); lines counted in the whole text. */
  error?: PlanParseError;
}

/** A log line's prefix and level: the start of every log entry. */
const LOG_ENTRY = /^(?:(\S.*?) )?(?:LOG|ERROR|WARNING|DETAIL|STATEMENT|CONTEXT|HINT|NOTICE|INFO|FATAL|PANIC|DEBUG\d?):\s/;
const JSON_START = /^(?:\[\s*(?:\{\s*)?|\{\s*)(?:"|$)/;
const AUTO_EXPLAIN = /\bduration: ([\d.]+) ms\s+plan:\s*$/;

interface Segment {
  /** 0-based first and last line. */
  start: number;
  end: number;
  /** The segment's own text, lines before it dropped; line k of it is line start + k of the whole. */
  text: string;
  format: 'text' | 'json';
  durationMs?: number;
  logPrefix?: string;
}

export function findPlans(input: string): FoundPlan[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const lines = text.split('\n');
  const single = singleJsonResult(text, lines);
  if (single) return [single];
  const segments = logSegments(lines) ?? documentSegments(lines);
  if (segments.length <= 1) {
    const whole = segments[0] ?? { start: 0, end: lines.length - 1, text, format: 'text' as const };
    return [readSegment({ ...whole, start: 0, end: lastNonBlank(lines, 0, lines.length - 1), text })];
  }
  return segments.map((segment) => readSegment(segment));
}

/**
 * The common case, one JSON result as EXPLAIN (FORMAT JSON) printed it: parsed once and read as it
 * is, without the boundary scan, which on a plan of tens of megabytes costs several times the parse.
 * Several results in one array go the long way, which tells their lines apart.
 */
function singleJsonResult(text: string, lines: string[]): FoundPlan | undefined {
  const first = text.search(/\S/);
  if (first < 0 || (text[first] !== '[' && text[first] !== '{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(value) && value.length > 1) return undefined;
  return readSegment({ start: 0, end: lastNonBlank(lines, 0, lines.length - 1), text, format: 'json' }, value);
}

/** auto_explain entries of a server log or of psql's messages; undefined when the text has none. */
function logSegments(lines: string[]): Segment[] | undefined {
  const segments: Segment[] = [];
  let open: { start: number; match: RegExpExecArray; prefix?: string } | undefined;
  const close = (end: number) => {
    if (!open) return;
    const last = lastNonBlank(lines, open.start, end);
    // The entry's own line holds nothing of the plan: blank it, so the reader starts below it.
    const body = ['', ...lines.slice(open.start + 1, last + 1)].join('\n');
    const first = lines.slice(open.start + 1, last + 1).find((line) => line.trim() !== '');
    segments.push({
      start: open.start,
      end: last,
      text: body,
      format: /^\s*[[{]/.test(first ?? '') ? 'json' : 'text',
      durationMs: Number(open.match[1]),
      logPrefix: open.prefix,
    });
    open = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const entry = LOG_ENTRY.exec(lines[i]);
    if (!entry) continue;
    close(i - 1);
    const explained = AUTO_EXPLAIN.exec(lines[i]);
    if (explained) open = { start: i, match: explained, prefix: entry[1]?.trim() || undefined };
  }
  close(lines.length - 1);
  return segments.length > 0 ? segments : undefined;
}

/** Plans one after another without log lines: each text plan's top node or each JSON value holding a plan starts one. */
function documentSegments(lines: string[]): Segment[] {
  const cleaned = stripTerminalDecoration(lines.join('\n'));
  const offsets: number[] = [];
  let offset = 0;
  for (const line of cleaned) {
    offsets.push(offset);
    offset += line.length + 1;
  }
  const whole = cleaned.join('\n');
  const starts: Array<{ line: number; end?: number; format: 'text' | 'json' }> = [];
  for (let i = 0; i < cleaned.length; i++) {
    const content = cleaned[i].trimStart();
    // A JSON value's first line ("[", "{", `[{"Plan"`, `{"Plan"`), not a wrapped condition such as '{1,2}'::int[].
    if (JSON_START.test(content)) {
      const from = offsets[i] + cleaned[i].length - content.length;
      const to = findBalancedEnd(whole, from);
      const endLine = to < 0 ? cleaned.length - 1 : lineAt(offsets, to - 1);
      const value = whole.slice(from, to < 0 ? whole.length : to);
      if (value.includes('"Plan"')) {
        for (const element of planElements(value, from, offsets)) starts.push({ ...element, format: 'json' });
      }
      i = endLine;
    } else if (startsTextPlan(content)) {
      const previous = starts[starts.length - 1];
      starts.push({ line: queryTextAbove(cleaned, i, previous ? (previous.end ?? previous.line) + 1 : 0), format: 'text' });
    }
  }
  return starts.map((start, k) => {
    const next = k + 1 < starts.length ? starts[k + 1].line - 1 : lines.length - 1;
    const end = lastNonBlank(lines, start.line, start.end ?? next);
    return { start: start.line, end, text: lines.slice(start.line, end + 1).join('\n'), format: start.format };
  });
}

/** The elements of a JSON array of several results (`[{"Plan": ...}, {"Plan": ...}]`) with their lines, else the value itself. */
function planElements(value: string, from: number, offsets: number[]): Array<{ line: number; end: number }> {
  const whole = [{ line: lineAt(offsets, from), end: lineAt(offsets, from + value.length - 1) }];
  if (value[0] !== '[') return whole;
  const elements: Array<{ line: number; end: number }> = [];
  let i = 1;
  for (;;) {
    while (i < value.length && /[\s,]/.test(value[i])) i++;
    if (value[i] !== '{') break;
    const end = findBalancedEnd(value, i);
    if (end < 0) return whole;
    if (!value.slice(i, end).includes('"Plan"')) return whole;
    const line = lineAt(offsets, from + i);
    // Elements sharing a line cannot be told apart by lines: the value is read as one.
    if (elements.length > 0 && line <= elements[elements.length - 1].end) return whole;
    elements.push({ line, end: lineAt(offsets, from + end - 1) });
    i = end;
  }
  return elements.length > 1 && value[i] === ']' ? elements : whole;
}

/** The line a text plan's entry starts on: its "Query Text:" line (auto_explain pasted without the log line) when one precedes it. */
function queryTextAbove(lines: string[], root: number, after: number): number {
  for (let i = root - 1; i >= after; i--) if (/^\s*Query Text:/.test(lines[i])) return i;
  return root;
}

/** 0-based line holding character `position`, by binary search over the lines' start offsets. */
function lineAt(offsets: number[], position: number): number {
  let low = 0;
  let high = offsets.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (offsets[mid] <= position) low = mid;
    else high = mid - 1;
  }
  return low;
}

function lastNonBlank(lines: string[], start: number, end: number): number {
  let last = end;
  while (last > start && lines[last].trim() === '') last--;
  return last;
}

function readSegment(segment: Segment, parsed?: unknown): FoundPlan {
  const found: FoundPlan = { startLine: segment.start + 1, endLine: segment.end + 1, format: segment.format };
  if (segment.durationMs !== undefined) found.durationMs = segment.durationMs;
  if (segment.logPrefix !== undefined) found.logPrefix = segment.logPrefix;
  try {
    found.raw = parseExplainJson(parsed ?? segment.text);
  } catch (error) {
    if (!(error instanceof PlanParseError)) throw error;
    found.error = shifted(error, segment.start);
    if (error.partial) found.raw = error.partial;
  }
  const query = found.raw?.['Query Text'];
  if (typeof query === 'string') found.queryText = query;
  else {
    const line = /^\s*Query Text: ?(.*)$/m.exec(segment.text);
    if (line) found.queryText = line[1];
  }
  return found;
}

/** The error with its line numbers counted in the whole text rather than in its segment. */
function shifted(error: PlanParseError, by: number): PlanParseError {
  if (by === 0 || error.line === undefined) return error;
  const message = error.message
    .replace(/^line (\d+):/, (_m, n: string) => `line ${Number(n) + by}:`)
    .replace(/ at line (\d+), column/, (_m, n: string) => ` at line ${Number(n) + by}, column`);
  return new PlanParseError(message, { line: error.line + by, column: error.column }, error.partial);
}

/** The time a found plan took: the log's duration, else the plan's execution time, else its top node's. */
export function planTimeMs(plan: FoundPlan): number | undefined {
  if (plan.durationMs !== undefined) return plan.durationMs;
  const execution = plan.raw?.['Execution Time'];
  if (typeof execution === 'number') return execution;
  const top = plan.raw?.Plan?.['Actual Total Time'];
  return typeof top === 'number' ? top : undefined;
}

/** Position in `plans` of the slowest readable plan; the first readable one when none is timed; undefined when none is readable. */
export function slowestPlan(plans: FoundPlan[]): number | undefined {
  let best: number | undefined;
  for (let i = 0; i < plans.length; i++) {
    if (!plans[i].raw || plans[i].error) continue;
    if (best === undefined || (planTimeMs(plans[i]) ?? -1) > (planTimeMs(plans[best]) ?? -1)) best = i;
  }
  return best;
}

/** Positions in `plans`, slowest first; untimed plans after the timed ones, in their order. */
export function slowestFirst(plans: FoundPlan[]): number[] {
  return plans.map((_, i) => i).sort((a, b) => (planTimeMs(plans[b]) ?? -1) - (planTimeMs(plans[a]) ?? -1) || a - b);
}

/** Position in `plans` of the plan whose lines include `line` (1-based), or undefined. */
export function planAtLine(plans: FoundPlan[], line: number): number | undefined {
  const at = plans.findIndex((plan) => plan.startLine <= line && line <= plan.endLine);
  return at < 0 ? undefined : at;
}

/** Nodes in the plan's tree, InitPlans, SubPlans and CTEs included; iterative. */
export function countPlanNodes(root: RawPlanNode | undefined): number {
  let count = 0;
  const stack = root ? [root] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    count++;
    // One by one: a node may have more children than a call takes arguments.
    if (Array.isArray(node.Plans)) for (const child of node.Plans) stack.push(child);
  }
  return count;
}

/** A statement on one line, cut to `max` characters. */
export function statementExcerpt(statement: string | undefined, max: number): string {
  const line = (statement ?? '').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, Math.max(1, max - 1))}…` : line;
}

/** One line of a list to choose a plan from (VS Code's quick pick). */
export interface PlanChoice {
  /** Position in the plans given. */
  index: number;
  /** Duration and statement. */
  label: string;
  /** Where: line and node count. */
  description: string;
  /** The log prefix, or why the plan cannot be read (whole or in part). */
  detail?: string;
}

/**
 * The plans as choices, slowest first; a damaged one says why in one sentence, and is still listed.
 * `lineOffset` is added to every line number: the lines before a selection the plans were found in.
 */
export function planChoices(plans: FoundPlan[], lineOffset = 0): PlanChoice[] {
  return slowestFirst(plans).map((index) => {
    const plan = plans[index];
    const time = planTimeMs(plan);
    const label = `${time === undefined ? 'no duration' : formatMs(time)}  ${statementExcerpt(plan.queryText, 100) || '(no statement)'}`;
    const nodes = plan.raw ? `, ${formatCount(countPlanNodes(plan.raw.Plan))} nodes` : '';
    const choice: PlanChoice = { index, label, description: `line ${formatCount(plan.startLine + lineOffset)}${nodes}` };
    if (plan.error) {
      const reason = plan.error.message
        .replace(/^line \d+: /, '')
        .replace(/ at line (\d+),/, (_m, n: string) => ` at line ${Number(n) + lineOffset},`);
      const line = plan.error.line === undefined ? '' : ` at line ${plan.error.line + lineOffset}`;
      choice.detail = plan.raw ? `Damaged${line}: ${reason}; shows what comes before.` : `Cannot be read${line}: ${reason}`;
    } else if (plan.logPrefix) choice.detail = plan.logPrefix;
    return choice;
  });
}

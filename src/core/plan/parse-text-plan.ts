/**
 * Reads PostgreSQL's text-format EXPLAIN output (9.0 to 18) into the same JSON-shaped objects
 * `EXPLAIN (FORMAT JSON)` gives, so everything downstream (metrics, rules, panel) works unchanged.
 *
 * The grammar is explain.c's: a node line (`->  Name  (cost=...) (actual ...)`, the root without
 * the arrow), then its properties two columns right of its name (`Key: value`, several keys on one
 * line for sort, hash and cache details), `Worker N:` blocks, and InitPlan / SubPlan / CTE headers
 * naming the next node; after the tree, the summary at the root's column (Planning / Execution Time,
 * Triggers, JIT, Settings). Nesting is by column, so the reader is a loop over lines with a stack,
 * never recursion. Node names and property lines are read through the tables below.
 */
import { modelChildren } from './citus';
import type { RawCitusJob, RawExplainResult, RawJit, RawPlanNode, RawSortGroups, RawTrigger, RawWorker } from './explain-json';
import { isDecorationLine, stripTerminalDecoration } from './plan-lines';

/** Where the text stops being a plan; the message names the line and what was expected there. */
export class TextPlanError extends Error {
  constructor(
    message: string,
    /** 1-based line in the text given to parseTextPlan. */
    readonly line: number,
    /** What could be read before the damage, when at least the root node was. */
    readonly partial?: RawExplainResult,
  ) {
    super(message);
    this.name = 'TextPlanError';
  }
}

type Fields = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Node lines

const ESTIMATE = /\(cost=(-?[\d.]+)\.\.(-?[\d.]+) rows=(\d+) width=(\d+)\)/;
const ACTUAL = /\(actual(?: time=([\d.]+)\.\.([\d.]+))? rows=([\d.]+) loops=(\d+)\)/;
const NEVER = '(never executed)';

const SIMPLE_NODES = new Set([
  'Result',
  'ProjectSet',
  'Append',
  'Merge Append',
  'Recursive Union',
  'BitmapAnd',
  'BitmapOr',
  'Gather',
  'Gather Merge',
  'Materialize',
  'Memoize',
  'Result Cache',
  'Sort',
  'Incremental Sort',
  'Group',
  'WindowAgg',
  'Unique',
  'LockRows',
  'Limit',
  'Hash',
  'Nested Loop',
  'Hash Join',
  'Merge Join',
]);

const AGGREGATE_STRATEGY: Record<string, string> = { '': 'Plain', Hash: 'Hashed', Group: 'Sorted', Mixed: 'Mixed' };

/** Scans whose text name is followed by ` on TARGET`; the JSON key the target's name goes to. */
const SCAN_TARGET: Record<string, string> = {
  'Seq Scan': 'Relation Name',
  'Sample Scan': 'Relation Name',
  'Bitmap Heap Scan': 'Relation Name',
  'Tid Scan': 'Relation Name',
  'Tid Range Scan': 'Relation Name',
  'Foreign Scan': 'Relation Name',
  'Subquery Scan': '',
  'Function Scan': 'Function Name',
  'Table Function Scan': 'Table Function Name',
  'Values Scan': '',
  'CTE Scan': 'CTE Name',
  'WorkTable Scan': 'CTE Name',
  'Named Tuplestore Scan': 'Tuplestore Name',
};

/** The node-name table: each entry reads one family of names into JSON keys, or returns undefined. */
const NODE_NAMES: Array<(name: string) => Fields | undefined> = [
  (name) => (SIMPLE_NODES.has(name) ? { 'Node Type': name } : undefined),
  (name) => {
    const m = /^(Hash|Merge) (Left|Right|Full|Semi|Anti|Right Semi|Right Anti) Join$/.exec(name);
    return m ? { 'Node Type': `${m[1]} Join`, 'Join Type': m[2] } : undefined;
  },
  (name) => {
    const m = /^Nested Loop (Left|Right|Full|Semi|Anti|Right Semi|Right Anti) Join$/.exec(name);
    return m ? { 'Node Type': 'Nested Loop', 'Join Type': m[1] } : undefined;
  },
  (name) => {
    const m = /^(?:(Partial|Finalize) )?(Hash|Group|Mixed|)Aggregate$/.exec(name);
    return m ? { 'Node Type': 'Aggregate', Strategy: AGGREGATE_STRATEGY[m[2]], 'Partial Mode': m[1] ?? 'Simple' } : undefined;
  },
  (name) => {
    const m = /^(Hash)?SetOp (Intersect All|Intersect|Except All|Except)$/.exec(name);
    return m ? { 'Node Type': 'SetOp', Strategy: m[1] ? 'Hashed' : 'Sorted', Command: m[2] } : undefined;
  },
  (name) => {
    const m = /^(Index Scan|Index Only Scan)( Backward)?(?: using (.+?))?(?: on (.+))?$/.exec(name);
    if (!m) return undefined;
    const fields: Fields = { 'Node Type': m[1], 'Scan Direction': m[2] ? 'Backward' : 'Forward' };
    if (m[3] !== undefined) fields['Index Name'] = unquote(m[3]);
    if (m[4] !== undefined) Object.assign(fields, relationTarget(m[4], 'Relation Name'));
    return fields;
  },
  (name) => {
    const m = /^Bitmap Index Scan on (.+)$/.exec(name);
    return m ? { 'Node Type': 'Bitmap Index Scan', 'Index Name': unquote(m[1]) } : undefined;
  },
  (name) => {
    const m = /^(Insert|Update|Delete|Merge) on (.+)$/.exec(name);
    return m ? { 'Node Type': 'ModifyTable', Operation: m[1], ...relationTarget(m[2], 'Relation Name') } : undefined;
  },
  (name) => {
    const m = /^Foreign (Insert|Update|Delete) on (.+)$/.exec(name);
    return m ? { 'Node Type': 'Foreign Scan', Operation: m[1], ...relationTarget(m[2], 'Relation Name') } : undefined;
  },
  (name) => {
    const m = /^Custom Scan \((.+?)\)(?: on (.+))?$/.exec(name);
    if (!m) return undefined;
    return { 'Node Type': 'Custom Scan', 'Custom Plan Provider': m[1], ...(m[2] ? relationTarget(m[2], 'Relation Name') : {}) };
  },
  // PostgreSQL 8.x: "Subquery Scan alias", without "on".
  (name) => {
    const m = /^Subquery Scan ((?!on )\S+)$/.exec(name);
    return m ? { 'Node Type': 'Subquery Scan', Alias: unquote(m[1]) } : undefined;
  },
  (name) => {
    const m = /^([A-Z][A-Za-z ]+? Scan)(?: on (.+))?$/.exec(name);
    if (!m || !(m[1] in SCAN_TARGET)) return undefined;
    const fields: Fields = { 'Node Type': m[1] };
    if (m[2] !== undefined) Object.assign(fields, relationTarget(m[2], SCAN_TARGET[m[1]]));
    return fields;
  },
];

/** Reads a node's name ("Parallel Index Only Scan Backward using i on s.t x") into JSON keys, or undefined. */
export function readNodeName(text: string): Fields | undefined {
  const known = NAME_CACHE.get(text);
  if (known !== undefined) return known ? { ...known } : undefined;
  const fields = readNodeNameUncached(text);
  if (NAME_CACHE.size > 10_000) NAME_CACHE.clear();
  NAME_CACHE.set(text, fields ?? null);
  return fields && { ...fields };
}

/** Node names read so far; a large plan repeats the same few hundred. */
const NAME_CACHE = new Map<string, Fields | null>();

function readNodeNameUncached(text: string): Fields | undefined {
  let name = text;
  const flags: Fields = {};
  for (;;) {
    if (name.startsWith('Parallel ')) {
      flags['Parallel Aware'] = true;
      name = name.slice(9);
    } else if (name.startsWith('Async ')) {
      flags['Async Capable'] = true;
      name = name.slice(6);
    } else break;
  }
  for (const read of NODE_NAMES) {
    const fields = read(name);
    if (fields) return { ...fields, 'Parallel Aware': false, ...flags };
  }
  return undefined;
}

/** "schema.relation alias" / "relation" / "\"Quoted Name\" q" into the JSON keys of a scan target. */
function relationTarget(text: string, nameKey: string): Fields {
  const words = splitWords(text);
  const fields: Fields = {};
  const parts = splitQualified(words[0] ?? '');
  const name = parts[parts.length - 1];
  if (nameKey) fields[nameKey] = name;
  if (parts.length > 1) fields.Schema = parts[parts.length - 2];
  fields.Alias = words.length > 1 ? unquote(words[1]) : name;
  return fields;
}

/** Words separated by spaces, a double-quoted identifier (with "" inside) counting as part of one word. */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    if (c === ' ' && !quoted) {
      if (current) words.push(current);
      current = '';
    } else current += c;
  }
  if (current) words.push(current);
  return words;
}

function splitQualified(word: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of word) {
    if (c === '"') quoted = !quoted;
    if (c === '.' && !quoted) {
      parts.push(unquote(current));
      current = '';
    } else current += c;
  }
  parts.push(unquote(current));
  return parts;
}

function unquote(word: string): string {
  return word.length >= 2 && word.startsWith('"') && word.endsWith('"') ? word.slice(1, -1).replace(/""/g, '"') : word;
}

interface NodeLine {
  fields: Fields;
  /** Whether the line carried an estimate or actual values (a bare name is a node only where an arrow says so). */
  measured: boolean;
}

/** A node line's content after the arrow, or undefined when it is not one. */
function readNodeLine(content: string): NodeLine | undefined {
  let nameEnd = content.length;
  const estimate = ESTIMATE.exec(content);
  const actual = ACTUAL.exec(content);
  const never = content.indexOf(NEVER);
  for (const at of [estimate?.index, actual?.index, never >= 0 ? never : undefined]) if (at !== undefined && at < nameEnd) nameEnd = at;
  const fields = readNodeName(content.slice(0, nameEnd).trimEnd());
  if (!fields) return undefined;
  if (estimate) {
    fields['Startup Cost'] = Number(estimate[1]);
    fields['Total Cost'] = Number(estimate[2]);
    fields['Plan Rows'] = Number(estimate[3]);
    fields['Plan Width'] = Number(estimate[4]);
  }
  if (actual) Object.assign(fields, actualFields(actual));
  else if (never >= 0) {
    fields['Actual Rows'] = 0;
    fields['Actual Loops'] = 0;
  }
  return { fields, measured: estimate !== null || actual !== null || never >= 0 };
}

/** Whether a line (frames removed) is the top node of a text plan: a node name with an estimate or actual values, no arrow. */
export function startsTextPlan(content: string): boolean {
  // Most lines are settled by a substring test, before any regular expression.
  if (content.startsWith('->') || !(content.includes('(cost=') || content.includes('(actual ') || content.includes(NEVER))) return false;
  return readNodeLine(content.trim())?.measured === true;
}

function actualFields(match: RegExpExecArray): Fields {
  const fields: Fields = {};
  if (match[1] !== undefined) {
    fields['Actual Startup Time'] = Number(match[1]);
    fields['Actual Total Time'] = Number(match[2]);
  }
  fields['Actual Rows'] = Number(match[3]);
  fields['Actual Loops'] = Number(match[4]);
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Property lines

/** Properties whose value is one expression or name, kept verbatim under the same key as in JSON. */
const TEXT_PROPERTIES = new Set([
  'Filter',
  'Index Cond',
  'Recheck Cond',
  'Hash Cond',
  'Merge Cond',
  'Join Filter',
  'One-Time Filter',
  'Order By',
  'TID Cond',
  'Run Condition',
  'Cache Key',
  'Cache Mode',
  'Conflict Filter',
  'Conflict Resolution',
  'Remote SQL',
  'Relations',
  'Function Call',
  'Table Function Call',
  'Window',
  'Repeatable Seed',
  'Sampling',
  'Partial Mode',
  'Strategy',
  'Scan Direction',
]);

/** Properties holding a comma-separated list, an array in JSON. */
const LIST_PROPERTIES = new Set([
  'Output',
  'Sort Key',
  'Presorted Key',
  'Group Key',
  'Params Evaluated',
  'Conflict Arbiter Indexes',
  'Hash Key',
]);

const NUMBER_PROPERTIES = new Set([
  'Rows Removed by Filter',
  'Rows Removed by Join Filter',
  'Rows Removed by Index Recheck',
  'Rows Removed by Conflict Filter',
  'Heap Fetches',
  'Workers Planned',
  'Workers Launched',
  'Index Searches',
  'Tuples Inserted',
  'Conflicting Tuples',
  'Subplans Removed',
]);

const BOOLEAN_PROPERTIES = new Set(['Single Copy', 'Inner Unique', 'Disabled', 'Async Capable', 'Parallel Aware']);

/** "Key: value  Key: value" pairs of one detail line. */
function pairs(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of text.matchAll(/([A-Z][A-Za-z -]*?):\s+(.*?)(?=\s{2,}[A-Z][A-Za-z -]*?:\s|$)/g)) out.push([m[1], m[2].trim()]);
  return out;
}

/** "25kB" -> 25. */
function kb(value: string): number {
  return Number.parseFloat(value);
}

/** "1024 (originally 512)" -> [1024, 512]. */
function withOriginal(value: string): [number, number | undefined] {
  const m = /^(\d+)(?: \(originally (\d+)\))?/.exec(value);
  return m ? [Number(m[1]), m[2] === undefined ? undefined : Number(m[2])] : [Number.NaN, undefined];
}

/** "name=1 other name=2.5" -> Map. */
function assignments(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/([a-z][a-z /]*?)=(\S+)/g)) out.set(m[1].trim(), m[2].replace(/,$/, ''));
  return out;
}

const BUFFER_KEYS: Record<string, string> = {
  'shared hit': 'Shared Hit Blocks',
  'shared read': 'Shared Read Blocks',
  'shared dirtied': 'Shared Dirtied Blocks',
  'shared written': 'Shared Written Blocks',
  'local hit': 'Local Hit Blocks',
  'local read': 'Local Read Blocks',
  'local dirtied': 'Local Dirtied Blocks',
  'local written': 'Local Written Blocks',
  'temp read': 'Temp Read Blocks',
  'temp written': 'Temp Written Blocks',
};

const IO_TIMING_KEYS: Record<string, string> = {
  ' read': 'I/O Read Time',
  ' write': 'I/O Write Time',
  'shared/local read': 'I/O Read Time',
  'shared/local write': 'I/O Write Time',
  'shared read': 'Shared I/O Read Time',
  'shared write': 'Shared I/O Write Time',
  'local read': 'Local I/O Read Time',
  'local write': 'Local I/O Write Time',
  'temp read': 'Temp I/O Read Time',
  'temp write': 'Temp I/O Write Time',
};

/** "shared hit=1 read=2, temp written=3": counters grouped by the word that starts each comma-separated group. */
function groupedCounters(text: string, keys: Record<string, string>, target: Fields): void {
  for (const group of text.split(/,\s*/)) {
    const m = /^(?:([a-z/]+) )?(.*)$/.exec(group.trim());
    if (!m) continue;
    const prefix = m[1] && !m[1].includes('=') ? m[1] : '';
    const rest = prefix ? m[2] : group.trim();
    for (const [name, value] of assignments(rest)) {
      const key = keys[`${prefix} ${name}`] ?? keys[`${prefix}${name}`];
      if (key) target[key] = Number(value);
    }
  }
}

function sortGroups(rest: Array<[string, string]>, count: string): RawSortGroups {
  const groups: RawSortGroups = { 'Group Count': Number(count) };
  for (const [key, value] of rest) {
    if (key === 'Sort Method' || key === 'Sort Methods') groups['Sort Methods Used'] = value.split(/,\s*/);
    const m = /^(Average|Peak) (Memory|Disk)$/.exec(key);
    if (m) {
      const space = m[2] === 'Memory' ? 'Sort Space Memory' : 'Sort Space Disk';
      const into = (groups[space] ??= {});
      into[m[1] === 'Average' ? 'Average Sort Space Used' : 'Peak Sort Space Used'] = kb(value);
    }
  }
  return groups;
}

/**
 * The property-line table: keyed by the line's first key, each entry stores what the line says.
 * Lines not listed fall back to TEXT / LIST / NUMBER / BOOLEAN_PROPERTIES, then to the key verbatim.
 */
const DETAIL_LINES = new Map<string, (value: string, line: string, target: Fields) => void>([
  [
    'Sort Method',
    (_v, line, target) => {
      for (const [key, value] of pairs(line)) {
        if (key === 'Sort Method') target['Sort Method'] = value;
        else if (key === 'Memory' || key === 'Disk') {
          target['Sort Space Type'] = key;
          target['Sort Space Used'] = kb(value);
        }
      }
    },
  ],
  [
    'Buckets',
    (_v, line, target) => {
      for (const [key, value] of pairs(line)) {
        if (key === 'Buckets' || key === 'Batches') {
          const [now, original] = withOriginal(value);
          target[`Hash ${key}`] = now;
          target[`Original Hash ${key}`] = original ?? now;
        } else if (key === 'Memory Usage') target['Peak Memory Usage'] = kb(value);
      }
    },
  ],
  ['Batches', (_v, line, target) => hashAggregateDetails(line, target)],
  ['Planned Partitions', (_v, line, target) => hashAggregateDetails(line, target)],
  [
    'Hits',
    (_v, line, target) => {
      const keys: Record<string, string> = {
        Hits: 'Cache Hits',
        Misses: 'Cache Misses',
        Evictions: 'Cache Evictions',
        Overflows: 'Cache Overflows',
      };
      for (const [key, value] of pairs(line)) {
        if (keys[key]) target[keys[key]] = Number(value);
        else if (key === 'Memory Usage') target['Peak Memory Usage'] = kb(value);
      }
    },
  ],
  [
    'Heap Blocks',
    (value, _line, target) => {
      const found = assignments(value);
      if (found.has('exact')) target['Exact Heap Blocks'] = Number(found.get('exact'));
      if (found.has('lossy')) target['Lossy Heap Blocks'] = Number(found.get('lossy'));
    },
  ],
  ['Buffers', (value, _line, target) => groupedCounters(value, BUFFER_KEYS, target)],
  ['I/O Timings', (value, _line, target) => groupedCounters(value, IO_TIMING_KEYS, target)],
  [
    'WAL',
    (value, _line, target) => {
      const found = assignments(value);
      const keys: Record<string, string> = {
        records: 'WAL Records',
        fpi: 'WAL FPI',
        bytes: 'WAL Bytes',
        'buffers full': 'WAL Buffers Full',
      };
      for (const [name, count] of found) if (keys[name]) target[keys[name]] = Number(count);
    },
  ],
  [
    'Full-sort Groups',
    (value, line, target) => {
      target['Full-sort Groups'] = sortGroups(pairs(line).slice(1), value.split(/\s/)[0]);
    },
  ],
  [
    'Pre-sorted Groups',
    (value, line, target) => {
      target['Pre-sorted Groups'] = sortGroups(pairs(line).slice(1), value.split(/\s/)[0]);
    },
  ],
  [
    'Storage',
    (_v, line, target) => {
      for (const [key, value] of pairs(line)) {
        if (key === 'Storage') target.Storage = value;
        else if (key === 'Maximum Storage') target['Maximum Storage'] = kb(value);
      }
    },
  ],
  [
    'Estimates',
    (value, _line, target) => {
      const found = assignments(value);
      const keys: Record<string, string> = {
        capacity: 'Estimated Capacity',
        'distinct keys': 'Estimated Distinct Lookup Keys',
        lookups: 'Estimated Lookups',
        'hit percent': 'Estimated Hit Percent',
      };
      for (const [name, count] of found) if (keys[name]) target[keys[name]] = Number.parseFloat(count);
    },
  ],
]);

function hashAggregateDetails(line: string, target: Fields): void {
  for (const [key, value] of pairs(line)) {
    if (key === 'Batches') target['HashAgg Batches'] = Number(value);
    else if (key === 'Planned Partitions') target['Planned Partitions'] = Number(value);
    else if (key === 'Memory Usage') target['Peak Memory Usage'] = kb(value);
    else if (key === 'Disk Usage') target['Disk Usage'] = kb(value);
  }
}

/** Splits "a, f(b, c), 'x,y'" at its top-level commas. */
function splitList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  items.push(text.slice(start).trim());
  return items.filter((item) => item !== '');
}

/** Stores one `Key: value` line on a node or worker; false when the line is not a property. */
function readProperty(content: string, target: Fields): boolean {
  const colon = content.indexOf(': ');
  const bare = content.endsWith(':') ? content.length - 1 : -1;
  const at = colon > 0 ? colon : bare;
  if (at <= 0) return false;
  const key = content.slice(0, at);
  if (!/^[A-Z][A-Za-z0-9 /()-]*$/.test(key)) return false;
  const value = content.slice(at + 1).trim();
  const detail = DETAIL_LINES.get(key);
  if (detail) detail(value, content, target);
  else if (TEXT_PROPERTIES.has(key)) target[key] = value;
  else if (LIST_PROPERTIES.has(key)) target[key] = splitList(value);
  else if (NUMBER_PROPERTIES.has(key)) target[key] = Number(value);
  else if (BOOLEAN_PROPERTIES.has(key)) target[key] = value === 'true';
  else target[key] = value;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Summary lines (after the tree, at the root's column)

const SUMMARY_TIMES: Record<string, string> = {
  'Planning Time': 'Planning Time',
  'Planning time': 'Planning Time',
  'Execution Time': 'Execution Time',
  'Execution time': 'Execution Time',
  'Total runtime': 'Execution Time',
};

const SUMMARY_LINE =
  /^(?:(?:Planning|Execution) [Tt]ime:|Total runtime:|Trigger |JIT:$|Planning:$|Settings:|Query Identifier:|Serialization:)/;

/** A server log line ("2024-05-01 10:00:00 UTC [42] LOG:  ...") that starts the next entry. */
const LOG_LINE = /^\S.*?\b(?:LOG|ERROR|WARNING|DETAIL|STATEMENT|CONTEXT|HINT|NOTICE|INFO|FATAL|PANIC):\s/;

const TRIGGER_LINE = /^Trigger (?:for constraint (.+?)|(.+?))(?: on (.+?))?: (?:time=([\d.]+) )?calls=(\d+)$/;

/** Reads "Options: Inlining false, ..." and "Timing: Generation 1.0 ms (Deform 0.2 ms), ..., Total 2.0 ms" of a JIT block. */
function readJitLine(content: string, jit: RawJit): void {
  const colon = content.indexOf(': ');
  if (colon < 0) return;
  const key = content.slice(0, colon);
  const value = content.slice(colon + 2);
  if (key === 'Functions') jit.Functions = Number(value);
  else if (key === 'Options') {
    const options: Record<string, boolean> = {};
    for (const m of value.matchAll(/(\w+) (true|false)/g)) options[m[1]] = m[2] === 'true';
    jit.Options = options;
  } else if (key === 'Timing') {
    const timing: NonNullable<RawJit['Timing']> = {};
    for (const m of value.matchAll(/(\w+) ([\d.]+) ms(?: \(Deform ([\d.]+) ms\))?/g)) {
      timing[m[1]] = m[3] === undefined ? Number(m[2]) : { Deform: Number(m[3]), Total: Number(m[2]) };
    }
    jit.Timing = timing;
  }
}

// ---------------------------------------------------------------------------------------------
// The reader

interface OpenNode {
  raw: RawPlanNode;
  /**
   * A Citus task ("->  Task"), distributed subplan ("->  Distributed Subplan 12_1") or re-partition
   * job ("->  MapMergeJob"): its lines are Citus's ("Node: host=...", "Intermediate Data Size: ...");
   * the node under a task or subplan is its plan, followed by that plan's own summary lines
   * ("Execution Time").
   */
  citus?: { kind: 'task' | 'subplan' | 'mapMerge'; result?: RawExplainResult };
  /** Column of the node's name; its properties and children start to the right of it. */
  column: number;
}

interface Block {
  /** The fields the block's lines go to: a worker, "Planning", JIT, "Serialization". */
  target: Fields;
  column: number;
  kind: 'worker' | 'jit' | 'fields';
}

/** Where the plan's root line is: the first node line with an estimate or actual values, else the first bare node name. */
function findRoot(lines: string[]): number {
  let bare = -1;
  for (let i = 0; i < lines.length; i++) {
    const content = lines[i].trim();
    if (content === '') continue;
    // A subtree copied out of a larger plan starts with its arrow.
    const line = readNodeLine(content.startsWith('->') ? content.replace(/^->\s*/, '') : content);
    if (line?.measured) return i;
    if (line && bare < 0 && !content.startsWith('->') && nextArrowIsDeeper(lines, i)) bare = i;
  }
  if (bare < 0) {
    // COSTS OFF without ANALYZE, a single node: nothing but the name.
    for (let i = 0; i < lines.length; i++) {
      const content = lines[i].trim();
      if (content !== '' && !isDecorationLine(lines[i]) && readNodeLine(content)) return i;
    }
  }
  return bare;
}

function nextArrowIsDeeper(lines: string[], at: number): boolean {
  const column = indentOf(lines[at]);
  for (let i = at + 1; i < lines.length; i++) {
    const content = lines[i].trim();
    if (content === '') continue;
    if (content.startsWith('->')) return indentOf(lines[i]) > column;
  }
  return false;
}

/** Column of the first non-blank character; a tab counts as 8 columns (auto_explain prefixes lines with one). */
function indentOf(line: string): number {
  let column = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ') column++;
    else if (c === '\t') column += 8 - (column % 8);
    else break;
  }
  return column;
}

/** Parenthesis depth at the end of `line` outside quotes: > 0 when a terminal wrapped it mid-expression. */
function openParens(line: string): number {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
  }
  return depth;
}

interface JoinedLine {
  text: string;
  /** 0-based index of the first input line it came from. */
  index: number;
}

/**
 * The lines with those a terminal or editor wrapped joined back: a line continues the previous one
 * when that one ends inside parentheses or after a comma, or when it starts with a node's estimate.
 * A terminal breaks anywhere, so the pieces are glued without a space except where one was eaten
 * between a number and the next word ("0.532 " + "rows=0").
 */
function joinWrapped(lines: string[]): JoinedLine[] {
  const out: JoinedLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const content = line.trim();
    if (content === '') {
      out.push({ text: '', index: i });
      continue;
    }
    const last = out.length > 0 ? out[out.length - 1] : undefined;
    const continues =
      last !== undefined &&
      last.text !== '' &&
      !content.startsWith('->') &&
      (/^\((?:cost=|actual |never executed)/.test(content) ||
        last.text.endsWith(',') ||
        (openParens(last.text) > 0 && !readNodeLine(content)?.measured) ||
        splitNodeName(last.text, content));
    if (continues) {
      const glue = /^\(/.test(content) ? ' ' : /[\d)]$/.test(last.text) && /^[a-z]/.test(line) ? ' ' : '';
      last.text += glue + (glue ? content : line);
      continue;
    }
    out.push({ text: line, index: i });
  }
  return out;
}

/** A node line broken inside its name: the next line holds the rest of the name and the estimate. */
function splitNodeName(previous: string, content: string): boolean {
  if (!content.includes('(cost=') && !content.includes('(actual ')) return false;
  if (!/^\s*->/.test(previous) || previous.includes('(cost=') || previous.includes('(actual ')) return false;
  return (ESTIMATE.test(content) || ACTUAL.test(content)) && !readNodeLine(content)?.measured;
}

/** The query text of an auto_explain entry: the "Query Text:" line and the lines up to the plan. */
function queryTextBefore(lines: string[], root: number): string | undefined {
  for (let i = 0; i < root; i++) {
    const m = /^\s*Query Text: ?(.*)$/.exec(lines[i]);
    if (!m) continue;
    const parts = [m[1]];
    for (let j = i + 1; j < root; j++) {
      if (/^\s*Query Parameters:/.test(lines[j])) break;
      parts.push(lines[j].trim());
    }
    return parts.join('\n').trim();
  }
  return undefined;
}

/**
 * Reads a text-format plan (frames already removed by the caller or not) into JSON-shaped objects.
 * Throws TextPlanError naming the first line that is not part of a plan, with what came before it.
 */
export function parseTextPlan(text: string): RawExplainResult {
  const lines = stripTerminalDecoration(unquoteLines(text));
  const all = joinWrapped(lines);
  const rootAt = findRoot(all.map((line) => line.text));
  if (rootAt < 0)
    throw new TextPlanError('no plan node found: expected a line such as "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)"', 1);

  const result: RawExplainResult = { Plan: undefined as unknown as RawPlanNode };
  const queryText = queryTextBefore(lines, all[rootAt].index);
  if (queryText !== undefined) result['Query Text'] = queryText;

  const joined = all.slice(rootAt);
  if (joined[0].text.trim().startsWith('->')) joined[0] = { ...joined[0], text: joined[0].text.replace('->', '  ') };
  let rootColumn = indentOf(joined[0].text);
  const stack: OpenNode[] = [];
  let block: Block | undefined;
  // PostgreSQL 8.x prints one "SubPlan" header over several subplans: it names every node at its depth.
  let pendingSubplan: { name: string; column: number; owner: RawPlanNode } | undefined;
  let inSummary = false;
  let damage: TextPlanError | undefined;

  const fail = (index: number, message: string): void => {
    damage = new TextPlanError(`line ${index + 1}: ${message}`, index + 1);
  };

  for (const { text: line, index } of joined) {
    const content = line.trim();
    if (content === '' || content.startsWith('#')) continue;
    const column = indentOf(line);

    // Another log entry or the next statement's output: the plan has ended.
    if (stack.length > 0 && (column < rootColumn || LOG_LINE.test(line))) break;

    if (content.startsWith('->')) {
      if (inSummary) {
        fail(
          index,
          `expected a summary line (Planning Time, Execution Time, Trigger, JIT, Settings) after the plan, found a plan node "${clip(content)}"`,
        );
        break;
      }
      const arrow = /^->\s*/.exec(content)![0].length;
      const citusKind = CITUS_ARROWS.get(content.slice(arrow).replace(/^Distributed Subplan \S+$/, 'Distributed Subplan'));
      if (citusKind) {
        while (stack.length > 1 && stack[stack.length - 1].column >= column) stack.pop();
        const open = stack[stack.length - 1];
        // Citus writes them under "Custom Scan (Citus Adaptive)" (a MapMergeJob also under another), where its JSON keeps them.
        const place =
          open.citus?.kind === 'mapMerge' && citusKind === 'mapMerge'
            ? (open.raw as Fields)
            : open.raw['Node Type'] === 'Custom Scan'
              ? citusKind === 'subplan'
                ? (open.raw['Distributed Query'] ??= {})
                : citusJob(open.raw)
              : undefined;
        if (place) {
          const record: Fields = {};
          ((place[CITUS_LISTS[citusKind]] ??= []) as Fields[]).push(record);
          stack.push({ raw: record as RawPlanNode, column: column + arrow, citus: { kind: citusKind } });
          block = undefined;
          continue;
        }
      }
      const node = readNodeLine(content.slice(arrow));
      if (!node) {
        fail(index, `expected a plan node after "->" (such as "Seq Scan on t  (cost=...)"), found "${clip(content)}"`);
        break;
      }
      // The root's first line pasted with more indentation than the rest: its children set the edge.
      if (stack.length === 1 && column <= rootColumn) rootColumn = stack[0].column = column - 2;
      while (stack.length > 1 && stack[stack.length - 1].column >= column) stack.pop();
      const parent = stack[stack.length - 1];
      const raw = node.fields as RawPlanNode;
      if (pendingSubplan && pendingSubplan.column < column && pendingSubplan.owner === parent.raw) {
        raw['Subplan Name'] = pendingSubplan.name;
        raw['Parent Relationship'] = pendingSubplan.name.startsWith('SubPlan') ? 'SubPlan' : 'InitPlan';
        if (/\d/.test(pendingSubplan.name)) pendingSubplan = undefined;
      } else if (pendingSubplan && column <= pendingSubplan.column) pendingSubplan = undefined;
      block = undefined;
      if (parent.citus?.kind === 'task') {
        // As in Citus's JSON: the worker's EXPLAIN output (an array of one result) in an array of result rows.
        parent.citus.result = { Plan: raw };
        parent.raw['Remote Plan'] = [[parent.citus.result]];
      } else if (parent.citus?.kind === 'subplan') {
        parent.citus.result = { Plan: raw };
        parent.raw.PlannedStmt = [parent.citus.result];
      } else (parent.raw.Plans ??= []).push(raw);
      stack.push({ raw, column: column + arrow });
      continue;
    }

    if (stack.length === 0) {
      const node = readNodeLine(content);
      if (!node) {
        fail(index, `expected the plan's top node, found "${clip(content)}"`);
        break;
      }
      result.Plan = node.fields as RawPlanNode;
      stack.push({ raw: result.Plan, column });
      continue;
    }

    if (block && column > block.column) {
      if (readBlockLine(block, content)) continue;
    }
    block = undefined;

    // Summary lines sit at the root's column, its properties two further right; one column of slack for pastes.
    if (column < rootColumn + 2 && !(stack.length === 1 && !inSummary && !SUMMARY_LINE.test(content) && column > rootColumn)) {
      const summary = readSummaryLine(content, result, column);
      if (summary === 'node') {
        // A second plan (psql printing several statements' EXPLAIN): only the first is read here; findPlans finds each.
        break;
      }
      if (summary === undefined) {
        fail(
          index,
          `expected a summary line (Planning Time, Execution Time, Trigger, JIT, Settings) at the plan's left edge, found "${clip(content)}"`,
        );
        break;
      }
      inSummary = true;
      if (summary !== true) block = summary;
      continue;
    }
    if (inSummary) {
      fail(
        index,
        `expected a summary line (Planning Time, Execution Time, Trigger, JIT, Settings) after the plan, found "${clip(content)}"`,
      );
      break;
    }

    if (stack.length === 1 && stack[0].raw.Plans === undefined && column < rootColumn + 2 && column > 0 && !SUMMARY_LINE.test(content)) {
      // Every line but the root's lost the same indentation when copied: the root's first property sets the edge.
      rootColumn = stack[0].column = column - 2;
    }
    while (stack.length > 1 && stack[stack.length - 1].column >= column) stack.pop();
    const open = stack[stack.length - 1];
    const owner = open.raw;
    if (pendingSubplan && column <= pendingSubplan.column) pendingSubplan = undefined;

    if (open.citus) {
      // A task's or subplan's plan has its summary lines at its root's column, left of its properties.
      const result = open.citus.result;
      const summary = result && SUMMARY_LINE.test(content) ? readSummaryLine(content, result, column) : undefined;
      if (summary !== undefined && summary !== 'node') {
        if (summary !== true) block = summary;
        continue;
      }
      const property = /^([A-Z][A-Za-z /]*): (.*)$/.exec(content);
      if (property) {
        const [, key, value] = property;
        owner[key] = CITUS_NUMBERS.has(key) ? Number.parseFloat(value) : value;
        continue;
      }
    }
    const jobLine = owner['Node Type'] === 'Custom Scan' ? CITUS_JOB_LINE.exec(content) : null;
    if (jobLine) {
      citusJob(owner)[jobLine[1]] = jobLine[1] === 'Task Count' ? Number(jobLine[2]) : jobLine[2];
      continue;
    }

    const subplan = !/^[ISC]/.test(content)
      ? null
      : /^(InitPlan(?: \d+)?(?: \(returns [^)]*\))?|SubPlan(?: \d+)?(?: \(returns [^)]*\))?|CTE .+)$/.exec(content);
    if (subplan) {
      pendingSubplan = { name: subplan[1], column, owner };
      continue;
    }
    const worker = content.startsWith('Worker ') ? /^Worker (\d+):\s*(.*)$/.exec(content) : null;
    if (worker) {
      const workers = (owner.Workers ??= []);
      let record = workers.find((w) => w['Worker Number'] === Number(worker[1]));
      if (!record) {
        record = { 'Worker Number': Number(worker[1]) };
        workers.push(record);
      }
      readWorkerDetail(worker[2], record);
      block = { target: record, column, kind: 'worker' };
      continue;
    }
    const target = owner['Node Type'] === 'ModifyTable' ? /^(Insert|Update|Delete|Merge) on (.+)$/.exec(content) : null;
    if (target) {
      ((owner['Target Tables'] ??= []) as Fields[]).push({ ...relationTarget(target[2], 'Relation Name') });
      continue;
    }
    if (content === 'JIT:') {
      block = { target: (owner.JIT = {}) as Fields, column, kind: 'jit' };
      continue;
    }
    if (!readProperty(content, owner)) {
      fail(index, `expected a plan node ("->  ...") or a property ("Key: value") of "${owner['Node Type']}", found "${clip(content)}"`);
      break;
    }
  }

  if (!result.Plan) throw damage ?? new TextPlanError('no plan node found', joined[0].index + 1);
  finishTree(result.Plan);
  if (damage) throw new TextPlanError(damage.message, damage.line, result);
  return result;
}

/** The lines Citus writes for a scan's job (Citus 12, multi_explain.c ExplainJob), which its JSON keeps under "Distributed Query". */
const CITUS_JOB_LINE = /^(Task Count|Tuple data received from nodes|Tasks Shown): (.+)$/;

/** Citus's own "->" lines: what they open, and the list of the scan's "Distributed Query" (or "Job") that holds them. */
const CITUS_ARROWS: ReadonlyMap<string, 'task' | 'subplan' | 'mapMerge'> = new Map([
  ['Task', 'task'],
  ['Distributed Subplan', 'subplan'],
  ['MapMergeJob', 'mapMerge'],
]);
const CITUS_LISTS = { task: 'Tasks', subplan: 'Subplans', mapMerge: 'Dependent Jobs' } as const;
/** Citus lines its JSON writes as numbers ("Subplan Duration: 1.23 ms" is 1.23 there). */
const CITUS_NUMBERS = new Set(['Map Task Count', 'Merge Task Count', 'Subplan Duration']);

/** The scan's "Distributed Query" job, made on its first line. */
function citusJob(scan: RawPlanNode): RawCitusJob {
  const query = (scan['Distributed Query'] ??= {});
  return (query.Job ??= {});
}

/** Lines each wrapped in single quotes, as pgAdmin 3 copies a result, unwrapped ('' inside becomes '). */
function unquoteLines(text: string): string {
  if (text.trimStart()[0] !== "'") return text;
  const lines = text.split('\n');
  const nonBlank = lines.filter((line) => line.trim() !== '');
  if (nonBlank.length === 0 || !nonBlank.every((line) => /^\s*'.*'\s*$/.test(line))) return text;
  return lines
    .map((line) => line.replace(/^(\s*)'(.*)'\s*$/, (_m, lead: string, body: string) => lead + body.replace(/''/g, "'")))
    .join('\n');
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function readWorkerDetail(detail: string, worker: RawWorker): void {
  if (detail === '') return;
  const actual = ACTUAL.exec(`(${detail})`);
  if (actual) {
    Object.assign(worker, actualFields(actual));
    return;
  }
  if (detail === 'never executed') {
    worker['Actual Rows'] = 0;
    worker['Actual Loops'] = 0;
    return;
  }
  readProperty(detail, worker as Fields);
}

function readBlockLine(block: Block, content: string): boolean {
  if (block.kind === 'jit') {
    readJitLine(content, block.target as RawJit);
    return true;
  }
  if (block.kind === 'worker') {
    const actual = /^actual /.test(content) ? ACTUAL.exec(`(${content})`) : null;
    if (actual) {
      Object.assign(block.target, actualFields(actual));
      return true;
    }
    if (content === 'JIT:') return true;
    return readProperty(content, block.target) || /^(Functions|Options|Timing): /.test(content);
  }
  if (content.startsWith('Memory: ')) {
    const found = assignments(content.slice(8));
    if (found.has('used')) block.target['Memory Used'] = kb(found.get('used')!);
    if (found.has('allocated')) block.target['Memory Allocated'] = kb(found.get('allocated')!);
    return true;
  }
  return readProperty(content, block.target);
}

/** One summary line into `result`: true when read, a Block for a heading whose lines follow, 'node' for another plan, undefined otherwise. */
function readSummaryLine(content: string, result: RawExplainResult, column: number): true | Block | 'node' | undefined {
  const time = /^([A-Z][a-z]+ [Tt]ime|Total runtime): ([\d.]+) ms$/.exec(content);
  if (time && SUMMARY_TIMES[time[1]]) {
    result[SUMMARY_TIMES[time[1]]] = Number(time[2]);
    return true;
  }
  const trigger = TRIGGER_LINE.exec(content);
  if (trigger) {
    const entry: RawTrigger = { 'Trigger Name': trigger[2] ?? `for constraint ${trigger[1]}` };
    if (trigger[1] !== undefined) entry['Constraint Name'] = trigger[1];
    if (trigger[3] !== undefined) entry.Relation = trigger[3];
    if (trigger[4] !== undefined) entry.Time = Number(trigger[4]);
    entry.Calls = Number(trigger[5]);
    (result.Triggers ??= []).push(entry);
    return true;
  }
  if (content === 'JIT:') return { target: (result.JIT = {}) as Fields, column, kind: 'jit' };
  if (content === 'Planning:') return { target: (result.Planning = {}) as Fields, column, kind: 'fields' };
  const settings = /^Settings: (.*)$/.exec(content);
  if (settings) {
    const values: Record<string, string> = {};
    for (const item of splitList(settings[1])) {
      const m = /^(\S+) = '(.*)'$/.exec(item);
      if (m) values[m[1]] = m[2].replace(/''/g, "'");
    }
    result.Settings = values;
    return true;
  }
  const identifier = /^Query Identifier: (-?\d+)$/.exec(content);
  if (identifier) {
    result['Query Identifier'] = Number(identifier[1]);
    return true;
  }
  const serialization = /^Serialization: (.*)$/.exec(content);
  if (serialization) {
    const found = assignments(serialization[1].replace(/ ms\b/g, ''));
    result.Serialization = {
      Time: Number.parseFloat(found.get('time') ?? ''),
      'Output Volume': kb(found.get('output') ?? ''),
      Format: found.get('format'),
    };
    return { target: result.Serialization as Fields, column, kind: 'fields' };
  }
  if (readNodeLine(content)?.measured) return 'node';
  return undefined;
}

const BLOCK_COUNTERS = Object.values(BUFFER_KEYS);

/**
 * Fills in what the text format leaves out but the JSON format states: "Parent Relationship" (from
 * the parent's node type and the child's position), zero buffer counters (text prints only non-zero
 * ones) and zero times of nodes that never executed. Iterative.
 */
function finishTree(root: RawPlanNode): void {
  const all: RawPlanNode[] = [];
  const stack: RawPlanNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    all.push(node);
    // The plans of Citus subplans and tasks: their nodes are filled in the same way (their roots have no relationship).
    for (const child of modelChildren(node, 'plan')) {
      if (child.kind !== 'plan') for (const root of modelChildren(child.raw, child.kind)) stack.push(root.raw as RawPlanNode);
    }
    const children = node.Plans;
    if (!children) continue;
    const type = node['Node Type'];
    const plain = children.filter((child) => child['Subplan Name'] === undefined);
    plain.forEach((child, i) => {
      child['Parent Relationship'] = childRelationship(type, i, plain.length);
    });
    for (const child of children) stack.push(child);
  }
  const buffers = all.some((node) => BLOCK_COUNTERS.some((key) => key in node));
  const timed = all.some((node) => 'Actual Total Time' in node);
  for (const node of all) {
    if (buffers) for (const key of BLOCK_COUNTERS) node[key] ??= 0;
    if (timed && node['Actual Loops'] === 0) {
      node['Actual Startup Time'] ??= 0;
      node['Actual Total Time'] ??= 0;
    }
  }
}

function childRelationship(parentType: string, index: number, count: number): string {
  switch (parentType) {
    case 'Append':
    case 'Merge Append':
    case 'BitmapAnd':
    case 'BitmapOr':
      return 'Member';
    case 'ModifyTable':
      return count > 1 ? 'Member' : 'Outer';
    case 'Subquery Scan':
      return 'Subquery';
    case 'Custom Scan':
      return count > 1 ? 'children' : 'child';
    default:
      return index === 0 ? 'Outer' : 'Inner';
  }
}

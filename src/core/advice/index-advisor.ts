/**
 * Proposes CREATE INDEX candidates from an analysed plan and its statement. Pure: the catalog
 * (existing indexes, statistics) comes in as a snapshot, and the candidates leave unverified;
 * ./indexes/verification-policy.ts then decides which to keep, asking a Planner (src/db).
 *
 * Where candidates come from (the index forms of ./indexes/forms add expression keys, pattern
 * operator classes, GIN, OR sets and repeated inner scans; a partition's candidate moves to its
 * partitioned table):
 * - a sequential scan whose Filter keeps few rows: an index on the filter's columns;
 * - an index or bitmap scan whose Filter still throws most rows away: a compound index adding
 *   the filtered columns to the index condition's;
 * - a join that reads a whole large table to match few rows (the inner side of a Nested Loop, or
 *   a Hash / Merge Join against a small other side): an index on the join key, so each match
 *   becomes a lookup;
 * - a Sort under a Limit (top-N): an index in ORDER BY order, so PostgreSQL reads the first rows
 *   in order and stops.
 *
 * Key columns: equality columns first (most selective first), then one range column, then sort
 * columns. A constant equality on a low-cardinality column moves into a partial index's WHERE; the
 * remaining columns a SELECT needs from the table go into INCLUDE when that makes the index
 * covering and the list stays short. Predicates are read from the parse tree of PostgreSQL's
 * own parser, never by pattern-matching SQL text.
 */
import { formatCount, formatPercent } from '../format';
import type { AnalyzedPlan, PlanNode } from '../plan/model';
import type { IndexKind, IndexSuggestion } from './advice-model';
import {
  findCatalogTable,
  findColumn,
  tableRows,
  type CatalogIndex,
  type CatalogIndexKey,
  type CatalogSnapshot,
  type CatalogTable,
} from './catalog-snapshot';
import { isCommonValue, isLowCardinality, predicateSelectivity } from './column-selectivity';
import { formatCreateIndex, indexName, MAX_IDENTIFIER_BYTES } from './index-ddl';
import { predicateKey, predicateSql, readCondition, readSortKey, type ColumnName, type Predicate, type SortKey } from './sql-predicates';
import { columnsUsed, readStatementShape, type StatementShape } from './statement-shape';
import { MAX_INDEX_SELECTIVITY, MIN_TABLE_ROWS, type Candidate, type DesignedKey, type FormContext, type ScanInfo } from './indexes/form';
import { INDEX_FORMS } from './indexes/forms';

export { MAX_INDEX_SELECTIVITY, MIN_TABLE_ROWS } from './indexes/form';

/** An equality or range keeping more than this share of rows narrows too little to earn a key column. */
export const KEY_COLUMN_MAX_SELECTIVITY = 0.5;

/** PostgreSQL's own guess for a range predicate it knows nothing about (DEFAULT_INEQ_SEL). */
const DEFAULT_RANGE_SELECTIVITY = 1 / 3;

/** A covering index has at most this many columns, key and INCLUDE together; wider ones cost more than they save. */
export const COVERING_MAX_COLUMNS = 4;

/** INCLUDE pays only when the index hands over this many rows: below it, fetching them from the table is cheap. */
export const COVERING_MIN_ROWS = 1_000;

/** An index or bitmap scan whose Filter removes this share of the rows it found, or more, is extended to a compound index. */
export const INDEX_FILTER_MIN_REMOVED_SHARE = 0.5;

/** ... and at least this many rows over all loops, so that the extension saves real work. */
export const INDEX_FILTER_MIN_ROWS_REMOVED = 1_000;

/**
 * A join key index is proposed when looking up every row of the other side would fetch at most
 * this share of the table the join now reads in full.
 */
export const JOIN_MAX_FETCH_SHARE = 0.05;

/** A top-N sort over fewer rows than this is cheap enough without an index in ORDER BY order. */
export const TOP_N_MIN_SORTED_ROWS = 1_000;

/**
 * An index whose only keys are equalities on low-cardinality columns pays only for a rare value:
 * one of a few evenly spread values (a sixth of the table) is read faster in full than through an index.
 */
export const LOW_CARDINALITY_KEY_MAX_SHARE = 0.05;

/**
 * Key columns of a proposed index at most (PostgreSQL allows 32): beyond the first few the index
 * grows with every column while the lookups it serves are already narrow.
 */
export const MAX_KEY_COLUMNS = 4;

/** At most this many candidates leave the advisor (best first). */
export const MAX_CANDIDATES = 8;

export interface ProposeIndexesOptions {
  /** CREATE INDEX CONCURRENTLY, which does not block writes while it builds (default true). */
  concurrently?: boolean;
}

export interface ProposeIndexesInput {
  plan: AnalyzedPlan;
  statementSql: string;
  catalog: CatalogSnapshot;
  options?: ProposeIndexesOptions;
}

export interface TableReference {
  schema?: string;
  table: string;
}

/**
 * The candidates for the statement, best first by the rows they would spare PostgreSQL; each
 * with `verification: { method: 'unverified' }`. Needs the SQL parser loaded (ensureSqlParser()).
 */
export function proposeIndexes(input: ProposeIndexesInput): IndexSuggestion[] {
  const advisor = new IndexAdvisor(input.plan, input.statementSql, input.catalog);
  return advisor.suggestions(input.options?.concurrently ?? true);
}

/**
 * The tables the plan scans, with the schema the plan or the statement names (else the search path
 * decides), and the tables the statement names: a partitioned table the plan shows only as its
 * partitions brings them along from the catalog.
 */
export function tablesInPlan(plan: AnalyzedPlan, statementSql: string): TableReference[] {
  const shape = readStatementShape(statementSql);
  const seen = new Map<string, TableReference>();
  const scanned = plan.nodes.some((node) => node.relation && SCAN_NODE_TYPES.has(node.nodeType));
  for (const relation of scanned ? (shape?.relations ?? []) : []) {
    seen.set(`${relation.schema ?? ''}.${relation.table}`, {
      ...(relation.schema === undefined ? {} : { schema: relation.schema }),
      table: relation.table,
    });
  }
  for (const node of plan.nodes) {
    if (!node.relation || !SCAN_NODE_TYPES.has(node.nodeType) || node.remote) continue;
    const schema = node.schema ?? statementSchema(shape, node);
    const reference = { ...(schema === undefined ? {} : { schema }), table: node.relation };
    seen.set(`${schema ?? ''}.${node.relation}`, reference);
  }
  return [...seen.values()];
}

/**
 * The suggestion without its INCLUDE columns: for when the planner would not answer the query
 * from the index alone anyway (an index-only scan needs the visibility map to be mostly set).
 */
export function withoutInclude(suggestion: IndexSuggestion): IndexSuggestion {
  if (suggestion.include.length === 0) return suggestion;
  return {
    ...suggestion,
    include: [],
    kinds: suggestion.kinds.filter((kind) => kind !== 'covering'),
    ddl: formatCreateIndex({ ...suggestion, include: [] }),
    reason: suggestion.reason.replace(` ${coveringSentence(suggestion.include)}`, ''),
  };
}

function coveringSentence(include: readonly string[]): string {
  return `INCLUDE (${include.join(', ')}) makes it covering: an index-only scan answers without visiting the table.`;
}

/**
 * Keeps the best suggestion for each plan node: a suggestion is dropped when every node it is
 * meant to help is already helped by one ranked above it. Used when the planner cannot be asked
 * which of two alternatives for the same scan it would prefer.
 */
export function preferOnePerNode(suggestions: readonly IndexSuggestion[]): IndexSuggestion[] {
  const helped = new Set<number>();
  const keptSets = new Set<string>();
  const kept: IndexSuggestion[] = [];
  for (const suggestion of suggestions) {
    // The members of a set help one node together: the first one kept keeps the others.
    const withItsSet = suggestion.set !== undefined && keptSets.has(suggestion.set);
    if (!withItsSet && suggestion.nodeIds.length > 0 && suggestion.nodeIds.every((id) => helped.has(id))) continue;
    if (suggestion.set !== undefined) keptSets.add(suggestion.set);
    for (const id of suggestion.nodeIds) helped.add(id);
    kept.push(suggestion);
  }
  return kept;
}

const SCAN_NODE_TYPES: ReadonlySet<string> = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);
/** Nodes a join side's rows pass through unchanged on their way from the scan. */
const PASS_THROUGH_TYPES: ReadonlySet<string> = new Set(['Hash', 'Materialize', 'Sort', 'Gather', 'Gather Merge', 'Memoize']);

interface KeyDesign {
  keys: DesignedKey[];
  /** Predicates of a partial index. */
  where: Predicate[];
  /** Share of the table the index conditions select (per lookup for a join key). */
  share: number;
}

interface KeyDesignInput {
  table: CatalogTable;
  /** Constant predicates on the table's columns. */
  predicates: Predicate[];
  /** Columns compared for equality with another relation's rows, one lookup per row. */
  joinColumns?: string[];
  /** Observed share of rows `predicates` keep together; undefined when unknown. */
  observedShare?: number;
  /** Top-N mode: the ORDER BY the index must deliver. */
  sort?: SortKey[];
}

class IndexAdvisor {
  private readonly shape: StatementShape | undefined;
  private readonly scans = new Map<number, ScanInfo>();

  constructor(
    private readonly plan: AnalyzedPlan,
    statementSql: string,
    private readonly catalog: CatalogSnapshot,
  ) {
    this.shape = readStatementShape(statementSql);
    for (const node of plan.nodes) {
      const scan = this.readScan(node);
      if (scan) this.scans.set(node.id, scan);
    }
  }

  suggestions(concurrently: boolean): IndexSuggestion[] {
    const candidates: Candidate[] = [];
    for (const node of this.plan.nodes) {
      const scan = this.scans.get(node.id);
      if (scan) candidates.push(...compact([this.scanFilterCandidate(scan), this.indexFilterCandidate(scan)]));
      if (node.nodeType === 'Nested Loop') candidates.push(...compact([this.nestedLoopCandidate(node)]));
      if (node.nodeType === 'Hash Join' || node.nodeType === 'Merge Join') candidates.push(...this.bulkJoinCandidates(node));
      if (node.nodeType === 'Limit') candidates.push(...compact([this.topNCandidate(node)]));
    }
    const context: FormContext = {
      plan: this.plan,
      catalog: this.catalog,
      shape: this.shape,
      scans: this.scans,
      keptShare: (node, table) => this.keptShare(node, table),
      rowsRead: (node, table) => this.rowsRead(node, table),
    };
    for (const form of INDEX_FORMS) candidates.push(...form.propose(context));
    const wanted = candidates
      .filter((candidate) => !coveredByExisting(candidate, candidate.table.indexes))
      .map((candidate) => this.onPartitionedTable(candidate));
    const fresh = mergePrefixes(wanted.filter((candidate) => !coveredByExisting(candidate, candidate.table.indexes)));
    fresh.sort((a, b) => b.rowsSaved - a.rowsSaved);
    const names = new Set(this.catalog.tables.flatMap((table) => table.indexes.map((index) => `${table.schema}.${index.name}`)));
    return fresh.slice(0, MAX_CANDIDATES).map((candidate) => this.toSuggestion(candidate, concurrently, names));
  }

  // ---- candidate sources ----

  /** A sequential scan whose Filter keeps a small share of the table. */
  private scanFilterCandidate(scan: ScanInfo): Candidate | undefined {
    const { node, table } = scan;
    if (node.nodeType !== 'Seq Scan' || scan.filterConstants.length === 0 || scan.joinKeys.length > 0) return undefined;
    if (tableRows(table) < MIN_TABLE_ROWS) return undefined;
    const observed = this.keptShare(node, table);
    if (observed === undefined || observed > MAX_INDEX_SELECTIVITY) return undefined;
    const design = designKeys({
      table,
      predicates: scan.filterConstants,
      ...(scan.filterHasUnread ? {} : { observedShare: observed }),
    });
    if (!design || design.share > MAX_INDEX_SELECTIVITY) return undefined;
    const rowsRead = this.rowsRead(node, table);
    const rowsViaIndex = design.share * tableRows(table) * repetitions(node);
    return {
      ...design,
      table,
      nodeIds: [node.id],
      finding: `${describeNode(node)} reads ${formatCount(rowsRead)} rows and keeps ${this.keptText(node, observed, table)} with Filter: ${node.raw.Filter}.`,
      remedy: 'An index on the filtered columns finds those rows without reading the rest of the table.',
      rowsSaved: Math.max(rowsRead - rowsViaIndex, 0),
      rowsViaIndex,
    };
  }

  /** An index or bitmap scan whose Filter still throws most of the found rows away. */
  private indexFilterCandidate(scan: ScanInfo): Candidate | undefined {
    const { node, table } = scan;
    if (node.nodeType === 'Seq Scan' || !this.plan.analyzed || !node.executed || scan.filterConstants.length === 0) return undefined;
    const removed = node.rowsRemovedByFilter ?? 0;
    const kept = node.actualRowsTotal ?? 0;
    if (removed < INDEX_FILTER_MIN_ROWS_REMOVED || removed / (removed + kept) < INDEX_FILTER_MIN_REMOVED_SHARE) return undefined;
    const rows = tableRows(table);
    if (rows === 0) return undefined;
    const loops = repetitions(node);
    const design = designKeys({
      table,
      predicates: [...scan.indexConstants, ...scan.filterConstants],
      joinColumns: scan.joinKeys.map((key) => key.column),
      ...(scan.filterHasUnread ? {} : { observedShare: Math.min(kept / loops / rows, 1) }),
    });
    if (!design) return undefined;
    const condition = node.raw['Index Cond'] ?? node.raw['Recheck Cond'];
    return {
      ...design,
      table,
      nodeIds: [node.id],
      finding:
        `${describeNode(node)} finds ${formatCount(removed + kept)} rows${condition ? ` with ${condition}` : ''}, ` +
        `then its Filter: ${node.raw.Filter} throws away ${formatCount(removed)} (${formatPercent(removed / (removed + kept))}).`,
      remedy: 'A compound index that also holds the filtered columns finds only the rows that are kept.',
      rowsSaved: removed,
      rowsViaIndex: design.share * rows * loops,
    };
  }

  /** The inner side of a Nested Loop scans a whole table once per outer row to match a join key. */
  private nestedLoopCandidate(join: PlanNode): Candidate | undefined {
    const [outerId, innerId] = join.childIds;
    if (outerId === undefined || innerId === undefined) return undefined;
    const scan = this.scanBelow(innerId);
    if (!scan || scan.node.nodeType !== 'Seq Scan') return undefined;
    const outerRefNames = this.refNamesIn(outerId);
    const joinKeys = [...scan.joinKeys];
    for (const predicate of this.joinCondition(join.raw['Join Filter'])) {
      const key = orientJoin(predicate, scan.refNames, outerRefNames);
      if (key) joinKeys.push(key);
    }
    if (joinKeys.length === 0) return undefined;
    const outerRows = this.rowsOut(this.plan.nodes[outerId]!);
    return this.joinKeyCandidate(join, scan, joinKeys, outerRows, this.rowsRead(scan.node, scan.table));
  }

  /** A Hash or Merge Join reading a whole large table to match the few rows of its other side. */
  private bulkJoinCandidates(join: PlanNode): Candidate[] {
    const condition = join.raw['Hash Cond'] ?? join.raw['Merge Cond'];
    if (typeof condition !== 'string' || join.childIds.length !== 2) return [];
    const predicates = this.joinCondition(condition);
    const candidates: Candidate[] = [];
    for (const [sideId, otherId] of [join.childIds, [...join.childIds].reverse()] as Array<[number, number]>) {
      const scan = this.scanBelow(sideId);
      if (!scan || scan.node.nodeType !== 'Seq Scan') continue;
      const otherRefNames = this.refNamesIn(otherId);
      const joinKeys = compact(predicates.map((predicate) => orientJoin(predicate, scan.refNames, otherRefNames)));
      if (joinKeys.length === 0) continue;
      const otherRows = this.rowsOut(this.plan.nodes[otherId]!);
      candidates.push(...compact([this.joinKeyCandidate(join, scan, joinKeys, otherRows, this.rowsRead(scan.node, scan.table))]));
    }
    return candidates;
  }

  private joinKeyCandidate(
    join: PlanNode,
    scan: ScanInfo,
    joinKeys: Array<{ column: string; other: ColumnName }>,
    lookups: number,
    rowsRead: number,
  ): Candidate | undefined {
    const { table } = scan;
    const rows = tableRows(table);
    if (rows < MIN_TABLE_ROWS) return undefined;
    const observed = scan.joinKeys.length === 0 && !scan.filterHasUnread ? this.keptShare(scan.node, table) : undefined;
    const design = designKeys({
      table,
      predicates: scan.filterConstants,
      joinColumns: joinKeys.map((key) => key.column),
      ...(observed === undefined ? {} : { observedShare: observed }),
    });
    if (!design) return undefined;
    const rowsViaIndex = lookups * design.share * rows;
    if (rowsViaIndex > rows * JOIN_MAX_FETCH_SHARE) return undefined;
    const keyText = joinKeys
      .map((key) => `${key.column} = ${key.other.qualifier ? `${key.other.qualifier}.` : ''}${key.other.column}`)
      .join(' AND ');
    return {
      ...design,
      table,
      nodeIds: [join.id, scan.node.id],
      finding:
        `${describeNode(join)} reads ${formatCount(rowsRead)} rows of ${table.name} (${describeNode(scan.node)}) ` +
        `to match ${formatCount(lookups)} row${lookups === 1 ? '' : 's'} on ${keyText}.`,
      remedy: `An index on the join key lets a nested loop look up the matching ${table.name} rows for each row instead.`,
      rowsSaved: Math.max(rowsRead - rowsViaIndex, 0),
      rowsViaIndex,
    };
  }

  /** A Limit over a Sort of one table's columns: an index in that order lets the scan stop early. */
  private topNCandidate(limit: PlanNode): Candidate | undefined {
    let sortNode = this.plan.nodes[limit.childIds[0] ?? -1];
    while (sortNode && (sortNode.nodeType === 'Gather Merge' || sortNode.nodeType === 'Result') && sortNode.childIds.length === 1) {
      sortNode = this.plan.nodes[sortNode.childIds[0]!];
    }
    if (!sortNode || sortNode.nodeType !== 'Sort') return undefined;
    const rawKeys = sortNode.raw['Sort Key'];
    if (!Array.isArray(rawKeys) || rawKeys.length === 0) return undefined;
    const sortKeys = rawKeys.map((key) => readSortKey(key));
    if (sortKeys.some((key) => key === undefined)) return undefined;
    const keys = sortKeys as SortKey[];
    const scans = keys.map((key) => this.scanOfColumn(sortNode.id, key.column));
    const scan = scans[0];
    if (!scan || scans.some((other) => other !== scan) || scan.joinKeys.length > 0) return undefined;
    const { table } = scan;
    const rows = tableRows(table);
    const input = this.plan.nodes[sortNode.childIds[0] ?? -1];
    const sortedRows = input ? this.rowsOut(input) : 0;
    if (rows < MIN_TABLE_ROWS || sortedRows < TOP_N_MIN_SORTED_ROWS) return undefined;
    const predicates = [...scan.indexConstants, ...scan.filterConstants];
    const observed = scan.filterHasUnread ? undefined : this.keptShare(scan.node, table);
    const design = designKeys({
      table,
      predicates,
      sort: keys.map((key) => ({ ...key, column: { column: key.column.column } })),
      ...(observed === undefined ? {} : { observedShare: observed }),
    });
    if (!design) return undefined;
    const wanted = Math.max(limit.planRows, 1);
    const passing = observed !== undefined && design.share > 0 ? Math.min(observed / design.share, 1) : 1;
    const rowsViaIndex = Math.min(wanted / Math.max(passing, 1e-9), design.share * rows);
    return {
      ...design,
      table,
      nodeIds: [limit.id, sortNode.id, scan.node.id],
      finding:
        `${describeNode(limit)} keeps the first ${formatCount(wanted)} rows of a Sort on ${rawKeys.join(', ')} (node ${sortNode.id}) ` +
        `over ${formatCount(sortedRows)} rows from ${table.name} (${describeNode(scan.node)}).`,
      remedy: 'An index in ORDER BY order returns the rows already sorted, so PostgreSQL reads only the first ones and stops.',
      rowsSaved: Math.max(this.rowsRead(scan.node, table) - rowsViaIndex, 0),
      rowsViaIndex,
    };
  }

  /**
   * A candidate for one partition moves to the partitioned table it belongs to: an index created
   * there is created on every partition (and on partitions added later), so one suggestion
   * replaces one per partition, and the candidates of all partitions merge.
   */
  private onPartitionedTable(candidate: Candidate): Candidate {
    const root = candidate.table.partitionRoot;
    const parent = root && findCatalogTable(this.catalog, root.schema, root.name);
    if (!parent) return candidate;
    return {
      ...candidate,
      table: parent,
      kinds: [...(candidate.kinds ?? []), 'partitioned'],
      finding: candidate.finding.replace(/\.$/, `, a partition of ${parent.name}.`),
      remedy: `${candidate.remedy} Created on the partitioned table ${parent.name}, it is created on every partition.`,
    };
  }

  // ---- turning a candidate into a suggestion ----

  private toSuggestion(candidate: Candidate, concurrently: boolean, takenNames: Set<string>): IndexSuggestion {
    const { table } = candidate;
    const include = this.coveringColumns(candidate);
    const where = candidate.where.map((predicate) => predicateSql(predicate)!).join(' AND ');
    const columns = candidate.keys.map((key) => ({
      name: key.column,
      descending: key.descending,
      ...(key.nullsFirst === undefined ? {} : { nullsFirst: key.nullsFirst }),
      ...(key.expression === undefined ? {} : { expression: key.expression }),
      ...(key.opclass === undefined ? {} : { opclass: key.opclass }),
    }));
    const name = uniqueName(
      indexName(
        table.name,
        columns.map((column) => column.expression ?? column.name),
        candidate.where.length > 0 ? { partial: candidate.where.map(predicateHint).join('_') } : {},
      ),
      table.schema,
      takenNames,
    );
    const kinds: IndexKind[] = [columns.length === 1 ? 'single' : 'compound'];
    if (where !== '') kinds.push('partial');
    if (include.length > 0) kinds.push('covering');
    for (const kind of candidate.kinds ?? []) if (!kinds.includes(kind)) kinds.push(kind);
    const parts = [candidate.finding, candidate.remedy];
    if (where !== '') parts.push(`Partial (WHERE ${where}): it holds only the rows this query can want, so it stays small.`);
    if (include.length > 0) parts.push(coveringSentence(include));
    const spec = {
      name,
      schema: table.schema,
      table: table.name,
      columns,
      include,
      ...(where === '' ? {} : { where }),
      concurrently,
      ...(candidate.method === undefined ? {} : { method: candidate.method }),
    };
    return {
      id: name,
      schema: table.schema,
      table: table.name,
      columns,
      include,
      ...(where === '' ? {} : { where }),
      ...(candidate.method === undefined ? {} : { method: candidate.method }),
      ...(candidate.set === undefined ? {} : { set: candidate.set }),
      kinds,
      name,
      concurrently,
      ddl: formatCreateIndex(spec),
      reason: parts.join(' '),
      nodeIds: candidate.nodeIds,
      verification: { method: 'unverified' },
    };
  }

  /**
   * The statement's other columns of the table, when adding them makes the index answer the
   * query alone (index-only scan) and the index stays narrow; none for `SELECT *` or a write.
   */
  private coveringColumns(candidate: Candidate): string[] {
    // An index-only scan cannot recompute a column from an expression key (nor read a GIN index's values back).
    if (candidate.method !== undefined || candidate.keys.some((key) => key.expression !== undefined)) return [];
    if (!this.shape || candidate.rowsViaIndex < COVERING_MIN_ROWS) return [];
    const { table } = candidate;
    const used = columnsUsed(
      this.shape,
      table,
      table.columns.map((column) => column.name),
    );
    if (!used) return [];
    const keyColumns = new Set(candidate.keys.map((key) => key.column));
    // A column named only in a predicate the partial index implies need not be stored.
    const impliedOnly = new Set(
      candidate.where.filter((predicate) => used.get(predicate.column.column) === 1).map((predicate) => predicate.column.column),
    );
    const rest = [...used.keys()].filter((column) => !keyColumns.has(column) && !impliedOnly.has(column));
    if (rest.length === 0 || keyColumns.size + rest.length > COVERING_MAX_COLUMNS) return [];
    return rest;
  }

  // ---- reading the plan ----

  private readScan(node: PlanNode): ScanInfo | undefined {
    // A node that ran on a Citus worker read a shard, which this server's planner cannot check an index for.
    if (!node.relation || !SCAN_NODE_TYPES.has(node.nodeType) || node.remote) return undefined;
    if (this.plan.analyzed && !node.executed) return undefined;
    const table = findCatalogTable(this.catalog, node.schema ?? statementSchema(this.shape, node), node.relation);
    if (!table) return undefined;
    const refNames = new Set([node.alias ?? node.relation]);
    const scan: ScanInfo = { node, table, refNames, filterConstants: [], indexConstants: [], joinKeys: [], filterHasUnread: false };
    const filter = node.raw.Filter;
    if (typeof filter === 'string') {
      const reading = readCondition(filter);
      if (!reading) scan.filterHasUnread = true;
      else {
        scan.filterHasUnread = reading.unreadConjuncts > 0;
        this.sortPredicates(reading.predicates, scan, scan.filterConstants);
      }
    }
    const indexCondition = node.raw['Index Cond'] ?? node.raw['Recheck Cond'];
    if (typeof indexCondition === 'string') {
      const reading = readCondition(indexCondition);
      if (reading) this.sortPredicates(reading.predicates, scan, scan.indexConstants);
    }
    return scan;
  }

  /** Own-column constants go to `into`; equalities with other relations become join keys. */
  private sortPredicates(predicates: Predicate[], scan: ScanInfo, into: Predicate[]): void {
    const own = (column: ColumnName) => column.qualifier === undefined || scan.refNames.has(column.qualifier);
    for (const predicate of predicates) {
      if (predicate.kind === 'join') {
        if (own(predicate.column) && !own(predicate.other)) scan.joinKeys.push({ column: predicate.column.column, other: predicate.other });
        else if (own(predicate.other) && !own(predicate.column))
          scan.joinKeys.push({ column: predicate.other.column, other: predicate.column });
      } else if (own(predicate.column) && findColumn(scan.table, predicate.column.column)) {
        into.push(this.asWritten(predicate));
      }
    }
  }

  /**
   * The predicate without the value a custom plan shows for a $n parameter: the next execution
   * brings another value, so neither a partial index nor the value's frequency may rest on it.
   */
  private asWritten(predicate: Predicate): Predicate {
    if (!this.shape?.parameterColumns.has(predicate.column.column)) return predicate;
    if (predicate.kind === 'equality') return { kind: 'equality', column: predicate.column };
    if (predicate.kind === 'in') return { kind: 'in', column: predicate.column };
    return predicate;
  }

  private joinCondition(condition: unknown): Array<Extract<Predicate, { kind: 'join' }>> {
    if (typeof condition !== 'string') return [];
    const reading = readCondition(condition);
    return (reading?.predicates ?? []).filter((predicate): predicate is Extract<Predicate, { kind: 'join' }> => predicate.kind === 'join');
  }

  /** The scan a join side reads, through nodes that pass its rows on unchanged. */
  private scanBelow(nodeId: number): ScanInfo | undefined {
    let node = this.plan.nodes[nodeId];
    while (node && PASS_THROUGH_TYPES.has(node.nodeType) && node.childIds.length === 1) node = this.plan.nodes[node.childIds[0]!];
    return node && this.scans.get(node.id);
  }

  private scansIn(rootId: number): ScanInfo[] {
    const found: ScanInfo[] = [];
    const pending = [rootId];
    while (pending.length > 0) {
      const id = pending.pop()!;
      const scan = this.scans.get(id);
      if (scan) found.push(scan);
      // No spread: an Append may have more children than a call takes arguments.
      for (const child of this.plan.nodes[id]?.childIds ?? []) pending.push(child);
    }
    return found;
  }

  private refNamesIn(rootId: number): Set<string> {
    const names = new Set<string>();
    for (const node of subtree(this.plan, rootId)) if (node.alias ?? node.relation) names.add((node.alias ?? node.relation)!);
    return names;
  }

  /** The scan under `rootId` a sort key's column belongs to. */
  private scanOfColumn(rootId: number, column: ColumnName): ScanInfo | undefined {
    const scans = this.scansIn(rootId);
    if (column.qualifier !== undefined) return scans.find((scan) => scan.refNames.has(column.qualifier!));
    const owners = scans.filter((scan) => findColumn(scan.table, column.column));
    return owners.length === 1 ? owners[0] : undefined;
  }

  /** Share of the rows a scan read that its Filter kept: observed with ANALYZE, else estimated. */
  private keptShare(node: PlanNode, table: CatalogTable): number | undefined {
    if (this.plan.analyzed) {
      const kept = node.actualRowsTotal ?? 0;
      const read = kept + (node.rowsRemovedByFilter ?? 0);
      return read > 0 ? kept / read : undefined;
    }
    const rows = tableRows(table);
    return rows > 0 ? Math.min((node.planRows * this.processes(node)) / rows, 1) : undefined;
  }

  private keptText(node: PlanNode, share: number, table: CatalogTable): string {
    const kept = this.plan.analyzed ? (node.actualRowsTotal ?? 0) : Math.round(share * tableRows(table));
    return `${formatCount(kept)} (${formatPercent(share)})`;
  }

  /** Rows a scan read over all loops and processes. */
  private rowsRead(node: PlanNode, table: CatalogTable): number {
    if (this.plan.analyzed) return (node.actualRowsTotal ?? 0) + (node.rowsRemovedByFilter ?? 0);
    return tableRows(table);
  }

  /** Rows a node returned over all loops (estimated without ANALYZE). */
  private rowsOut(node: PlanNode): number {
    if (this.plan.analyzed && node.actualRowsTotal !== undefined) return node.actualRowsTotal;
    return node.planRows * this.processes(node);
  }

  /** Processes that share a parallel-aware node's estimate (PostgreSQL's Plan Rows are per process there). */
  private processes(node: PlanNode): number {
    if (!node.parallelAware) return 1;
    for (let parentId = node.parentId; parentId !== null;) {
      const parent = this.plan.nodes[parentId]!;
      if (parent.workersPlanned !== undefined) return parent.workersPlanned + 1;
      parentId = parent.parentId;
    }
    return 1;
  }
}

// ---- key design ----

/**
 * Orders the key columns: equality columns (join keys among them) by how few rows each keeps,
 * then one range column, then the ORDER BY columns; moves constant equalities on low-cardinality
 * columns into the WHERE of a partial index. Undefined when no column narrows the search.
 */
function designKeys(input: KeyDesignInput): KeyDesign | undefined {
  const { table } = input;
  const sorting = input.sort !== undefined && input.sort.length > 0;
  const byColumn = new Map<string, Predicate[]>();
  for (const predicate of input.predicates) {
    const list = byColumn.get(predicate.column.column) ?? [];
    list.push(predicate);
    byColumn.set(predicate.column.column, list);
  }
  const joinColumns = new Set(input.joinColumns ?? []);

  interface EqualityColumn {
    column: string;
    share: number;
    /** Fixes one value, so rows come out in the order of the following key columns (not an IN list). */
    singleValued: boolean;
    /** Fit for a partial index's WHERE. */
    partial: Predicate | undefined;
    role: 'equality' | 'join';
  }
  const equalities: EqualityColumn[] = [];
  const ranges: string[] = [];
  let constantShare = 1;
  for (const [column, predicates] of byColumn) {
    const equalityPredicates = predicates.filter(
      (predicate) => predicate.kind === 'equality' || predicate.kind === 'in' || predicate.kind === 'is-null',
    );
    if (equalityPredicates.length > 0) {
      const share = Math.min(...equalityPredicates.map((predicate) => predicateSelectivity(table, predicate) ?? 1));
      constantShare *= share;
      if (joinColumns.has(column)) continue;
      equalities.push({
        column,
        share,
        singleValued: equalityPredicates.some((predicate) => predicate.kind !== 'in'),
        partial: predicates.length === 1 ? partialPredicate(table, predicates[0]!) : undefined,
        role: 'equality',
      });
    } else if (!joinColumns.has(column)) {
      ranges.push(column);
    }
  }
  for (const column of joinColumns) {
    equalities.push({
      column,
      share: predicateSelectivity(table, { kind: 'join', column: { column }, other: { column } }) ?? 1,
      singleValued: true,
      partial: undefined,
      role: 'join',
    });
  }

  const rangeShare =
    ranges.length === 0
      ? 1
      : input.observedShare === undefined
        ? DEFAULT_RANGE_SELECTIVITY
        : clamp(input.observedShare / constantShare, 0, 1);
  const sortColumns = new Set((input.sort ?? []).map((key) => key.column.column));
  // In ORDER BY order any single-valued equality may come first (a sorted column among them stays a
  // sort key); in a lookup, any selective one.
  const keyEqualities = equalities.filter((equality) =>
    sorting
      ? equality.singleValued && !sortColumns.has(equality.column)
      : equality.role === 'join' || equality.share <= KEY_COLUMN_MAX_SELECTIVITY,
  );
  let partial = keyEqualities.filter((equality) => equality.partial !== undefined && equality.role === 'equality');
  let plain = keyEqualities.filter((equality) => !partial.includes(equality));
  // Partial-index predicates with no other key column would leave the index without a key.
  const range = !sorting && rangeShare <= KEY_COLUMN_MAX_SELECTIVITY ? ranges[0] : undefined;
  if (plain.length === 0 && range === undefined && !sorting) {
    plain = partial;
    partial = [];
  }
  // A partial index WHERE from a predicate too weak for the key still narrows the index.
  const weakPartial = sorting
    ? []
    : equalities.filter((equality) => equality.partial !== undefined && equality.role === 'equality' && !keyEqualities.includes(equality));
  if (plain.length > 0 || range !== undefined) partial = [...partial, ...weakPartial];

  plain.sort((a, b) => a.share - b.share);
  const keys: DesignedKey[] = plain.map((equality) => ({ column: equality.column, descending: false, role: equality.role }));
  if (range !== undefined) keys.push({ column: range, descending: false, role: 'range' });
  for (const key of input.sort ?? []) {
    if (keys.some((existing) => existing.column === key.column.column)) continue;
    keys.push({
      column: key.column.column,
      descending: key.descending,
      ...(key.nullsFirst === undefined ? {} : { nullsFirst: key.nullsFirst }),
      role: 'sort',
    });
  }
  if (keys.length === 0) return undefined;
  keys.splice(MAX_KEY_COLUMNS);
  const share =
    plain.reduce((product, equality) => product * equality.share, 1) *
    partial.reduce((product, equality) => product * equality.share, 1) *
    (range === undefined ? 1 : rangeShare);
  const lowCardinalityOnly = keys.every((key) => key.role === 'equality' && isLowCardinality(table, findColumn(table, key.column)));
  if (lowCardinalityOnly && share > LOW_CARDINALITY_KEY_MAX_SHARE) return undefined;
  return { keys, where: partial.map((equality) => equality.partial!), share };
}

/**
 * The predicate, when it suits a partial index: a constant boolean, a NULL test, or an equality
 * with one of the most common values of a low-cardinality column (a value that recurs).
 */
function partialPredicate(table: CatalogTable, predicate: Predicate): Predicate | undefined {
  const column = findColumn(table, predicate.column.column);
  if (predicate.kind === 'is-null') return predicate;
  if (predicate.kind !== 'equality' || !predicate.value || !isLowCardinality(table, column)) return undefined;
  return predicate.value.type === 'boolean' || isCommonValue(column, predicate.value) ? predicate : undefined;
}

// ---- existing indexes and duplicates ----

/**
 * Whether an existing valid B-tree index already serves the candidate: its leading key columns
 * are the candidate's, in the same order and directions (or all reversed: a B-tree reads
 * backwards too) — any order for a candidate of equality columns only. A partial existing index
 * counts only when its predicate is the candidate's.
 */
function coveredByExisting(candidate: Pick<Candidate, 'keys' | 'where' | 'method'>, indexes: readonly CatalogIndex[]): boolean {
  const wanted = candidate.keys;
  const method = candidate.method ?? 'btree';
  const equalityOnly = wanted.every((key) => key.role === 'equality' || key.role === 'join');
  return indexes.some((index) => {
    if (!index.valid || index.method !== method || index.keys.length < wanted.length) return false;
    if (index.predicate !== undefined && !samePredicates(index.predicate, candidate.where)) return false;
    const leading = index.keys.slice(0, wanted.length);
    if (equalityOnly) return wanted.every((key) => leading.some((existing) => sameKeyTarget(key, existing)));
    if (!leading.every((key, at) => sameKeyTarget(wanted[at]!, key))) return false;
    const ordered = wanted.map((key, at) => ({ key, existing: leading[at]! })).filter(({ key }) => key.role === 'sort');
    const same = ordered.every(({ key, existing }) => matchesOrder(key, existing.descending, existing.nullsFirst));
    const reversed = ordered.every(({ key, existing }) => matchesOrder(key, !existing.descending, !existing.nullsFirst));
    return same || reversed;
  });
}

/** The same column or expression, with the same operator class. */
function sameKeyTarget(key: DesignedKey, existing: CatalogIndexKey): boolean {
  if ((key.opclass ?? '') !== (existing.opclass ?? '')) return false;
  if (key.expression === undefined) return existing.column === key.column;
  return existing.expression !== undefined && expressionKey(existing.expression) === expressionKey(key.expression);
}

/**
 * An expression compared the way PostgreSQL prints it back (`date_trunc('day'::text, created_at)`
 * for `date_trunc('day', created_at)`): without parentheses, spaces and the text casts of literals.
 */
function expressionKey(expression: string): string {
  return expression.replaceAll('::text', '').replace(/[()\s]/g, '');
}

function matchesOrder(key: DesignedKey, descending: boolean, nullsFirst: boolean): boolean {
  return key.descending === descending && (key.nullsFirst ?? key.descending) === nullsFirst;
}

function samePredicates(existing: string, wanted: Predicate[]): boolean {
  const reading = readCondition(existing);
  if (!reading || reading.unreadConjuncts > 0) return false;
  const have = new Set(reading.predicates.map(predicateKey));
  const want = new Set(wanted.map(predicateKey));
  return have.size === want.size && [...have].every((key) => want.has(key));
}

/**
 * Merges candidates for the same table and WHERE whose keys are a prefix of another's: the longer
 * index serves both. Identical candidates from different sources merge the same way.
 */
function mergePrefixes(candidates: Candidate[]): Candidate[] {
  const kept: Candidate[] = [];
  const byStrength = [...candidates].sort((a, b) => b.keys.length - a.keys.length || b.rowsSaved - a.rowsSaved);
  for (const candidate of byStrength) {
    // A member of a set only helps with its set: it neither absorbs nor is absorbed by another candidate.
    const host =
      candidate.set === undefined
        ? kept.find((other) => other.set === undefined && other.table === candidate.table && coveredByExisting(candidate, [asIndex(other)]))
        : undefined;
    if (!host) {
      kept.push({ ...candidate, nodeIds: [...candidate.nodeIds] });
      continue;
    }
    for (const id of candidate.nodeIds) if (!host.nodeIds.includes(id)) host.nodeIds.push(id);
    host.rowsSaved = Math.max(host.rowsSaved, candidate.rowsSaved);
  }
  return kept;
}

function asIndex(candidate: Candidate): CatalogIndex {
  return {
    name: '',
    method: candidate.method ?? 'btree',
    unique: false,
    primary: false,
    valid: true,
    keys: candidate.keys.map((key) => ({
      ...(key.expression === undefined ? { column: key.column } : { expression: key.expression }),
      ...(key.opclass === undefined ? {} : { opclass: key.opclass }),
      descending: key.descending,
      nullsFirst: key.nullsFirst ?? key.descending,
    })),
    include: [],
    ...(candidate.where.length > 0 ? { predicate: candidate.where.map((predicate) => predicateSql(predicate)).join(' AND ') } : {}),
  };
}

// ---- names, plan walking, formatting ----

/** A short name for a partial predicate: `is_active`, `not_is_active`, `status_pending`, `deleted_at_null`. */
function predicateHint(predicate: Predicate): string {
  const column = predicate.column.column;
  if (predicate.kind === 'is-null') return `${column}_null`;
  if (predicate.kind === 'is-not-null') return `${column}_not_null`;
  if (predicate.kind === 'equality' && predicate.value) {
    if (predicate.value.type === 'boolean') return predicate.value.text === 'true' ? column : `not_${column}`;
    if (/^[A-Za-z0-9_]{1,20}$/.test(predicate.value.text)) return `${column}_${predicate.value.text}`;
  }
  return column;
}

/** The name, made unique in its schema against existing indexes and earlier suggestions. */
function uniqueName(name: string, schema: string, taken: Set<string>): string {
  let candidate = name;
  for (let counter = 2; taken.has(`${schema}.${candidate}`); counter++) {
    const suffix = `_${counter}`;
    candidate = name.slice(0, MAX_IDENTIFIER_BYTES - suffix.length) + suffix;
  }
  taken.add(`${schema}.${candidate}`);
  return candidate;
}

/** The schema the statement gives the node's table, when it names one unambiguously. */
function statementSchema(shape: StatementShape | undefined, node: PlanNode): string | undefined {
  if (!shape || !node.relation) return undefined;
  const named = shape.relations.filter((relation) => relation.table === node.relation);
  const byAlias = named.find((relation) => relation.refName === node.alias);
  if (byAlias) return byAlias.schema;
  const schemas = new Set(named.map((relation) => relation.schema));
  return schemas.size === 1 ? [...schemas][0] : undefined;
}

/** The join key on the scan's side, when the predicate relates its column to the other side's. */
function orientJoin(
  predicate: Extract<Predicate, { kind: 'join' }>,
  scanNames: Set<string>,
  otherNames: Set<string>,
): { column: string; other: ColumnName } | undefined {
  const mine = (column: ColumnName) => column.qualifier !== undefined && scanNames.has(column.qualifier);
  const theirs = (column: ColumnName) => column.qualifier !== undefined && otherNames.has(column.qualifier);
  if (mine(predicate.column) && theirs(predicate.other)) return { column: predicate.column.column, other: predicate.other };
  if (mine(predicate.other) && theirs(predicate.column)) return { column: predicate.other.column, other: predicate.column };
  return undefined;
}

function subtree(plan: AnalyzedPlan, rootId: number): PlanNode[] {
  const nodes: PlanNode[] = [];
  const pending = [rootId];
  while (pending.length > 0) {
    const node = plan.nodes[pending.pop()!];
    if (!node) continue;
    nodes.push(node);
    for (const child of node.childIds) pending.push(child);
  }
  return nodes;
}

function describeNode(node: PlanNode): string {
  const on = node.relation ? ` on ${node.relation}${node.alias && node.alias !== node.relation ? ` ${node.alias}` : ''}` : '';
  const using = node.index ? ` using ${node.index}` : '';
  return `${node.label}${using}${on} (node ${node.id})`;
}

/** How often a scan ran: its loops, except that a parallel scan's loops are processes sharing one scan. */
function repetitions(node: PlanNode): number {
  return node.parallelAware ? 1 : Math.max(node.loops, 1);
}

function compact<T>(values: ReadonlyArray<T | undefined>): T[] {
  return values.filter((value): value is T => value !== undefined);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

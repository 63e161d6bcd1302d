/**
 * An index form is one way of turning what a plan shows into a candidate index (an expression
 * key, a pattern operator class, a GIN index, one index per OR branch, ...). Each form is a file
 * in ./forms, registered in ./forms/index.ts, like the warning rules: it reads the plan's scans
 * as the advisor has read them and returns candidates; the advisor merges them with its own,
 * names them, formats their DDL and hands them to the verification policy.
 */
import type { AnalyzedPlan, PlanNode } from '../../plan/model';
import { formatCount, formatPercent } from '../../format';
import { nodeName } from '../../plan/node-label';
import type { IndexKind } from '../advice-model';
import { tableRows, type CatalogSnapshot, type CatalogTable } from '../catalog-snapshot';
import { readOperatorConjuncts, type ColumnName, type OperatorConjunct, type Predicate } from '../sql-predicates';
import type { StatementShape } from '../statement-shape';

/**
 * Tables smaller than this are left alone: a scan of them costs little, and the planner often
 * prefers it to an index anyway.
 */
export const MIN_TABLE_ROWS = 10_000;

/**
 * Largest share of a table an index may select and still be proposed. Beyond it a sequential
 * scan reads the table faster than an index visits that many rows, and the planner would not
 * use the index.
 */
export const MAX_INDEX_SELECTIVITY = 0.2;

export type KeyRole = 'equality' | 'join' | 'range' | 'sort' | 'other';

export interface DesignedKey {
  /** The column, or the column an expression key reads. */
  column: string;
  descending: boolean;
  nullsFirst?: boolean;
  role: KeyRole;
  /** An expression key, as SQL. */
  expression?: string;
  /** A non-default operator class. */
  opclass?: string;
}

export interface Candidate {
  table: CatalogTable;
  keys: DesignedKey[];
  where: Predicate[];
  nodeIds: number[];
  /** What the plan shows, one sentence. */
  finding: string;
  /** What the index changes, one sentence. */
  remedy: string;
  /** Rows PostgreSQL would no longer read: ranks candidates before the planner is asked. */
  rowsSaved: number;
  /** Rows the index would hand over: decides whether INCLUDE pays. */
  rowsViaIndex: number;
  /** Access method other than B-tree. */
  method?: 'gin';
  /** Candidates with the same set only help together (the branches of an OR). */
  set?: string;
  /** Kinds beyond single / compound / partial / covering, which the advisor works out itself. */
  kinds?: IndexKind[];
}

export interface ScanInfo {
  node: PlanNode;
  table: CatalogTable;
  /** Names the plan qualifies this scan's columns with. */
  refNames: Set<string>;
  /** Constant predicates on the table's own columns in the Filter. */
  filterConstants: Predicate[];
  /** ... and in the Index Cond / Recheck Cond. */
  indexConstants: Predicate[];
  /** Equalities with another relation's columns (parameterised Filter or Index Cond). */
  joinKeys: Array<{ column: string; other: ColumnName }>;
  /** The Filter had conjuncts the advisor cannot read (OR, LIKE, functions of columns). */
  filterHasUnread: boolean;
}

export interface FormContext {
  plan: AnalyzedPlan;
  catalog: CatalogSnapshot;
  shape: StatementShape | undefined;
  /** The scans of tables in the catalog, by node id. */
  scans: ReadonlyMap<number, ScanInfo>;
  /** Share of the rows a scan read that its Filter kept: observed with ANALYZE, else estimated. */
  keptShare(node: PlanNode, table: CatalogTable): number | undefined;
  /** Rows a scan read over all loops. */
  rowsRead(node: PlanNode, table: CatalogTable): number;
}

export interface IndexForm {
  /** Stable id, e.g. "expression-key". */
  id: string;
  propose(context: FormContext): Candidate[];
}

/** A sequential scan of a large table whose Filter keeps a small share of it, with the Filter's operator conjuncts. */
export interface SelectiveScan {
  scan: ScanInfo;
  /** Share of the rows read that the Filter kept. */
  kept: number;
  conjuncts: OperatorConjunct[];
  /** Rows read over all loops. */
  rowsRead: number;
}

/** Where most forms start: each sequential scan of a large table whose Filter keeps at most MAX_INDEX_SELECTIVITY. */
export function selectiveSeqScans(context: FormContext): SelectiveScan[] {
  const found: SelectiveScan[] = [];
  for (const scan of context.scans.values()) {
    const filter = scan.node.raw.Filter;
    if (scan.node.nodeType !== 'Seq Scan' || typeof filter !== 'string' || tableRows(scan.table) < MIN_TABLE_ROWS) continue;
    const kept = context.keptShare(scan.node, scan.table);
    if (kept === undefined || kept > MAX_INDEX_SELECTIVITY) continue;
    const own = (column: ColumnName) => column.qualifier === undefined || scan.refNames.has(column.qualifier);
    const conjuncts = (readOperatorConjuncts(filter) ?? []).filter((conjunct) => own(conjunct.column));
    found.push({ scan, kept, conjuncts, rowsRead: context.rowsRead(scan.node, scan.table) });
  }
  return found;
}

/** "Seq Scan on users (node 3) reads 200,000 rows and keeps 12 (0.01%) with Filter: ...". */
export function scanFinding(selective: SelectiveScan): string {
  const { node } = selective.scan;
  const kept = Math.round(selective.rowsRead * selective.kept);
  return (
    `${nodeName(node)} (node ${node.id}) reads ${formatCount(selective.rowsRead)} rows and keeps ${formatCount(kept)} ` +
    `(${formatPercent(selective.kept)}) with Filter: ${String(node.raw.Filter)}.`
  );
}

/** The candidate fields a single-scan form fills the same way. */
export function scanCandidate(selective: SelectiveScan, fields: Pick<Candidate, 'keys' | 'remedy'> & Partial<Candidate>): Candidate {
  const rowsViaIndex = Math.round(selective.rowsRead * selective.kept);
  return {
    table: selective.scan.table,
    where: [],
    nodeIds: [selective.scan.node.id],
    finding: scanFinding(selective),
    rowsSaved: Math.max(selective.rowsRead - rowsViaIndex, 0),
    rowsViaIndex,
    ...fields,
  };
}

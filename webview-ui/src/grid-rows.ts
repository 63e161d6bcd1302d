/**
 * The grid's columns and rows: one row per plan node, in plan order or sorted by a column. Only
 * formatting and ordering here; every number comes from the analysed plan.
 */
import type { AnalyzedPlan, PlanNode } from '../../src/core/plan/model';
import { MISESTIMATE_INFO_FACTOR } from '../../src/core/advice/rules/row-misestimate';
import { nodeName, ranOnText } from '../../src/core/plan/node-label';
import { heatOf, type Heat } from './card-content';
import { formatCompact, formatFactor, formatMs, formatPercent } from '../../src/core/format';

export type GridColumnId = 'node' | 'exclusive' | 'inclusive' | 'rows' | 'misestimate' | 'loops' | 'buffers' | 'conditions';

export interface GridColumn {
  id: GridColumnId;
  label: string;
  /** What the column holds, for the header's tooltip. */
  title: string;
  numeric: boolean;
  /** The value rows sort by; undefined sorts last. Absent: the column sorts in plan order. */
  sortValue?(node: PlanNode): number | undefined;
}

export const GRID_COLUMNS: readonly GridColumn[] = [
  { id: 'node', label: 'Node', title: 'Plan order; indented by depth', numeric: false },
  {
    id: 'exclusive',
    label: 'Exclusive',
    title: 'Time in the node alone and its share of the total',
    numeric: true,
    sortValue: (node) => node.exclusiveMs,
  },
  { id: 'inclusive', label: 'Inclusive', title: 'Time in the node and its children', numeric: true, sortValue: (node) => node.inclusiveMs },
  {
    id: 'rows',
    label: 'Rows',
    title: 'Actual rows of estimated, all loops',
    numeric: true,
    sortValue: (node) => node.actualRowsTotal ?? node.planRowsTotal,
  },
  {
    id: 'misestimate',
    label: 'Off by',
    title: 'How far the row estimate was off, per loop',
    numeric: true,
    sortValue: (node) => node.misestimate?.factor,
  },
  {
    id: 'loops',
    label: 'Loops',
    title: 'How often the node ran',
    numeric: true,
    sortValue: (node) => (node.executed ? node.loops : undefined),
  },
  {
    id: 'buffers',
    label: 'Buffers',
    title: 'Shared blocks hit in the cache / read, this node alone',
    numeric: true,
    sortValue: (node) => (node.buffers ? node.buffers.sharedHit + node.buffers.sharedRead : undefined),
  },
  { id: 'conditions', label: 'Conditions', title: "The node's filters, index and join conditions, sort and group keys", numeric: false },
];

export function gridColumn(id: string): GridColumn | undefined {
  return GRID_COLUMNS.find((column) => column.id === id);
}

/** The keys PostgreSQL writes for a node's conditions, in the order its text format prints them. */
const CONDITION_KEYS = [
  'Hash Cond',
  'Merge Cond',
  'Index Cond',
  'Recheck Cond',
  'TID Cond',
  'Join Filter',
  'Filter',
  'One-Time Filter',
  'Sort Key',
  'Group Key',
  'Presorted Key',
  'Cache Key',
];

export function nodeConditions(node: PlanNode): string {
  const raw = node.raw as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of CONDITION_KEYS) {
    const value = raw[key];
    if (value !== undefined) {
      parts.push(`${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
    }
  }
  return parts.join(' · ');
}

export interface GridCells {
  node: string;
  /** Where a node that ran on another server (Citus) ran. */
  remote?: string;
  exclusive: string;
  exclusiveHeat: Heat;
  inclusive: string;
  inclusiveHeat: Heat;
  rows: string;
  misestimate: string;
  /** Set when the misestimate is large enough to flag. */
  misestimateDirection?: 'under' | 'over' | 'exact';
  loops: string;
  buffers: string;
  conditions: string;
}

/** The text of one row. */
export function gridCells(node: PlanNode, plan: AnalyzedPlan): GridCells {
  const neverExecuted = plan.analyzed && !node.executed;
  const timed = plan.analyzed && node.inclusiveMs !== undefined;
  const inclusiveShare = plan.totalMs && node.inclusiveMs !== undefined ? node.inclusiveMs / plan.totalMs : undefined;
  const misestimate = !neverExecuted && node.misestimate && node.misestimate.direction !== 'exact' ? node.misestimate : undefined;
  // Like the card's pill, the colour starts where the row-misestimate rule starts to report.
  const flagged = misestimate && !node.stoppedEarly && misestimate.factor >= MISESTIMATE_INFO_FACTOR;
  return {
    node: node.subplanName ? `${node.subplanName}: ${nodeName(node)}` : nodeName(node),
    ...(node.remote ? { remote: ranOnText(node.remote) } : {}),
    exclusive: timed ? `${formatMs(node.exclusiveMs ?? 0)} · ${formatPercent(node.exclusiveShare ?? 0)}` : '',
    exclusiveHeat: heatOf(node.exclusiveShare),
    inclusive: timed ? formatMs(node.inclusiveMs!) : '',
    inclusiveHeat: heatOf(inclusiveShare),
    rows: neverExecuted
      ? 'never executed'
      : node.actualRowsTotal !== undefined
        ? `${formatCompact(node.actualRowsTotal)} of ${formatCompact(node.planRowsTotal)}`
        : `${formatCompact(node.planRowsTotal)} est.`,
    misestimate: misestimate ? `${formatFactor(misestimate.factor)} ${misestimate.direction}` : '',
    misestimateDirection: flagged ? misestimate.direction : undefined,
    loops: node.executed ? formatCompact(node.loops) : '',
    buffers: node.buffers ? `${formatCompact(node.buffers.sharedHit)} / ${formatCompact(node.buffers.sharedRead)}` : '',
    conditions: nodeConditions(node),
  };
}

/**
 * Node ids in the order the grid shows them: plan order, or by a column's value (ties in plan
 * order, nodes without a value last whichever the direction).
 */
export function gridOrder(plan: AnalyzedPlan, columnId: GridColumnId | undefined, ascending: boolean): number[] {
  const ids = plan.nodes.map((node) => node.id);
  const column = columnId ? gridColumn(columnId) : undefined;
  const sortValue = column?.sortValue;
  if (!sortValue) {
    return ascending || !column ? ids : ids.reverse();
  }
  const values = new Float64Array(plan.nodes.length);
  for (const node of plan.nodes) {
    values[node.id] = sortValue(node) ?? Number.NaN;
  }
  const sign = ascending ? 1 : -1;
  return ids.sort((a, b) => {
    const va = values[a];
    const vb = values[b];
    if (Number.isNaN(va) || Number.isNaN(vb)) {
      return Number.isNaN(va) === Number.isNaN(vb) ? a - b : Number.isNaN(va) ? 1 : -1;
    }
    return va === vb ? a - b : (va - vb) * sign;
  });
}

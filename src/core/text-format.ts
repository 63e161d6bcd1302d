/**
 * How Plan Lens writes numbers and nodes (findings, the CLI): the same way everywhere, so a reader can match a title
 * against the plan ("Seq Scan on products reads 200,000 rows to keep 1,240 (0.6%)").
 */
import type { PlanNode } from './plan/model';

/** A whole count with thousands separators: 200000 -> "200,000". */
export function formatCount(n: number): string {
  const rounded = Math.round(n);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return rounded < 0 ? `-${digits}` : digits;
}

/**
 * A per-loop row count as PostgreSQL reports it: whole, or (PostgreSQL 18) with two decimals when
 * it is a fraction.
 */
export function formatRows(n: number): string {
  return Number.isInteger(n) ? formatCount(n) : n.toFixed(2);
}

/** A share 0..1 as a percentage with one decimal, dropping ".0": 0.006 -> "0.6%", 0.95 -> "95%". */
export function formatPercent(share: number): string {
  const percent = share * 100;
  if (percent > 0 && percent < 0.05) return '<0.1%';
  if (percent < 100 && percent > 99.95) return '>99.9%';
  return `${percent.toFixed(1).replace(/\.0$/, '')}%`;
}

/** Milliseconds with the precision that matters at their size, as the CLI prints them. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** A misestimate or size factor: "12x", "1,000x". */
export function formatFactor(factor: number): string {
  return `${formatCount(factor)}x`;
}

/** A size PostgreSQL reported in kB, as it reported it: "25,512 kB". */
export function formatKb(kb: number): string {
  return `${formatCount(kb)} kB`;
}

const KB_PER_MB = 1024;
/** Below 1 MB, memory settings are suggested in steps of this many kB. */
const SMALL_SETTING_STEP_KB = 64;

/**
 * A memory setting value covering `kb`, rounded up to a value people write: whole MB from 1 MB
 * up, else a multiple of 64 kB ("19MB", "128kB").
 */
export function memorySetting(kb: number): string {
  if (kb >= KB_PER_MB) return `${Math.ceil(kb / KB_PER_MB)}MB`;
  return `${Math.max(1, Math.ceil(kb / SMALL_SETTING_STEP_KB)) * SMALL_SETTING_STEP_KB}kB`;
}

/** The table a node reads, schema-qualified unless it is in public. */
export function tableName(node: PlanNode): string | undefined {
  if (!node.relation) return undefined;
  return node.schema && node.schema !== 'public' ? `${node.schema}.${node.relation}` : node.relation;
}

/**
 * The node as PostgreSQL's text format heads it: "Seq Scan on products p",
 * "Index Scan using orders_pkey on orders", "Hash Join".
 */
export function nodeName(node: PlanNode): string {
  let name = node.label;
  if (node.index) name += ` using ${node.index}`;
  const table = tableName(node);
  if (table) {
    name += ` on ${table}`;
    if (node.alias && node.alias !== node.relation) name += ` ${node.alias}`;
  } else if (node.cteName) {
    name += ` on ${node.cteName}`;
  } else if (node.functionName) {
    name += ` on ${node.functionName}`;
  }
  return name;
}

/** "1 row", "2 rows", "1,000 rows". */
export function rowsPhrase(n: number): string {
  return `${formatRows(n)} ${n === 1 ? 'row' : 'rows'}`;
}

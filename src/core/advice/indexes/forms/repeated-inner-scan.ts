/**
 * A scan run again and again, each time matching a value of an outer row: a correlated SubPlan
 * (`WHERE o.customer_id = c.id` inside a sub-select), or the inner side of a join. Each run reads
 * the whole table; an index on the correlated column turns each run into a lookup.
 */
import { formatCount } from '../../../format';
import { nodeName } from '../../../plan/node-label';
import { findColumn, tableRows } from '../../catalog-snapshot';
import { predicateSelectivity } from '../../column-selectivity';
import { MIN_TABLE_ROWS, type Candidate, type IndexForm } from '../form';

/** A scan that ran at least this many times is repeated. */
export const REPEATED_MIN_LOOPS = 2;

/** The lookups must fetch at most this share of the rows the repeated scans read, or the index saves little. */
const MAX_FETCH_SHARE = 0.2;

export const repeatedInnerScan: IndexForm = {
  id: 'repeated-inner-scan',
  propose(context) {
    const candidates: Candidate[] = [];
    for (const scan of context.scans.values()) {
      const { node, table } = scan;
      if (node.nodeType !== 'Seq Scan' || node.parallelAware || node.loops < REPEATED_MIN_LOOPS || scan.joinKeys.length === 0) continue;
      const rows = tableRows(table);
      if (rows < MIN_TABLE_ROWS) continue;
      const columns = [...new Set(scan.joinKeys.map((key) => key.column))].filter((column) => findColumn(table, column));
      if (columns.length === 0) continue;
      const share = columns.reduce(
        (product, column) => product * (predicateSelectivity(table, { kind: 'join', column: { column }, other: { column } }) ?? 1),
        1,
      );
      const rowsRead = context.rowsRead(node, table);
      const rowsViaIndex = node.loops * share * rows;
      if (rowsViaIndex > rowsRead * MAX_FETCH_SHARE) continue;
      const keyText = scan.joinKeys
        .map((key) => `${key.column} = ${key.other.qualifier ? `${key.other.qualifier}.` : ''}${key.other.column}`)
        .join(' AND ');
      candidates.push({
        table,
        keys: columns.map((column) => ({ column, descending: false, role: 'join' })),
        where: [],
        nodeIds: [node.id],
        finding: `${nodeName(node)} (node ${node.id}) runs ${formatCount(node.loops)} times, reading ${formatCount(rowsRead)} rows in all to match ${keyText}.`,
        remedy: `An index on ${columns.join(', ')} makes each run a lookup of the matching rows.`,
        rowsSaved: Math.max(rowsRead - rowsViaIndex, 0),
        rowsViaIndex,
      });
    }
    return candidates;
  },
};

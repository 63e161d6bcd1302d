/**
 * OR of selective conditions on different columns (`customer_id = 42 OR referrer_id = 42`): no
 * single index serves it, but one index per branch does, combined by a BitmapOr. The indexes are
 * proposed as a set: each alone leaves the sequential scan in place, so they are verified together.
 */
import { findColumn } from '../../catalog-snapshot';
import { predicateSelectivity } from '../../column-selectivity';
import { readDisjunctions, type ColumnName, type ConditionReading } from '../../sql-predicates';
import { MAX_INDEX_SELECTIVITY, scanCandidate, selectiveSeqScans, type Candidate, type DesignedKey, type IndexForm } from '../form';

export const orBranches: IndexForm = {
  id: 'or-branches',
  propose(context) {
    return selectiveSeqScans(context).flatMap((selective) => {
      const { scan } = selective;
      const own = (column: ColumnName) => column.qualifier === undefined || scan.refNames.has(column.qualifier);
      const disjunctions = readDisjunctions(String(scan.node.raw.Filter)) ?? [];
      return disjunctions.flatMap((branches, at): Candidate[] => {
        const keys = branches.map((branch) => branchKey(branch, own, scan.table));
        if (keys.some((key) => key === undefined)) return [];
        const columns = [...new Set(keys.map((key) => key!.column))];
        // One column in every branch is an IN list: one index, no set.
        const set = columns.length > 1 ? `or-${scan.node.id}-${at}` : undefined;
        return columns.map((column) =>
          scanCandidate(selective, {
            keys: [keys.find((key) => key!.column === column)!],
            ...(set === undefined ? {} : { set, kinds: ['set'] }),
            remedy:
              set === undefined
                ? `An index on ${column} finds the rows of every branch of the OR.`
                : `One index per branch of the OR (on ${columns.join(', ')}), combined by a BitmapOr, finds those rows; each index alone does not.`,
          }),
        );
      });
    });
  },
};

/** The key for one branch: its most selective equality column, else a range column; undefined when it has none. */
function branchKey(branch: ConditionReading, own: (column: ColumnName) => boolean, table: Candidate['table']): DesignedKey | undefined {
  if (branch.unreadConjuncts > 0) return undefined;
  const usable = branch.predicates.filter(
    (predicate) => predicate.kind !== 'join' && own(predicate.column) && findColumn(table, predicate.column.column),
  );
  const equalities = usable
    .filter((predicate) => predicate.kind === 'equality' || predicate.kind === 'in' || predicate.kind === 'is-null')
    .map((predicate) => ({ column: predicate.column.column, share: predicateSelectivity(table, predicate) ?? 1 }))
    .sort((a, b) => a.share - b.share);
  const best = equalities[0];
  if (best && best.share <= MAX_INDEX_SELECTIVITY) return { column: best.column, descending: false, role: 'equality' };
  const range = usable.find((predicate) => predicate.kind === 'range');
  return range && { column: range.column.column, descending: false, role: 'range' };
}

/**
 * JSONB containment and key tests (`attrs @> '{"color": "red"}'`, `attrs ? 'gift'`) are served
 * by a GIN index, never by a B-tree. When only `@>` is used, the jsonb_path_ops operator class is
 * smaller and faster; the key-existence operators need the default jsonb_ops.
 */
import { findColumn } from '../../catalog-snapshot';
import { scanCandidate, selectiveSeqScans, type Candidate, type IndexForm } from '../form';

const CONTAINS = '@>';
const JSONB_OPERATORS: ReadonlySet<string> = new Set([CONTAINS, '?', '?|', '?&']);

export const jsonbContainment: IndexForm = {
  id: 'jsonb-containment',
  propose(context) {
    return selectiveSeqScans(context).flatMap((selective) => {
      const operatorsByColumn = new Map<string, Set<string>>();
      for (const conjunct of selective.conjuncts) {
        const column = findColumn(selective.scan.table, conjunct.column.column);
        if (!column || column.type !== 'jsonb' || conjunct.expression || !JSONB_OPERATORS.has(conjunct.operator)) continue;
        const operators = operatorsByColumn.get(column.name) ?? new Set<string>();
        operators.add(conjunct.operator);
        operatorsByColumn.set(column.name, operators);
      }
      return [...operatorsByColumn].map(([column, operators]): Candidate => {
        const pathOps = operators.size === 1 && operators.has(CONTAINS);
        return scanCandidate(selective, {
          keys: [{ column, descending: false, role: 'other', ...(pathOps ? { opclass: 'jsonb_path_ops' } : {}) }],
          method: 'gin',
          kinds: ['gin'],
          remedy: pathOps
            ? `A GIN index on ${column} with jsonb_path_ops answers @> from the index; a B-tree cannot.`
            : `A GIN index on ${column} answers ${[...operators].join(', ')} from the index; a B-tree cannot.`,
        });
      });
    });
  },
};

/**
 * Pattern matches. `LIKE 'AB1%'` (a fixed prefix) is a range scan of a B-tree, but only of one
 * that compares bytes: under a collation other than C the column needs the pattern operator class
 * (text_pattern_ops, varchar_pattern_ops); under C a plain index serves. `ILIKE` and `LIKE '%x%'`
 * need a trigram GIN index, proposed only when pg_trgm is installed in the database.
 */
import { findColumn } from '../../catalog-snapshot';
import { scanCandidate, selectiveSeqScans, type Candidate, type IndexForm } from '../form';

const LIKE = '~~';
const ILIKE = '~~*';

/** Collations under which a plain B-tree serves a LIKE prefix. */
const BYTE_ORDER_COLLATIONS: ReadonlySet<string> = new Set(['C', 'POSIX']);

const PATTERN_OPCLASSES: ReadonlyArray<[RegExp, string]> = [
  [/^text\b/, 'text_pattern_ops'],
  [/^character varying\b/, 'varchar_pattern_ops'],
  [/^character\b/, 'bpchar_pattern_ops'],
];

/** A trigram index needs at least one run of this many literal characters to narrow anything. */
const TRIGRAM_MIN_LITERAL = 3;

export const patternMatch: IndexForm = {
  id: 'pattern-match',
  propose(context) {
    const trigrams = context.catalog.extensions?.includes('pg_trgm') ?? false;
    return selectiveSeqScans(context).flatMap((selective) => {
      const candidates: Candidate[] = [];
      for (const conjunct of selective.conjuncts) {
        const column = findColumn(selective.scan.table, conjunct.column.column);
        const pattern = conjunct.value?.type === 'string' ? conjunct.value.text : undefined;
        if (!column || conjunct.expression || pattern === undefined || (conjunct.operator !== LIKE && conjunct.operator !== ILIKE))
          continue;
        const opclass = PATTERN_OPCLASSES.find(([type]) => type.test(column.type))?.[1];
        if (opclass === undefined) continue;
        const prefix = literalPrefix(pattern);
        if (conjunct.operator === LIKE && prefix.length > 0) {
          const byteOrder = BYTE_ORDER_COLLATIONS.has(column.collation ?? '');
          candidates.push(
            scanCandidate(selective, {
              keys: [{ column: column.name, descending: false, role: 'range', ...(byteOrder ? {} : { opclass }) }],
              kinds: byteOrder ? [] : ['pattern'],
              remedy: byteOrder
                ? `An index on ${column.name} reads only the rows starting with '${prefix}'.`
                : `An index on ${column.name} with ${opclass} reads only the rows starting with '${prefix}': under the collation ` +
                  `${column.collation ?? 'of the database'}, a plain index cannot serve LIKE.`,
            }),
          );
        } else if (trigrams && longestLiteral(pattern) >= TRIGRAM_MIN_LITERAL) {
          candidates.push(
            scanCandidate(selective, {
              keys: [{ column: column.name, descending: false, role: 'other', opclass: 'gin_trgm_ops' }],
              method: 'gin',
              kinds: ['gin'],
              remedy: `A trigram index (pg_trgm) on ${column.name} finds the rows matching ${conjunct.operator === ILIKE ? 'ILIKE' : 'LIKE'} '${pattern}' without reading the rest.`,
            }),
          );
        }
      }
      return candidates;
    });
  },
};

/** The characters before the first wildcard; empty when the pattern starts with one or uses escapes. */
function literalPrefix(pattern: string): string {
  if (pattern.includes('\\')) return '';
  const wildcard = pattern.search(/[%_]/);
  return wildcard < 0 ? pattern : pattern.slice(0, wildcard);
}

function longestLiteral(pattern: string): number {
  return Math.max(0, ...pattern.split(/[%_]/).map((part) => part.length));
}

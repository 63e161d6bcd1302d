/**
 * The fix text of a finding. Rules say in words what an index would have to serve; only the index
 * advisor writes CREATE INDEX. So a finding an index could fix points to the advisor's suggestions
 * for its nodes once they are known, or says plainly that none helps and what does instead.
 */
import type { IndexSuggestion } from './advice-model';

/**
 * `suggestions`: undefined while the advisor has not run (a plan read from a file, indexes not
 * asked for); else the suggestions for the finding's nodes, best first.
 */
export function fixText(indexNeed: string | undefined, remedy: string, suggestions: readonly IndexSuggestion[] | undefined): string {
  if (indexNeed === undefined) {
    if (!suggestions || suggestions.length === 0) return remedy;
    return `${remedy} The index ${suggestionNames(suggestions)} also addresses it.`;
  }
  if (suggestions === undefined) {
    return `An index serving ${indexNeed} could help; explained on its database, Plan Lens proposes one and checks it with the planner. ${remedy}`;
  }
  if (suggestions.length === 0) {
    return `No index helps here: the index advisor found none the planner would use for ${indexNeed}. ${remedy}`;
  }
  return `An index would help: see the suggestion ${suggestionNames(suggestions)}. ${remedy}`;
}

function suggestionNames(suggestions: readonly IndexSuggestion[]): string {
  const names = suggestions.map((s) => (s.verification.method === 'unverified' ? `${s.name} (unverified)` : s.name));
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

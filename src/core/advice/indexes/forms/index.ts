/** Every index form beyond the advisor's plain B-tree candidates, in one list (like the warning rules). */
import type { IndexForm } from '../form';
import { expressionKey } from './expression-key';
import { jsonbContainment } from './jsonb-containment';
import { orBranches } from './or-branches';
import { patternMatch } from './pattern-match';
import { repeatedInnerScan } from './repeated-inner-scan';

export const INDEX_FORMS: readonly IndexForm[] = [expressionKey, patternMatch, jsonbContainment, orBranches, repeatedInnerScan];

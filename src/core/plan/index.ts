export { analyzePlan } from './analyze-plan';
export { parseExplainJson, PlanParseError } from './parse-plan';
export { nodeLabel } from './node-label';
export type * from './explain-json';
export type * from './model';
export { rawPlanOf, rawPlanJson } from './raw-plan';
export {
  findPlans,
  planAtLine,
  planChoices,
  type PlanChoice,
  planTimeMs,
  slowestFirst,
  slowestPlan,
  countPlanNodes,
  statementExcerpt,
  type FoundPlan,
} from './find-plans';

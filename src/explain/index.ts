export { prepareStatement } from './statement';
export type { PreparedStatement, PrepareOptions, PrepareOutcome } from './statement';
export {
  explainAgain,
  checkParameters,
  explainAndAdvise,
  explainCaptured,
  ExplainDeclinedError,
  MissingParametersError,
  ParameterCountError,
  parameterValue,
  planMeta,
  sideEffectsOf,
} from './explain-and-advise';
export type { ExplainDatabase, ExplainRequest, ExplainResult, IndexAdvice, SideEffects } from './explain-and-advise';
export { AUTH_FAILED, describeExplainFailure } from './failures';
export type { ExplainFailure } from './failures';

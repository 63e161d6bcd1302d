/**
 * What the user can do with an index suggestion from the plan panel: insert its DDL into the
 * editor, or create the index now (after a confirmation) and see the plan before and after.
 */
import * as vscode from 'vscode';
import type { IndexSuggestion, PlanAdvice } from '../core/advice/advice-model';
import { createIndexOnServer, IndexCreationCancelledError } from '../db/index-creation';
import type { ComparedPlan, IndexCreationState } from '../protocol';
import type { AdviceDiagnostics } from './advice-diagnostics';
import { insertDdl } from './ddl-insertion';
import type { ExplainedStatement } from './explained-statement';
import type { OutputLog } from './output-log';
import { formatMs, formatPercent } from '../core/format';
import { describeExplainFailure, explainAgain, planMeta } from '../explain';

export type CreationProgress = (state: IndexCreationState, message: string) => void;

export interface CreatedIndexComparison {
  index: IndexSuggestion;
  after: ComparedPlan;
  afterAdvice: PlanAdvice;
}

/** The actions the plan panel offers for the suggestions of one explained statement. */
export interface PlanActions {
  insertDdl(suggestion: IndexSuggestion): Promise<void>;
  /** Resolves undefined when the user declined the confirmation. */
  createIndex(suggestion: IndexSuggestion, progress: CreationProgress, signal: AbortSignal): Promise<CreatedIndexComparison | undefined>;
}

export interface IndexActionDependencies {
  log: OutputLog;
  advice: AdviceDiagnostics;
}

export function planActionsFor(deps: IndexActionDependencies, statement: ExplainedStatement): PlanActions {
  return {
    async insertDdl(suggestion) {
      const where = await insertDdl(statement.document, statement.range, statement.version, suggestion.ddl);
      deps.log.info(`Inserted ${suggestion.name} ${where === 'below' ? 'below the statement' : 'into a new SQL document'}`);
    },

    async createIndex(suggestion, progress, signal) {
      const create = 'Create Index';
      const answer = await vscode.window.showWarningMessage(
        `Create index ${suggestion.name} on ${suggestion.table}?`,
        {
          modal: true,
          detail:
            `This runs on ${statement.database.target}:\n\n${suggestion.ddl}\n\n` +
            (suggestion.concurrently
              ? 'CONCURRENTLY builds the index without blocking writes to the table; it takes longer and uses disk space.'
              : 'Without CONCURRENTLY, writes to the table wait until the index is built.'),
        },
        create,
      );
      if (answer !== create) return undefined;

      const database = statement.database;
      progress('running', `Creating ${suggestion.name}${suggestion.concurrently ? ' (CONCURRENTLY)' : ''}…`);
      deps.log.info(`Creating ${suggestion.name} on ${database.target}: ${suggestion.ddl}`);
      let built;
      try {
        built = await createIndexOnServer(database.pool, suggestion.ddl, {
          indexName: suggestion.name,
          schema: suggestion.schema,
          signal,
          onProgress: ({ phase, fraction }) =>
            progress('running', `Creating ${suggestion.name}: ${phase}${fraction === undefined ? '' : ` (${formatPercent(fraction)})`}`),
        });
      } catch (error) {
        const cancelled = error instanceof IndexCreationCancelledError;
        deps.log.warn(`${suggestion.name}: ${(error as Error).message}`);
        progress(cancelled ? 'cancelled' : 'failed', (error as Error).message);
        if (!cancelled) void vscode.window.showErrorMessage(`Plan Lens: ${(error as Error).message}`);
        return undefined;
      }

      progress('running', `Created ${suggestion.name} in ${formatMs(built.durationMs)}; explaining the statement again…`);
      let after;
      try {
        after = await explainAgain(database, statement.result, signal);
      } catch (error) {
        throw new Error(describeExplainFailure(error, statement.result.request.statement, database.target).message, { cause: error });
      }
      const indexAdvice = await after.advice;
      if (indexAdvice instanceof Error) deps.log.warn(`Index advice failed on ${database.target}: ${indexAdvice.message}`);
      const afterAdvice = indexAdvice instanceof Error ? after.analysis.advice : indexAdvice.advice;
      deps.log.info(`${suggestion.name} created in ${formatMs(built.durationMs)}; re-explained in ${formatMs(after.run.durationMs)}`);
      progress('done', `Created ${suggestion.name} in ${formatMs(built.durationMs)}; the plan below is the statement explained again.`);
      if (statement.document.version === statement.version) deps.advice.show(statement.document, statement.range, afterAdvice);
      return { index: suggestion, after: { plan: after.analysis.plan, meta: planMeta(after, database) }, afterAdvice };
    },
  };
}

/**
 * Statements copied from application code carry placeholders (`$1`, `:name`, `%(name)s`, `%s`,
 * `?`). EXPLAIN ANALYZE needs values for them: this asks for them (remembering the answers per
 * statement) and rewrites the statement to `$n` parameters, so values always travel as real
 * parameters and are never spliced into SQL. It can also ask for a generic plan instead.
 */
import * as vscode from 'vscode';
import { toDollarParameters, type SqlPlaceholder } from '../core/sql';

export type PlaceholderPlan =
  | { kind: 'values'; text: string; values: string[] }
  | { kind: 'generic'; text: string }
  | { kind: 'cancelled' };

const MEMORY_KEY = 'planLens.placeholderValues';
const MEMORY_LIMIT = 200;

export async function askForPlaceholderValues(
  state: vscode.Memento,
  statementText: string,
  placeholders: SqlPlaceholder[],
  genericPlanSupported: boolean,
): Promise<PlaceholderPlan> {
  const rewritten = toDollarParameters(statementText, placeholders);
  const items: Array<vscode.QuickPickItem & { id: 'values' | 'generic' }> = [
    {
      id: 'values',
      label: '$(edit) Enter values',
      description: `for ${rewritten.slots.join(', ')}`,
      detail: 'Runs EXPLAIN ANALYZE with the values you give (remembered for this statement).',
    },
  ];
  if (genericPlanSupported) {
    items.push({
      id: 'generic',
      label: '$(symbol-misc) Generic plan',
      description: 'EXPLAIN (GENERIC_PLAN)',
      detail: 'Plans without values, as for a prepared statement; estimates only.',
    });
  }
  const choice = await vscode.window.showQuickPick(items, {
    title: 'Plan Lens: the statement has placeholders',
    placeHolder: genericPlanSupported ? 'Give values, or ask for a generic plan' : 'Give values (a generic plan needs PostgreSQL 16 or later)',
    ignoreFocusOut: true,
  });
  if (!choice) return { kind: 'cancelled' };
  if (choice.id === 'generic') return { kind: 'generic', text: rewritten.text };

  const memory = state.get<Record<string, string[]>>(MEMORY_KEY, {});
  const remembered = memory[rewritten.text] ?? [];
  const values: string[] = [];
  for (const [i, slot] of rewritten.slots.entries()) {
    const value = await vscode.window.showInputBox({
      title: `Plan Lens: value for ${slot} (${i + 1} of ${rewritten.slots.length})`,
      prompt: 'PostgreSQL infers its type from the statement; write NULL for null.',
      value: remembered[i] ?? '',
      ignoreFocusOut: true,
    });
    if (value === undefined) return { kind: 'cancelled' };
    values.push(value);
  }
  const keys = Object.keys(memory);
  if (keys.length >= MEMORY_LIMIT) delete memory[keys[0]];
  memory[rewritten.text] = values;
  await state.update(MEMORY_KEY, memory);
  return { kind: 'values', text: rewritten.text, values };
}

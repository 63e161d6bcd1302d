/**
 * Statements copied from application code carry placeholders (`$1`, `:name`, `%(name)s`, `%s`, `?`), already
 * rewritten to `$n` by the explain path. EXPLAIN ANALYZE needs values for them: this asks for each (remembering the
 * answers per statement), so values always travel as real parameters and are never spliced into SQL. It also offers
 * a generic plan instead, which every supported server can make.
 */
import * as vscode from 'vscode';
import type { PreparedStatement } from '../explain';

export type PlaceholderAnswer = { kind: 'values'; values: string[] } | { kind: 'generic' } | { kind: 'cancelled' };

const MEMORY_KEY = 'planLens.placeholderValues';
const MEMORY_LIMIT = 200;

export async function askForPlaceholderValues(
  state: vscode.Memento,
  statement: Pick<PreparedStatement, 'sql' | 'slots'>,
): Promise<PlaceholderAnswer> {
  const items: Array<vscode.QuickPickItem & { id: 'values' | 'generic' }> = [
    {
      id: 'values',
      label: '$(edit) Enter values',
      description: `for ${statement.slots.join(', ')}`,
      detail: 'Runs EXPLAIN ANALYZE with the values you give (remembered for this statement).',
    },
    {
      id: 'generic',
      label: '$(symbol-misc) Generic plan',
      description: 'without values',
      detail: 'Plans the statement as a prepared statement, for any values; estimates only.',
    },
  ];
  const choice = await vscode.window.showQuickPick(items, {
    title: 'Plan Lens: the statement has placeholders',
    placeHolder: 'Give values, or ask for a generic plan',
    ignoreFocusOut: true,
  });
  if (!choice) return { kind: 'cancelled' };
  if (choice.id === 'generic') return { kind: 'generic' };

  // Keyed by external text: a null-prototype object, so a statement text never meets Object.prototype's keys.
  const memory: Record<string, string[]> = Object.assign(Object.create(null), state.get<Record<string, string[]>>(MEMORY_KEY, {}));
  const remembered = memory[statement.sql] ?? [];
  const values: string[] = [];
  for (const [i, slot] of statement.slots.entries()) {
    const value = await vscode.window.showInputBox({
      title: `Plan Lens: value for ${slot} (${i + 1} of ${statement.slots.length})`,
      prompt: 'PostgreSQL infers its type from the statement; write NULL for null.',
      value: remembered[i] ?? '',
      ignoreFocusOut: true,
    });
    if (value === undefined) return { kind: 'cancelled' };
    values.push(value);
  }
  const keys = Object.keys(memory);
  if (keys.length >= MEMORY_LIMIT) delete memory[keys[0]];
  memory[statement.sql] = values;
  await state.update(MEMORY_KEY, { ...memory });
  return { kind: 'values', values };
}

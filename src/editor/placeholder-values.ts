/**
 * Statements copied from application code carry placeholders (`$1`, `:name`, `%(name)s`, `%s`,
 * `?`). EXPLAIN ANALYZE needs values for them: this asks for them (remembering the answers per
 * statement) and rewrites the statement to `$n` parameters, so values always travel as real
 * parameters and are never spliced into SQL. It can also ask for a generic plan instead.
 */
import * as vscode from 'vscode';
import type { SqlPlaceholder } from '../core/sql';

export type PlaceholderPlan =
  | { kind: 'values'; text: string; values: string[] }
  | { kind: 'generic'; text: string }
  | { kind: 'cancelled' };

const MEMORY_KEY = 'planLens.placeholderValues';
const MEMORY_LIMIT = 200;

export interface ParameterisedStatement {
  text: string;
  /** One label per `$n`, in order: `$1`, `:id`, `%(name)s`, `?3`… */
  slots: string[];
}

/**
 * `$n` placeholders keep their numbers. Named ones (`:id`, `%(id)s`) share one parameter per name;
 * positional ones (`%s`, `?`) get one each, numbered after the highest `$n`.
 */
export function toDollarParameters(text: string, placeholders: SqlPlaceholder[]): ParameterisedStatement {
  const ordered = [...placeholders].sort((a, b) => a.start - b.start);
  const slots: string[] = [];
  for (const p of ordered) if (p.style === 'dollar') slots[p.number! - 1] = p.text;
  let next = slots.length;
  const byName = new Map<string, number>();
  let out = '';
  let cursor = 0;
  for (const p of ordered) {
    let number: number;
    if (p.style === 'dollar') {
      number = p.number!;
    } else if (p.name !== undefined) {
      number = byName.get(p.name) ?? ++next;
      byName.set(p.name, number);
      slots[number - 1] = p.text;
    } else {
      number = ++next;
      slots[number - 1] = `${p.text} #${number}`;
    }
    out += `${text.slice(cursor, p.start)}$${number}`;
    cursor = p.end;
  }
  for (let i = 0; i < slots.length; i++) slots[i] ??= `$${i + 1}`;
  return { text: out + text.slice(cursor), slots };
}

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

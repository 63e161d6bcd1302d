/**
 * Row-by-row writes and OFFSET paging in SQLAlchemy code: `session.add(Model(...))` or
 * `session.execute(insert(...))` per item of a loop (one INSERT round trip per row), updates per
 * item, and chunk loops paging with `.offset(n)` (each page rereads all rows before it).
 */
import { pythonCallArguments } from '../call-arguments';
import type { LintContext } from '../context';
import { rangeOf, type CodeFinding, type CodeFix } from '../findings';
import { calleeName, type SourceFile } from '../source-file';
import type { Node } from '../syntax';
import { importLoaderEdit } from './sqlalchemy-n-plus-one';

const LOOPS = ['for_statement', 'while_statement'];

export function sqlalchemyBulkRule(file: SourceFile, context: LintContext): CodeFinding[] {
  if (file.language !== 'python' || !file.imports.has('sqlalchemy')) return [];
  const findings: CodeFinding[] = [];
  const reported = new Set<number>();
  for (const loop of file.root.descendantsOfType(LOOPS)) {
    const body = loop?.childForFieldName('body');
    if (!loop || !body) continue;
    for (const call of body.descendantsOfType('call')) {
      if (!call || reported.has(call.id)) continue;
      const finding = callInLoop(call, loop, file, context);
      if (finding) {
        reported.add(call.id);
        findings.push(finding);
      }
    }
  }
  return findings;
}

function callInLoop(call: Node, loop: Node, file: SourceFile, context: LintContext): CodeFinding | undefined {
  const name = calleeName(call);
  const args = pythonCallArguments(call);
  const first = args?.positional[0];
  if (name === 'add' && first?.type === 'call') {
    const model = calleeName(first);
    if (!context.models.model(model) && !/^[A-Z]/.test(model)) return undefined;
    const session = call.childForFieldName('function')?.childForFieldName('object')?.text ?? 'session';
    const flushing = flushesInLoop(loop, session);
    // SQLAlchemy 1.4+ batches the INSERTs of one flush, so without a flush in the loop the cost is
    // the ORM object per row, not a round trip per row.
    return {
      code: 'sqlalchemy-add-in-loop',
      severity: flushing ? 'warning' : 'info',
      message: flushing
        ? `${session}.${flushing}() inside the loop sends one INSERT and ${flushing === 'commit' ? 'a commit' : 'a flush'} per row; add all rows and ${flushing} once after the loop, or insert them at once with ${session}.execute(insert(${model}), rows).`
        : `${session}.add(${model}(...)) per row builds and tracks an ORM object for each row; for a large import, ${session}.execute(insert(${model}), rows) sends the rows as batched INSERTs without the objects.`,
      range: rangeOf(call),
      fixes: bulkInsertFix(call, first, loop, file, flushing),
    };
  }
  if (name === 'execute' && first?.type === 'call') {
    const statement = rootCallName(first);
    if (statement === 'insert') {
      return {
        code: 'sqlalchemy-insert-in-loop',
        severity: 'warning',
        message:
          'An INSERT executed once per item of this loop costs a round trip per row; build the list of row dicts in the loop and run session.execute(insert(Model), rows) once after it.',
        range: rangeOf(call),
        fixes: [],
      };
    }
    if (statement === 'update') {
      return {
        code: 'sqlalchemy-update-in-loop',
        severity: 'warning',
        message:
          'An UPDATE executed once per item of this loop costs a round trip per row; collect dicts holding each primary key and the new values, then run session.execute(update(Model), rows) once (SQLAlchemy 2 bulk UPDATE by primary key).',
        range: rangeOf(call),
        fixes: [],
      };
    }
  }
  if (name === 'offset' && first && first.type !== 'integer') {
    return {
      code: 'offset-pagination',
      severity: 'warning',
      message: `Paging with .offset(${first.text}) in a loop makes PostgreSQL read and discard every earlier row for each page, so the loop slows down as it goes; page by key instead (.where(Model.id > last_id).order_by(Model.id).limit(n)) or stream the rows with yield_per.`,
      range: rangeOf(call),
      fixes: [],
    };
  }
  return undefined;
}

/** `commit` or `flush` when the loop calls it on the same session (one round trip per row), else undefined. */
function flushesInLoop(loop: Node, session: string): 'commit' | 'flush' | undefined {
  for (const call of loop.childForFieldName('body')?.descendantsOfType('call') ?? []) {
    const callee = call?.childForFieldName('function');
    const method = callee?.childForFieldName('attribute')?.text;
    if ((method === 'commit' || method === 'flush') && callee?.childForFieldName('object')?.text === session) return method;
  }
  return undefined;
}

/** `insert(Model).values(...)` -> `insert`: the statement the chain starts from. */
function rootCallName(call: Node): string {
  let current: Node = call;
  for (;;) {
    const callee = current.childForFieldName('function');
    const inner = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
    if (inner?.type !== 'call') return calleeName(current);
    current = inner;
  }
}

/**
 * The loop is exactly `for x in xs: session.add(Model(a=..., b=...))` with keyword arguments only,
 * optionally followed by `session.commit()`/`flush()`: then it becomes one executemany with the
 * same values (and one commit or flush after it). Anything else is explained, not rewritten.
 */
function bulkInsertFix(add: Node, construct: Node, loop: Node, file: SourceFile, flushing: 'commit' | 'flush' | undefined): CodeFix[] {
  if (loop.type !== 'for_statement') return [];
  const body = loop.childForFieldName('body');
  const statements = body?.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment') ?? [];
  if (statements.length !== (flushing ? 2 : 1) || statements[0].namedChildren[0]?.id !== add.id) return [];
  const values = pythonCallArguments(construct);
  if (!values || values.positional.length > 0 || values.settings.size === 0) return [];
  const session = add.childForFieldName('function')?.childForFieldName('object')?.text;
  const left = loop.childForFieldName('left')?.text;
  const right = loop.childForFieldName('right')?.text;
  if (!session || !left || !right) return [];
  const row = [...values.settings.values()].map((setting) => `'${setting.name}': ${setting.valueNode.text}`).join(', ');
  const model = calleeName(construct);
  const after = flushing ? `\n${' '.repeat(loop.startPosition.column)}${session}.${flushing}()` : '';
  const edits = [{ range: rangeOf(loop), newText: `${session}.execute(insert(${model}), [{${row}} for ${left} in ${right}])${after}` }];
  const importEdit = importLoaderEdit(file.root, 'insert', 'sqlalchemy');
  if (importEdit) edits.push(importEdit);
  return [{ title: `Insert all ${model} rows with one executemany`, edits }];
}

/**
 * SQLAlchemy N+1: a loop over a query's result that reads a relationship whose loader is lazy and
 * that the query does not eager-load issues one more SELECT per row. The fix eager-loads it in the
 * query: selectinload for collections (one extra query for all rows), joinedload for many-to-one
 * (same query), contains_eager when the query already joins the relationship.
 */
import type { LintContext } from '../context';
import { endOf, insertAt, rangeOf, type CodeEdit, type CodeFinding, type PerRowLookup } from '../findings';
import { LAZY_LOADERS, type OrmModel } from '../models';
import { callsIn, expressionChain } from '../python-scope';
import type { SourceFile } from '../source-file';
import type { Node } from '../syntax';
import { pythonCallArguments } from '../call-arguments';

const QUERY_ROOTS = new Set(['select', 'query']);
const EAGER_LOADERS = new Set(['selectinload', 'joinedload', 'subqueryload', 'immediateload', 'contains_eager', 'defaultload']);
const JOINS = new Set(['join', 'outerjoin', 'join_from']);

interface LoopQuery {
  model: OrmModel;
  root: Node;
  eager: Set<string>;
  joinedRelationships: Set<string>;
  joinedModels: Set<string>;
}

export function sqlalchemyNPlusOneRule(file: SourceFile, context: LintContext): CodeFinding[] {
  if (file.language !== 'python' || !file.imports.has('sqlalchemy')) return [];
  const findings: CodeFinding[] = [];
  for (const loop of file.root.descendantsOfType(['for_statement', 'for_in_clause'])) {
    const variable = loop?.childForFieldName('left');
    const iterable = loop?.childForFieldName('right');
    // A comprehension reads the loop variable in its body, beside the for clause.
    const body = loop?.type === 'for_in_clause' ? loop.parent?.childForFieldName('body') : loop?.childForFieldName('body');
    if (!loop || variable?.type !== 'identifier' || !iterable || !body) continue;
    const query = loopQuery(iterable, context);
    if (!query) continue;
    const reported = new Set<string>();
    for (const read of body.descendantsOfType('attribute')) {
      if (!read || read.childForFieldName('object')?.text !== variable.text) continue;
      const name = read.childForFieldName('attribute')?.text ?? '';
      const relationship = query.model.relationships.get(name);
      if (!relationship || reported.has(name) || !LAZY_LOADERS.has(relationship.lazy) || query.eager.has(name)) continue;
      reported.add(name);
      findings.push(nPlusOneFinding(file, read, query, name, context));
    }
  }
  return findings;
}

function loopQuery(iterable: Node, context: LintContext): LoopQuery | undefined {
  const chain = expressionChain(iterable);
  for (const root of callsIn(chain, QUERY_ROOTS)) {
    const entity = pythonCallArguments(root)?.positional[0];
    const model = entity?.type === 'identifier' ? context.models.model(entity.text) : undefined;
    if (!model) continue;
    const eager = new Set<string>();
    for (const loader of callsIn(chain, EAGER_LOADERS)) {
      const target = pythonCallArguments(loader)?.positional[0];
      if (target)
        eager.add(
          target.type === 'attribute' ? (target.childForFieldName('attribute')?.text ?? '') : target.text.replace(/^['"]|['"]$/g, ''),
        );
    }
    const joinedRelationships = new Set<string>();
    const joinedModels = new Set<string>();
    for (const join of callsIn(chain, JOINS)) {
      const target = pythonCallArguments(join)?.positional[0];
      if (target?.type === 'attribute') joinedRelationships.add(target.childForFieldName('attribute')?.text ?? '');
      else if (target?.type === 'identifier') joinedModels.add(target.text);
    }
    return { model, root, eager, joinedRelationships, joinedModels };
  }
  return undefined;
}

function nPlusOneFinding(file: SourceFile, read: Node, query: LoopQuery, name: string, context: LintContext): CodeFinding {
  const relationship = query.model.relationships.get(name)!;
  const collection = context.models.isCollection(query.model, relationship);
  const joined = query.joinedRelationships.has(name) || query.joinedModels.has(relationship.target);
  const loader = joined ? 'contains_eager' : collection ? 'selectinload' : 'joinedload';
  const why = joined
    ? 'the query already joins it, so contains_eager fills it from the same rows'
    : collection
      ? 'selectinload reads the collections of all rows in one more query'
      : 'joinedload reads it in the same query';
  const option = `.options(${loader}(${query.model.name}.${name}))`;
  const edits: CodeEdit[] = [insertAt(endOf(query.root), option)];
  const importEdit = importLoaderEdit(file.root, loader);
  if (importEdit) edits.push(importEdit);
  return {
    code: 'sqlalchemy-n-plus-one',
    severity: 'warning',
    message: `${read.text} loads ${relationship.target} lazily (${relationship.lazy === 'select' ? 'the default lazy="select"' : `lazy=${relationship.lazy}`}): one more query for each ${query.model.name} of this loop (N+1); eager-load it with ${loader}(${query.model.name}.${name}): ${why}.`,
    range: rangeOf(read),
    fixes: [{ title: `Eager-load ${query.model.name}.${name} with ${loader}`, edits }],
    perRowLookup: lazyLoadLookup(query.model, relationship.target, collection, context),
  };
}

/**
 * What SQLAlchemy's lazy load of the relationship selects by: a many-to-one reads the target's
 * row by the column this model's foreign key points to, a collection reads the target's rows by
 * their foreign key to this model's table.
 */
function lazyLoadLookup(model: OrmModel, targetName: string, collection: boolean, context: LintContext): PerRowLookup | undefined {
  const target = context.models.model(targetName);
  if (!target?.table || !model.table) return undefined;
  if (!collection) {
    const key = model.foreignKeys?.find((fk) => fk.table === target.table);
    return key && { table: target.table, column: key.targetColumn };
  }
  const key = target.foreignKeys?.find((fk) => fk.table === model.table);
  return key && { table: target.table, column: key.column };
}

/** Adds the loader to `from sqlalchemy.orm import ...`, or a new import line after the last import. */
export function importLoaderEdit(root: Node, loader: string, module = 'sqlalchemy.orm'): CodeEdit | undefined {
  let lastImport: Node | undefined;
  for (const statement of root.namedChildren) {
    if (!statement) continue;
    if (statement.type === 'import_statement' || statement.type === 'import_from_statement') lastImport = statement;
    if (statement.type !== 'import_from_statement' || statement.childForFieldName('module_name')?.text !== module) continue;
    const names = statement.childrenForFieldName('name').filter((n): n is Node => n !== null);
    if (names.some((n) => (n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text) === loader)) return undefined;
    const last = names[names.length - 1];
    if (last) return insertAt(endOf(last), `, ${loader}`);
  }
  const line = lastImport ? lastImport.endPosition.row + 1 : 0;
  return insertAt({ line, column: 0 }, `from ${module} import ${loader}\n`);
}

/**
 * SQLAlchemy N+1: a loop over a query's result that reads a relationship whose loader is lazy and
 * that the query does not eager-load issues one more SELECT per row. The fix eager-loads it in the
 * query: selectinload for collections (one extra query for all rows), joinedload for many-to-one
 * (same query), contains_eager when the query already joins the relationship. A loop nested in
 * it over a relationship of the outer row (`for item in order.items`) is a query too: what it
 * reads lazily costs a query per inner row, and the fix chains the loaders
 * (`selectinload(Order.items).joinedload(OrderItem.product)`).
 */
import type { LintContext } from '../context';
import { endOf, insertAt, rangeOf, type CodeEdit, type CodeFinding, type PerRowLookup } from '../findings';
import { LAZY_LOADERS, type OrmModel } from '../models';
import { callsIn, expressionChain, pythonLoops } from '../python-scope';
import { calleeName, type SourceFile } from '../source-file';
import type { Node } from '../syntax';
import { pythonCallArguments } from '../call-arguments';

const QUERY_ROOTS = new Set(['select', 'query']);
const EAGER_LOADERS = new Set(['selectinload', 'joinedload', 'subqueryload', 'immediateload', 'contains_eager', 'defaultload']);
const JOINS = new Set(['join', 'outerjoin', 'join_from']);
const OPTIONS = new Set(['options']);

/** Loops nested over relationships (`for item in order.items`) followed out to the query; deeper is left alone. */
const MAX_NESTING = 4;
/** Loader options chained in one option (`selectinload(A.b).joinedload(B.c)...`) that are read. */
const MAX_LOADER_CHAIN = 8;

interface LoopQuery {
  /** The model of the loop's rows: the query's entity, or for a nested loop the relationship's target. */
  model: OrmModel;
  root: Node;
  /** Eager-loaded relationship paths from the query's entity: `items`, `items.product`. */
  eager: Set<string>;
  joinedRelationships: Set<string>;
  joinedModels: Set<string>;
  /** For a nested loop, the relationships from the query's entity to the loop's rows, and the models along the way. */
  path: Array<{ model: OrmModel; relationship: string }>;
  /** Loader options not chained any further, by their path: a nested fix extends the one for its path. */
  loaderTops: Map<string, Node>;
  /** The `.options(...)` call of the query, where a nested fix adds its chain. */
  options: Node | undefined;
}

export function sqlalchemyNPlusOneRule(file: SourceFile, context: LintContext): CodeFinding[] {
  if (file.language !== 'python' || !file.imports.has('sqlalchemy')) return [];
  const findings: CodeFinding[] = [];
  for (const { loop, variable, iterable, body } of pythonLoops(file.root)) {
    const query = loop.type === 'for_statement' ? nestedLoopQuery(loop, context) : loopQuery(iterable, context);
    if (!query) continue;
    const prefix = query.path.map((step) => `${step.relationship}.`).join('');
    const reported = new Set<string>();
    for (const read of body.descendantsOfType('attribute')) {
      if (!read || read.childForFieldName('object')?.text !== variable.text) continue;
      const name = read.childForFieldName('attribute')?.text ?? '';
      const relationship = query.model.relationships.get(name);
      if (!relationship || reported.has(name) || !LAZY_LOADERS.has(relationship.lazy) || query.eager.has(prefix + name)) continue;
      reported.add(name);
      findings.push(nPlusOneFinding(file, read, query, name, context));
    }
  }
  return findings;
}

/**
 * The query of a `for` loop: its iterable's, or, for a loop over a collection of an enclosing
 * loop's row (`for item in order.items`), the enclosing loop's query with the path to this one.
 */
function nestedLoopQuery(loop: Node, context: LintContext): LoopQuery | undefined {
  const steps: string[] = [];
  let current = loop;
  for (let depth = 0; depth <= MAX_NESTING; depth++) {
    const iterable = current.childForFieldName('right');
    if (!iterable) return undefined;
    const query = loopQuery(iterable, context);
    if (query) return depth === 0 ? query : alongPath(query, steps.reverse(), context);
    const owner = iterable.type === 'attribute' ? iterable.childForFieldName('object') : null;
    const outer = owner?.type === 'identifier' ? enclosingLoopOver(current, owner.text) : undefined;
    if (!outer) return undefined;
    steps.push(iterable.childForFieldName('attribute')?.text ?? '');
    current = outer;
  }
  return undefined;
}

function enclosingLoopOver(node: Node, variable: string): Node | undefined {
  for (let current = node.parent; current && current.type !== 'function_definition'; current = current.parent) {
    if (current.type === 'for_statement' && current.childForFieldName('left')?.text === variable) return current;
  }
  return undefined;
}

/** The query followed along collections of its rows; undefined where a step is not a known collection. */
function alongPath(query: LoopQuery, steps: string[], context: LintContext): LoopQuery | undefined {
  let model = query.model;
  const path: LoopQuery['path'] = [];
  for (const name of steps) {
    const relationship = model.relationships.get(name);
    const target = relationship && context.models.model(relationship.target);
    if (!relationship || !target || !context.models.isCollection(model, relationship)) return undefined;
    path.push({ model, relationship: name });
    model = target;
  }
  return { ...query, model, path };
}

function relationshipName(target: Node): string {
  return target.type === 'attribute' ? (target.childForFieldName('attribute')?.text ?? '') : target.text.replace(/^['"]|['"]$/g, '');
}

/** The relationship path a loader option loads (`selectinload(A.b).joinedload(B.c)` -> `b.c`). */
function loaderPath(loader: Node): string {
  const names: string[] = [];
  let current: Node | null = loader;
  for (let i = 0; current && i < MAX_LOADER_CHAIN; i++) {
    const target = pythonCallArguments(current)?.positional[0];
    names.unshift(target ? relationshipName(target) : '');
    const callee: Node | null = current.childForFieldName('function');
    const inner: Node | null = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
    current = inner?.type === 'call' && EAGER_LOADERS.has(calleeName(inner)) ? inner : null;
  }
  return names.join('.');
}

function loopQuery(iterable: Node, context: LintContext): LoopQuery | undefined {
  const chain = expressionChain(iterable);
  for (const root of callsIn(chain, QUERY_ROOTS)) {
    const entity = pythonCallArguments(root)?.positional[0];
    const model = entity?.type === 'identifier' ? context.models.model(entity.text) : undefined;
    if (!model) continue;
    const eager = new Set<string>();
    const loaderTops = new Map<string, Node>();
    for (const loader of callsIn(chain, EAGER_LOADERS)) {
      const path = loaderPath(loader);
      eager.add(path);
      const parent = loader.parent;
      if (!(parent?.type === 'attribute' && parent.childForFieldName('object')?.id === loader.id)) loaderTops.set(path, loader);
    }
    const joinedRelationships = new Set<string>();
    const joinedModels = new Set<string>();
    for (const join of callsIn(chain, JOINS)) {
      const target = pythonCallArguments(join)?.positional[0];
      if (target?.type === 'attribute') joinedRelationships.add(target.childForFieldName('attribute')?.text ?? '');
      else if (target?.type === 'identifier') joinedModels.add(target.text);
    }
    return { model, root, eager, joinedRelationships, joinedModels, path: [], loaderTops, options: callsIn(chain, OPTIONS)[0] };
  }
  return undefined;
}

function nPlusOneFinding(file: SourceFile, read: Node, query: LoopQuery, name: string, context: LintContext): CodeFinding {
  if (query.path.length > 0) return nestedNPlusOneFinding(file, read, query, name, context);
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

/**
 * A lazy read in a loop nested over a collection: one query per inner row. The fix chains loaders
 * from the query's entity down to the relationship read (`selectinload(Order.items).joinedload(
 * OrderItem.product)`), extending the option already written for the path when there is one, or
 * added to the query's `.options(...)`.
 */
function nestedNPlusOneFinding(file: SourceFile, read: Node, query: LoopQuery, name: string, context: LintContext): CodeFinding {
  const relationship = query.model.relationships.get(name)!;
  const loader = context.models.isCollection(query.model, relationship) ? 'selectinload' : 'joinedload';
  const last = `${loader}(${query.model.name}.${name})`;
  const pathText = query.path.map((step) => step.relationship).join('.');
  const extended = query.loaderTops.get(pathText);
  const steps = query.path.map((step) => `selectinload(${step.model.name}.${step.relationship})`);
  const option = [...steps, last].join('.');
  const loaders = extended ? [loader] : [...new Set(['selectinload', loader])];
  const lastOption = query.options
    ?.childForFieldName('arguments')
    ?.namedChildren.filter((n): n is Node => n !== null)
    .at(-1);
  const edit: CodeEdit = extended
    ? insertAt(endOf(extended), `.${last}`)
    : lastOption
      ? insertAt(endOf(lastOption), `, ${option}`)
      : insertAt(endOf(query.root), `.options(${option})`);
  const edits: CodeEdit[] = [edit];
  const importEdit = importLoaderEdit(file.root, loaders);
  if (importEdit) edits.push(importEdit);
  // The chain names the models along the path: import them beside the query's entity.
  const entity = query.path[0].model.name;
  const modelsEdit = importModelsEdit(file.root, entity, [...query.path.slice(1).map((step) => step.model.name), query.model.name]);
  if (modelsEdit) edits.push(modelsEdit);
  const outer = query.path.map((step) => step.model.name);
  const chained = extended ? `${extended.text}.${last}` : option;
  return {
    code: 'sqlalchemy-n-plus-one',
    severity: 'warning',
    message: `${read.text} loads ${relationship.target} lazily (${relationship.lazy === 'select' ? 'the default lazy="select"' : `lazy=${relationship.lazy}`}) inside a loop over ${query.path.map((step) => `${step.model.name}.${step.relationship}`).join(' inside a loop over ')}: one more query for each ${query.model.name} of each ${outer.join(' of each ')} (N×M); eager-load the whole path with ${chained}.`,
    range: rangeOf(read),
    fixes: [{ title: `Eager-load ${[pathText, name].join('.')} with ${chained}`, edits }],
    perRowLookup: lazyLoadLookup(query.model, relationship.target, loader === 'selectinload', context),
  };
}

/** Adds the models to the `from ... import` that imports `beside`, unless the file imports or defines them already. */
function importModelsEdit(root: Node, beside: string, models: string[]): CodeEdit | undefined {
  const known = new Set<string>();
  let line: Node | undefined;
  for (const statement of root.namedChildren) {
    if (statement?.type === 'class_definition') known.add(statement.childForFieldName('name')?.text ?? '');
    if (statement?.type !== 'import_from_statement') continue;
    const names = statement.childrenForFieldName('name').filter((n): n is Node => n !== null);
    for (const name of names) known.add((name.type === 'aliased_import' ? name.childForFieldName('alias') : name)?.text ?? '');
    if (names.some((name) => name.text === beside)) line = names.at(-1);
  }
  const missing = [...new Set(models)].filter((model) => !known.has(model));
  return line && missing.length > 0 ? insertAt(endOf(line), missing.map((model) => `, ${model}`).join('')) : undefined;
}

/** Adds the loader to `from sqlalchemy.orm import ...`, or a new import line after the last import. */
export function importLoaderEdit(root: Node, loader: string | string[], module = 'sqlalchemy.orm'): CodeEdit | undefined {
  let lastImport: Node | undefined;
  let wanted = typeof loader === 'string' ? [loader] : loader;
  for (const statement of root.namedChildren) {
    if (!statement) continue;
    if (statement.type === 'import_statement' || statement.type === 'import_from_statement') lastImport = statement;
    if (statement.type !== 'import_from_statement' || statement.childForFieldName('module_name')?.text !== module) continue;
    const names = statement.childrenForFieldName('name').filter((n): n is Node => n !== null);
    const imported = new Set(names.map((n) => (n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text)));
    wanted = wanted.filter((name) => !imported.has(name));
    if (wanted.length === 0) return undefined;
    const last = names[names.length - 1];
    if (last) return insertAt(endOf(last), wanted.map((name) => `, ${name}`).join(''));
  }
  const line = lastImport ? lastImport.endPosition.row + 1 : 0;
  return insertAt({ line, column: 0 }, `from ${module} import ${wanted.join(', ')}\n`);
}

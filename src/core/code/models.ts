/**
 * The workspace index of SQLAlchemy declarative models: table, columns, and each relationship()
 * with its loader (`lazy=`) and direction. The N+1 rule asks it whether `product.category` is a
 * lazy relationship and whether it holds one row or a collection.
 */
import { pythonCallArguments, readValue } from './call-arguments';
import { calleeName, type SourceFile } from './source-file';
import type { Node } from './syntax';

export interface OrmRelationship {
  name: string;
  target: string;
  /** `select` (SQLAlchemy's default) unless `lazy=` says otherwise. */
  lazy: string;
  /** From `uselist=`, the `Mapped[list[...]]` annotation or `secondary=`; undefined: decided by foreign keys. */
  collection: boolean | undefined;
}

export interface OrmModel {
  name: string;
  path: string;
  table: string | undefined;
  columns: string[];
  relationships: Map<string, OrmRelationship>;
  /** Tables this model's ForeignKey columns point to. */
  foreignKeyTables: Set<string>;
  /** Each `ForeignKey("table.column")` column: what a lazy load filters by, to match it with recorded statements. */
  foreignKeys?: OrmForeignKey[];
}

export interface OrmForeignKey {
  /** The column's name in the table (the attribute name unless the Column names it). */
  column: string;
  table: string;
  targetColumn: string;
}

/** Loaders that read a relationship with one more query per parent object when it is first accessed. */
export const LAZY_LOADERS = new Set(['select', 'True', 'true']);

const COLUMN_FACTORIES = new Set(['Column', 'mapped_column']);
const COLLECTION_ANNOTATION = /^(?:Mapped|WriteOnlyMapped|DynamicMapped)\[\s*(?:typing\.)?(?:List|list|Set|set|Sequence|Collection)\[/;

export function extractModels(file: SourceFile): OrmModel[] {
  if (file.language !== 'python' || !file.imports.has('sqlalchemy')) return [];
  const models: OrmModel[] = [];
  for (const cls of file.root.descendantsOfType('class_definition')) {
    const body = cls?.childForFieldName('body');
    const name = cls?.childForFieldName('name')?.text;
    if (!cls || !body || !name) continue;
    const model: OrmModel = {
      name,
      path: file.path,
      table: undefined,
      columns: [],
      relationships: new Map(),
      foreignKeyTables: new Set(),
      foreignKeys: [],
    };
    for (const statement of body.namedChildren) {
      const assignment = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
      if (assignment?.type !== 'assignment') continue;
      readAssignment(assignment, model);
    }
    if (model.table !== undefined || model.relationships.size > 0) models.push(model);
  }
  return models;
}

function readAssignment(assignment: Node, model: OrmModel): void {
  const left = assignment.childForFieldName('left');
  const right = assignment.childForFieldName('right');
  if (left?.type !== 'identifier' || !right) return;
  if (left.text === '__tablename__') {
    const value = readValue(right);
    if (value.kind === 'string') model.table = value.value;
    return;
  }
  if (right.type !== 'call') return;
  const factory = calleeName(right);
  if (COLUMN_FACTORIES.has(factory)) {
    model.columns.push(left.text);
    for (const call of right.descendantsOfType('call')) {
      if (!call || calleeName(call) !== 'ForeignKey') continue;
      const target = pythonCallArguments(call)?.positional[0];
      const value = target ? readValue(target) : undefined;
      if (value?.kind === 'string') {
        const [table, targetColumn] = value.value.split('.').slice(-2);
        model.foreignKeyTables.add(table ?? value.value);
        const first = pythonCallArguments(right)?.positional[0];
        const named = first ? readValue(first) : undefined;
        const column = named?.kind === 'string' ? named.value : left.text;
        if (table && targetColumn) model.foreignKeys?.push({ column, table, targetColumn });
      } else if (value?.kind === 'name') model.foreignKeyTables.add(value.name.split('.').slice(-2, -1)[0] ?? value.name);
    }
    return;
  }
  if (factory !== 'relationship') return;
  const args = pythonCallArguments(right);
  const targetNode = args?.positional[0] ?? args?.settings.get('argument')?.valueNode;
  const target = targetNode ? readValue(targetNode) : undefined;
  const annotation = assignment.childForFieldName('type')?.text.replace(/\s+/g, '');
  const targetName =
    target?.kind === 'string' ? target.value : target?.kind === 'name' ? target.name : annotation?.match(/(\w+)["']?\]+$/)?.[1];
  if (!targetName || !args) return;
  const lazy = args.settings.get('lazy')?.value;
  const uselist = args.settings.get('uselist')?.value;
  let collection: boolean | undefined;
  if (uselist?.kind === 'boolean') collection = uselist.value;
  else if (annotation) collection = COLLECTION_ANNOTATION.test(annotation);
  else if (args.settings.has('secondary')) collection = true;
  model.relationships.set(left.text, {
    name: left.text,
    target: targetName.split('.').pop() ?? targetName,
    lazy: lazy?.kind === 'string' ? lazy.value : lazy?.kind === 'boolean' ? String(lazy.value) : lazy ? lazy.text : 'select',
    collection,
  });
}

/** Models by file, kept up to date one file at a time (on save, on change in the workspace). */
export class ModelIndex {
  private readonly byFile = new Map<string, OrmModel[]>();
  private byName: Map<string, OrmModel> | undefined;

  update(path: string, models: OrmModel[]): void {
    if (models.length === 0 && !this.byFile.has(path)) return;
    if (models.length === 0) this.byFile.delete(path);
    else this.byFile.set(path, models);
    this.byName = undefined;
  }

  remove(path: string): void {
    if (this.byFile.delete(path)) this.byName = undefined;
  }

  get size(): number {
    return this.names().size;
  }

  model(name: string): OrmModel | undefined {
    return this.names().get(name);
  }

  /** Many-to-one when this model holds a foreign key to the target's table; a collection otherwise. */
  isCollection(model: OrmModel, relationship: OrmRelationship): boolean {
    if (relationship.collection !== undefined) return relationship.collection;
    const table = this.model(relationship.target)?.table;
    return !(table !== undefined && model.foreignKeyTables.has(table));
  }

  private names(): Map<string, OrmModel> {
    if (!this.byName) {
      this.byName = new Map();
      for (const models of this.byFile.values())
        for (const model of models) if (!this.byName.has(model.name)) this.byName.set(model.name, model);
    }
    return this.byName;
  }
}

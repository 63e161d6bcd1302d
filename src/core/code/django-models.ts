/**
 * The workspace index of Django models: classes deriving from `models.Model` (directly or through
 * other model classes of the workspace, such as an abstract base), their database table, and
 * their relations in both directions: ForeignKey / OneToOneField / ManyToManyField as declared,
 * and the reverse accessors Django adds to the target (`related_name`, by default `<model>_set`).
 * The Django N+1 rule asks it whether `order.customer` or `order.items` reads another table.
 */
import { pythonCallArguments, readValue } from './call-arguments';
import { calleeName, type SourceFile } from './source-file';
import type { Node } from './syntax';

export type DjangoFieldKind = 'foreign-key' | 'one-to-one' | 'many-to-many';

export interface DjangoRelationField {
  name: string;
  kind: DjangoFieldKind;
  /** The target model's class name (`'shop.Category'` and `Category` both give `Category`; `'self'` stays). */
  target: string;
  /** `related_name=` as written (may hold `%(class)s`); undefined: Django's default accessor. */
  relatedName: string | undefined;
  /** `symmetrical=False` on a many-to-many to `'self'` gives it a reverse accessor. */
  symmetrical: boolean | undefined;
  /** `null=True`: `select_related()` without a field does not follow it. */
  nullable: boolean;
}

export interface DjangoModel {
  name: string;
  path: string;
  /** `Meta.app_label`, else the package holding models.py (or the models/ package). */
  app: string | undefined;
  /** `Meta.db_table` when given. */
  dbTable: string | undefined;
  abstract: boolean;
  /** The last name of each base class (`Model` for `models.Model`). */
  bases: string[];
  /** Names of the fields declared in the class body, relations included. */
  fields: string[];
  relations: DjangoRelationField[];
}

export type DjangoRelationKind = DjangoFieldKind | 'reverse-foreign-key' | 'reverse-one-to-one' | 'reverse-many-to-many';

/** A relation as read from an instance: `single` ones hold one object (select_related), the others a manager (prefetch_related). */
export interface DjangoRelation {
  name: string;
  kind: DjangoRelationKind;
  /** The model the relation reads. */
  target: string;
  single: boolean;
  /** The model and field declaring it (for a reverse accessor, the field on the other model). */
  declaredOn: string;
  field: string;
  nullable: boolean;
}

const RELATION_FIELDS = new Map<string, DjangoFieldKind>([
  ['ForeignKey', 'foreign-key'],
  ['OneToOneField', 'one-to-one'],
  ['ManyToManyField', 'many-to-many'],
]);

const REVERSE_KIND: Record<DjangoFieldKind, DjangoRelationKind> = {
  'foreign-key': 'reverse-foreign-key',
  'one-to-one': 'reverse-one-to-one',
  'many-to-many': 'reverse-many-to-many',
};

/** Base classes followed from a model to `models.Model`; deeper hierarchies are not models we index. */
const MAX_ANCESTORS = 8;

export function extractDjangoModels(file: SourceFile): DjangoModel[] {
  if (file.language !== 'python' || !file.imports.has('django')) return [];
  const models: DjangoModel[] = [];
  for (const cls of file.root.descendantsOfType('class_definition')) {
    const body = cls?.childForFieldName('body');
    const name = cls?.childForFieldName('name')?.text;
    if (!cls || !body || !name) continue;
    const bases = (cls.childForFieldName('superclasses')?.namedChildren ?? [])
      .filter((base): base is Node => base !== null && (base.type === 'identifier' || base.type === 'attribute'))
      .map((base) => base.text.split('.').pop()!);
    if (bases.length === 0) continue;
    const model: DjangoModel = {
      name,
      path: file.path,
      app: appOfPath(file.path),
      dbTable: undefined,
      abstract: false,
      bases,
      fields: [],
      relations: [],
    };
    for (const statement of body.namedChildren) {
      if (statement?.type === 'class_definition' && statement.childForFieldName('name')?.text === 'Meta') readMeta(statement, model);
      const assignment = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
      if (assignment?.type === 'assignment') readField(assignment, model);
    }
    models.push(model);
  }
  return models;
}

/** `shop` for `.../shop/models.py` and for `.../shop/models/orders.py`. */
function appOfPath(path: string): string | undefined {
  const parts = path.split(/[\\/]/);
  const file = parts.pop();
  if (parts[parts.length - 1] === 'models' && file !== undefined) parts.pop();
  return parts.pop() || undefined;
}

function readMeta(meta: Node, model: DjangoModel): void {
  for (const statement of meta.childForFieldName('body')?.namedChildren ?? []) {
    const assignment = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left')?.text : undefined;
    const right = assignment?.childForFieldName('right');
    if (!left || !right) continue;
    const value = readValue(right);
    if (left === 'abstract') model.abstract = value.kind === 'boolean' && value.value;
    else if (left === 'db_table' && value.kind === 'string') model.dbTable = value.value;
    else if (left === 'app_label' && value.kind === 'string') model.app = value.value;
  }
}

function readField(assignment: Node, model: DjangoModel): void {
  const left = assignment.childForFieldName('left');
  const right = assignment.childForFieldName('right');
  if (left?.type !== 'identifier' || right?.type !== 'call') return;
  const factory = calleeName(right);
  if (!factory.endsWith('Field') && !RELATION_FIELDS.has(factory)) return;
  model.fields.push(left.text);
  const kind = RELATION_FIELDS.get(factory);
  const args = kind ? pythonCallArguments(right) : undefined;
  const targetNode = args?.positional[0] ?? args?.settings.get('to')?.valueNode;
  if (!kind || !args || !targetNode) return;
  const target = readValue(targetNode);
  const targetName = target.kind === 'string' ? target.value : target.kind === 'name' ? target.name : undefined;
  if (!targetName) return;
  const relatedName = args.settings.get('related_name')?.value;
  const symmetrical = args.settings.get('symmetrical')?.value;
  const nullable = args.settings.get('null')?.value;
  model.relations.push({
    name: left.text,
    kind,
    target: targetName.split('.').pop()!,
    relatedName: relatedName?.kind === 'string' ? relatedName.value : undefined,
    symmetrical: symmetrical?.kind === 'boolean' ? symmetrical.value : undefined,
    nullable: nullable?.kind === 'boolean' && nullable.value,
  });
}

interface Resolved {
  models: Map<string, DjangoModel>;
  /** Relations readable from instances of each concrete model, by attribute name. */
  relations: Map<string, Map<string, DjangoRelation>>;
}

/** Models by file, kept up to date one file at a time; the relations of every model resolved on demand. */
export class DjangoModelIndex {
  private readonly byFile = new Map<string, DjangoModel[]>();
  private resolved: Resolved | undefined;

  update(path: string, models: DjangoModel[]): void {
    if (models.length === 0 && !this.byFile.has(path)) return;
    if (models.length === 0) this.byFile.delete(path);
    else this.byFile.set(path, models);
    this.resolved = undefined;
  }

  remove(path: string): void {
    if (this.byFile.delete(path)) this.resolved = undefined;
  }

  get size(): number {
    return this.resolve().relations.size;
  }

  /** A concrete Django model (not abstract, deriving from models.Model). */
  model(name: string): DjangoModel | undefined {
    const { models, relations } = this.resolve();
    return relations.has(name) ? models.get(name) : undefined;
  }

  relation(model: string, attribute: string): DjangoRelation | undefined {
    return this.resolve().relations.get(model)?.get(attribute);
  }

  /** Every relation readable from the model's instances, declared and reverse. */
  relations(model: string): DjangoRelation[] {
    return [...(this.resolve().relations.get(model)?.values() ?? [])];
  }

  /** Django's table name: `Meta.db_table`, else `<app label>_<model name in lower case>`. */
  table(model: DjangoModel): string {
    return model.dbTable ?? `${model.app ?? ''}_${model.name.toLowerCase()}`;
  }

  private resolve(): Resolved {
    if (this.resolved) return this.resolved;
    const models = new Map<string, DjangoModel>();
    for (const list of this.byFile.values()) for (const model of list) if (!models.has(model.name)) models.set(model.name, model);
    const relations = new Map<string, Map<string, DjangoRelation>>();
    const concrete: Array<{ model: DjangoModel; ancestors: DjangoModel[] }> = [];
    for (const model of models.values()) {
      const ancestors = ancestorsOf(model, models);
      if (!ancestors || model.abstract) continue;
      relations.set(model.name, new Map());
      concrete.push({ model, ancestors });
    }
    for (const { model, ancestors } of concrete) {
      const own = relations.get(model.name)!;
      for (const declaring of [model, ...ancestors]) {
        // An abstract base's fields are copied into the model; a concrete parent's stay the parent's (read through its table).
        const copied = declaring === model || declaring.abstract;
        const owner = copied ? model : declaring;
        for (const field of declaring.relations) {
          const target = field.target === 'self' ? owner.name : field.target;
          if (!own.has(field.name))
            own.set(field.name, {
              name: field.name,
              kind: field.kind,
              target,
              single: field.kind !== 'many-to-many',
              declaredOn: owner.name,
              field: field.name,
              nullable: field.nullable,
            });
          const reverse = copied ? reverseAccessor(field, model, target === model.name) : undefined;
          const reverseTarget = reverse ? relations.get(target) : undefined;
          if (reverse && reverseTarget && !reverseTarget.has(reverse))
            reverseTarget.set(reverse, {
              name: reverse,
              kind: REVERSE_KIND[field.kind],
              target: model.name,
              single: field.kind === 'one-to-one',
              declaredOn: model.name,
              field: field.name,
              nullable: field.nullable,
            });
        }
      }
    }
    this.resolved = { models, relations };
    return this.resolved;
  }
}

/** The model's base classes up to models.Model, nearest first; undefined when it is not a Django model. */
function ancestorsOf(model: DjangoModel, models: Map<string, DjangoModel>): DjangoModel[] | undefined {
  const ancestors: DjangoModel[] = [];
  let pending = [model];
  let isModel = false;
  for (let depth = 0; depth < MAX_ANCESTORS && pending.length > 0; depth++) {
    const next: DjangoModel[] = [];
    for (const current of pending) {
      for (const base of current.bases) {
        const parent = models.get(base);
        if (parent && parent !== model && !ancestors.includes(parent)) {
          ancestors.push(parent);
          next.push(parent);
        } else if (!parent && base === 'Model') {
          isModel = true;
        }
      }
    }
    pending = next;
  }
  return isModel ? ancestors : undefined;
}

/** `related_name` (with `%(class)s` and `%(app_label)s` filled in), else `<model>_set` or `<model>` for a one-to-one. */
function reverseAccessor(field: DjangoRelationField, model: DjangoModel, toSelf: boolean): string | undefined {
  if (field.kind === 'many-to-many' && toSelf && field.symmetrical !== false) return undefined;
  if (field.relatedName !== undefined) {
    if (field.relatedName.endsWith('+')) return undefined;
    return field.relatedName.replaceAll('%(class)s', model.name.toLowerCase()).replaceAll('%(app_label)s', model.app ?? '');
  }
  return field.kind === 'one-to-one' ? model.name.toLowerCase() : `${model.name.toLowerCase()}_set`;
}

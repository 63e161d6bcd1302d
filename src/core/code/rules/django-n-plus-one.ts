/**
 * Django N+1: a loop over a queryset (`Model.objects.filter(...)`, assigned then looped, or in a
 * comprehension) that reads a relation of each row issues one more query per row: a forward
 * ForeignKey / OneToOneField (`order.customer`) unless the queryset has `select_related`, a reverse
 * foreign key or many-to-many manager (`order.items.all()`) unless it has `prefetch_related`.
 * Chains (`item.product.category`, a loop over `order.items.all()` reading `item.product`) need the
 * `a__b` lookup. The fix adds the lookup to the queryset, merging into an existing call.
 */
import { pythonCallArguments, readValue } from '../call-arguments';
import type { LintContext } from '../context';
import { DjangoModelIndex, extractDjangoModels, type DjangoModel, type DjangoRelation } from '../django-models';
import { endOf, insertAt, rangeOf, type CodeEdit, type CodeFinding, type PerRowLookup } from '../findings';
import { enclosingScope, pythonLoops } from '../python-scope';
import type { SourceFile } from '../source-file';
import type { Node } from '../syntax';

/** QuerySet methods that give a queryset of model instances; any other (values(), get(), count()...) does not. */
const INSTANCE_QUERYSET_METHODS = new Set([
  'all',
  'filter',
  'exclude',
  'order_by',
  'select_related',
  'prefetch_related',
  'distinct',
  'reverse',
  'annotate',
  'alias',
  'only',
  'defer',
  'using',
  'select_for_update',
  'iterator',
  'complex_filter',
  'extra',
]);
/** Builtins that keep the rows: `list(queryset)`, `sorted(queryset, ...)`. */
const PASS_THROUGH = new Set(['list', 'tuple', 'sorted']);
/** A new select_related/prefetch_related goes after one of these (`Model.objects.all().select_related(...)`), else after `objects`. */
const INSERT_AFTER = new Set(['all', 'filter', 'exclude', 'order_by']);
/** Manager methods served from a prefetched cache; filter() and the like query again whatever was prefetched. */
const CACHED_MANAGER_METHODS = new Set(['all', 'count', 'exists']);
/** Calls, subscripts and assignments walked from a loop's iterable back to `Model.objects`. */
const MAX_STEPS = 32;
const MAX_HOPS = 4;
/** `Prefetch(queryset=...)` querysets read inside one another; deeper ones count as loading only their own lookup. */
const MAX_PREFETCH_NESTING = 3;

type EagerMethod = 'select_related' | 'prefetch_related';

interface Queryset {
  model: DjangoModel;
  manager: Node;
  /** Method calls on the manager, innermost first. */
  calls: Array<{ method: string; call: Node }>;
  /** Lookups already loaded by select_related and prefetch_related (`Prefetch(...)` objects included). */
  loaded: string[];
  /** `select_related()` with no field: every non-null forward relation is joined. */
  selectsAll: boolean;
}

interface Step {
  relation: DjangoRelation;
  /** The attribute read: `order.customer`, `order.items`. */
  node: Node;
}

interface Binding {
  model: string;
  /** The lookup from the queryset's model to this variable's model (`['items']` for `for item in order.items.all()`). */
  prefix: string[];
}

interface Read {
  node: Node;
  path: string[];
  method: EagerMethod;
  relation: DjangoRelation;
  /** The model holding the last relation of the path. */
  from: string;
}

export function djangoNPlusOneRule(file: SourceFile, context: LintContext): CodeFinding[] {
  // No import check: views and services reach models through `Model.objects` without importing django.
  if (file.language !== 'python') return [];
  let index = context.djangoModels;
  if (!index) {
    index = new DjangoModelIndex();
    index.update(file.path, extractDjangoModels(file));
  }
  const findings: CodeFinding[] = [];
  for (const { variable, iterable, body } of pythonLoops(file.root)) {
    const queryset = querysetOf(iterable, index);
    if (!queryset) continue;
    const reads = uncoveredReads(body, variable.text, queryset, index);
    const reported = new Set<string>();
    for (const read of reads) {
      const lookup = read.path.join('__');
      if (reported.has(lookup)) continue;
      reported.add(lookup);
      // One fix for a chain and its beginning: select_related('category__parent') also loads category.
      const widest = reads.find(
        (other) => other.method === read.method && extendsLookup(other.path.join('__'), lookup) && other.path.length > read.path.length,
      );
      findings.push(finding(read, (widest ?? read).path.join('__'), queryset, index));
    }
  }
  return findings;
}

function extendsLookup(lookup: string, prefix: string): boolean {
  return lookup === prefix || lookup.startsWith(`${prefix}__`);
}

/** Follows the iterable back to `Model.objects`, through method calls, slices, list() and assignments. */
function querysetOf(iterable: Node, index: DjangoModelIndex, nesting = 0): Queryset | undefined {
  const calls: Array<{ method: string; call: Node }> = [];
  let node: Node | null = iterable;
  let hops = 0;
  for (let step = 0; node && step < MAX_STEPS; step++) {
    if (node.type === 'parenthesized_expression') {
      node = node.namedChildren[0];
    } else if (node.type === 'subscript') {
      node = node.childForFieldName('value');
    } else if (node.type === 'call') {
      const callee = node.childForFieldName('function');
      if (callee?.type === 'identifier' && PASS_THROUGH.has(callee.text)) {
        node = pythonCallArguments(node)?.positional[0] ?? null;
      } else if (callee?.type === 'attribute') {
        const method = callee.childForFieldName('attribute')?.text ?? '';
        if (!INSTANCE_QUERYSET_METHODS.has(method)) return undefined;
        calls.unshift({ method, call: node });
        node = callee.childForFieldName('object');
      } else {
        return undefined;
      }
    } else if (node.type === 'attribute') {
      const owner = node.childForFieldName('object');
      const model =
        owner?.type === 'identifier' && node.childForFieldName('attribute')?.text === 'objects' ? index.model(owner.text) : undefined;
      return model ? eagerLoads({ model, manager: node, calls, loaded: [], selectsAll: false }, index, nesting) : undefined;
    } else if (node.type === 'identifier' && hops++ < MAX_HOPS) {
      node = assignedBefore(node);
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** The value last assigned to the name before this use, in its function (or module). */
function assignedBefore(use: Node): Node | null {
  let found: Node | null = null;
  for (const assignment of enclosingScope(use).descendantsOfType('assignment')) {
    if (!assignment || assignment.endIndex > use.startIndex || assignment.childForFieldName('left')?.text !== use.text) continue;
    found = assignment.childForFieldName('right');
  }
  return found;
}

/** Reads the lookups of select_related and prefetch_related; a lookup only known at run time leaves the queryset alone. */
function eagerLoads(queryset: Queryset, index: DjangoModelIndex, nesting: number): Queryset | undefined {
  for (const { method, call } of queryset.calls) {
    if (method !== 'select_related' && method !== 'prefetch_related') continue;
    const args = pythonCallArguments(call);
    if (!args || args.settings.size > 0) return undefined;
    if (method === 'select_related' && args.positional.length === 0) queryset.selectsAll = true;
    for (const arg of args.positional) {
      const value = readValue(arg);
      const lookups =
        arg.type === 'call' ? prefetchObjectLookups(arg, index, nesting) : value.kind === 'string' ? [value.value] : undefined;
      if (!lookups) return undefined;
      queryset.loaded.push(...lookups);
    }
  }
  return queryset;
}

/**
 * `Prefetch('items', queryset=OrderItem.objects.select_related('product'))` loads `items` and
 * `items__product`; with `to_attr='x'` the last part lands on `x` instead.
 */
function prefetchObjectLookups(call: Node, index: DjangoModelIndex, nesting: number): string[] | undefined {
  const args = pythonCallArguments(call);
  const callee = call.childForFieldName('function')?.text.split('.').pop();
  const lookupNode = args?.positional[0] ?? args?.settings.get('lookup')?.valueNode;
  const lookup = lookupNode ? readValue(lookupNode) : undefined;
  if (callee !== 'Prefetch' || lookup?.kind !== 'string') return undefined;
  const toAttr = args?.settings.get('to_attr')?.value;
  if (toAttr && toAttr.kind !== 'string') return undefined;
  const loaded = toAttr ? [...lookup.value.split('__').slice(0, -1), toAttr.value].join('__') : lookup.value;
  const inner = args?.settings.get('queryset')?.valueNode;
  const nested = inner && nesting < MAX_PREFETCH_NESTING ? querysetOf(inner, index, nesting + 1) : undefined;
  if (inner && !nested) return [loaded];
  return [loaded, ...(nested?.loaded ?? []).map((l) => `${loaded}__${l}`)];
}

/** The relation reads in the loop body (and in loops nested over the rows' managers) that the queryset does not load. */
function uncoveredReads(body: Node, variable: string, queryset: Queryset, index: DjangoModelIndex): Read[] {
  const bindings = new Map<string, Binding>([[variable, { model: queryset.model.name, prefix: [] }]]);
  // Inner loops first: a comprehension's body comes before its for clause.
  for (const loop of body.descendantsOfType(['for_statement', 'for_in_clause'])) if (loop) bindInnerLoop(loop, bindings, index);
  const reads: Read[] = [];
  for (const node of body.descendantsOfType('attribute')) {
    if (!node) continue;
    const owner = node.childForFieldName('object');
    const binding = owner?.type === 'identifier' ? bindings.get(owner.text) : undefined;
    if (!binding) continue;
    const steps = readSteps(node, binding.model, index);
    if (steps.length === 0) continue;
    const path = [...binding.prefix, ...steps.map((s) => s.relation.name)];
    // After select_related() with no field, naming one would load only that one: prefetch instead.
    const single = binding.prefix.length === 0 && steps.every((s) => s.relation.single) && !queryset.selectsAll;
    const uncovered = steps.some((_, i) => !covered(queryset, path.slice(0, binding.prefix.length + i + 1), steps.slice(0, i + 1)));
    if (!uncovered) continue;
    const last = steps[steps.length - 1];
    reads.push({
      node: last.node,
      path,
      method: single ? 'select_related' : 'prefetch_related',
      relation: last.relation,
      from: steps.length > 1 ? steps[steps.length - 2].relation.target : binding.model,
    });
  }
  return reads;
}

/** `for item in order.items.all():` inside the loop over orders: `item` is an OrderItem reached by `items`. */
function bindInnerLoop(loop: Node, bindings: Map<string, Binding>, index: DjangoModelIndex): void {
  const variable = loop.childForFieldName('left');
  let iterable = loop.childForFieldName('right');
  if (variable?.type !== 'identifier' || iterable?.type !== 'call') return;
  const method = iterable.childForFieldName('function');
  iterable = method?.type === 'attribute' ? method.childForFieldName('object') : null;
  let first = iterable;
  while (first?.type === 'attribute' && first.childForFieldName('object')?.type === 'attribute') first = first.childForFieldName('object');
  const owner = first?.childForFieldName('object');
  const binding = owner?.type === 'identifier' ? bindings.get(owner.text) : undefined;
  if (!first || !binding) return;
  const steps = readSteps(first, binding.model, index);
  const last = steps[steps.length - 1];
  if (!last || last.relation.single || last.node.id !== iterable?.id) return;
  bindings.set(variable.text, { model: last.relation.target, prefix: [...binding.prefix, ...steps.map((s) => s.relation.name)] });
}

/**
 * The relations read by `row.a.b...` from its first attribute: one-object relations as long as
 * they go, and a manager read through its cache (`row.items.all()`) as the last one.
 */
function readSteps(first: Node, model: string, index: DjangoModelIndex): Step[] {
  const steps: Step[] = [];
  let node: Node | null = first;
  let current = model;
  while (node?.type === 'attribute') {
    const relation = index.relation(current, node.childForFieldName('attribute')?.text ?? '');
    if (!relation) break;
    const parent: Node | null = node.parent;
    const chained: Node | null = parent?.type === 'attribute' && parent.childForFieldName('object')?.id === node.id ? parent : null;
    if (!relation.single) {
      const method = chained?.childForFieldName('attribute')?.text;
      const called = chained?.parent?.type === 'call' && chained.parent.childForFieldName('function')?.id === chained.id;
      if (method && called && CACHED_MANAGER_METHODS.has(method)) steps.push({ relation, node });
      break;
    }
    // Assigning `row.customer = ...` sets the relation without reading it.
    if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === node.id) break;
    steps.push({ relation, node });
    current = relation.target;
    node = chained;
  }
  return steps;
}

function covered(queryset: Queryset, path: string[], steps: Step[]): boolean {
  const lookup = path.join('__');
  if (queryset.loaded.some((loaded) => extendsLookup(loaded, lookup))) return true;
  // select_related() with no field follows every non-null forward foreign key and one-to-one, however deep.
  return (
    queryset.selectsAll &&
    path.length === steps.length &&
    steps.every((s) => (s.relation.kind === 'foreign-key' || s.relation.kind === 'one-to-one') && !s.relation.nullable)
  );
}

function finding(read: Read, lookup: string, queryset: Queryset, index: DjangoModelIndex): CodeFinding {
  const model = queryset.model.name;
  const { relation } = read;
  const what = `${read.node.text} runs one more query for each ${read.from} to read its ${relation.target}${relation.single ? '' : ' rows'} (${relationLabel(relation, read.from)})`;
  // Before Django 4.1 iterator() skips prefetch_related; from 4.1 it prefetches per chunk_size rows only.
  const iterated = read.method === 'prefetch_related' && queryset.calls.some((c) => c.method === 'iterator');
  const how =
    read.method === 'select_related'
      ? `.select_related('${lookup}') joins it into the queryset's query`
      : iterated
        ? `.prefetch_related('${lookup}') does not apply to iterator() before Django 4.1 and needs iterator(chunk_size=...) after; load the rows with list() or read them in one query per chunk`
        : `.prefetch_related('${lookup}') reads them for all rows with one more query per level`;
  return {
    code: 'django-n-plus-one',
    severity: 'warning',
    message: `${what}: N+1 in this loop over ${model} rows; ${how}.`,
    range: rangeOf(read.node),
    perRowLookup: perRowLookup(read.relation, index),
    fixes: iterated
      ? []
      : [{ title: `Load ${lookup} with ${read.method}('${lookup}')`, edits: [lookupEdit(queryset, read.method, lookup)] }],
  };
}

/**
 * What Django's per-row read selects by, for matching the statements a recording saw: a forward
 * foreign key or one-to-one reads the target row by its primary key (Django's default `id`), a
 * reverse accessor reads the declaring model's rows by its `<field>_id` column. A many-to-many
 * read joins its through table, so no single-table lookup describes it.
 */
function perRowLookup(relation: DjangoRelation, index: DjangoModelIndex): PerRowLookup | undefined {
  if (relation.kind === 'foreign-key' || relation.kind === 'one-to-one') {
    const target = index.model(relation.target);
    return target && { table: index.table(target), column: 'id' };
  }
  if (relation.kind === 'reverse-foreign-key' || relation.kind === 'reverse-one-to-one') {
    const declaring = index.model(relation.declaredOn);
    return declaring && { table: index.table(declaring), column: `${relation.field}_id` };
  }
  return undefined;
}

export function relationLabel(relation: DjangoRelation, from: string): string {
  switch (relation.kind) {
    case 'foreign-key':
      return `ForeignKey ${from}.${relation.name}`;
    case 'one-to-one':
      return `OneToOneField ${from}.${relation.name}`;
    case 'many-to-many':
      return `ManyToManyField ${from}.${relation.name}`;
    default:
      return `reverse accessor of ${relation.declaredOn}.${relation.field}`;
  }
}

/** Adds the lookup to the queryset's last call of that method, or a new call after the manager's first filter. */
function lookupEdit(queryset: Queryset, method: EagerMethod, lookup: string): CodeEdit {
  const quote = quoteOf(queryset);
  const literal = `${quote}${lookup}${quote}`;
  const existing = queryset.calls.filter((c) => c.method === method).pop();
  const args = existing ? pythonCallArguments(existing.call) : undefined;
  const last = args?.positional[args.positional.length - 1];
  // select_related() without a field loads every forward relation; naming one would load only that one.
  if (last) return insertAt(endOf(last), `, ${literal}`);
  if (args && method === 'prefetch_related') return insertAt(endOf(args.container.firstChild!), literal);
  const first = queryset.calls[0];
  const after = first && INSERT_AFTER.has(first.method) ? first.call : queryset.manager;
  return insertAt(endOf(after), `.${method}(${literal})`);
}

/** The quote the queryset's own string arguments use (`order_by("id")`), single quotes when it has none. */
function quoteOf(queryset: Queryset): string {
  for (const { call } of queryset.calls) {
    const string = call.childForFieldName('arguments')?.namedChildren.find((arg) => arg?.type === 'string');
    const quote = string?.text.at(-1);
    if (quote === '"' || quote === "'") return quote;
  }
  return "'";
}

/**
 * Hovers for Django code: over a relation field of a model, what reading it costs from each side
 * (the column, the reverse accessor, select_related or prefetch_related); over select_related and
 * prefetch_related, what each loads and when it is the right one.
 */
import type { DjangoModelIndex } from './django-models';
import type { CodeHover } from './hovers';
import { relationLabel } from './rules/django-n-plus-one';
import type { SourceFile } from './source-file';
import type { Node } from './syntax';

const EAGER_METHODS = new Map([
  [
    'select_related',
    'Joins the named forward ForeignKey and OneToOneField relations (and reverse one-to-one ones) into the queryset’s SQL, so `row.customer` reads no more rows. ' +
      '`a__b` follows a chain. Without a field it follows every non-null foreign key. It cannot load a manager (`row.items`): use prefetch_related for those.',
  ],
  [
    'prefetch_related',
    'Loads the named managers (reverse foreign keys, many-to-many) of all rows with one more query per lookup after the queryset’s own, and serves `row.items.all()` from that cache. ' +
      '`items__product` continues through the loaded rows; `Prefetch("items", queryset=...)` filters or orders them. A `filter()` on the manager queries again.',
  ],
]);

/** No import check, as in the N+1 rule: a view reaches the models without importing django. */
export function djangoHover(file: Pick<SourceFile, 'root'>, index: DjangoModelIndex, line: number, column: number): CodeHover | undefined {
  let node: Node | null = file.root.descendantForPosition({ row: line, column });
  const method = node?.type === 'identifier' && node.parent?.type === 'attribute' ? EAGER_METHODS.get(node.text) : undefined;
  if (node && method) return { markdown: `**${node.text}** (Django QuerySet)\n\n${method}`, node };
  while (node && node.type !== 'assignment' && node.type !== 'class_definition') node = node.parent;
  const left = node?.type === 'assignment' ? node.childForFieldName('left') : undefined;
  let cls = node?.parent;
  while (cls && cls.type !== 'class_definition') cls = cls.parent;
  const model = cls?.childForFieldName('name')?.text;
  const relation = model && left ? index.relation(model, left.text) : undefined;
  const declared = model ? index.model(model) : undefined;
  if (!node || !model || !relation || !declared || relation.kind.startsWith('reverse')) return undefined;
  const variable = model.toLowerCase();
  const lines = [`**${model}.${relation.name}**: ${relationLabel(relation, model)} to ${relation.target}`];
  if (relation.single) {
    lines.push(
      `Column \`${relation.name}_id\` of table \`${index.table(declared)}\`: \`${variable}.${relation.name}_id\` reads no other table, ` +
        `\`${variable}.${relation.name}\` queries ${relation.target} the first time on each ${model}. ` +
        `In a loop over a queryset, \`.select_related('${relation.name}')\` joins it into the same query.`,
    );
  } else {
    lines.push(
      `\`${variable}.${relation.name}.all()\` queries ${relation.target} through the join table on each ${model}. ` +
        `In a loop over a queryset, \`.prefetch_related('${relation.name}')\` reads them for all rows in one more query.`,
    );
  }
  const reverse = index
    .relations(relation.target)
    .find((r) => r.kind.startsWith('reverse') && r.declaredOn === model && r.field === relation.name);
  if (reverse) {
    const from = relation.target.toLowerCase();
    lines.push(
      reverse.single
        ? `From ${relation.target}: \`${from}.${reverse.name}\` reads the ${model} (\`.select_related('${reverse.name}')\` in a loop).`
        : `From ${relation.target}: \`${from}.${reverse.name}.all()\` reads the ${model} rows (\`.prefetch_related('${reverse.name}')\` in a loop).`,
    );
  }
  return { markdown: lines.join('\n\n'), node };
}

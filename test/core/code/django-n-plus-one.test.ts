/**
 * The Django model index and N+1 rule on the sample Django shop (test/code/apps/django_shop) and on
 * small programs: what is flagged, the quick fix's text, and the correct forms left alone.
 */
import assert from 'node:assert/strict';
import { djangoHover } from '../../../src/core/code/django-hovers';
import { DjangoModelIndex } from '../../../src/core/code/django-models';
import { checkCode } from '../../../src/core/code/lint';
import { ModelIndex } from '../../../src/core/code/models';
import { importedModules } from '../../../src/core/code/source-file';
import type { CodeParsers } from '../../../src/core/code/syntax';
import { loadCodeParsers } from '../../../src/host/grammar-files';
import { applyEdits, lintApp, lintText } from '../../support/code-apps';
import { indexedDjangoModels } from '../../support/django-apps';

const at = (findings: Array<{ code: string; range: { start: { line: number } } }>) =>
  findings.map((f) => `${f.range.start.line + 1}:${f.code}`);

/** The shop's models under a path of their own, for programs checked against them. */
const SHOP_MODELS = `from django.db import models

class Audited(models.Model):
    created_by = models.ForeignKey("shop.Customer", null=True, on_delete=models.SET_NULL, related_name="%(class)s_created")
    class Meta:
        abstract = True

class Customer(models.Model):
    name = models.CharField(max_length=100)

class Category(Audited):
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, on_delete=models.SET_NULL, related_name="children")
    editors = models.ManyToManyField(Customer, related_name="+")

class Product(Audited):
    name = models.CharField(max_length=100)
    category = models.ForeignKey(Category, on_delete=models.CASCADE)
    similar = models.ManyToManyField("self")
`;

describe('Django models and N+1', () => {
  let parsers: CodeParsers;
  let shop: DjangoModelIndex;
  const models = new ModelIndex();

  before(async () => {
    parsers = await loadCodeParsers();
    shop = indexedDjangoModels(parsers);
  });

  function index(text: string, path = '/site/shop/models.py'): DjangoModelIndex {
    const result = checkCode(parsers, path, 'python', text, 'models');
    assert.ok(result.parsed);
    const built = new DjangoModelIndex();
    built.update(path, result.djangoModels);
    return built;
  }

  function lint(text: string, djangoModels = index(SHOP_MODELS)) {
    const result = lintText(parsers, '/site/shop/views.py', text, { models, djangoModels });
    assert.ok(result.parsed);
    return result.findings.filter((f) => f.code === 'django-n-plus-one');
  }

  describe('the model index', () => {
    it('reads the sample shop: tables, forward relations and the reverse accessors Django adds', () => {
      assert.deepEqual(
        ['Category', 'Product', 'Order', 'OrderItem', 'Profile'].map((name) => shop.table(shop.model(name)!)),
        ['shop_category', 'shop_product', 'shop_orders', 'shop_orderitem', 'shop_profile'],
      );
      assert.equal(shop.model('Named'), undefined, 'an abstract base is not queried');
      const relation = (model: string, name: string) => {
        const r = shop.relation(model, name);
        return r && `${r.kind} ${r.target} ${r.single ? 'single' : 'manager'}`;
      };
      assert.deepEqual(
        [
          relation('Product', 'category'),
          relation('Category', 'products'),
          relation('Category', 'parent'),
          relation('Category', 'children'),
          relation('Product', 'tags'),
          relation('Tag', 'products'),
          relation('Order', 'customer'),
          relation('Customer', 'order_set'),
          relation('Customer', 'profile'),
          relation('Profile', 'customer'),
          relation('Order', 'items'),
        ],
        [
          'foreign-key Category single',
          'reverse-foreign-key Product manager',
          'foreign-key Category single',
          'reverse-foreign-key Category manager',
          'many-to-many Tag manager',
          'reverse-many-to-many Product manager',
          'foreign-key Customer single',
          'reverse-foreign-key Order manager',
          'reverse-one-to-one Profile single',
          'one-to-one Customer single',
          'reverse-foreign-key OrderItem manager',
        ],
      );
      assert.equal(shop.relation('Product', 'category_id'), undefined, 'the column is not a relation');
      assert.equal(shop.relation('Product', 'price'), undefined);
      assert.ok(shop.model('Category')!.fields.includes('parent'));
    });

    it('copies an abstract base’s relations into each model, with %(class)s filled in; related_name "+" and symmetrical self have no accessor', () => {
      const built = index(SHOP_MODELS);
      assert.equal(built.relation('Product', 'created_by')?.target, 'Customer');
      assert.equal(built.relation('Customer', 'product_created')?.target, 'Product');
      assert.equal(built.relation('Customer', 'category_created')?.target, 'Category');
      assert.equal(built.relation('Category', 'editors')?.kind, 'many-to-many');
      assert.deepEqual(
        built
          .relations('Customer')
          .map((r) => r.name)
          .sort(),
        ['category_created', 'product_created'],
      );
      assert.equal(built.relation('Product', 'similar')?.target, 'Product');
      assert.equal(built.relation('Product', 'product_set'), undefined);
    });

    it('reads a concrete parent’s relations through the child, with the reverse accessor named after the parent', () => {
      const built = index(`from django.db import models
class Owner(models.Model):
    name = models.CharField(max_length=10)
class Place(models.Model):
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE)
class Restaurant(Place):
    serves_pizza = models.BooleanField(default=False)
`);
      const owner = built.relation('Restaurant', 'owner')!;
      assert.deepEqual([owner.kind, owner.target, owner.declaredOn], ['foreign-key', 'Owner', 'Place']);
      assert.deepEqual(
        built.relations('Owner').map((r) => `${r.name} ${r.target}`),
        ['place_set Place'],
      );
    });

    it('takes the app label from a models/ package or Meta, and leaves classes that are not models out', () => {
      const built = index(
        `from django import forms
from django.db import models
class Base(models.Model):
    class Meta:
        abstract = True
class Invoice(Base):
    number = models.IntegerField()
class Payment(Base):
    invoice = models.ForeignKey(to=Invoice, on_delete=models.CASCADE)
    class Meta:
        app_label = "billing"
class InvoiceForm(forms.ModelForm):
    class Meta:
        model = Invoice
`,
        '/site/accounts/models/invoices.py',
      );
      assert.equal(built.table(built.model('Invoice')!), 'accounts_invoice');
      assert.equal(built.table(built.model('Payment')!), 'billing_payment');
      assert.equal(built.relation('Invoice', 'payment_set')?.target, 'Payment');
      assert.equal(built.model('InvoiceForm'), undefined);
      assert.equal(built.size, 2);
    });
  });

  describe('the sample shop', () => {
    function check(file: string) {
      const { text, findings } = lintApp(parsers, `django_shop/${file}`, { models, djangoModels: shop });
      return { text, findings, fixed: (i = 0) => applyEdits(text, findings[i].fixes[0].edits) };
    }
    const clean = (text: string) => lintText(parsers, '/shop/fixed.py', text, { models, djangoModels: shop }).findings;

    it('a forward foreign key read in the loop: select_related on the queryset, in the file’s quotes', () => {
      const { findings, fixed } = check('category_report.py');
      assert.deepEqual(at(findings), ['9:django-n-plus-one']);
      assert.match(
        findings[0].message,
        /^product\.category runs one more query for each Product to read its Category \(ForeignKey Product\.category\)/,
      );
      assert.match(findings[0].message, /\.select_related\('category'\)/);
      assert.deepEqual(
        [findings[0].range.start, findings[0].range.end],
        [
          { line: 8, column: 28 },
          { line: 8, column: 44 },
        ],
      );
      assert.equal(findings[0].fixes[0].title, "Load category with select_related('category')");
      assert.match(fixed(), /for product in Product\.objects\.order_by\("id"\)\.select_related\("category"\):/);
      assert.deepEqual(clean(fixed()), []);
    });

    it('a reverse foreign key manager read through a generator: prefetch_related', () => {
      const { findings, fixed } = check('order_report.py');
      assert.deepEqual(at(findings), ['10:django-n-plus-one']);
      assert.match(
        findings[0].message,
        /^order\.items runs one more query for each Order to read its OrderItem rows \(reverse accessor of OrderItem\.order\)/,
      );
      assert.match(fixed(), /orders = Order\.objects\.filter\(number__gte=0\)\.prefetch_related\("items"\)\.order_by\("number"\)/);
      assert.deepEqual(clean(fixed()), []);
    });

    it('a loop over each order’s items reading item.product: one prefetch_related("items__product") for both', () => {
      const { findings, fixed } = check('item_report.py');
      assert.deepEqual(at(findings), ['9:django-n-plus-one', '10:django-n-plus-one']);
      assert.deepEqual(
        findings.map((f) => f.fixes[0].title),
        ["Load items__product with prefetch_related('items__product')", "Load items__product with prefetch_related('items__product')"],
      );
      assert.match(findings[1].message, /^item\.product runs one more query for each OrderItem to read its Product/);
      assert.match(fixed(1), /Order\.objects\.order_by\("number"\)\.prefetch_related\("items__product"\)/);
      assert.deepEqual(clean(fixed(0)), []);
    });

    it('a many-to-many read in a comprehension', () => {
      const { findings, fixed } = check('tag_report.py');
      assert.deepEqual(at(findings), ['8:django-n-plus-one']);
      assert.match(findings[0].message, /ManyToManyField Product\.tags/);
      assert.match(fixed(), /for p in Product\.objects\.all\(\)\.prefetch_related\("tags"\)\.order_by\("id"\)\]/);
      assert.deepEqual(clean(fixed()), []);
    });

    it('a chain past the joined relation: select_related("category__parent") merged into the existing call', () => {
      const { findings, fixed } = check('department_report.py');
      assert.deepEqual(at(findings), ['10:django-n-plus-one']);
      assert.equal(findings[0].range.start.column, 17);
      assert.match(findings[0].message, /^product\.category\.parent runs one more query for each Category/);
      assert.match(fixed(), /Product\.objects\.select_related\("category", "category__parent"\)\.order_by\("id"\)/);
      assert.deepEqual(clean(fixed()), []);
    });

    it('a reverse one-to-one (select_related) and the default <model>_set accessor (prefetch_related) in one loop', () => {
      const { text, findings } = check('customer_report.py');
      assert.deepEqual(
        findings.map((f) => f.fixes[0].title),
        ["Load profile with select_related('profile')", "Load order_set with prefetch_related('order_set')"],
      );
      const fixed = applyEdits(
        text,
        findings.flatMap((f) => f.fixes[0].edits),
      );
      assert.match(fixed, /Customer\.objects\.order_by\("name"\)\.select_related\("profile"\)\.prefetch_related\("order_set"\)/);
      assert.deepEqual(clean(fixed), []);
    });

    it('leaves the correct forms alone: select_related and prefetch_related (Prefetch objects, a__b), values(), the _id column', () => {
      assert.deepEqual(check('eager_report.py').findings, []);
    });
  });

  describe('programs', () => {
    it('follows the queryset through assignments and list(), and merges into an empty prefetch_related()', () => {
      const text = `from shop.models import Category

def tree():
    roots = Category.objects.filter(parent=None).prefetch_related()
    ordered = list(roots.order_by("name")[:10])
    for root in ordered:
        print([child.name for child in root.children.all()], root.children.count())
`;
      const findings = lint(text);
      assert.deepEqual(at(findings), ['7:django-n-plus-one']);
      assert.match(applyEdits(text, findings[0].fixes[0].edits), /\.prefetch_related\("children"\)\n/);
    });

    it('a relation from an abstract base, and a select_related on the manager when the queryset has no filter', () => {
      const text = `from shop.models import Product

def owners():
    return {p.name: p.created_by.name for p in Product.objects.iterator()}
`;
      const findings = lint(text);
      assert.deepEqual(at(findings), ['4:django-n-plus-one']);
      assert.match(applyEdits(text, findings[0].fixes[0].edits), /Product\.objects\.select_related\('created_by'\)\.iterator\(\)/);
    });

    it('a manager read in a loop over iterator(): explained, without a prefetch_related fix that iterator() would skip', () => {
      const text = 'from shop.models import Category\nfor c in Category.objects.iterator():\n    print(c.parent_id, c.children.count())\n';
      const [found, ...others] = lint(text);
      assert.deepEqual(others, []);
      assert.match(found.message, /does not apply to iterator\(\) before Django 4\.1/);
      assert.deepEqual(found.fixes, []);
    });

    it('a one-object chain reached in one read: select_related("category__parent")', () => {
      const text = `from shop.models import Product
for p in Product.objects.all():
    print(p.category.name, p.category.parent.name)
`;
      const findings = lint(text);
      // Both reads get the one lookup that loads the whole chain.
      assert.deepEqual(
        findings.map((f) => `${f.range.start.column}:${f.fixes[0].title}`),
        [
          "10:Load category__parent with select_related('category__parent')",
          "27:Load category__parent with select_related('category__parent')",
        ],
      );
    });

    it('select_related() without a field does not follow nullable foreign keys: those are prefetched, keeping the others joined', () => {
      const text =
        'from shop.models import Product\nfor p in Product.objects.select_related():\n    print(p.category.name, p.created_by.name)\n';
      const findings = lint(text);
      assert.deepEqual(
        findings.map((f) => f.fixes[0].title),
        ["Load created_by with prefetch_related('created_by')"],
      );
      assert.match(applyEdits(text, findings[0].fixes[0].edits), /Product\.objects\.prefetch_related\('created_by'\)\.select_related\(\)/);
    });

    it('does not flag what the queryset loads, what is not a relation, or what cannot be known', () => {
      const quiet = [
        'for p in Product.objects.select_related("category"):\n    print(p.category.name)',
        'for p in Product.objects.select_related("category__parent"):\n    print(p.category.name, p.category.parent.name)',
        'for p in Product.objects.select_related():\n    print(p.category.name)',
        'for p in Product.objects.prefetch_related("category"):\n    print(p.category.name)',
        'for c in Category.objects.prefetch_related(Prefetch("children", queryset=Category.objects.select_related("created_by"))):\n    print([k.created_by.name for k in c.children.all()])',
        'for p in Product.objects.all():\n    print(p.category_id, p.name, p.pk)',
        'for p in Product.objects.values("category__name"):\n    print(p["category__name"])',
        'for p in Product.objects.filter(name="x").values_list("category", flat=True):\n    print(p)',
        'for p in Product.objects.select_related(*LOOKUPS):\n    print(p.category.name)',
        'for p in Product.objects.all():\n    p.category = None',
        'for c in Category.objects.all():\n    print(c.children.filter(name="x").first())',
        'for p in products:\n    print(p.category.name)',
        'for w in Widget.objects.all():\n    print(w.category.name)',
        'p = Product.objects.get(pk=1)\nprint(p.category.name)',
      ];
      for (const body of quiet) assert.deepEqual(lint(`from shop.models import Product, Category\n${body}\n`), [], body);
    });

    it('sees the models of the checked file when no workspace index is given', () => {
      const text = `${SHOP_MODELS}\nfor p in Product.objects.all():\n    print(p.category.name)\n`;
      const result = lintText(parsers, '/site/shop/models.py', text, { models });
      assert.deepEqual(
        result.findings.map((f) => f.code),
        ['django-n-plus-one'],
      );
    });
  });

  describe('hovers', () => {
    function hoverAt(text: string, needle: string, built: DjangoModelIndex) {
      const tree = parsers.parse('python', text);
      try {
        const lines = text.split('\n');
        const line = lines.findIndex((l) => l.includes(needle));
        const file = { root: tree.rootNode, imports: importedModules('python', tree.rootNode) };
        return djangoHover(file, built, line, lines[line].indexOf(needle) + 1)?.markdown;
      } finally {
        tree.delete();
      }
    }

    it('explains a foreign key: its column and table, the cost of reading it, and the reverse accessor', () => {
      const markdown = hoverAt(SHOP_MODELS, 'category = models.ForeignKey', index(SHOP_MODELS))!;
      assert.match(markdown, /^\*\*Product\.category\*\*: ForeignKey Product\.category to Category/);
      assert.match(markdown, /Column `category_id` of table `shop_product`: `product\.category_id` reads no other table/);
      assert.match(markdown, /`\.select_related\('category'\)`/);
      assert.match(
        markdown,
        /From Category: `category\.product_set\.all\(\)` reads the Product rows \(`\.prefetch_related\('product_set'\)` in a loop\)/,
      );
    });

    it('explains a many-to-many field and select_related / prefetch_related in a queryset', () => {
      assert.match(
        hoverAt(SHOP_MODELS, 'editors =', index(SHOP_MODELS))!,
        /`category\.editors\.all\(\)` queries Customer through the join table/,
      );
      const view = 'from shop.models import Product\nrows = Product.objects.select_related("category").prefetch_related("tags")\n';
      assert.match(
        hoverAt(view, 'select_related', shop)!,
        /^\*\*select_related\*\* \(Django QuerySet\)\n\nJoins the named forward ForeignKey/,
      );
      assert.match(hoverAt(view, 'prefetch_related', shop)!, /one more query per lookup/);
      assert.equal(hoverAt(SHOP_MODELS, 'name = models.CharField', index(SHOP_MODELS)), undefined);
    });
  });
});

import assert from 'node:assert/strict';
import { poolSettingHover } from '../../../src/core/code/hovers';
import { checkCode } from '../../../src/core/code/lint';
import { ModelIndex } from '../../../src/core/code/models';
import { importedModules } from '../../../src/core/code/source-file';
import type { CodeParsers } from '../../../src/core/code/syntax';
import { loadCodeParsers } from '../../../src/host/grammar-files';
import { applyEdits, indexedModels, lintApp, lintText, SMALL_SERVER } from '../../support/code-apps';

const codes = (findings: Array<{ code: string; range: { start: { line: number } } }>) =>
  findings.map((f) => `${f.range.start.line + 1}:${f.code}`);

describe('application code rules on the sample applications', () => {
  let parsers: CodeParsers;
  let models: ModelIndex;

  before(async () => {
    parsers = await loadCodeParsers();
    models = indexedModels(parsers);
  });

  describe('SQLAlchemy models', () => {
    it('indexes tables, columns and relationships with their loaders and directions', () => {
      const product = models.model('Product')!;
      assert.equal(product.table, 'products');
      assert.deepEqual(product.columns, ['id', 'name', 'price', 'category_id']);
      const category = product.relationships.get('category')!;
      assert.equal(category.lazy, 'select');
      assert.equal(models.isCollection(product, category), false, 'many-to-one: products holds the foreign key');
      const order = models.model('Order')!;
      assert.equal(models.isCollection(order, order.relationships.get('items')!), true, 'one-to-many');
      assert.equal(models.model('Customer')!.relationships.get('orders')!.lazy, 'selectin');
    });

    it('reads SQLAlchemy 2 Mapped annotations for the direction', () => {
      const text = `from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
class Base(DeclarativeBase):
    pass
class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    books: Mapped[list["Book"]] = relationship(back_populates="author")
class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped["Author"] = relationship(back_populates="books", lazy="raise")
`;
      const index = new ModelIndex();
      index.update('m.py', checkCode(parsers, 'm.py', 'python', text, 'models').models);
      const author = index.model('Author')!;
      const books = author.relationships.get('books')!;
      assert.deepEqual([books.target, index.isCollection(author, books)], ['Book', true]);
      const book = index.model('Book')!;
      assert.deepEqual(
        [book.relationships.get('author')!.lazy, index.isCollection(book, book.relationships.get('author')!)],
        ['raise', false],
      );
    });
  });

  describe('N+1', () => {
    it('flags the many-to-one read in a loop and fixes it with joinedload and its import', () => {
      const { text, findings } = lintApp(parsers, 'sqlalchemy_shop/category_report.py', { models });
      assert.deepEqual(codes(findings), ['13:sqlalchemy-n-plus-one']);
      assert.match(findings[0].message, /product\.category loads Category lazily.*joinedload\(Product\.category\)/);
      const fixed = applyEdits(text, findings[0].fixes[0].edits);
      assert.match(fixed, /from sqlalchemy\.orm import Session, joinedload\n/);
      assert.match(fixed, /db\.scalars\(select\(Product\)\.options\(joinedload\(Product\.category\)\)\.order_by\(Product\.id\)\)/);
      assert.deepEqual(lintText(parsers, 'fixed.py', fixed, { models }).findings, []);
    });

    it('flags the collection read in a loop over session.query() and fixes it with selectinload', () => {
      const { text, findings } = lintApp(parsers, 'sqlalchemy_shop/order_report.py', { models });
      assert.deepEqual(codes(findings), ['12:sqlalchemy-n-plus-one']);
      assert.match(findings[0].message, /order\.items/);
      assert.doesNotMatch(findings[0].message, /customer/, 'order.customer is eager-loaded by the query');
      const fixed = applyEdits(text, findings[0].fixes[0].edits);
      assert.match(fixed, /session\.query\(Order\)\.options\(selectinload\(Order\.items\)\)\.options\(joinedload/);
      assert.match(fixed, /from sqlalchemy\.orm import Session, joinedload, selectinload/);
      assert.deepEqual(lintText(parsers, 'fixed.py', fixed, { models }).findings, []);
    });

    it('proposes contains_eager when the query already joins the relationship, and adds a missing import line', () => {
      const text = `from sqlalchemy import select
from models import Product, Category

def report(db):
    rows = db.scalars(select(Product).join(Product.category).where(Category.name == "x"))
    for p in rows:
        print(p.category.name)
`;
      const [finding] = lintText(parsers, 'r.py', text, { models }).findings;
      assert.equal(finding.code, 'sqlalchemy-n-plus-one');
      const fixed = applyEdits(text, finding.fixes[0].edits);
      assert.match(fixed, /select\(Product\)\.options\(contains_eager\(Product\.category\)\)\.join/);
      assert.match(fixed, /from models import Product, Category\nfrom sqlalchemy\.orm import contains_eager\n/);
    });

    it('flags a relationship read in a comprehension over a query', () => {
      const text = `from sqlalchemy import select
from models import Order

def totals(db):
    return {o.id: len(o.items) for o in db.scalars(select(Order))}
`;
      const findings = lintText(parsers, 't.py', text, { models }).findings;
      assert.deepEqual(codes(findings), ['5:sqlalchemy-n-plus-one']);
      assert.match(applyEdits(text, findings[0].fixes[0].edits), /select\(Order\)\.options\(selectinload\(Order\.items\)\)/);
    });

    it('does not flag eager-loaded queries, joined or selectin relationships', () => {
      assert.deepEqual(lintApp(parsers, 'sqlalchemy_shop/eager_report.py', { models }).findings, []);
    });

    it('does not flag loops over plain lists or over models it does not know', () => {
      const text = `from sqlalchemy import select
def f(db, names):
    for n in names:
        print(n.category)
    for w in db.scalars(select(Widget)):
        print(w.category)
`;
      assert.deepEqual(lintText(parsers, 'f.py', text, { models }).findings, []);
    });
  });

  describe('N+1 in nested loops', () => {
    const lines = (options: string) => `from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from models import Order

def report(db):
    for order in db.scalars(select(Order)${options}):
        for item in order.items:
            print(item.product.name)
`;

    it('flags the inner collection and the read inside it; the chained loader fixes both, with its imports', () => {
      const { text, findings } = lintApp(parsers, 'sqlalchemy_shop/order_lines_report.py', { models });
      assert.deepEqual(codes(findings), ['14:sqlalchemy-n-plus-one', '15:sqlalchemy-n-plus-one']);
      assert.match(findings[0].message, /^order\.items loads OrderItem lazily/);
      assert.match(
        findings[1].message,
        /^item\.product loads Product lazily \(the default lazy="select"\) inside a loop over Order\.items: one more query for each OrderItem of each Order \(N×M\); eager-load the whole path with selectinload\(Order\.items\)\.joinedload\(OrderItem\.product\)\.$/,
      );
      assert.deepEqual(findings[1].perRowLookup, { table: 'products', column: 'id' });
      const fixed = applyEdits(text, findings[1].fixes[0].edits);
      assert.match(fixed, /select\(Order\)\.options\(selectinload\(Order\.items\)\.joinedload\(OrderItem\.product\)\)\.order_by/);
      assert.match(fixed, /from sqlalchemy\.orm import Session, selectinload, joinedload\n/);
      assert.match(fixed, /from models import Order, OrderItem\n/);
      assert.deepEqual(lintText(parsers, 'fixed.py', fixed, { models }).findings, [], 'the chain eager-loads order.items too');
    });

    it('after the outer fix, the inner fix extends the loader it added', () => {
      const { text, findings } = lintApp(parsers, 'sqlalchemy_shop/order_lines_report.py', { models });
      const outerFixed = applyEdits(text, findings[0].fixes[0].edits);
      const [inner] = lintText(parsers, 'outer.py', outerFixed, { models }).findings;
      assert.equal(inner.message.split(' ')[0], 'item.product');
      const fixed = applyEdits(outerFixed, inner.fixes[0].edits);
      assert.match(fixed, /select\(Order\)\.options\(selectinload\(Order\.items\)\.joinedload\(OrderItem\.product\)\)\.order_by/);
      assert.match(fixed, /from sqlalchemy\.orm import Session, selectinload, joinedload\n/);
      assert.deepEqual(lintText(parsers, 'fixed.py', fixed, { models }).findings, []);
    });

    it('adds the chain to an existing .options(...) of the query', () => {
      const text = lines('.options(joinedload(Order.customer))');
      const findings = lintText(parsers, 'r.py', text, { models }).findings;
      assert.deepEqual(codes(findings), ['7:sqlalchemy-n-plus-one', '8:sqlalchemy-n-plus-one']);
      const fixed = applyEdits(text, findings[1].fixes[0].edits);
      assert.match(fixed, /\.options\(joinedload\(Order\.customer\), selectinload\(Order\.items\)\.joinedload\(OrderItem\.product\)\)\):/);
      assert.match(fixed, /from sqlalchemy\.orm import Session, joinedload, selectinload\nfrom models import Order, OrderItem\n/);
      assert.deepEqual(lintText(parsers, 'fixed.py', fixed, { models }).findings, []);
    });

    it('does not flag a query with the chained option, nor relationships loaded with selectin and joined', () => {
      assert.deepEqual(
        lintText(parsers, 'r.py', lines('.options(selectinload(Order.items).joinedload(OrderItem.product))'), { models }).findings,
        [],
      );
      assert.deepEqual(
        codes(lintText(parsers, 'r.py', lines('.options(selectinload(Order.items))'), { models }).findings),
        ['8:sqlalchemy-n-plus-one'],
        'only the product read: the items are eager-loaded',
      );
      const eagerModels = `from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declarative_base, relationship
Base = declarative_base()
class Invoice(Base):
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)
    lines = relationship("InvoiceLine", lazy="selectin")
class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    id = Column(Integer, primary_key=True)
    invoice_id = Column(Integer, ForeignKey("invoices.id"))
    item_id = Column(Integer, ForeignKey("items.id"))
    item = relationship("Item", lazy="joined")
`;
      const index = new ModelIndex();
      index.update('invoices.py', checkCode(parsers, 'invoices.py', 'python', eagerModels, 'models').models);
      const loop = `from sqlalchemy import select
from invoices import Invoice

def report(db):
    for invoice in db.scalars(select(Invoice)):
        for line in invoice.lines:
            print(line.item.id)
`;
      assert.deepEqual(lintText(parsers, 'loop.py', loop, { models: index }).findings, []);
    });
  });

  describe('bulk operations', () => {
    it('rewrites add() per row into one insert(Model) executemany', () => {
      const { text, findings } = lintApp(parsers, 'sqlalchemy_shop/import_products.py', { models });
      assert.deepEqual(codes(findings), ['14:sqlalchemy-add-in-loop']);
      const fixed = applyEdits(text, findings[0].fixes[0].edits);
      assert.match(
        fixed,
        /session\.execute\(insert\(Product\), \[\{'name': row\["name"\], 'price': row\["price"\], 'category_id': row\["category_id"\]\} for row in rows\]\)/,
      );
      assert.match(fixed, /for row in rows\]\)\n {8}session\.commit\(\)\n/, 'one commit after the insert');
      assert.match(fixed, /from sqlalchemy import insert\n/);
      assert.deepEqual(lintText(parsers, 'fixed.py', fixed, { models }).findings, []);
    });

    it('add() per row without a flush in the loop is only an info: SQLAlchemy batches the INSERTs of one flush', () => {
      const text =
        'from sqlalchemy.orm import Session\nfrom models import Product\n\ndef load(session, rows):\n    for r in rows:\n        session.add(Product(name=r))\n    session.commit()\n';
      const [finding] = lintText(parsers, 'load.py', text, { models }).findings;
      assert.deepEqual([finding.code, finding.severity], ['sqlalchemy-add-in-loop', 'info']);
      assert.match(
        applyEdits(text, finding.fixes[0].edits),
        /session\.execute\(insert\(Product\), \[\{'name': r\} for r in rows\]\)\n {4}session\.commit\(\)/,
      );
    });

    it('explains per-row insert() and update() executes and OFFSET paging, without a rewrite', () => {
      const text = `from sqlalchemy import insert, select, update
from models import Product

def sync(session, rows):
    for row in rows:
        session.execute(insert(Product).values(name=row.name))
    for row in rows:
        session.execute(update(Product).where(Product.id == row.id).values(price=row.price))
    offset = 0
    while True:
        chunk = session.scalars(select(Product).order_by(Product.id).offset(offset).limit(500)).all()
        if not chunk:
            break
        offset += 500
    session.add_all([Product(name=r.name) for r in rows])
`;
      const findings = lintText(parsers, 'sync.py', text, { models }).findings;
      assert.deepEqual(codes(findings), ['6:sqlalchemy-insert-in-loop', '8:sqlalchemy-update-in-loop', '11:offset-pagination']);
      assert.ok(findings.every((f) => f.fixes.length === 0));
    });
  });

  describe('pool settings', () => {
    it('SQLAlchemy: pre-ping, recycle and timeout missing, each with a fix that adds it', () => {
      const { text, findings } = lintApp(parsers, 'sqlalchemy_shop/pooled_engine.py', { models });
      assert.deepEqual(codes(findings), ['7:sqlalchemy-pool-pre-ping', '7:sqlalchemy-pool-recycle', '7:sqlalchemy-pool-timeout']);
      const fixed = applyEdits(
        text,
        findings.flatMap((f) => f.fixes[0].edits),
      );
      assert.match(fixed, /max_overflow=20, pool_pre_ping=True, pool_recycle=1800, pool_timeout=10\)/);
      assert.deepEqual(lintText(parsers, 'fixed.py', fixed, { models }).findings, []);
    });

    it('SQLAlchemy against the server: the pool over capacity for 4 processes, recycle not below idle_session_timeout', () => {
      const { text, findings } = lintApp(parsers, 'sqlalchemy_shop/tuned_engine.py', { models, server: SMALL_SERVER, processes: 4 });
      assert.deepEqual(codes(findings), ['5:sqlalchemy-pool-exceeds-server', '6:sqlalchemy-pool-recycle']);
      assert.match(findings[0].message, /30 connections per process, 120 for 4 processes, but db:5432\/shop accepts only 87 more/);
      assert.match(findings[1].message, /pool_recycle=1800 s is not below the server's idle_session_timeout of 600 s/);
      const fixed = applyEdits(
        text,
        findings.flatMap((f) => f.fixes[0].edits),
      );
      assert.match(fixed, /pool_size=10, max_overflow=11,[\s\S]*pool_recycle=540/);
      assert.deepEqual(lintText(parsers, 'fixed.py', fixed, { models, server: SMALL_SERVER, processes: 4 }).findings, []);
    });

    it('SQLAlchemy: every setting given and within the server is not flagged', () => {
      assert.deepEqual(lintApp(parsers, 'sqlalchemy_shop/tuned_engine.py', { models }).findings, []);
      assert.deepEqual(
        lintApp(parsers, 'sqlalchemy_shop/tuned_engine.py', { models, server: SMALL_SERVER, processes: 2 }).findings.map((f) => f.code),
        ['sqlalchemy-pool-recycle'],
      );
    });

    it('SQLAlchemy: NullPool in a web application, and a size only known at run time said to be unknown', () => {
      const { findings } = lintApp(parsers, 'sqlalchemy_shop/web_app.py', { models, server: SMALL_SERVER });
      assert.deepEqual(codes(findings), ['9:sqlalchemy-nullpool-in-web-app', '10:pool-setting-unknown', '11:sqlalchemy-pool-recycle']);
      assert.match(
        findings[1].message,
        /pool_size is settings\.POOL, known only at run time, so it could not be checked against the 87 connections/,
      );
    });

    it('redis-py: timeouts, bound and health checks, from keywords and from the URL', () => {
      const { text, findings } = lintApp(parsers, 'redis_cache/cache.py', { models });
      assert.deepEqual(codes(findings), [
        '4:redis-socket-timeout',
        '4:redis-socket-connect-timeout',
        '4:redis-bounded-pool-raises',
        '4:redis-health-check-interval',
        '5:redis-socket-connect-timeout',
        '5:redis-max-connections',
        '5:redis-health-check-interval',
      ]);
      const fixed = applyEdits(
        text,
        findings.flatMap((f) => f.fixes.flatMap((fix) => fix.edits)),
      );
      assert.deepEqual(codes(lintText(parsers, 'fixed.py', fixed, { models }).findings), ['4:redis-bounded-pool-raises']);
      assert.deepEqual(lintApp(parsers, 'redis_cache/tuned.py', { models }).findings, []);
    });

    it('PyMongo: min above max in the URI, missing waits, and no finding when all are given', () => {
      const { findings } = lintApp(parsers, 'mongo_store/store.py', { models });
      assert.deepEqual(codes(findings), [
        '4:mongo-server-selection-timeout',
        '6:mongo-min-pool-above-max',
        '6:mongo-wait-queue-timeout',
        '6:mongo-max-idle-time',
      ]);
      assert.match(findings[1].message, /minPoolSize=20 is above maxPoolSize=5/);
      assert.deepEqual(lintApp(parsers, 'mongo_store/tuned.py', { models }).findings, []);
    });

    it('node-postgres: waits forever, never closes idle clients, no error listener; the fixed pool is clean', () => {
      const { text, findings } = lintApp(parsers, 'node_pg/db.js', { models });
      assert.deepEqual(codes(findings), ['4:pg-connection-timeout', '4:pg-max-lifetime', '4:pg-pool-error-handler', '4:pg-idle-timeout']);
      const fixed = applyEdits(
        text,
        findings.flatMap((f) => f.fixes[0].edits),
      );
      assert.match(fixed, /idleTimeoutMillis: 10000, connectionTimeoutMillis: 10000, maxLifetimeSeconds: 1800 \}\);\npool\.on\('error'/);
      assert.deepEqual(lintText(parsers, 'db.js', fixed, { models }).findings, []);
      assert.deepEqual(lintApp(parsers, 'node_pg/tuned.ts', { models, server: SMALL_SERVER, processes: 4 }).findings, []);
    });

    it('node-postgres: max against the server, for several processes', () => {
      const { findings } = lintApp(parsers, 'node_pg/db.js', { models, server: SMALL_SERVER, processes: 8 });
      const capacity = findings.find((f) => f.code === 'pg-pool-exceeds-server')!;
      assert.match(capacity.message, /max is 20 clients per process, 160 for 8 processes, but db:5432\/shop accepts only 87 more/);
      assert.equal(capacity.fixes[0].title, 'Set max to 10');
    });

    it('node-postgres: a pool without an options object, or given a connection string, gets one with the recommended settings', () => {
      const { text, findings } = lintApp(parsers, 'node_pg/env_pools.js', { models, server: SMALL_SERVER, processes: 8 });
      assert.deepEqual(codes(findings), [
        '5:pg-connection-timeout',
        '5:pg-max-lifetime',
        '5:pg-pool-error-handler',
        '6:pg-connection-timeout',
        '6:pg-max-lifetime',
        '6:pg-pool-error-handler',
        '6:pg-pool-connection-string',
      ]);
      const ignored = findings.find((f) => f.code === 'pg-pool-connection-string')!;
      assert.equal(ignored.severity, 'error');
      assert.match(ignored.message, /throws a TypeError.*pass \{ connectionString: process\.env\.REPORTS_URL \}/);
      assert.ok(findings.every((f) => f.fixes.length === 1));
      // Every setting finding of one pool offers the same edit: applied once, it settles them all.
      const edits = [...new Map(findings.flatMap((f) => f.fixes[0].edits).map((e) => [JSON.stringify(e), e])).values()];
      const fixed = applyEdits(text, edits);
      assert.match(
        fixed,
        /const pool = new Pool\(\{ max: 10, connectionTimeoutMillis: 10000, idleTimeoutMillis: 10000, maxLifetimeSeconds: 1800 \}\);\npool\.on\('error'/,
      );
      assert.match(
        fixed,
        /new Pool\(\{ connectionString: process\.env\.REPORTS_URL, max: 10, connectionTimeoutMillis: 10000, idleTimeoutMillis: 10000, maxLifetimeSeconds: 1800 \}\);\nreports\.on\('error'/,
      );
      assert.deepEqual(lintText(parsers, 'env_pools.js', fixed, { models, server: SMALL_SERVER, processes: 8 }).findings, []);
      // Without a server the object keeps node-postgres's default size.
      const [alone] = lintText(parsers, 'p.js', "const { Pool } = require('pg');\nconst pool = new Pool();\n", { models }).findings;
      assert.equal(
        alone.fixes[0].edits[0].newText,
        '{ connectionTimeoutMillis: 10000, idleTimeoutMillis: 10000, maxLifetimeSeconds: 1800 }',
      );
    });

    it('node-postgres: an options object it cannot see (new Pool(config)) is left alone', () => {
      const text =
        "const { Pool } = require('pg');\nconst config = require('./config');\nconst pool = new Pool(config);\npool.on('error', () => {});\n";
      assert.deepEqual(lintText(parsers, 'p.js', text, { models }).findings, []);
    });

    it('leaves a library alone in files that do not import it', () => {
      const text = 'def create_engine(url, **kw):\n    return url\n\nengine = create_engine("postgresql://x")\n';
      assert.deepEqual(lintText(parsers, 'own.py', text, { models }).findings, []);
    });
  });

  describe('files that do not parse', () => {
    it('reports nothing for a file mid-edit, so the editor keeps the last good result', () => {
      const { text } = lintApp(parsers, 'sqlalchemy_shop/category_report.py', { models });
      const broken = text.replace('print(product.name, product.category.name)', 'print(product.name, product.category.');
      const result = lintText(parsers, 'category_report.py', broken, { models });
      assert.deepEqual([result.parsed, result.findings], [false, []]);
    });
  });
});

describe('pool-setting hovers', () => {
  let parsers: CodeParsers;
  before(async () => {
    parsers = await loadCodeParsers();
  });

  function hoverAt(language: 'python' | 'javascript', text: string, needle: string) {
    const tree = parsers.parse(language, text);
    try {
      const lines = text.split('\n');
      const line = lines.findIndex((l) => l.includes(needle));
      return poolSettingHover(
        { root: tree.rootNode, imports: importedModules(language, tree.rootNode) },
        line,
        lines[line].indexOf(needle) + 1,
      )?.markdown;
    } finally {
      tree.delete();
    }
  }

  it('explains the setting under the cursor with its default', () => {
    const text = 'from sqlalchemy import create_engine\nengine = create_engine(url, pool_recycle=3600, pool_size=settings.POOL)\n';
    assert.match(
      hoverAt('python', text, 'pool_recycle')!,
      /^\*\*pool_recycle\*\* \(SQLAlchemy engine\)\n\nReplace a connection older than this many seconds.*\n\nDefault: `-1 \(never\)`$/,
    );
  });

  it('lists every setting on the call, given or default', () => {
    const text = "const { Pool } = require('pg');\nconst pool = new Pool({ max: 5 });\n";
    const markdown = hoverAt('javascript', text, 'Pool({')!;
    assert.match(markdown, /\| `max` \| `5` \|/);
    assert.match(markdown, /\| `connectionTimeoutMillis` \| default: `0 \(wait forever\)` \|/);
  });

  it('stays silent on calls of libraries the file does not import', () => {
    assert.equal(hoverAt('python', 'engine = create_engine(url, pool_recycle=3600)\n', 'pool_recycle'), undefined);
  });
});

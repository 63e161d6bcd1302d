/**
 * The `plan-lens` command line, run as a user runs it: the built dist/cli.js in a child process,
 * against the embedded demo database and (when configured) the PostgreSQL 15 server, checking
 * output, exit codes and that nothing a statement changes is ever committed.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { postgresConfigured } from '../support/postgres-configured';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const fixtures = join(root, 'test', 'fixtures', 'plans', 'pg15');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The numeric columns of the node line whose tree text starts with `title`, read by the header's
 * positions (each value is right-aligned under its name).
 */
function nodeColumns(output: string, title: string): Record<string, string> {
  const lines = output.split('\n');
  const header = lines.find((line) => /^ *(exclusive|cost) .* node$/.test(line));
  assert.ok(header, 'a column header');
  const tree = header.length - 'node'.length;
  const line = lines.find(
    (l) =>
      l.length > tree &&
      l
        .slice(tree)
        .replace(/^[\s│├└─]*(\[level \d+\] )?/, '')
        .startsWith(title),
  );
  assert.ok(line, `a node line for ${title}`);
  const columns: Record<string, string> = {};
  let from = 0;
  for (const match of header.slice(0, tree).matchAll(/\S+/g)) {
    const end = match.index + match[0].length;
    columns[match[0]] = line.slice(from, end).trim();
    from = end;
  }
  return columns;
}

let cacheDir: string;
let work: string;

function run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: work,
      env: { ...process.env, PLAN_LENS_CACHE_DIR: cacheDir, NO_COLOR: '1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** The environment with every way of naming a server removed, so the CLI falls back to the demo. */
function withoutServer(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of Object.keys(process.env)) if (key === 'DATABASE_URL' || key.startsWith('PG')) env[key] = undefined;
  return env;
}

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const DEMO_QUERY =
  'SELECT p.*, c.name AS category_name FROM products p JOIN categories c ON p.category_id = c.id ' +
  'WHERE p.is_active = true AND p.price > 10000 ORDER BY p.created_at DESC LIMIT 20';

describe('plan-lens CLI', function () {
  before(function () {
    const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    cacheDir = mkdtempSync(join(tmpdir(), 'plan-lens-cli-cache-'));
    work = mkdtempSync(join(tmpdir(), 'plan-lens-cli-'));
  });

  after(function () {
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  describe('usage', function () {
    it('prints help and exits 0', async function () {
      const result = await run(['--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /plan-lens explain/);
      assert.match(result.stdout, /plan-lens analyze/);
    });

    it('rejects an unknown command with exit 2', async function () {
      const result = await run(['explian']);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /unknown command "explian"/);
    });

    it('rejects an unknown option with exit 2', async function () {
      const result = await run(['explain', '--frobnicate']);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /frobnicate/);
    });

    it('rejects a timeout that is not a positive number', async function () {
      const result = await run(['explain', '--sql', 'SELECT 1', '--timeout', 'soon']);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--timeout takes a positive whole number/);
    });
  });

  describe('analyze: saved plans, no database', function () {
    it('prints the tree of a saved plan with times and row estimates', async function () {
      const result = await run(['analyze', join(fixtures, 'ecommerce-topn-n7.json')]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, / {2}#0 Limit$/m);
      assert.match(result.stdout, /Parallel Seq Scan on products p/);
      assert.match(result.stdout, /Execution time: /);
    });

    it('reads a plan from standard input', async function () {
      const plan = readFileSync(join(fixtures, 'sort-spill-disk-n3.json'), 'utf8');
      const result = await run(['analyze', '-'], { input: plan });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Sort/);
    });

    it('reads a text-format plan in psql frames: node numbers, conditions, buffers, rows per loop, fix first', async function () {
      const result = await run([
        'analyze',
        '--color',
        'never',
        join(fixtures, '..', 'text-twins', 'pg15', 'hash-batches.psql-border2-unicode.txt'),
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Execution took [^\n]+\nFix first: /);
      assert.match(result.stdout, / {2}#0 HashAggregate$/m);
      assert.match(result.stdout, /Hash Cond: \(o\.customer_id = c\.id\)/);
      assert.match(result.stdout, /Hash: [\d,]+ buckets, \d+ batches/);
      assert.match(result.stdout, /Buffers: shared hit \d+/);
      assert.doesNotMatch(result.stdout, /\u001b\[/, 'no colour with --color never');
    });

    it('rows per loop for parallel nodes, as PostgreSQL prints the estimate', async function () {
      const raw = JSON.parse(readFileSync(join(fixtures, 'ecommerce-topn-n7.json'), 'utf8'))[0];
      const result = await run(['analyze', join(fixtures, 'ecommerce-topn-n7.json')]);
      const scan = nodeColumns(result.stdout, '#4 Parallel Seq Scan on products p');
      const node = raw.Plan.Plans[0].Plans[0].Plans[0].Plans[0];
      assert.equal(node['Node Type'], 'Seq Scan');
      assert.equal(scan.rows, node['Actual Rows'].toLocaleString('en-US'));
      assert.equal(scan.est, node['Plan Rows'].toLocaleString('en-US'));
      assert.equal(scan.loops, String(node['Actual Loops']));
    });

    it('--color always and FORCE_COLOR colour a pipe; NO_COLOR does not stop --color always', async function () {
      const always = await run(['analyze', '--color', 'always', join(fixtures, 'sort-spill-disk-n3.json')], {
        env: { ...process.env, NO_COLOR: '1' },
      });
      assert.match(always.stdout, /\u001b\[1m/);
      const forced = await run(['analyze', join(fixtures, 'sort-spill-disk-n3.json')], { env: { ...process.env, FORCE_COLOR: '1' } });
      assert.match(forced.stdout, /\u001b\[1m/);
      const bad = await run(['analyze', '--color', 'sometimes', join(fixtures, 'sort-spill-disk-n3.json')]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--color takes auto, always or never, not "sometimes"/);
    });

    it('draws Citus tasks and their remote plans as nodes of the tree, numbered like the rest', async function () {
      const plan = join(fixtures, '..', 'citus', 'pending-orders-one-of-32.txt');
      const result = await run(['analyze', '--color', 'never', plan]);
      assert.equal(result.code, 0, result.stderr);
      // The tree after the columns, each node numbered and drawn once; the times are the worker's for remote nodes.
      const tree = result.stdout.split('\n').map((line) => line.replace(/^.*?(?=[│├└]─ #|#0 )/, ''));
      const at = (title: string) => tree.findIndex((line) => line.includes(title));
      assert.ok(at('└─ #1 Custom Scan (Citus Adaptive)') < at('└─ #2 Task on localhost:9701 postgres'));
      assert.ok(at('└─ #2 Task on localhost:9701 postgres') < at('└─ #3 Aggregate'));
      assert.ok(at('└─ #3 Aggregate') < at('└─ #4 Seq Scan on orders_102008 orders'));
      assert.deepEqual(
        [nodeColumns(result.stdout, '#1 Custom Scan').exclusive, nodeColumns(result.stdout, '#1 Custom Scan').inclusive],
        ['17.2 ms', '48.5 ms'],
      );
      assert.deepEqual(
        [nodeColumns(result.stdout, '#2 Task on').exclusive, nodeColumns(result.stdout, '#2 Task on').inclusive],
        ['0.105 ms', '31.3 ms'],
      );
      assert.equal(nodeColumns(result.stdout, '#4 Seq Scan on orders_102008').exclusive, '30.5 ms');
      assert.doesNotMatch(result.stdout, /Task on host=/, 'drawn once, as a node');
      const json = JSON.parse((await run(['analyze', '--json', plan])).stdout);
      assert.deepEqual(
        [json.nodes.length, json.remoteNodes.length, json.warnings.find((w: { id: string }) => w.id === 'seq-scan-large-table').nodeId],
        [2, 3, 4],
      );
    });

    it('reads its own --json report back', async function () {
      const first = await run(['analyze', '--json', join(fixtures, 'hash-join-batches-n9.json')]);
      const again = await run(['analyze', '--json', '-'], { input: first.stdout });
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(JSON.parse(again.stdout).nodes, JSON.parse(first.stdout).nodes);
    });

    it('a damaged text plan: shows the plan up to the damage and names the line', async function () {
      const text = readFileSync(join(fixtures, '..', 'text-twins', 'pg15', 'hash-batches.txt'), 'utf8').split('\n');
      text.splice(6, 0, 'here is a line break');
      const result = await run(['analyze', '--color', 'never', '-'], { input: text.join('\n') });
      assert.equal(result.code, 2);
      assert.match(result.stdout, / {2}#0 HashAggregate$/m);
      assert.match(result.stderr, /the plan above stops at the damage: line 7: expected .*found "here is a line break"/);
    });

    it('prints the versioned JSON report', async function () {
      const raw = JSON.parse(readFileSync(join(fixtures, 'hash-join-batches-n9.json'), 'utf8'));
      const result = await run(['analyze', '--json', join(fixtures, 'hash-join-batches-n9.json')]);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout);
      assert.equal(report.version, 1);
      assert.equal(report.server, null);
      assert.equal(report.mode, 'analyze');
      assert.equal(report.nodeCount, 9);
      assert.equal(report.nodes.length, 9);
      assert.deepEqual(report.plan, raw[0]);
      assert.equal(report.nodes[0].parentId, null);
      assert.equal(report.nodes[0].nodeType, raw[0].Plan['Node Type']);
      assert.equal(report.executionMs, raw[0]['Execution Time']);
      for (const node of report.nodes) {
        assert.ok(node.exclusiveMs >= 0 && node.exclusiveMs <= node.inclusiveMs + 1e-9, `node ${node.id}`);
        if (node.parentId !== null) assert.ok(node.parentId < node.id);
      }
    });

    it("adds the warning rules' findings, and no index suggestions without a database", async function () {
      const result = await run(['analyze', '--json', join(fixtures, 'sort-spill-disk-n3.json')]);
      assert.equal(result.code, 0, result.stderr);
      const raw3 = JSON.parse(readFileSync(join(fixtures, 'sort-spill-disk-n3.json'), 'utf8'))[0];
      const report = JSON.parse(result.stdout);
      const spill = report.warnings.find((w: { id: string }) => w.id === 'sort-spill-to-disk');
      assert.ok(spill, JSON.stringify(report.warnings.map((w: { id: string }) => w.id)));
      assert.equal(report.nodes[spill.nodeId].nodeType, 'Sort');
      assert.match(spill.fix, /work_mem/);
      assert.deepEqual(spill.nodeIds, [spill.nodeId]);
      assert.deepEqual(report.suggestions, []);
      assert.equal(report.headline.executionMs, raw3['Execution Time']);
      assert.match(report.headline.text, /^Execution took .* target$/);
      const text = await run(['analyze', join(fixtures, 'sort-spill-disk-n3.json')]);
      assert.match(text.stdout, /Findings \(\d+, largest time at stake first\):/);
      assert.match(text.stdout, /work_mem/);
    });

    it('an auto_explain log with several plans: an index, then the slowest; --plan picks another; --json adds the index', async function () {
      const log = join(root, 'test', 'fixtures', 'plans', 'auto-explain-log', 'server.log');
      const entries = readFileSync(log, 'utf8')
        .split('\n')
        .map((line, i) => ({ line: i + 1, duration: / duration: ([\d.]+) ms {2}plan:$/.exec(line)?.[1] }))
        .filter((entry) => entry.duration !== undefined);
      const slowest = entries.reduce((a, b) => (Number(b.duration) > Number(a.duration) ? b : a));
      const number = entries.indexOf(slowest) + 1;

      const text = await run(['analyze', '--color', 'never', log]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        new RegExp(
          `^${entries.length} plans in .*server\\.log: the slowest \\(\\*\\) is plan ${number}, analysed below; choose another with --plan N\\.$`,
          'm',
        ),
      );
      const rows = text.stdout.split('\n').filter((line) => /^[* ] +\d+ +\d+ /.test(line));
      assert.equal(rows.length, entries.length);
      assert.deepEqual(
        rows.map((row) => Number(row.trim().replace(/^\* /, '').split(/ +/)[1])),
        entries.map((entry) => entry.line),
      );
      assert.match(rows[number - 1], /^\* /);
      assert.match(rows[1], /SELECT c\.name, o\.amount FROM customers c JOIN/, 'a multi-line statement on one line');
      assert.match(text.stdout, / {2}#0 Merge Join$/m);

      const second = await run(['analyze', '--color', 'never', '--plan', '2', log]);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /: plan 2 is analysed below; the slowest is marked \*\./);
      assert.match(second.stdout, / {2}#0 Hash Join$/m);

      const outside = await run(['analyze', '--plan', String(entries.length + 1), log]);
      assert.equal(outside.code, 2);
      assert.match(
        outside.stderr,
        new RegExp(`--plan ${entries.length + 1} is out of range: .*holds ${entries.length} plans, so --plan takes 1 to ${entries.length}`),
      );
      assert.equal(outside.stdout, '');

      const json = await run(['analyze', '--json', log]);
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout);
      assert.equal(report.nodes[0].nodeType, 'Merge Join');
      assert.deepEqual(
        report.plans.map((p: { startLine: number; durationMs: number; chosen: boolean }) => [p.startLine, p.durationMs, p.chosen]),
        entries.map((entry, i) => [entry.line, Number(entry.duration), i + 1 === number]),
      );
      const single = JSON.parse((await run(['analyze', '--json', join(fixtures, 'sort-spill-disk-n3.json')])).stdout);
      assert.equal(single.plans, undefined, 'a single plan has no index');
    });

    it('an auto_explain log with damaged entries: listed with the damage, the others analysed; the unreadable one refused by --plan', async function () {
      const lines = readFileSync(join(root, 'test', 'fixtures', 'plans', 'auto-explain-log', 'server.log'), 'utf8').split('\n');
      const starts = lines.flatMap((line, i) => (/ duration: [\d.]+ ms {2}plan:$/.test(line) ? [i + 1] : []));
      // The first plan loses its Seq Scan line's filter to garbage; the first JSON plan is cut short.
      const broken = starts[0] + 3;
      lines[broken - 1] = '\t        ??? lost';
      const json = starts.findIndex((start) => lines[start].trim() === '{');
      lines.splice(starts[json] + 10, starts[json + 1] - starts[json] - 12);
      const log = file('damaged.log', lines.join('\n'));

      const text = await run(['analyze', '--color', 'never', log]);
      assert.equal(text.code, 0, text.stderr);
      const rows = text.stdout.split('\n').filter((line) => /^[* ] +\d+ +\d+ /.test(line));
      assert.equal(rows.length, starts.length);
      assert.match(rows[0], new RegExp(`\\(damaged at line ${broken}\\) SELECT count\\(\\*\\) FROM orders`));
      assert.match(rows[json], / - +cannot be read: not JSON: /);

      const unreadable = await run(['analyze', '--color', 'never', '--plan', String(json + 1), log]);
      assert.equal(unreadable.code, 2);
      assert.match(
        unreadable.stderr,
        new RegExp(`damaged\\.log, plan ${json + 1} \\(line ${starts[json]}\\): not JSON: .* at line \\d+, column \\d+`),
      );
      const partial = await run(['analyze', '--color', 'never', '--plan', '1', log]);
      assert.equal(partial.code, 2);
      assert.match(partial.stdout, / {2}#0 Aggregate$/m);
      assert.match(partial.stderr, new RegExp(`plan 1 \\(line ${starts[0]}\\): the plan above stops at the damage: line ${broken}: `));
    });

    it('says why a file is not a plan, with exit 2', async function () {
      const notJson = await run(['analyze', file('broken.json', '[{"Plan": {"Node Type": "Seq Scan",')]);
      assert.equal(notJson.code, 2);
      assert.match(notJson.stderr, /broken\.json: .*JSON/);

      const noPlan = await run(['analyze', file('other.json', '{"rows": [1, 2, 3]}')]);
      assert.equal(noPlan.code, 2);
      assert.match(noPlan.stderr, /Plan/);

      const missing = await run(['analyze', join(work, 'nowhere.json')]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read .*nowhere\.json: no such file/);
    });
  });

  describe('explain: bad input is refused before any database is touched', function () {
    it('empty input', async function () {
      const result = await run(['explain', '--sql', '  -- nothing here\n']);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /no SQL statement/i);
    });

    it('several statements, named with their lines', async function () {
      const path = file('several.sql', 'SELECT 1;\n\nUPDATE products SET stock = 0;\nDELETE FROM orders;\n');
      const result = await run(['explain', path]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /found 3/);
      assert.match(result.stderr, /line 1/);
      assert.match(result.stderr, /line 3/);
      assert.match(result.stderr, /line 4/);
    });

    it('a syntax error, at its line and column in the file', async function () {
      const path = file('typo.sql', '-- top products\nSELECT id,\n       name\n  FORM products\n WHERE price > 10;\n');
      const result = await run(['explain', path]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /typo\.sql:4:\d+: syntax error at or near/);
      assert.match(result.stderr, /FORM products\n\s+\^/);
    });

    it('a statement EXPLAIN cannot run', async function () {
      for (const [sql, tag] of [
        ['VACUUM products', 'VACUUM'],
        ['CREATE INDEX ON products (price)', 'CREATE INDEX'],
      ]) {
        const result = await run(['explain', '--sql', sql]);
        assert.equal(result.code, 2, sql);
        assert.match(result.stderr, new RegExp(`EXPLAIN cannot run ${tag}`));
      }
    });

    it('an unreachable server, in one sentence and exit 2', async function () {
      const result = await run(['explain', '--db', 'postgresql://nobody@127.0.0.1:1/none', '--sql', 'SELECT 1']);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /127\.0\.0\.1:1/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  });

  describe('explain on the embedded demo database', function () {
    it("npm start's query: the plan, with times, on the demo shop", async function () {
      const result = await run(['explain', '--demo', '--sql', DEMO_QUERY], { env: withoutServer() });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /PGlite/);
      assert.match(result.stdout, / {2}#0 Limit$/m);
      assert.match(result.stdout, /Seq Scan on products p/);
      assert.match(result.stdout, /Execution time: \d/);
      // No HypoPG on the demo: the suggestion is verified by building it in a transaction that is rolled back.
      assert.match(
        result.stdout,
        /CREATE INDEX CONCURRENTLY idx_products_created_at_where_is_active ON public\.products \(created_at DESC\) WHERE is_active;/,
      );
      assert.match(
        result.stdout,
        /verified with an index built and rolled back: estimated cost [\d,]+ -> [\d,]+ \([−-][\d.]+%\), the planner uses it/,
      );
    });

    it('falls back to the demo database when no server is named anywhere', async function () {
      const result = await run(['explain', '--json', '--sql', 'SELECT count(*) FROM categories'], { env: withoutServer() });
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout);
      assert.match(report.server, /PGlite/);
      assert.equal(report.mode, 'analyze');
      assert.equal(report.statement, 'SELECT count(*) FROM categories');
      assert.equal(report.nodes[0].rowsActual, 1);
    });

    it('--generic plans a $1 statement with EXPLAIN (GENERIC_PLAN) on the demo', async function () {
      const result = await run(['explain', '--demo', '--no-indexes', '--generic', '--sql', 'SELECT * FROM products WHERE id = $1'], {
        env: withoutServer(),
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^PostgreSQL 1[6-9]\S* \(PGlite .*\(generic plan: the placeholders were planned without values\)$/m);
      assert.match(result.stdout, / {2}#0 Index Scan using products_pkey on products\b/m);
      assert.match(result.stdout, /Estimates only/);
    });

    it('--estimate plans without running', async function () {
      const result = await run(['explain', '--demo', '--estimate', '--json', '--sql', 'DELETE FROM order_items'], { env: withoutServer() });
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout);
      assert.equal(report.mode, 'estimate');
      assert.equal(report.executionMs, null);
      assert.equal(report.nodes[0].rowsActual, null);
    });

    it('a data-changing statement runs, and is rolled back', async function () {
      const before = await run(['explain', '--demo', '--json', '--sql', 'SELECT count(*) FROM order_items WHERE quantity > 1'], {
        env: withoutServer(),
      });
      const result = await run(['explain', '--demo', '--sql', 'DELETE FROM order_items WHERE quantity > 1'], { env: withoutServer() });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /rolled back/);
      const after = await run(['explain', '--demo', '--json', '--sql', 'SELECT count(*) FROM order_items WHERE quantity > 1'], {
        env: withoutServer(),
      });
      const rows = (r: CliResult) => JSON.parse(r.stdout).nodes.find((n: { nodeType: string }) => n.nodeType === 'Seq Scan').rowsActual;
      assert.ok(rows(before) > 0);
      assert.equal(rows(after), rows(before));
    });

    it('a server error is placed at its line and column of the file', async function () {
      const path = file('unknown-column.sql', 'SELECT id,\n       colour\n  FROM products;\n');
      const result = await run(['explain', '--demo', path], { env: withoutServer() });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /unknown-column\.sql:2:8: column "colour" does not exist/);
    });
  });

  describe('explain on PostgreSQL 15', function () {
    let admin: Client;
    const table = `cli_guard_${process.pid}`;

    before(async function () {
      if (!postgresConfigured()) this.skip();
      admin = new Client();
      await admin.connect();
      await admin.query(`CREATE TABLE ${table} AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 1000) g`);
    });

    after(async function () {
      if (!admin) return;
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.end();
    });

    async function checksum(): Promise<string> {
      const { rows } = await admin.query(`SELECT count(*) || ':' || md5(string_agg(id || v, ',' ORDER BY id)) AS sum FROM ${table}`);
      return rows[0].sum;
    }

    it('uses the PG* environment and reports the server', async function () {
      const result = await run(['explain', '--json', '--sql', `SELECT * FROM ${table} WHERE id < 10`]);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout);
      assert.match(report.server, /^PostgreSQL 15/);
      assert.equal(report.nodes[0].relation, table);
      assert.equal(report.nodes[0].rowsActual, 9);
    });

    it('a smuggled second statement is rejected and nothing is committed', async function () {
      const before = await checksum();
      const result = await run(['explain', '--sql', `SELECT 1; COMMIT; DELETE FROM ${table}`]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /found 3/);
      assert.equal(await checksum(), before);
      const update = await run(['explain', '--sql', `UPDATE ${table} SET v = 'changed'`]);
      assert.equal(update.code, 0, update.stderr);
      assert.equal(await checksum(), before);
    });

    it('proposes a verified index where one helps, and none where none can', async function () {
      await admin.query(
        `CREATE TABLE ${table}_orders AS SELECT g AS id, g % 5000 AS customer_id, now() - g * interval '1 minute' AS created_at FROM generate_series(1, 200000) g`,
      );
      await admin.query(`ANALYZE ${table}_orders`);
      try {
        const selective = await run(['explain', '--json', '--sql', `SELECT * FROM ${table}_orders WHERE customer_id = 42`]);
        assert.equal(selective.code, 0, selective.stderr);
        const report = JSON.parse(selective.stdout);
        const scanFinding = report.warnings.find(
          (w: { id: string }) => w.id === 'seq-scan-large-table' || w.id === 'rows-removed-by-filter',
        );
        assert.ok(scanFinding, JSON.stringify(report.warnings));
        assert.equal(report.suggestions.length, 1, JSON.stringify(report.suggestions));
        const [suggestion] = report.suggestions;
        assert.equal(suggestion.table, `${table}_orders`);
        assert.deepEqual(suggestion.columns, ['customer_id']);
        assert.match(suggestion.ddl, new RegExp(`^CREATE INDEX CONCURRENTLY \\S+ ON public\\.${table}_orders \\(customer_id\\);$`));
        assert.equal(suggestion.verified, true);
        assert.ok(suggestion.costAfter < suggestion.costBefore / 5, `${suggestion.costBefore} -> ${suggestion.costAfter}`);
        assert.deepEqual(scanFinding.suggestions, [suggestion.name]);
        assert.ok(scanFinding.fix.startsWith(`An index would help: see the suggestion ${suggestion.name}.`), scanFinding.fix);
        assert.ok(!scanFinding.fix.includes('CREATE INDEX'), scanFinding.fix);
        assert.equal(report.fixFirst.ruleId, scanFinding.id);
        assert.match(report.fixFirst.text, new RegExp(`: create the index ${suggestion.name}$`));
        const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = '${table}_orders'`);
        assert.equal(rows[0].n, 0, 'verification creates nothing on the server');

        const everything = await run(['explain', '--json', '--sql', `SELECT count(*) FROM ${table}_orders WHERE customer_id >= 0`]);
        assert.equal(everything.code, 0, everything.stderr);
        assert.deepEqual(JSON.parse(everything.stdout).suggestions, []);
      } finally {
        await admin.query(`DROP TABLE ${table}_orders`);
      }
    });

    it('$n placeholders: --param values for EXPLAIN ANALYZE, --generic for a plan without them, else how to give them', async function () {
      const sql = `SELECT * FROM ${table} WHERE id < $1 AND v <> $2`;
      const withValues = await run(['explain', '--json', '--no-indexes', '--sql', sql, '--param', '10', '--param', 'NULL']);
      assert.equal(withValues.code, 0, withValues.stderr);
      const analyzed = JSON.parse(withValues.stdout);
      assert.equal(analyzed.mode, 'analyze');
      assert.equal(analyzed.nodes[0].rowsActual, 0, 'v <> NULL is never true: NULL went as SQL NULL');
      const nine = await run(['explain', '--json', '--no-indexes', '--sql', sql, '--param', '10', '--param', 'x']);
      assert.equal(JSON.parse(nine.stdout).nodes[0].rowsActual, 9);

      const generic = await run(['explain', '--no-indexes', '--sql', sql, '--generic']);
      assert.equal(generic.code, 0, generic.stderr);
      assert.match(generic.stdout, /^PostgreSQL 15\S* at .* \(generic plan: the placeholders were planned without values\)$/m);
      assert.match(generic.stdout, /Estimates only/);

      const missing = await run(['explain', '--sql', sql]);
      assert.equal(missing.code, 2);
      assert.match(
        missing.stderr,
        /<--sql>: the statement has 2 placeholders \(\$1, \$2\) and no values: give --param VALUE once for each, in order \(NULL for null\), or --generic for a plan without values/,
      );
      const tooFew = await run(['explain', '--sql', sql, '--param', '1']);
      assert.equal(tooFew.code, 2);
      assert.match(tooFew.stderr, /has 2 placeholders \(\$1, \$2\) but 1 value was given/);
      const both = await run(['explain', '--sql', sql, '--param', '1', '--generic']);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /either --param values or --generic, not both/);
    });

    it('a statement timeout is reported as such, with exit 1', async function () {
      const result = await run(['explain', '--timeout', '300', '--sql', 'SELECT pg_sleep(5)']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /timeout/i);
    });

    it('Ctrl+C cancels the statement on the server', async function () {
      const child = spawn(process.execPath, [cli, 'explain', '--sql', 'SELECT pg_sleep(30) AS cli_cancel_probe'], {
        env: { ...process.env, NO_COLOR: '1' },
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      // Wait until the server runs the statement, then interrupt as a terminal would.
      for (let i = 0; i < 100; i++) {
        const { rows } = await admin.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%cli_cancel_probe%' AND pid <> pg_backend_pid()`,
        );
        if (rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGINT');
      const code = await exited;
      assert.equal(code, 1);
      assert.match(stderr, /cancelled/);
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%cli_cancel_probe%' AND pid <> pg_backend_pid()`,
      );
      assert.equal(rows[0].n, 0);
    });
  });
});

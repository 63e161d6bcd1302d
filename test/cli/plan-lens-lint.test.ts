/**
 * `plan-lens lint` run as a user runs it (the built dist/cli.js in a child process) on the sample
 * applications: the JSON shape and 1-based positions, exit codes against --fail-on, usage errors,
 * a file that does not parse, and (when PostgreSQL is configured) --db reading the server live.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configuredPostgres } from '../support/test-servers';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const apps = join(root, 'test', 'code', 'apps');

function lint(args: string[]) {
  const run = spawnSync(process.execPath, [cli, 'lint', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('plan-lens lint', function () {
  // Each case starts the CLI (Node and the WebAssembly grammars) a few times; shared CI machines are slow.
  this.timeout(180_000);
  let work: string;

  before(function () {
    if (spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0)
      throw new Error('build failed');
    work = mkdtempSync(join(tmpdir(), 'plan-lens-lint-'));
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('prints findings as JSON with 1-based positions and fixes as text edits, and exits 1 on a warning', () => {
    const result = lint([join(apps, 'sqlalchemy_shop'), '--json']);
    assert.equal(result.code, 1, result.stderr);
    const findings = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    const nPlusOne = findings.find((f) => f.code === 'sqlalchemy-n-plus-one' && String(f.file).endsWith('category_report.py'))!;
    assert.deepEqual(Object.keys(nPlusOne), ['file', 'line', 'column', 'endLine', 'endColumn', 'code', 'severity', 'message', 'fixes']);
    assert.equal(nPlusOne.file, 'test/code/apps/sqlalchemy_shop/category_report.py');
    const source = readFileSync(join(apps, 'sqlalchemy_shop', 'category_report.py'), 'utf8').split('\n');
    const { line, column, endColumn } = nPlusOne as { line: number; column: number; endColumn: number };
    assert.equal(source[line - 1].slice(column - 1, endColumn - 1), 'product.category');
    assert.deepEqual(nPlusOne.fixes, [
      {
        title: 'Eager-load Product.category with joinedload',
        edits: [
          { line: 11, column: 46, endLine: 11, endColumn: 46, newText: '.options(joinedload(Product.category))' },
          { line: 3, column: 35, endLine: 3, endColumn: 35, newText: ', joinedload' },
        ],
      },
    ]);
    assert.deepEqual([...new Set(findings.map((f) => String(f.file).split('/').pop()))].sort(), [
      'category_report.py',
      'database.py',
      'import_products.py',
      'order_lines_report.py',
      'order_report.py',
      'pooled_engine.py',
      'web_app.py',
    ]);
  });

  it('exits 0 when nothing reaches --fail-on, and when the code is clean', () => {
    assert.equal(lint([join(apps, 'node_pg', 'db.js'), '--fail-on', 'error']).code, 0);
    assert.equal(lint([join(apps, 'node_pg'), '--fail-on', 'error']).code, 1, 'a connection string given as the options is an error');
    const clean = lint([join(apps, 'node_pg', 'tuned.ts'), join(apps, 'redis_cache', 'tuned.py'), join(apps, 'mongo_store', 'tuned.py')]);
    assert.equal(clean.code, 0, clean.stdout);
    assert.equal(clean.stdout, '0 findings in 3 files\n');
    assert.equal(lint([join(apps, 'mongo_store'), '--fail-on', 'error']).code, 1, 'minPoolSize above maxPoolSize is an error');
  });

  it('prints one line per finding as file:line:column', () => {
    const result = lint([join(apps, 'redis_cache', 'cache.py'), '--fail-on', 'info']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^test\/code\/apps\/redis_cache\/cache\.py:4:8: warning redis-socket-timeout: socket_timeout is not set/m);
    assert.match(result.stdout, /\n7 findings in 1 file\n$/);
  });

  it('says which file does not parse instead of reporting noise', () => {
    const broken = join(work, 'broken.py');
    writeFileSync(broken, 'from sqlalchemy import create_engine\nengine = create_engine("postgresql://x", pool_size=\n');
    const result = lint([broken, '--json']);
    assert.deepEqual([result.code, JSON.parse(result.stdout)], [0, []]);
    assert.match(result.stderr, /broken\.py has syntax errors and was not checked; fix them and run lint again\./);
  });

  it('--recording names the N+1 a saved recording saw in the matching finding only', () => {
    const saved = join(work, 'recording.json');
    const byId = 'SELECT categories.id AS categories_id, categories.name AS categories_name \nFROM categories \nWHERE categories.id = $1';
    const report = {
      version: 1,
      startedAt: '2026-12-05T09:07:00.000Z',
      statements: [{ fingerprint: 'c1', query: byId, calls: 10, totalMs: 4.5, meanMs: 0.45, rows: 10 }],
      findings: [{ id: 'n-plus-one', severity: 'warning', fingerprint: 'c1', calls: 10, totalMs: 4.5, message: 'N+1: …', fix: '…' }],
    };
    writeFileSync(saved, JSON.stringify(report));
    const result = lint([join(apps, 'sqlalchemy_shop'), '--recording', saved, '--json']);
    assert.equal(result.code, 1, result.stderr);
    const findings = JSON.parse(result.stdout) as Array<{ file: string; message: string; severity: string }>;
    const seen = findings.filter((f) => f.message.includes('Seen at run time'));
    assert.deepEqual(
      seen.map((f) => [f.file.split('/').pop(), f.severity]),
      [['category_report.py', 'warning']],
      'not order_report.py, whose loop reads order_items',
    );
    const local = new Date(report.startedAt);
    const clock = `${String(local.getHours()).padStart(2, '0')}:${String(local.getMinutes()).padStart(2, '0')}`;
    assert.match(
      seen[0].message,
      new RegExp(
        `Seen at run time: 10 queries of \`SELECT … FROM categories WHERE categories\\.id = \\$1\` in 4\\.50 ms \\(recording at ${clock}\\)\\.$`,
      ),
    );
    writeFileSync(
      saved,
      JSON.stringify({ ...report, findings: [{ ...report.findings[0], id: 'n-plus-one', severity: 'critical', totalMs: 150 }] }),
    );
    const critical = JSON.parse(lint([join(apps, 'sqlalchemy_shop'), '--recording', saved, '--json']).stdout) as typeof findings;
    assert.equal(critical.find((f) => f.message.includes('Seen at run time'))?.severity, 'error');
  });

  it('rejects bad usage with exit 2 and a sentence', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /lint needs at least one PATH/],
      [[join(apps, 'node_pg'), '--fail-on', 'fatal'], /--fail-on takes error, warning or info, got "fatal"/],
      [[join(apps, 'node_pg'), '--processes', '0'], /--processes takes a whole number of 1 or more/],
      [[join(work, 'missing')], /cannot read .*missing: no such file or directory/],
      [[join(apps, 'node_pg'), '--db', 'postgresql://nobody@127.0.0.1:1/x'], /Cannot connect to nobody@127\.0\.0\.1:1\/x/],
      [[join(apps, 'node_pg'), '--recording', join(work, 'absent.json')], /cannot read the recording .*absent\.json/],
      [[join(apps, 'node_pg'), '--recording', join(apps, 'node_pg', 'db.js')], /cannot read the recording .*db\.js: Unexpected token/],
      [
        [join(apps, 'node_pg'), '--recording', join(root, 'package.json')],
        /package\.json is not a recording saved by plan-lens record --out/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = lint(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });

  it('--db compares the pool with the live server, for --processes processes', function () {
    const connection = configuredPostgres();
    if (!connection) this.skip();
    const c = connection!.config;
    const url = `postgresql://${encodeURIComponent(String(c.user))}:${encodeURIComponent(String(c.password ?? ''))}@${c.host}:${c.port ?? 5432}/${c.database}`;
    const file = join(apps, 'sqlalchemy_shop', 'tuned_engine.py');
    const one = lint([file, '--db', url, '--json']);
    assert.deepEqual([one.code, JSON.parse(one.stdout)], [0, []]);
    const many = lint([file, '--db', url, '--processes', '50', '--json']);
    assert.equal(many.code, 1);
    const [finding] = JSON.parse(many.stdout) as Array<{ code: string; message: string; severity: string }>;
    assert.deepEqual([finding.code, finding.severity], ['sqlalchemy-pool-exceeds-server', 'error']);
    assert.match(
      finding.message,
      new RegExp(`1500 for 50 processes, but ${c.host}:${c.port ?? 5432}/${c.database} accepts only \\d+ more \\(max_connections \\d+`),
    );
    assert.ok(!(many.stdout + many.stderr).includes(`:${c.password}@`), 'the credentials never appear');
  });
});

/**
 * `plan-lens lint` on the sample Django shop, run as a user runs it (the built dist/cli.js): the
 * models come from shop/models.py, the N+1 findings from the programs beside it, in the same JSON
 * shape as every other rule.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const shop = join(root, 'test', 'code', 'apps', 'django_shop');

function lint(args: string[]) {
  const run = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'lint', ...args], { cwd: root, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('plan-lens lint on Django code', function () {
  this.timeout(180_000);

  before(function () {
    if (spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0)
      throw new Error('build failed');
  });

  it('reports each N+1 read with its select_related / prefetch_related fix, 1-based, and exits 1', () => {
    const result = lint([shop, '--json']);
    assert.equal(result.code, 1, result.stderr);
    const findings = JSON.parse(result.stdout) as Array<{
      file: string;
      line: number;
      column: number;
      endColumn: number;
      code: string;
      fixes: Array<{ title: string; edits: Array<{ line: number; column: number; newText: string }> }>;
    }>;
    assert.deepEqual(
      findings.map((f) => `${f.file.split('/').pop()}:${f.line}:${f.code}`),
      [
        'category_report.py:9:django-n-plus-one',
        'customer_report.py:9:django-n-plus-one',
        'customer_report.py:9:django-n-plus-one',
        'department_report.py:10:django-n-plus-one',
        'item_report.py:9:django-n-plus-one',
        'item_report.py:10:django-n-plus-one',
        'order_report.py:10:django-n-plus-one',
        'tag_report.py:8:django-n-plus-one',
      ],
    );
    const [category] = findings;
    assert.deepEqual(Object.keys(category), ['file', 'line', 'column', 'endLine', 'endColumn', 'code', 'severity', 'message', 'fixes']);
    const source = readFileSync(join(shop, 'category_report.py'), 'utf8').split('\n');
    assert.equal(source[category.line - 1].slice(category.column - 1, category.endColumn - 1), 'product.category');
    assert.deepEqual(category.fixes, [
      {
        title: "Load category with select_related('category')",
        edits: [{ line: 8, column: 50, endLine: 8, endColumn: 50, newText: '.select_related("category")' }],
      },
    ]);
    assert.equal(source[7].slice(0, 49), '    for product in Product.objects.order_by("id")');
  });

  it('exits 0 on the correct forms', () => {
    const result = lint([join(shop, 'eager_report.py'), join(shop, 'shop', 'models.py')]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^0 findings in 2 files$/m);
  });
});

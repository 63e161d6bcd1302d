/**
 * Application code at workspace scale: a generated workspace of 10,000 Python and JavaScript files
 * (SQLAlchemy and Django models, reports with loops, engines, node-postgres pools, built from the sample
 * applications with renamed models). Measures the background indexing of every file and the work
 * done when one file changes (parse, its models re-indexed, every rule run against the whole index).
 * Fails when a changed file takes CHANGED_FILE_TARGET_MS or more at the 95th percentile.
 * `npm run bench:code`; WORKSPACE_FILES overrides the size.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DjangoModelIndex } from '../src/core/code/django-models';
import { checkCode } from '../src/core/code/lint';
import { ModelIndex } from '../src/core/code/models';
import { languageOfPath } from '../src/core/code/syntax';
import { loadCodeParsers } from '../src/host/grammar-files';
import { underTarget } from './targets';

export const CHANGED_FILE_TARGET_MS = 100;
const FILES = Number(process.env.WORKSPACE_FILES ?? 10_000);
const CHANGED_SAMPLES = 300;

const apps = join(__dirname, '..', 'test', 'code', 'apps');
const read = (path: string) => readFileSync(join(apps, path), 'utf8');

/** Each template gets its models renamed per copy, so the index holds thousands of distinct models. */
const TEMPLATES: Array<{ ext: string; text: string }> = [
  { ext: 'py', text: read('sqlalchemy_shop/models.py') },
  { ext: 'py', text: read('sqlalchemy_shop/category_report.py') },
  { ext: 'py', text: read('sqlalchemy_shop/order_report.py') },
  { ext: 'py', text: read('sqlalchemy_shop/eager_report.py') },
  { ext: 'py', text: read('sqlalchemy_shop/import_products.py') },
  { ext: 'py', text: read('sqlalchemy_shop/pooled_engine.py') },
  { ext: 'py', text: read('redis_cache/cache.py') },
  { ext: 'py', text: read('mongo_store/store.py') },
  { ext: 'js', text: read('node_pg/db.js') },
  { ext: 'ts', text: read('node_pg/tuned.ts') },
  { ext: 'py', text: read('django_shop/shop/models.py') },
  { ext: 'py', text: read('django_shop/item_report.py') },
  { ext: 'py', text: read('django_shop/eager_report.py') },
];
const MODEL_NAMES = /\b(Category|Product|Customer|OrderItem|Order|Tag|Profile)\b/g;

function workspace(count: number): Array<{ path: string; text: string }> {
  const files: Array<{ path: string; text: string }> = [];
  for (let i = 0; i < count; i++) {
    const template = TEMPLATES[i % TEMPLATES.length];
    // Every ten files share one set of models, as a package's modules share its models.py.
    const suffix = Math.floor(i / TEMPLATES.length);
    files.push({ path: `/ws/pkg${suffix}/file${i}.${template.ext}`, text: template.text.replace(MODEL_NAMES, `$1${suffix}`) });
  }
  return files;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export async function run(): Promise<void> {
  const parsers = await loadCodeParsers();
  const files = workspace(FILES);
  const models = new ModelIndex();
  const djangoModels = new DjangoModelIndex();
  const memoryBefore = process.memoryUsage().rss;
  const started = performance.now();
  for (const file of files) {
    const indexed = checkCode(parsers, file.path, languageOfPath(file.path)!, file.text, 'models');
    models.update(file.path, indexed.models);
    djangoModels.update(file.path, indexed.djangoModels);
  }
  const indexMs = performance.now() - started;
  console.log(
    `indexed ${files.length} files (${models.size} SQLAlchemy and ${djangoModels.size} Django models) in ${indexMs.toFixed(0)} ms: ${(indexMs / files.length).toFixed(2)} ms per file, rss +${((process.memoryUsage().rss - memoryBefore) / 1e6).toFixed(0)} MB`,
  );

  const context = { models, djangoModels, processes: 4, server: undefined };
  const timings: number[] = [];
  let findings = 0;
  for (let n = 0; n < CHANGED_SAMPLES; n++) {
    const file = files[(n * 7919) % files.length];
    const edited = `${file.text}\n# edit ${n}\n`;
    const t0 = performance.now();
    const result = checkCode(parsers, file.path, languageOfPath(file.path)!, edited, context);
    timings.push(performance.now() - t0);
    findings += result.findings.length;
  }
  timings.sort((a, b) => a - b);
  const p95 = percentile(timings, 0.95);
  console.log(
    `changed file (parse, re-index, all rules over ${models.size} models): median ${percentile(timings, 0.5).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${timings[timings.length - 1].toFixed(1)} ms over ${CHANGED_SAMPLES} files (${findings} findings); p95 ${underTarget('changed file, p95', p95, CHANGED_FILE_TARGET_MS, 'ms')}`,
  );
}

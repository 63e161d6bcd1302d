/**
 * `plan-lens lint PATH... [--db URL] [--json] [--fail-on SEVERITY] [--processes N]`: the
 * application-code rules for terminals and CI. Models are indexed over all files first, so a
 * loop in one file is judged by the relationships declared in another.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DjangoModelIndex } from '../core/code/django-models';
import { checkCode } from '../core/code/lint';
import { ModelIndex } from '../core/code/models';
import { SEVERITY_RANK, type CodeFinding, type CodeSeverity } from '../core/code/findings';
import type { ServerFacts } from '../core/code/server-facts';
import { linkRecordedNPlusOne, recordedNPlusOneOfReport, type RecordedNPlusOne } from '../core/code/runtime-links';
import { languageOfPath } from '../core/code/syntax';
import { ensureSqlParser } from '../core/sql/sql-parser';
import type { WorkloadReport } from '../core/workload/recording-store';
import { resolveConnection } from '../db/connection-config';
import { describeConnectionError } from '../db/connection-errors';
import { createPool, DEFAULT_POOL_SETTINGS } from '../db/pool';
import { readServerFacts } from '../db/server-facts-reader';
import { loadCodeParsers } from '../host/grammar-files';
import { EXIT, UsageError } from './commands';

export interface LintCommandOptions {
  paths: string[];
  db?: string;
  json: boolean;
  failOn?: string;
  processes?: string;
  /** A recording saved by `plan-lens record --out`. */
  recording?: string;
}

/** Directories never worth reading for application code. */
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '.venv', 'venv', '__pycache__', 'dist', 'build', '.tox', '.mypy_cache']);

export interface LintJsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  severity: CodeSeverity;
  message: string;
  fixes: Array<{ title: string; edits: Array<{ line: number; column: number; endLine: number; endColumn: number; newText: string }> }>;
}

/** Every code file under the paths, without recursion (a workspace can nest deeply). */
function collectFiles(paths: string[]): string[] {
  const files: string[] = [];
  const pending = [...paths];
  while (pending.length > 0) {
    const path = pending.pop()!;
    let stats;
    try {
      stats = statSync(path);
    } catch {
      throw new UsageError(`cannot read ${path}: no such file or directory`);
    }
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path)) if (!SKIPPED_DIRECTORIES.has(entry)) pending.push(join(path, entry));
    } else if (languageOfPath(path) || paths.includes(path)) {
      files.push(path);
    }
  }
  return files.sort();
}

function parseSeverity(value: string | undefined): CodeSeverity {
  if (value === undefined) return 'warning';
  if (value === 'error' || value === 'warning' || value === 'info') return value;
  throw new UsageError(`--fail-on takes error, warning or info, got "${value}"`);
}

function parseProcesses(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--processes takes a whole number of 1 or more, got "${value}"`);
  return n;
}

async function serverFacts(url: string): Promise<ServerFacts> {
  let connection;
  try {
    connection = resolveConnection({ url });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!connection) throw new UsageError('--db needs a connection URL such as postgresql://user@host/database');
  const pool = createPool(connection, { ...DEFAULT_POOL_SETTINGS, max: 1 });
  try {
    return await readServerFacts(pool);
  } catch (error) {
    throw new UsageError(describeConnectionError(error, connection.describe()));
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** The N+1 findings of a saved recording; its start time, or the file's time when it has none. */
async function readRecording(file: string): Promise<RecordedNPlusOne[]> {
  let report: WorkloadReport;
  let modified: number;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as WorkloadReport;
    modified = statSync(file).mtimeMs;
  } catch (error) {
    throw new UsageError(`cannot read the recording ${file}: ${(error as Error).message}`);
  }
  const wellFormed =
    report?.version === 1 &&
    Array.isArray(report.statements) &&
    Array.isArray(report.findings) &&
    report.statements.every((s) => typeof s?.fingerprint === 'string' && typeof s.query === 'string') &&
    report.findings.every((f) => typeof f?.fingerprint === 'string' && typeof f.calls === 'number' && typeof f.totalMs === 'number');
  if (!wellFormed) {
    throw new UsageError(
      `${file} is not a recording saved by plan-lens record --out (a JSON report of version 1); record one with --out FILE.`,
    );
  }
  await ensureSqlParser();
  const startedAt = report.startedAt === undefined ? NaN : Date.parse(report.startedAt);
  return recordedNPlusOneOfReport(report, Number.isNaN(startedAt) ? modified : startedAt);
}

export function toJsonFinding(file: string, finding: CodeFinding): LintJsonFinding {
  const r = finding.range;
  return {
    file,
    line: r.start.line + 1,
    column: r.start.column + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.column + 1,
    code: finding.code,
    severity: finding.severity,
    message: finding.message,
    fixes: finding.fixes.map((fix) => ({
      title: fix.title,
      edits: fix.edits.map((edit) => ({
        line: edit.range.start.line + 1,
        column: edit.range.start.column + 1,
        endLine: edit.range.end.line + 1,
        endColumn: edit.range.end.column + 1,
        newText: edit.newText,
      })),
    })),
  };
}

export async function runLintCommand(options: LintCommandOptions): Promise<number> {
  if (options.paths.length === 0) throw new UsageError('lint needs at least one PATH (a file or a directory)');
  const failOn = parseSeverity(options.failOn);
  const processes = parseProcesses(options.processes);
  const files = collectFiles(options.paths);
  const recorded = options.recording ? await readRecording(options.recording) : [];
  const server = options.db ? await serverFacts(options.db) : undefined;
  const parsers = await loadCodeParsers();
  const models = new ModelIndex();
  const djangoModels = new DjangoModelIndex();
  const sources = new Map<string, string>();
  for (const file of files) {
    const language = languageOfPath(file);
    if (!language) throw new UsageError(`${file}: not a Python, JavaScript or TypeScript file`);
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    sources.set(file, text);
    const indexed = checkCode(parsers, file, language, text, 'models');
    models.update(file, indexed.models);
    djangoModels.update(file, indexed.djangoModels);
  }
  const results: LintJsonFinding[] = [];
  const unparsed: string[] = [];
  for (const [file, text] of sources) {
    const checked = checkCode(parsers, file, languageOfPath(file)!, text, { models, djangoModels, server, processes });
    if (!checked.parsed) unparsed.push(file);
    const name = relative(process.cwd(), file) || file;
    for (const finding of linkRecordedNPlusOne(checked.findings, recorded))
      results.push(toJsonFinding(name.startsWith('..') ? file : name, finding));
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) process.stdout.write(`${r.file}:${r.line}:${r.column}: ${r.severity} ${r.code}: ${r.message}\n`);
    const summary = `${results.length} finding${results.length === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}`;
    process.stdout.write(`${summary}${server ? `, checked against ${server.server}` : ''}\n`);
  }
  for (const file of unparsed)
    process.stderr.write(`plan-lens: ${file} has syntax errors and was not checked; fix them and run lint again.\n`);
  return results.some((r) => SEVERITY_RANK[r.severity] >= SEVERITY_RANK[failOn]) ? EXIT.statementFailed : EXIT.ok;
}

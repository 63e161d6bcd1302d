/**
 * The sample applications under test/code/apps, indexed and checked the way the CLI does it, and
 * the one way tests apply a quick fix (edits from the end of the file backwards, as an editor does).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LintContext } from '../../src/core/code/context';
import type { CodeEdit, CodeFinding } from '../../src/core/code/findings';
import { checkCode } from '../../src/core/code/lint';
import { ModelIndex } from '../../src/core/code/models';
import type { ServerFacts } from '../../src/core/code/server-facts';
import { languageOfPath, type CodeParsers } from '../../src/core/code/syntax';

export const APPS_DIR = join(__dirname, '..', 'code', 'apps');

export function appFiles(dir = APPS_DIR): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...appFiles(path));
    else if (languageOfPath(path)) files.push(path);
  }
  return files.sort();
}

export function indexedModels(parsers: CodeParsers, files = appFiles()): ModelIndex {
  const models = new ModelIndex();
  for (const file of files)
    models.update(file, checkCode(parsers, file, languageOfPath(file)!, readFileSync(file, 'utf8'), 'models').models);
  return models;
}

export function lintText(parsers: CodeParsers, path: string, text: string, context: Partial<LintContext> & { models: ModelIndex }) {
  return checkCode(parsers, path, languageOfPath(path)!, text, { processes: 1, ...context });
}

export function lintApp(
  parsers: CodeParsers,
  relativePath: string,
  context: Partial<LintContext> & { models: ModelIndex },
): { text: string; findings: CodeFinding[] } {
  const path = join(APPS_DIR, relativePath);
  const text = readFileSync(path, 'utf8');
  const result = lintText(parsers, path, text, context);
  if (!result.parsed) throw new Error(`${relativePath} does not parse`);
  return { text, findings: result.findings };
}

function offsetOf(lines: string[], line: number, column: number): number {
  let offset = 0;
  for (let i = 0; i < line; i++) offset += lines[i].length + 1;
  return offset + column;
}

export function applyEdits(text: string, edits: CodeEdit[]): string {
  const lines = text.split('\n');
  const located = edits.map((edit, index) => ({
    index,
    start: offsetOf(lines, edit.range.start.line, edit.range.start.column),
    end: offsetOf(lines, edit.range.end.line, edit.range.end.column),
    newText: edit.newText,
  }));
  // Inserts at one position keep their order, as in an editor's workspace edit.
  located.sort((a, b) => b.start - a.start || b.index - a.index);
  let result = text;
  for (const edit of located) result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  return result;
}

/** A server with 100 connections, 3 reserved, 10 in use elsewhere, idle sessions cut after 10 minutes. */
export const SMALL_SERVER: ServerFacts = {
  server: 'db:5432/shop',
  maxConnections: 100,
  superuserReservedConnections: 3,
  connectionsInUseByOthers: 10,
  idleSessionTimeoutSeconds: 600,
  tcpKeepalivesIdleSeconds: null,
};

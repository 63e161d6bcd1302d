/**
 * The application-code rules, registered in one list, and the one entry point every face uses
 * (editor diagnostics, `plan-lens lint`, tests, the benchmark).
 */
import type { LintContext } from './context';
import { extractDjangoModels, type DjangoModel } from './django-models';
import type { CodeFinding } from './findings';
import { extractModels, type OrmModel } from './models';
import { djangoNPlusOneRule } from './rules/django-n-plus-one';
import { nodePostgresPoolRule } from './rules/node-postgres-pool';
import { pymongoClientRule } from './rules/pymongo-client';
import { redisPoolRule } from './rules/redis-pool';
import { sqlalchemyBulkRule } from './rules/sqlalchemy-bulk';
import { sqlalchemyEngineRule } from './rules/sqlalchemy-engine';
import { sqlalchemyNPlusOneRule } from './rules/sqlalchemy-n-plus-one';
import { importedModules, type SourceFile } from './source-file';
import type { CodeLanguage, CodeParsers } from './syntax';

export type CodeRule = (file: SourceFile, context: LintContext) => CodeFinding[];

export const CODE_RULES: readonly CodeRule[] = [
  sqlalchemyEngineRule,
  sqlalchemyNPlusOneRule,
  sqlalchemyBulkRule,
  djangoNPlusOneRule,
  redisPoolRule,
  pymongoClientRule,
  nodePostgresPoolRule,
];

export type ParsedCode =
  | { parsed: true; models: OrmModel[]; djangoModels: DjangoModel[]; findings: CodeFinding[] }
  /** Mid-edit: callers keep the last good result instead of reporting a flood of noise. */
  | { parsed: false; models: []; djangoModels: []; findings: [] };

/**
 * Parses once and gives the file's models and findings. With `models` only (the indexing pass),
 * rules do not run. The tree is freed before returning.
 */
export function checkCode(
  parsers: CodeParsers,
  path: string,
  language: CodeLanguage,
  text: string,
  context: LintContext | 'models',
): ParsedCode {
  const tree = parsers.parse(language, text);
  try {
    if (tree.rootNode.hasError) return { parsed: false, models: [], djangoModels: [], findings: [] };
    const root = tree.rootNode;
    const file: SourceFile = {
      path,
      language,
      root,
      imports: importedModules(language, root),
      matches: (pattern) => parsers.query(language, pattern).matches(root),
    };
    const models = extractModels(file);
    const djangoModels = extractDjangoModels(file);
    if (context === 'models') return { parsed: true, models, djangoModels, findings: [] };
    context.models.update(path, models);
    context.djangoModels?.update(path, djangoModels);
    const findings = CODE_RULES.flatMap((rule) => rule(file, context));
    findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
    return { parsed: true, models, djangoModels, findings };
  } finally {
    tree.delete();
  }
}

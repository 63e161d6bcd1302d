/**
 * Linking the N+1 loops found in the code with the N+1 the query recorder saw at run time. A
 * recorded finding matches a code finding when its repeated statement reads the table the code's
 * relationship loads, filtered by the same column compared with a parameter: read from the
 * statement's parse tree (PostgreSQL's parser), so aliases, quoting and operand order do not
 * matter. Requires ensureSqlParser() to have completed.
 */
import { formatClockTime, formatCount, formatMs } from '../format';
import { parseSql } from '../sql/sql-parser';
import type { WorkloadFinding, WorkloadSeverity } from '../workload/model';
import type { WorkloadReport } from '../workload/recording-store';
import type { CodeFinding, CodeRange, PerRowLookup } from './findings';

/** A recorded N+1: the repeated statement (constants as $n), how often and how long, and when it was recorded. */
export interface RecordedNPlusOne {
  fingerprint: string;
  query: string;
  calls: number;
  totalMs: number;
  severity: WorkloadSeverity;
  /** When the recording started, ms since the epoch. */
  recordedAt: number;
}

/** `table.column = $n` of a statement's WHERE clause, and the short form of the statement for messages. */
export interface StatementLookup extends PerRowLookup {
  /** `SELECT … FROM categories WHERE categories.id = $1` */
  summary: string;
}

type AstNode = Record<string, unknown>;

/** Lookups of a single-table SELECT by a column equal to a parameter; empty for anything else. */
export function statementLookups(sql: string): StatementLookup[] {
  const parsed = parseSql(sql);
  if (!parsed.ok || parsed.statements.length !== 1) return [];
  const select = (parsed.statements[0].stmt as AstNode | undefined)?.SelectStmt as AstNode | undefined;
  const from = select?.fromClause as AstNode[] | undefined;
  const relation = from?.length === 1 ? (from[0].RangeVar as AstNode | undefined) : undefined;
  if (!select || !relation || typeof relation.relname !== 'string') return [];
  const table = relation.relname;
  const alias = ((relation.alias as AstNode | undefined)?.aliasname as string | undefined) ?? table;
  const lookups: StatementLookup[] = [];
  const where = select.whereClause as AstNode | undefined;
  const bool = where?.BoolExpr as AstNode | undefined;
  const conditions = bool?.boolop === 'AND_EXPR' ? (bool.args as AstNode[]) : where ? [where] : [];
  for (const condition of conditions) {
    const expression = condition.A_Expr as AstNode | undefined;
    if (expression?.kind !== 'AEXPR_OP' || operatorName(expression) !== '=') continue;
    const [column, param] = [expression.lexpr, expression.rexpr].map((side) => side as AstNode);
    const pair =
      column?.ColumnRef && param?.ParamRef ? [column, param] : param?.ColumnRef && column?.ParamRef ? [param, column] : undefined;
    if (!pair) continue;
    const fields = ((pair[0].ColumnRef as AstNode).fields as AstNode[]).map((field) => (field.String as AstNode | undefined)?.sval);
    const name = fields.at(-1);
    const qualifier = fields.length > 1 ? fields.at(-2) : alias;
    if (typeof name !== 'string' || qualifier !== alias) continue;
    const number = (pair[1].ParamRef as AstNode).number as number;
    const more = conditions.length > 1 ? ' AND …' : '';
    lookups.push({ table, column: name, summary: `SELECT … FROM ${table} WHERE ${fields.join('.')} = $${number}${more}` });
  }
  return lookups;
}

function operatorName(expression: AstNode): string | undefined {
  const name = expression.name as AstNode[] | undefined;
  return name?.length === 1 ? ((name[0].String as AstNode | undefined)?.sval as string | undefined) : undefined;
}

/** The recorded N+1 that runs the code finding's per-row lookup, the one that cost most when several do. */
export function recordedMatch(
  lookup: PerRowLookup,
  recorded: readonly RecordedNPlusOne[],
): { recorded: RecordedNPlusOne; summary: string } | undefined {
  let best: { recorded: RecordedNPlusOne; summary: string } | undefined;
  for (const candidate of recorded) {
    const match = statementLookups(candidate.query).find((read) => read.table === lookup.table && read.column === lookup.column);
    if (match && (!best || candidate.totalMs > best.recorded.totalMs)) best = { recorded: candidate, summary: match.summary };
  }
  return best;
}

/**
 * The code findings with what the recording saw: "seen at run time: N queries of `…` in X ms
 * (recording at HH:MM)" added to the message; a recorded N+1 the detector rates critical makes
 * the code finding an error.
 */
export function linkRecordedNPlusOne(findings: readonly CodeFinding[], recorded: readonly RecordedNPlusOne[]): CodeFinding[] {
  if (recorded.length === 0) return [...findings];
  return findings.map((finding) => {
    const match = finding.perRowLookup && recordedMatch(finding.perRowLookup, recorded);
    if (!match) return finding;
    const { calls, totalMs, severity, recordedAt } = match.recorded;
    return {
      ...finding,
      severity: severity === 'critical' ? 'error' : finding.severity,
      message: `${finding.message} Seen at run time: ${formatCount(calls)} queries of \`${match.summary}\` in ${formatMs(totalMs)} (recording at ${formatClockTime(recordedAt)}).`,
    };
  });
}

/** Where in the code a recorded N+1 comes from: the code findings whose per-row lookup it runs. */
export interface CodeSite {
  path: string;
  range: CodeRange;
  lookup: PerRowLookup;
}

export function codeSitesOf(recorded: RecordedNPlusOne, sites: Iterable<CodeSite>): CodeSite[] {
  const lookups = statementLookups(recorded.query);
  return [...sites].filter((site) => lookups.some((read) => read.table === site.lookup.table && read.column === site.lookup.column));
}

/** The N+1 findings of a live recording (the recorder's store). */
export function recordedNPlusOneOf(findings: readonly WorkloadFinding[], recordedAt: number): RecordedNPlusOne[] {
  return findings
    .filter((finding) => finding.id === 'n-plus-one')
    .map(({ fingerprint, query, calls, totalMs, severity }) => ({ fingerprint, query, calls, totalMs, severity, recordedAt }));
}

/** The N+1 findings of a saved recording (`plan-lens record --out`): the statement comes from the report's statements. */
export function recordedNPlusOneOfReport(report: WorkloadReport, recordedAt: number): RecordedNPlusOne[] {
  const queries = new Map(report.statements.map((statement) => [statement.fingerprint, statement.query]));
  return report.findings.flatMap((finding) => {
    const query = queries.get(finding.fingerprint);
    if (finding.id !== 'n-plus-one' || query === undefined) return [];
    const severity = finding.severity as WorkloadSeverity;
    return [{ fingerprint: finding.fingerprint, query, calls: finding.calls, totalMs: finding.totalMs, severity, recordedAt }];
  });
}

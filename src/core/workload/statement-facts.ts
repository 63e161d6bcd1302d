/**
 * What the detectors need to know about a statement's text, read with PostgreSQL's own parser:
 * its fingerprint and normalized form, the OFFSET of a SELECT and the VALUES rows of an INSERT.
 * Requires ensureSqlParser() to have completed.
 */
import { fingerprintSql, parseSql } from '../sql/sql-parser';

export interface StatementFacts {
  fingerprint: string;
  normalized: string;
  offset?: number;
  valuesRows?: number;
}

type Node = Record<string, unknown>;

export function statementFacts(sql: string, params: readonly (string | null)[]): StatementFacts {
  const fingerprinted = fingerprintSql(sql);
  // Text PostgreSQL cannot parse (it failed on the server too) is grouped by its exact text.
  if (!fingerprinted) return { fingerprint: `text:${sql}`, normalized: sql };
  const facts: StatementFacts = { ...fingerprinted };
  const parsed = parseSql(sql);
  const statement = parsed.ok && parsed.statements.length === 1 ? (parsed.statements[0].stmt as Node | undefined) : undefined;
  const select = statement?.SelectStmt as Node | undefined;
  const offset = select ? integerValue(select.limitOffset as Node | undefined, params) : undefined;
  if (offset !== undefined) facts.offset = offset;
  const values = ((statement?.InsertStmt as Node | undefined)?.selectStmt as Node | undefined)?.SelectStmt as Node | undefined;
  if (values && Array.isArray(values.valuesLists)) facts.valuesRows = values.valuesLists.length;
  return facts;
}

function integerValue(node: Node | undefined, params: readonly (string | null)[]): number | undefined {
  if (!node) return undefined;
  const constant = node.A_Const as { ival?: { ival?: number } } | undefined;
  // libpg-query leaves out a zero ival.
  if (constant?.ival) return constant.ival.ival ?? 0;
  const param = node.ParamRef as { number?: number } | undefined;
  if (param?.number !== undefined) {
    const value = Number(params[param.number - 1]);
    return Number.isSafeInteger(value) ? value : undefined;
  }
  return undefined;
}

/**
 * What a statement is, as far as its parse tree shows: can EXPLAIN run it, would running it
 * change data, which `$n` parameters does it need.
 */
import type {
  CreateFunctionStmt,
  CreateRoleStmt,
  CreateTableAsStmt,
  DiscardStmt,
  FetchStmt,
  GrantStmt,
  Node,
  ObjectType,
  RawStmt,
  RenameStmt,
  SelectStmt,
  TransactionStmt,
  VacuumStmt,
  VariableSetStmt,
} from 'libpg-query';
import { SqlInputError, SqlSyntaxError } from './input-errors';
import { visitNodes } from './parse-tree';
import { readStatements, type SqlStatement } from './statements';
import { lineColumnAt } from './text-positions';

/**
 * - `query`: SELECT, VALUES, TABLE. Read-only as far as the text shows; a SELECT can still call a
 *   function that writes, which is why EXPLAIN ANALYZE always runs inside a rolled-back transaction.
 * - `data-modifying`: INSERT, UPDATE, DELETE, MERGE, SELECT INTO, CREATE TABLE AS, CREATE/REFRESH
 *   MATERIALIZED VIEW (REFRESH has no plan, so it is not explainable), any statement with a
 *   data-modifying WITH, and EXECUTE (whose prepared statement is not visible here).
 * - `utility`: everything EXPLAIN cannot run (VACUUM, CREATE INDEX, COPY, SET, BEGIN, EXPLAIN, ...).
 */
export type StatementKind = 'query' | 'data-modifying' | 'utility';

export interface StatementInfo {
  kind: StatementKind;
  /** Whether `EXPLAIN` accepts the statement. */
  explainable: boolean;
  /** PostgreSQL's name for the command ("SELECT", "VACUUM", "CREATE INDEX"), for messages such as "EXPLAIN cannot run VACUUM". */
  commandTag: string;
  /** A `WITH` query is an INSERT, UPDATE, DELETE or MERGE. */
  hasDataModifyingCte: boolean;
  /** A FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE clause takes row locks. */
  locksRows: boolean;
  /** The distinct `$n` parameter numbers used, ascending. */
  parameters: number[];
  /** The highest `$n` used, 0 when there is none. */
  maxParameter: number;
}

export type SingleStatementCheck = { ok: true; statement: SqlStatement } | { ok: false; error: SqlInputError };

/**
 * Checks that the text holds exactly one statement that PostgreSQL can parse. Comments and a
 * trailing `;` are allowed.
 */
export function checkSingleStatement(text: string): SingleStatementCheck {
  const checked = readSingleStatement(text);
  return checked.ok ? { ok: true, statement: checked.statement } : checked;
}

/**
 * Classifies the one statement in `sqlText`.
 * @throws SqlInputError when the text holds no statement or several; SqlSyntaxError when it does not parse.
 */
export function classifyStatement(sqlText: string): StatementInfo {
  const checked = readSingleStatement(sqlText);
  if (!checked.ok) throw checked.error;
  return describeStatement(checked.parsed.stmt!);
}

export type InspectedStatement = { ok: true; statement: SqlStatement; info: StatementInfo } | { ok: false; error: SqlInputError };

/** Checks and classifies the one statement in `text` with a single parse. */
export function inspectStatement(text: string): InspectedStatement {
  const checked = readSingleStatement(text);
  return checked.ok ? { ok: true, statement: checked.statement, info: describeStatement(checked.parsed.stmt!) } : checked;
}

type SingleStatementReading = { ok: true; statement: SqlStatement; parsed: RawStmt } | { ok: false; error: SqlInputError };

function readSingleStatement(text: string): SingleStatementReading {
  const { statements, parse } = readStatements(text);
  if (statements.length === 0) {
    return {
      ok: false,
      error: new SqlInputError('no SQL statement found: the input is empty or only comments', 'empty', statements),
    };
  }
  if (statements.length > 1) {
    const listed = statements.map((statement) => `line ${statement.startLine + 1} "${preview(statement.text)}"`);
    return {
      ok: false,
      error: new SqlInputError(
        `expected one statement, found ${statements.length}: ${listed.join(', ')}; explain them one at a time`,
        'several-statements',
        statements,
      ),
    };
  }
  if (!parse.ok) {
    const { line, column } = lineColumnAt(text, parse.offset);
    return { ok: false, error: new SqlSyntaxError(parse.message, line + 1, column + 1, parse.offset, statements) };
  }
  return { ok: true, statement: statements[0], parsed: parse.statements[0] };
}

/** Why EXPLAIN cannot take the statement, and what to explain instead: one sentence for the CLI and the editor. */
export function whyNotExplainable(info: StatementInfo): string {
  if (info.commandTag === 'REFRESH MATERIALIZED VIEW') {
    return 'PostgreSQL has no plan for REFRESH MATERIALIZED VIEW: explain the SELECT that defines the view instead';
  }
  return `EXPLAIN cannot run ${info.commandTag}: only SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, EXECUTE and CREATE TABLE AS can be explained`;
}

const PREVIEW_LENGTH = 40;

function preview(statementText: string): string {
  const collapsed = statementText.replace(/\s+/g, ' ');
  return collapsed.length <= PREVIEW_LENGTH ? collapsed : `${collapsed.slice(0, PREVIEW_LENGTH - 1).trimEnd()}…`;
}

const DATA_MODIFYING_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

function describeStatement(statement: Node): StatementInfo {
  const [nodeType, body] = Object.entries(statement)[0] as [string, unknown];
  const parameterNumbers = new Set<number>();
  let hasDataModifyingCte = false;
  let locksRows = false;
  visitNodes(statement, (type, node) => {
    if (type === 'ParamRef') {
      // `$0` parses but never binds; leaving it out lets PostgreSQL report it.
      const number = (node.number as number | undefined) ?? 0;
      if (number > 0) parameterNumbers.add(number);
    } else if (type === 'CommonTableExpr') {
      const query = node.ctequery as Node | undefined;
      if (query && DATA_MODIFYING_NODES.has(Object.keys(query)[0])) hasDataModifyingCte = true;
    } else if (type === 'SelectStmt') {
      if (((node as SelectStmt).lockingClause?.length ?? 0) > 0) locksRows = true;
    }
  });
  const parameters = [...parameterNumbers].sort((a, b) => a - b);
  return {
    ...commandOf(nodeType, body, hasDataModifyingCte),
    hasDataModifyingCte,
    locksRows,
    parameters,
    maxParameter: parameters.at(-1) ?? 0,
  };
}

type Command = Pick<StatementInfo, 'kind' | 'explainable' | 'commandTag'>;

function commandOf(nodeType: string, body: unknown, hasDataModifyingCte: boolean): Command {
  const readKind: StatementKind = hasDataModifyingCte ? 'data-modifying' : 'query';
  switch (nodeType) {
    case 'SelectStmt':
      return isSelectInto(body as SelectStmt)
        ? { kind: 'data-modifying', explainable: true, commandTag: 'SELECT INTO' }
        : { kind: readKind, explainable: true, commandTag: 'SELECT' };
    case 'InsertStmt':
      return { kind: 'data-modifying', explainable: true, commandTag: 'INSERT' };
    case 'UpdateStmt':
      return { kind: 'data-modifying', explainable: true, commandTag: 'UPDATE' };
    case 'DeleteStmt':
      return { kind: 'data-modifying', explainable: true, commandTag: 'DELETE' };
    case 'MergeStmt':
      return { kind: 'data-modifying', explainable: true, commandTag: 'MERGE' };
    case 'CreateTableAsStmt':
      return { kind: 'data-modifying', explainable: true, commandTag: createTableAsTag(body as CreateTableAsStmt) };
    case 'RefreshMatViewStmt':
      // EXPLAIN accepts it but answers "Utility statements have no plan structure", whatever the format.
      return { kind: 'data-modifying', explainable: false, commandTag: 'REFRESH MATERIALIZED VIEW' };
    case 'DeclareCursorStmt':
      return { kind: readKind, explainable: true, commandTag: 'DECLARE CURSOR' };
    case 'ExecuteStmt':
      return { kind: 'data-modifying', explainable: true, commandTag: 'EXECUTE' };
    default:
      return { kind: 'utility', explainable: false, commandTag: utilityCommandTag(nodeType, body) };
  }
}

/** In a set operation PostgreSQL keeps the INTO clause on the leftmost SELECT. */
function isSelectInto(select: SelectStmt): boolean {
  // A loop: a UNION of thousands of SELECTs nests its left arms thousands deep.
  for (let arm: SelectStmt | undefined = select; arm; arm = arm.larg) if (arm.intoClause) return true;
  return false;
}

function createTableAsTag(statement: CreateTableAsStmt): string {
  if (statement.objtype === 'OBJECT_MATVIEW') return 'CREATE MATERIALIZED VIEW';
  return statement.is_select_into ? 'SELECT INTO' : 'CREATE TABLE AS';
}

/** Statement nodes whose tag is not simply their name ("AlterDomainStmt" gives "ALTER DOMAIN"). */
const UTILITY_COMMAND_TAGS: Record<string, string> = {
  AlterDatabaseRefreshCollStmt: 'ALTER DATABASE',
  AlterDatabaseSetStmt: 'ALTER DATABASE',
  AlterEnumStmt: 'ALTER TYPE',
  AlterExtensionContentsStmt: 'ALTER EXTENSION',
  AlterFdwStmt: 'ALTER FOREIGN DATA WRAPPER',
  AlterForeignServerStmt: 'ALTER SERVER',
  AlterOpFamilyStmt: 'ALTER OPERATOR FAMILY',
  AlterRoleSetStmt: 'ALTER ROLE',
  AlterSeqStmt: 'ALTER SEQUENCE',
  AlterStatsStmt: 'ALTER STATISTICS',
  AlterTableMoveAllStmt: 'ALTER TABLE',
  AlterTableSpaceOptionsStmt: 'ALTER TABLESPACE',
  AlterTSConfigurationStmt: 'ALTER TEXT SEARCH CONFIGURATION',
  AlterTSDictionaryStmt: 'ALTER TEXT SEARCH DICTIONARY',
  CheckPointStmt: 'CHECKPOINT',
  ClosePortalStmt: 'CLOSE CURSOR',
  CompositeTypeStmt: 'CREATE TYPE',
  ConstraintsSetStmt: 'SET CONSTRAINTS',
  CreateAmStmt: 'CREATE ACCESS METHOD',
  CreatedbStmt: 'CREATE DATABASE',
  CreateEnumStmt: 'CREATE TYPE',
  CreateEventTrigStmt: 'CREATE EVENT TRIGGER',
  CreateFdwStmt: 'CREATE FOREIGN DATA WRAPPER',
  CreateForeignServerStmt: 'CREATE SERVER',
  CreateOpClassStmt: 'CREATE OPERATOR CLASS',
  CreateOpFamilyStmt: 'CREATE OPERATOR FAMILY',
  CreatePLangStmt: 'CREATE LANGUAGE',
  CreateRangeStmt: 'CREATE TYPE',
  CreateSeqStmt: 'CREATE SEQUENCE',
  CreateStatsStmt: 'CREATE STATISTICS',
  CreateStmt: 'CREATE TABLE',
  CreateTrigStmt: 'CREATE TRIGGER',
  AlterEventTrigStmt: 'ALTER EVENT TRIGGER',
  DropdbStmt: 'DROP DATABASE',
  IndexStmt: 'CREATE INDEX',
  LockStmt: 'LOCK TABLE',
  RuleStmt: 'CREATE RULE',
  SecLabelStmt: 'SECURITY LABEL',
  TruncateStmt: 'TRUNCATE TABLE',
  VariableShowStmt: 'SHOW',
  ViewStmt: 'CREATE VIEW',
};

const TRANSACTION_COMMAND_TAGS: Record<NonNullable<TransactionStmt['kind']>, string> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

function utilityCommandTag(nodeType: string, body: unknown): string {
  const fields = body as Record<string, unknown>;
  switch (nodeType) {
    case 'TransactionStmt':
      return TRANSACTION_COMMAND_TAGS[(body as TransactionStmt).kind ?? 'TRANS_STMT_BEGIN'];
    case 'VariableSetStmt': {
      const kind = (body as VariableSetStmt).kind;
      return kind === 'VAR_RESET' || kind === 'VAR_RESET_ALL' ? 'RESET' : 'SET';
    }
    case 'VacuumStmt':
      return (body as VacuumStmt).is_vacuumcmd ? 'VACUUM' : 'ANALYZE';
    case 'CreateFunctionStmt':
      return (body as CreateFunctionStmt).is_procedure ? 'CREATE PROCEDURE' : 'CREATE FUNCTION';
    case 'CreateRoleStmt': {
      const type = (body as CreateRoleStmt).stmt_type;
      return type === 'ROLESTMT_USER' ? 'CREATE USER' : type === 'ROLESTMT_GROUP' ? 'CREATE GROUP' : 'CREATE ROLE';
    }
    case 'GrantStmt':
    case 'GrantRoleStmt':
      return (body as GrantStmt).is_grant ? 'GRANT' : 'REVOKE';
    case 'FetchStmt':
      return (body as FetchStmt).ismove ? 'MOVE' : 'FETCH';
    case 'DiscardStmt':
      return `DISCARD ${((body as DiscardStmt).target ?? 'DISCARD_ALL').replace('DISCARD_', '')}`;
    case 'DefineStmt':
      return `CREATE ${objectTypeName(fields.kind as ObjectType | undefined)}`;
    case 'DropStmt':
      return `DROP ${objectTypeName(fields.removeType as ObjectType | undefined)}`;
    case 'AlterTableStmt':
    case 'AlterFunctionStmt':
      return `ALTER ${objectTypeName(fields.objtype as ObjectType | undefined)}`;
    case 'RenameStmt': {
      const rename = body as RenameStmt;
      const renamesPartOfRelation = rename.renameType === 'OBJECT_COLUMN' || rename.renameType === 'OBJECT_TABCONSTRAINT';
      return `ALTER ${objectTypeName(renamesPartOfRelation ? rename.relationType : rename.renameType)}`;
    }
    case 'AlterObjectSchemaStmt':
    case 'AlterOwnerStmt':
    case 'AlterObjectDependsStmt':
      return `ALTER ${objectTypeName(fields.objectType as ObjectType | undefined)}`;
    default:
      return (
        UTILITY_COMMAND_TAGS[nodeType] ??
        nodeType
          .replace(/Stmt$/, '')
          .replace(/(?<=[a-z])(?=[A-Z])/g, ' ')
          .toUpperCase()
      );
  }
}

const OBJECT_TYPE_NAMES: Partial<Record<ObjectType, string>> = {
  OBJECT_ATTRIBUTE: 'TYPE',
  OBJECT_COLUMN: 'TABLE',
  OBJECT_DOMCONSTRAINT: 'DOMAIN',
  OBJECT_FDW: 'FOREIGN DATA WRAPPER',
  OBJECT_FOREIGN_SERVER: 'SERVER',
  OBJECT_LARGEOBJECT: 'LARGE OBJECT',
  OBJECT_MATVIEW: 'MATERIALIZED VIEW',
  OBJECT_OPCLASS: 'OPERATOR CLASS',
  OBJECT_OPFAMILY: 'OPERATOR FAMILY',
  OBJECT_STATISTIC_EXT: 'STATISTICS',
  OBJECT_TABCONSTRAINT: 'TABLE',
  OBJECT_TSCONFIGURATION: 'TEXT SEARCH CONFIGURATION',
  OBJECT_TSDICTIONARY: 'TEXT SEARCH DICTIONARY',
  OBJECT_TSPARSER: 'TEXT SEARCH PARSER',
  OBJECT_TSTEMPLATE: 'TEXT SEARCH TEMPLATE',
};

function objectTypeName(type: ObjectType | undefined): string {
  if (!type) return 'TABLE';
  return OBJECT_TYPE_NAMES[type] ?? type.replace(/^OBJECT_/, '').replace(/_/g, ' ');
}

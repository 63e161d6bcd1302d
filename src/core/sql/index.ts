/** SQL understanding built on PostgreSQL's own parser and lexer (libpg-query). */
export { ensureSqlParser, isSqlParserLoaded, Utf8IndexMap, byteOffsetToIndex, indexToByteOffset } from './sql-parser';
export { splitStatements, statementAtOffset, readStatements } from './statements';
export type { SqlStatement, DocumentStatements, DocumentParse } from './statements';
export { classifyStatement, checkSingleStatement, inspectStatement, whyNotExplainable } from './classify';
export type { StatementKind, StatementInfo, SingleStatementCheck, InspectedStatement } from './classify';
export { SqlInputError, SqlSyntaxError } from './input-errors';
export type { SqlInputProblem } from './input-errors';
export { findPlaceholders, toDollarParameters } from './placeholders';
export type { ParameterisedStatement, SqlPlaceholder, SqlPlaceholderStyle } from './placeholders';
export { LineIndex, lineColumnAt, indexAtLineColumn, mapServerErrorPosition } from './text-positions';
export type { LineColumn, SqlTextPosition } from './text-positions';
export { subjectLocator } from './statement-locations';
export type { StatementSubject, SubjectLocator, TextSpan } from './statement-locations';

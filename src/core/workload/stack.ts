/**
 * Which application stack sent a statement, from the application_name of its connection and the
 * SQL shapes ORMs are known by, so findings can name the fix in that stack's terms.
 */
export type Stack = 'sqlalchemy' | 'django' | 'activerecord' | 'unknown';

interface StackSignature {
  stack: Stack;
  applicationName?: RegExp;
  sql?: RegExp;
}

const SIGNATURES: readonly StackSignature[] = [
  // SQLAlchemy labels every selected column table_column ("products.id AS products_id") and
  // qualifies the key it asks back from an INSERT ("RETURNING orders.id").
  { stack: 'sqlalchemy', applicationName: /sqlalchemy/i, sql: /\b(\w+)\.(\w+) AS \1_\2\b|^INSERT INTO (\w+) [^]*\bRETURNING \3\.\w+$/ },
  // Django quotes app_model tables and columns and never labels them.
  { stack: 'django', applicationName: /django/i, sql: /"[a-z0-9]+_[a-z0-9_]+"\."[a-z0-9_]+"/ },
  // ActiveRecord: SELECT "categories".* FROM "categories" WHERE "categories"."id" = $1 LIMIT $2.
  { stack: 'activerecord', applicationName: /rails|puma|sidekiq/i, sql: /SELECT "(\w+)"\.\* FROM "\1"/ },
];

export function recognizeStack(applicationName: string, sql: string): Stack {
  for (const signature of SIGNATURES) {
    if (signature.applicationName?.test(applicationName) || signature.sql?.test(sql)) return signature.stack;
  }
  return 'unknown';
}

/**
 * Whether this test run has a PostgreSQL server: the same question, with the same answer, as
 * scripts/test-environment.mjs asks when it reports the postgresql-15 group as run or skipped.
 */
export function postgresConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.DATABASE_URL || env.PGHOST);
}

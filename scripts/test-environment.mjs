// What the machine offers the test groups that need more than Node. The test files ask the same
// questions (through test/support/environment.ts) so a group skips itself exactly when the
// harness says it does.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function postgresConfigured(env = process.env) {
  return Boolean(env.DATABASE_URL || env.PGHOST);
}

export function chromiumPath(env = process.env) {
  const candidate = env.PLAN_LENS_CHROMIUM || '/usr/bin/chromium';
  return existsSync(candidate) ? candidate : undefined;
}

export function codeServerInstalled(repoRoot) {
  return existsSync(join(repoRoot, '.tools', 'code-server', '.installed'));
}

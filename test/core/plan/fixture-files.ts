import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const PLANS_DIR = join(__dirname, '..', '..', 'fixtures', 'plans');

export interface PlanFixture {
  /** "pg15/initplan-filter", for test names. */
  name: string;
  jsonPath: string;
  expectedPath: string;
}

/** Every NAME.json under test/fixtures/plans/<source>/, with the NAME.expected.json beside it (which may be missing). */
export function planFixtures(): PlanFixture[] {
  const fixtures: PlanFixture[] = [];
  for (const source of readdirSync(PLANS_DIR, { withFileTypes: true })) {
    if (!source.isDirectory()) continue;
    const dir = join(PLANS_DIR, source.name);
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.json') || file.endsWith('.expected.json')) continue;
      const base = file.slice(0, -'.json'.length);
      fixtures.push({
        name: relative(PLANS_DIR, join(dir, base)),
        jsonPath: join(dir, file),
        expectedPath: join(dir, `${base}.expected.json`),
      });
    }
  }
  return fixtures;
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

export function hasExpected(fixture: PlanFixture): boolean {
  return existsSync(fixture.expectedPath);
}

/**
 * Checks that `actual` has every value of `expected`, whose numbers are hand-computed and so
 * compared to 0.0005 (plus a millionth of their size); null expects undefined. Returns the
 * mismatches as "path: expected X, got Y" lines.
 */
export function partialMismatches(actual: unknown, expected: unknown, path = ''): string[] {
  if (expected === null) return actual === undefined || actual === null ? [] : [`${path}: expected undefined, got ${show(actual)}`];
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return [`${path}: expected ${expected}, got ${show(actual)}`];
    return Math.abs(actual - expected) <= 0.0005 + Math.abs(expected) * 1e-6 ? [] : [`${path}: expected ${expected}, got ${actual}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${show(actual)}`];
    if (actual.length !== expected.length) return [`${path}: expected ${expected.length} items, got ${actual.length}`];
    return expected.flatMap((item, i) => partialMismatches(actual[i], item, `${path}[${i}]`));
  }
  if (typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return [`${path}: expected an object, got ${show(actual)}`];
    const record = actual as Record<string, unknown>;
    return Object.entries(expected as Record<string, unknown>).flatMap(([key, value]) =>
      partialMismatches(record[key], value, path ? `${path}.${key}` : key),
    );
  }
  return actual === expected ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

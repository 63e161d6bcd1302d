/**
 * The verification policy against a planner made of a cost table: which suggestions survive,
 * their order, the combination check, covering indexes that are not scanned index-only, sets
 * verified together, and what comes back when the planner cannot answer. The same policy runs
 * against HypoPG and the demo database in test/db.
 */
import { strict as assert } from 'node:assert';
import type { IndexSuggestion } from '../../../../src/core/advice/advice-model';
import type { PlannedCost, Planner } from '../../../../src/core/advice/indexes/planner';
import { MIN_COST_IMPROVEMENT, verifyWithPlanner } from '../../../../src/core/advice/indexes/verification-policy';

function suggestion(id: string, extra: Partial<IndexSuggestion> = {}): IndexSuggestion {
  return {
    id,
    table: 'orders',
    columns: [{ name: id, descending: false }],
    include: [],
    kinds: ['single'],
    name: id,
    concurrently: false,
    ddl: `CREATE INDEX ${id} ON orders (${id});`,
    reason: 'test',
    nodeIds: [1],
    verification: { method: 'unverified' },
    ...extra,
  };
}

interface Outcome {
  cost: number;
  /** Ids the planner scans, with the scan type ("Index Scan" unless given). */
  used?: Record<string, string> | string[];
}

/**
 * Costs keyed by the sorted ids of the candidates in place ('' for none); a key missing from the
 * table means no candidate is used and the cost stays the base cost. `refused` ids fail to build.
 */
class TablePlanner implements Planner {
  readonly method = 'hypopg';
  readonly asked: string[] = [];

  constructor(
    private readonly outcomes: Record<string, Outcome>,
    private readonly refused: ReadonlySet<string> = new Set(),
  ) {}

  costWith(candidates: readonly IndexSuggestion[]): Promise<PlannedCost | { error: string }> {
    const key = candidates
      .map((candidate) => `${candidate.id}${candidate.include.length > 0 ? '+include' : ''}`)
      .sort()
      .join(',');
    this.asked.push(key);
    const refused = candidates.find((candidate) => this.refused.has(candidate.id));
    if (refused) return Promise.resolve({ error: `cannot build ${refused.id}` });
    const outcome = this.outcomes[key] ?? { cost: this.outcomes['']!.cost };
    const used = Array.isArray(outcome.used) ? Object.fromEntries(outcome.used.map((id) => [id, 'Index Scan'])) : (outcome.used ?? {});
    return Promise.resolve({ cost: outcome.cost, used: new Map(Object.entries(used)) });
  }
}

describe('verification policy (core, fake planner)', () => {
  it('keeps only suggestions the planner uses that cut the cost by at least 10%, ranked by the cost they reach', async () => {
    const planner = new TablePlanner({
      '': { cost: 1000 },
      a: { cost: 400, used: ['a'] },
      b: { cost: 100, used: ['b'] },
      c: { cost: 50 }, // cheaper, but the planner did not use c: a cost drop from elsewhere is not c's merit
      d: { cost: 1000 * (1 - MIN_COST_IMPROVEMENT) + 1, used: ['d'] },
      'a,b': { cost: 40, used: ['a', 'b'] },
    });
    const kept = await verifyWithPlanner(planner, [suggestion('a'), suggestion('b'), suggestion('c'), suggestion('d')]);
    assert.deepEqual(
      kept.map((s) => s.id),
      ['b', 'a'],
    );
    assert.deepEqual(kept[0]!.verification, {
      method: 'hypopg',
      costBefore: 1000,
      costAfter: 100,
      usedByPlanner: true,
      costAfterCombined: 100,
    });
    assert.equal(kept[1]!.verification.costAfterCombined, 40);
  });

  it('drops a suggestion that no longer helps once the better ones are in place', async () => {
    const planner = new TablePlanner({
      '': { cost: 1000 },
      a: { cost: 100, used: ['a'] },
      b: { cost: 120, used: ['b'] },
      'a,b': { cost: 99, used: ['a', 'b'] },
    });
    const kept = await verifyWithPlanner(planner, [suggestion('a'), suggestion('b')]);
    assert.deepEqual(
      kept.map((s) => s.id),
      ['a'],
    );
  });

  it('tries a covering suggestion without INCLUDE when the planner does not scan it index-only', async () => {
    const covering = suggestion('a', {
      include: ['note'],
      kinds: ['single', 'covering'],
      ddl: 'CREATE INDEX a ON orders (a) INCLUDE (note);',
    });
    const planner = new TablePlanner({ '': { cost: 1000 }, 'a+include': { cost: 300, used: ['a'] }, a: { cost: 290, used: ['a'] } });
    const [kept] = await verifyWithPlanner(planner, [covering]);
    assert.deepEqual(kept!.include, []);
    assert.equal(kept!.ddl, 'CREATE INDEX a ON orders (a);');
    assert.deepEqual(planner.asked.slice(0, 3), ['', 'a+include', 'a']);

    const indexOnly = new TablePlanner({ '': { cost: 1000 }, 'a+include': { cost: 30, used: { a: 'Index Only Scan' } } });
    const [stays] = await verifyWithPlanner(indexOnly, [covering]);
    assert.deepEqual(stays!.include, ['note']);
  });

  it('verifies the indexes of one set together: kept only when the planner uses all of them', async () => {
    const left = suggestion('a', { set: 'or-1' });
    const right = suggestion('b', { set: 'or-1' });
    const planner = new TablePlanner({ '': { cost: 1000 }, a: { cost: 1000 }, b: { cost: 1000 }, 'a,b': { cost: 80, used: ['a', 'b'] } });
    const kept = await verifyWithPlanner(planner, [left, suggestion('c'), right]);
    assert.deepEqual(
      kept.map((s) => s.id),
      ['a', 'b'],
    );
    assert.ok(!planner.asked.includes('a'), 'a member of a set is never planned alone');

    const halfUsed = new TablePlanner({ '': { cost: 1000 }, 'a,b': { cost: 80, used: ['a'] } });
    assert.deepEqual(await verifyWithPlanner(halfUsed, [left, right]), []);
  });

  it('marks every suggestion unverified, one per node, when the statement cannot be planned', async () => {
    const failing: Planner = { method: 'hypopg', costWith: () => Promise.resolve({ error: 'relation "x" does not exist' }) };
    const kept = await verifyWithPlanner(failing, [suggestion('a'), suggestion('b'), suggestion('c', { nodeIds: [2] })]);
    assert.deepEqual(
      kept.map((s) => [s.id, s.verification.method]),
      [
        ['a', 'unverified'],
        ['c', 'unverified'],
      ],
    );
    assert.match(kept[0]!.verification.note!, /planning the statement failed \(relation "x" does not exist\)/);
  });

  it('keeps the members of a set together when they come back unverified', async () => {
    const failing: Planner = { method: 'hypopg', costWith: () => Promise.resolve({ error: 'timeout' }) };
    const kept = await verifyWithPlanner(failing, [suggestion('a', { set: 'or-1' }), suggestion('b', { set: 'or-1' }), suggestion('c')]);
    assert.deepEqual(
      kept.map((s) => s.id),
      ['a', 'b'],
    );
  });

  it('keeps a suggestion the planner cannot simulate, unverified with the reason, after the verified ones', async () => {
    const planner = new TablePlanner({ '': { cost: 1000 }, a: { cost: 100, used: ['a'] } }, new Set(['g']));
    const kept = await verifyWithPlanner(planner, [suggestion('g', { nodeIds: [3] }), suggestion('a')]);
    assert.deepEqual(
      kept.map((s) => [s.id, s.verification.method]),
      [
        ['a', 'hypopg'],
        ['g', 'unverified'],
      ],
    );
    assert.match(kept[1]!.verification.note!, /HypoPG could not stand in for it \(cannot build g\)\. Build it on a copy of the database/);
  });
});

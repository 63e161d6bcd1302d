import assert from 'node:assert/strict';
import fc from 'fast-check';
import { INDENTED_DEPTH, jsonTextPieces } from '../../src/core/json-text';

const text = (value: unknown) => [...jsonTextPieces(value)].join('');

describe('jsonTextPieces: JSON of any depth and size', function () {
  it('writes exactly what JSON.stringify(value, null, 2) writes, for any JSON-like value', function () {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.equal(text(value), JSON.stringify(value, null, 2));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves out undefined members and writes null for undefined items, as JSON.stringify does', function () {
    const value = { a: undefined, b: [undefined, 1, () => 2], c: { toJSON: () => 'x' }, d: Number.NaN };
    assert.equal(text(value), JSON.stringify(value, null, 2));
  });

  it('writes a plan 100 000 levels deep without overflowing, indenting only the first levels', function () {
    let node: Record<string, unknown> = { 'Node Type': 'Result' };
    for (let i = 0; i < 100_000; i++) node = { 'Node Type': 'Limit', Plans: [node] };
    assert.throws(() => JSON.stringify(node), RangeError);
    const json = text(node);
    const longestIndent = Math.max(...json.split('\n').map((line) => /^ */.exec(line)![0].length));
    assert.ok(longestIndent <= 2 * INDENTED_DEPTH, `indented ${longestIndent} spaces`);
    let parsed = JSON.parse(json) as { Plans?: unknown[] };
    let depth = 0;
    while (parsed.Plans) {
      parsed = parsed.Plans[0] as typeof parsed;
      depth++;
    }
    assert.equal(depth, 100_000);
  });

  it('writes wide and deep parts of one value each its own way, and reads back equal', function () {
    let deep: Record<string, unknown> = { 'Node Type': 'Result' };
    for (let i = 0; i < 20_000; i++) deep = { 'Node Type': 'Limit', Plans: [deep] };
    const value = {
      version: 1,
      plan: { Plan: { 'Node Type': 'Append', Plans: [deep, ...Array.from({ length: 50_000 }, (_, id) => ({ id }))] } },
    };
    const json = text(value);
    assert.ok(json.startsWith('{\n  "version": 1,\n  "plan": {\n    "Plan": {\n      "Node Type": "Append",'), json.slice(0, 200));
    // Read back and written again: deepEqual itself would overflow on this depth.
    assert.equal(text(JSON.parse(json)), json);
  });
});

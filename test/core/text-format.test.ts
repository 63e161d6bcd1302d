import { strict as assert } from 'node:assert';
import { formatCount, formatPercent, formatRows, memorySetting } from '../../src/core/text-format';

describe('rule texts', () => {
  it('counts with thousands separators', () => {
    assert.equal(formatCount(200000), '200,000');
    assert.equal(formatCount(1240), '1,240');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(1999998.4), '1,999,998');
  });

  it('keeps fractional per-loop rows (PostgreSQL 18) visible', () => {
    assert.equal(formatRows(0.01), '0.01');
    assert.equal(formatRows(1000), '1,000');
  });

  it('percentages with one decimal, never rounding a remainder away', () => {
    assert.equal(formatPercent(0.0062), '0.6%');
    assert.equal(formatPercent(0.95), '95%');
    assert.equal(formatPercent(0.0000219), '<0.1%');
    assert.equal(formatPercent(0.99996), '>99.9%');
    assert.equal(formatPercent(1), '100%');
  });

  it('memory settings rounded up to whole MB, or 64 kB steps below 1 MB', () => {
    assert.equal(memorySetting(18512), '19MB');
    assert.equal(memorySetting(1024), '1MB');
    assert.equal(memorySetting(114), '128kB');
    assert.equal(memorySetting(3), '64kB');
  });
});

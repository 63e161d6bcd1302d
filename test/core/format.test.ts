import { strict as assert } from 'node:assert';
import {
  formatBytes,
  formatChange,
  formatCompact,
  formatCost,
  formatCostChange,
  formatCostRange,
  formatCount,
  formatFactor,
  formatKb,
  formatMs,
  formatNumber,
  formatPercent,
  formatRows,
  formatRunTime,
  memorySetting,
  rowsPhrase,
} from '../../src/core/format';

describe('format', () => {
  it('durations: the precision that matters at their size, minutes from 60 s', () => {
    assert.equal(formatMs(0), '0.00 ms');
    assert.equal(formatMs(0.0456), '0.046 ms');
    assert.equal(formatMs(0.155), '0.155 ms');
    assert.equal(formatMs(2.444), '2.44 ms');
    assert.equal(formatMs(12.44), '12.4 ms');
    assert.equal(formatMs(120.4), '120 ms');
    assert.equal(formatMs(1530), '1.53 s');
    assert.equal(formatMs(90_000), '1 min 30.0 s');
    assert.equal(formatMs(3_725_500), '62 min 5.5 s');
    assert.equal(formatMs(-12.44), '-12.4 ms');
    assert.equal(formatMs(Number.NaN), 'n/a');
    assert.equal(formatMs(Infinity), '∞ ms');
  });

  it('shares: one decimal below 10%, whole above, never rounding a remainder away', () => {
    assert.equal(formatPercent(0.0062), '0.6%');
    assert.equal(formatPercent(0.05), '5%');
    assert.equal(formatPercent(0.0526), '5.3%');
    assert.equal(formatPercent(0.954), '95%');
    assert.equal(formatPercent(0.0000219), '<0.1%');
    assert.equal(formatPercent(0.9971), '99.7%');
    assert.equal(formatPercent(0.99996), '>99.9%');
    assert.equal(formatPercent(1), '100%');
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(-0.25), '-25%');
    assert.equal(formatPercent(Number.NaN), 'n/a');
    assert.equal(formatPercent(Infinity), '∞%');
  });

  it('changes: whole percents with a true minus sign, one decimal where rounding would say all or nothing', () => {
    assert.equal(formatChange(100, 112), '+12%');
    assert.equal(formatChange(12_345, 210), '−98%');
    assert.equal(formatChange(1000, 999), '−0.1%');
    assert.equal(formatChange(6622.69, 5.28), '−99.9%');
    assert.equal(formatChange(100, 100), '±0%');
    assert.equal(formatChange(1, 200), '+19,900%');
    assert.equal(formatChange(0, 5), undefined);
    assert.equal(formatChange(Number.NaN, 5), undefined);
  });

  it('counts and numbers: thousands separators, counts whole, numbers up to three decimals', () => {
    assert.equal(formatCount(200000), '200,000');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(1999998.4), '1,999,998');
    assert.equal(formatCount(-1234), '-1,234');
    assert.equal(formatCount(Number.NaN), 'n/a');
    assert.equal(formatNumber(1234.5678), '1,234.568');
    assert.equal(formatNumber(-Infinity), '-∞');
  });

  it('rows: fractional per-loop rows (PostgreSQL 18) stay visible; phrases agree in number', () => {
    assert.equal(formatRows(0.01), '0.01');
    assert.equal(formatRows(1000), '1,000');
    assert.equal(rowsPhrase(1), '1 row');
    assert.equal(rowsPhrase(2500), '2,500 rows');
  });

  it('compact counts for cards', () => {
    assert.equal(formatCompact(999), '999');
    assert.equal(formatCompact(1234), '1.2k');
    assert.equal(formatCompact(5_600_000), '5.6M');
    assert.equal(formatCompact(25_000_000), '25M');
    assert.equal(formatCompact(-1500), '-1.5k');
    assert.equal(formatCompact(2.25), '2.3');
    assert.equal(formatCompact(Number.NaN), 'n/a');
  });

  it('factors: one decimal below 10, whole with separators, compact from ten thousand', () => {
    assert.equal(formatFactor(1.84), '1.8×');
    assert.equal(formatFactor(42.4), '42×');
    assert.equal(formatFactor(1234.4), '1,234×');
    assert.equal(formatFactor(56_000), '56k×');
    assert.equal(formatFactor(Infinity), '∞×');
    assert.equal(formatFactor(Number.NaN), 'n/a');
  });

  it('costs: whole from 100, two decimals below, ranges exactly as PostgreSQL prints them', () => {
    assert.equal(formatCost(6622.69), '6,623');
    assert.equal(formatCost(5.284), '5.28');
    assert.equal(formatCost(Number.NaN), 'n/a');
    assert.equal(formatCostRange(6620.39, 6622.69), '6620.39..6622.69');
    assert.equal(formatCostChange(12_345, 210), '12,345 → 210 (−98%)');
    assert.equal(formatCostChange(0, 5), '0.00 → 5.00');
  });

  it('sizes: kB as PostgreSQL reports them, bytes in the unit they fill', () => {
    assert.equal(formatKb(25512), '25,512 kB');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(12_595), '12.3 kB');
    assert.equal(formatBytes(4.5 * 1024 * 1024), '4.5 MB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GB');
    assert.equal(formatBytes(Number.NaN), 'n/a');
  });

  it('memory settings rounded up to whole MB, or 64 kB steps below 1 MB', () => {
    assert.equal(memorySetting(18512), '19MB');
    assert.equal(memorySetting(1024), '1MB');
    assert.equal(memorySetting(114), '128kB');
    assert.equal(memorySetting(3), '64kB');
  });

  it('run times as local date and time, unparseable text as it is', () => {
    const local = new Date(2026, 0, 2, 3, 4, 5).toISOString();
    assert.equal(formatRunTime(local), '2026-01-02 03:04:05');
    assert.equal(formatRunTime('yesterday'), 'yesterday');
  });
});

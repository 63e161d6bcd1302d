/**
 * How Plan Lens writes numbers: one function per kind, used by the CLI, the panel and the editor diagnostics, so a
 * value reads the same everywhere and a finding's title can be matched against the plan beside it.
 */

const EXACT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** NaN and infinities as words and signs rather than "NaN ms"; undefined for a finite value. */
function nonFinite(n: number, unit = ''): string | undefined {
  if (Number.isNaN(n)) return 'n/a';
  if (n === Infinity) return `∞${unit}`;
  if (n === -Infinity) return `-∞${unit}`;
  return undefined;
}

/** A number as it is, with thousands separators and at most three decimals: 1234.5 -> "1,234.5". */
export function formatNumber(n: number): string {
  return nonFinite(n) ?? EXACT.format(n);
}

/** A whole count with thousands separators: 200000 -> "200,000". */
export function formatCount(n: number): string {
  return nonFinite(n) ?? EXACT.format(Math.round(n));
}

/** A per-loop row count as PostgreSQL reports it: whole, or (PostgreSQL 18) with two decimals when it is a fraction. */
export function formatRows(n: number): string {
  return Number.isInteger(n) || !Number.isFinite(n) ? formatCount(n) : n.toFixed(2);
}

/** "1 row", "2 rows", "1,000 rows". */
export function rowsPhrase(n: number): string {
  return `${formatRows(n)} ${n === 1 ? 'row' : 'rows'}`;
}

const COMPACT_UNITS: ReadonlyArray<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** 1234 -> "1.2k", 5_600_000 -> "5.6M": for places with room for a glance only (plan cards). */
export function formatCompact(n: number): string {
  const special = nonFinite(n);
  if (special) return special;
  const abs = Math.abs(n);
  for (const [size, unit] of COMPACT_UNITS) {
    if (abs >= size) {
      const scaled = n / size;
      return `${Math.abs(scaled) < 10 ? scaled.toFixed(1).replace(/\.0$/, '') : scaled.toFixed(0)}${unit}`;
    }
  }
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/**
 * A share 0..1 as a percentage: one decimal below 10% ("0.6%", "5.2%"), whole above ("95%"), never rounding a
 * remainder away (a sliver is "<0.1%", almost all is ">99.9%", not "0%" or "100%").
 */
export function formatPercent(share: number): string {
  const special = nonFinite(share, '%');
  if (special) return special;
  const percent = share * 100;
  const abs = Math.abs(percent);
  const sign = percent < 0 ? '-' : '';
  if (abs > 0 && abs < 0.05) return `${sign}<0.1%`;
  if (abs > 99.95 && abs < 100) return `${sign}>99.9%`;
  if (abs >= 99.5 && abs < 100) return `${sign}${abs.toFixed(1)}%`;
  return `${sign}${abs < 10 ? abs.toFixed(1).replace(/\.0$/, '') : formatCount(abs)}%`;
}

/** "−98%", "+12%": the change from `before` to `after`; undefined when `before` is 0 or either is not a number. */
export function formatChange(before: number, after: number): string | undefined {
  if (before === 0 || !Number.isFinite(before) || !Number.isFinite(after)) return undefined;
  const percent = ((after - before) / before) * 100;
  // Whole percents, except where rounding would claim all or nothing: 99.9% faster is not 100%.
  let rounded = Math.round(percent);
  if (Math.abs(percent) < 1 || (Math.abs(rounded) === 100 && Math.abs(percent) !== 100)) {
    rounded = Number(percent.toFixed(1));
  }
  if (rounded === 0) return '±0%';
  // A true minus sign: the hyphen reads as a dash beside an arrow.
  return `${rounded < 0 ? '−' : '+'}${formatNumber(Math.abs(rounded))}%`;
}

const MS_PER_MINUTE = 60_000;

/**
 * Milliseconds with the precision that matters at their size: "1 min 30.0 s", "1.53 s", "120 ms", "12.4 ms",
 * "2.44 ms", "0.155 ms" (PostgreSQL measures to the microsecond).
 */
export function formatMs(ms: number): string {
  const special = nonFinite(ms, ' ms');
  if (special) return special;
  if (ms < 0) return `-${formatMs(-ms)}`;
  if (ms >= MS_PER_MINUTE) {
    const minutes = Math.floor(ms / MS_PER_MINUTE);
    return `${formatCount(minutes)} min ${((ms - minutes * MS_PER_MINUTE) / 1000).toFixed(1)} s`;
  }
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1 || ms === 0) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

/**
 * How many times: a misestimate, a speed-up, a ratio to a target. "1.8×", "42×", "1,234×", and compact from ten
 * thousand ("56k×") so a card keeps its width.
 */
export function formatFactor(factor: number): string {
  const special = nonFinite(factor, '×');
  if (special) return special;
  if (Math.abs(factor) < 10) return `${factor.toFixed(1)}×`;
  return `${Math.abs(factor) < 10_000 ? formatCount(factor) : formatCompact(factor)}×`;
}

/** A plan cost as people quote it: whole units with separators from 100 up, else two decimals ("6,623", "5.28"). */
export function formatCost(cost: number): string {
  const special = nonFinite(cost);
  if (special) return special;
  return Math.abs(cost) >= 100 ? formatCount(cost) : cost.toFixed(2);
}

/** "6620.39..6622.69": a node's startup and total cost, exactly as PostgreSQL prints them. */
export function formatCostRange(startup: number, total: number): string {
  return `${startup.toFixed(2)}..${total.toFixed(2)}`;
}

/** "12,345 → 210 (−98%)" */
export function formatCostChange(before: number, after: number): string {
  const change = formatChange(before, after);
  return `${formatCost(before)} → ${formatCost(after)}${change ? ` (${change})` : ''}`;
}

/** A size PostgreSQL reported in kB, as it reported it: "25,512 kB". */
export function formatKb(kb: number): string {
  return `${formatCount(kb)} kB`;
}

const BYTE_UNITS: ReadonlyArray<[number, string]> = [
  [1024 ** 3, 'GB'],
  [1024 ** 2, 'MB'],
  [1024, 'kB'],
];

/** A size in bytes in the largest unit it fills (binary, as PostgreSQL's pg_size_pretty): "512 B", "12.3 kB", "4.5 MB". */
export function formatBytes(bytes: number): string {
  const special = nonFinite(bytes, ' B');
  if (special) return special;
  for (const [size, unit] of BYTE_UNITS) {
    if (Math.abs(bytes) >= size) return `${(bytes / size).toFixed(1)} ${unit}`;
  }
  return `${formatCount(bytes)} B`;
}

const KB_PER_MB = 1024;
/** Below 1 MB, memory settings are suggested in steps of this many kB. */
const SMALL_SETTING_STEP_KB = 64;

/** A memory setting value covering `kb`, rounded up to a value people write: whole MB from 1 MB up, else a multiple of 64 kB ("19MB", "128kB"). */
export function memorySetting(kb: number): string {
  if (kb >= KB_PER_MB) return `${Math.ceil(kb / KB_PER_MB)}MB`;
  return `${Math.max(1, Math.ceil(kb / SMALL_SETTING_STEP_KB)) * SMALL_SETTING_STEP_KB}kB`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local "YYYY-MM-DD HH:MM:SS"; the ISO text itself when it does not parse. */
export function formatRunTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (
    `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`
  );
}

/** Local "HH:MM" of a moment (ms since the epoch): when a recording was made. */
export function formatClockTime(ms: number): string {
  const date = new Date(ms);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

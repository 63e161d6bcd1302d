/** Number and time formatting for cards (compact) and the details pane (exact). */

export function formatMs(ms: number): string {
  if (ms >= 60_000) {
    const minutes = Math.floor(ms / 60_000);
    return `${minutes} min ${((ms - minutes * 60_000) / 1000).toFixed(1)} s`;
  }
  if (ms >= 1000) {
    return `${(ms / 1000).toFixed(2)} s`;
  }
  if (ms >= 100) {
    return `${ms.toFixed(0)} ms`;
  }
  if (ms >= 10) {
    return `${ms.toFixed(1)} ms`;
  }
  if (ms >= 1 || ms === 0) {
    return `${ms.toFixed(2)} ms`;
  }
  return `${ms.toFixed(3)} ms`;
}

export function formatShare(ratio: number): string {
  const percent = ratio * 100;
  if (percent > 0 && percent < 0.1) {
    return '<0.1%';
  }
  return `${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)}%`;
}

const COMPACT_UNITS: ReadonlyArray<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** 1234 -> "1.2k", 5_600_000 -> "5.6M": cards have room for a glance, the details pane has the rest. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  for (const [size, unit] of COMPACT_UNITS) {
    if (abs >= size) {
      const scaled = n / size;
      return `${Math.abs(scaled) < 10 ? scaled.toFixed(1).replace(/\.0$/, '') : scaled.toFixed(0)}${unit}`;
    }
  }
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

const EXACT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

export function formatExact(n: number): string {
  return EXACT.format(n);
}

/** "×120", "×1.2": how far off an estimate was. */
export function formatFactor(factor: number): string {
  if (factor < 10) {
    return `×${factor.toFixed(1)}`;
  }
  return `×${factor < 1000 ? Math.round(factor) : formatCompact(factor)}`;
}

/** "6620.39..6622.69", as PostgreSQL prints a cost range. */
export function formatCost(startup: number, total: number): string {
  return `${startup.toFixed(2)}..${total.toFixed(2)}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local "YYYY-MM-DD HH:MM:SS"; the ISO text itself when it does not parse. */
export function formatRunTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return (
    `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`
  );
}

/** A raw EXPLAIN value as text: strings as they are, lists one item a line, objects as JSON. */
export function formatRawValue(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value.join('\n');
  }
  if (typeof value === 'object' && value !== null) {
    return JSON.stringify(value, null, 2);
  }
  return String(value);
}

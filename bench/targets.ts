/**
 * The targets the benches hold the product to. Each check returns the verdict to print beside the
 * number and remembers a miss; bench/run.ts exits non-zero once every bench ran if any was missed,
 * so a slower build fails instead of only printing "OVER".
 */

interface Miss {
  what: string;
  value: string;
  target: string;
}

const misses: Miss[] = [];

/**
 * `value` held against an upper bound: under it is `ok (< target unit)`, at or over it is
 * `OVER target unit`, which counts as a miss; '' for a row without a target.
 */
export function underTarget(what: string, value: number, target: number | undefined, unit: string): string {
  if (target === undefined) return '';
  const bound = `${target} ${unit}`.trim();
  if (value < target) return `ok (< ${bound})`;
  misses.push({ what, value: `${formatValue(value)} ${unit}`.trim(), target: `< ${bound}` });
  return `OVER ${bound}`;
}

/** Prints the missed targets, if any, and says whether there were none. */
export function reportTargets(): boolean {
  if (misses.length === 0) {
    console.log('\nEvery target met.');
    return true;
  }
  console.log(`\n${misses.length} target${misses.length === 1 ? '' : 's'} missed:`);
  for (const miss of misses) console.log(`  ${miss.what}: ${miss.value}, target ${miss.target}`);
  return false;
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 1 ? 3 : 1);
}

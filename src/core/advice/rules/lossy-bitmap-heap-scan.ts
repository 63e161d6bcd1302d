/**
 * lossy-bitmap-heap-scan: the bitmap of a Bitmap Heap Scan outgrew work_mem and went lossy,
 * remembering whole pages instead of rows, so every row on those pages had to be rechecked.
 */
import type { Finding } from '../advice-model';
import type { AnalyzedPlan } from '../../plan/model';
import { exclusiveMs, rawNumber, rawText, rowsExamined } from './node-facts';
import { nodeFinding, type Rule } from './rule';
import { formatCount, formatPercent, memorySetting } from '../../format';
import { nodeName } from '../../plan/node-label';
import { WORK_MEM_HEADROOM } from './work-mem-spills';

export const LOSSY_BITMAP_HEAP_SCAN = 'lossy-bitmap-heap-scan';

/** Share of the rows read that the recheck discarded from which the lossy pages cost more than they saved: warning (below: info). */
export const LOSSY_WARNING_RECHECK_SHARE = 0.5;
/**
 * Bytes of work_mem an exact bitmap needs per heap page (tidbitmap.c: a 48-byte PagetableEntry
 * plus two pointers of hash table overhead on 64-bit builds).
 */
export const BITMAP_BYTES_PER_HEAP_BLOCK = 64;
const BYTES_PER_KB = 1024;

export const lossyBitmapHeapScan: Rule = {
  id: LOSSY_BITMAP_HEAP_SCAN,
  title: 'Lossy bitmap heap scan',
  description:
    "A Bitmap Heap Scan's bitmap did not fit in work_mem and remembered whole pages instead of rows (lossy heap blocks): every row on those pages was rechecked against the condition.",
  needs: 'actuals',
  thresholds: [
    {
      name: 'LOSSY_WARNING_RECHECK_SHARE',
      value: LOSSY_WARNING_RECHECK_SHARE,
      meaning: 'warning when the recheck discards at least this share of the rows read, else info',
    },
    {
      name: 'BITMAP_BYTES_PER_HEAP_BLOCK',
      value: BITMAP_BYTES_PER_HEAP_BLOCK,
      meaning: 'work_mem bytes an exact bitmap needs per heap page',
    },
  ],
  evaluate(plan: AnalyzedPlan): Finding[] {
    const findings: Finding[] = [];
    for (const node of plan.nodes) {
      if (node.nodeType !== 'Bitmap Heap Scan' || !node.executed) continue;
      const lossy = rawNumber(node, 'Lossy Heap Blocks') ?? 0;
      if (lossy <= 0) continue;
      const blocks = lossy + (rawNumber(node, 'Exact Heap Blocks') ?? 0);
      const lossyShare = lossy / blocks;
      const rechecked = node.rowsRemovedByIndexRecheck ?? 0;
      const read = rowsExamined(node) ?? 0;
      const recheckShare = read > 0 ? rechecked / read : 0;
      const condition = rawText(node, 'Recheck Cond');
      const neededKb = (blocks * BITMAP_BYTES_PER_HEAP_BLOCK) / BYTES_PER_KB;
      findings.push(
        nodeFinding(LOSSY_BITMAP_HEAP_SCAN, node, {
          severity: recheckShare >= LOSSY_WARNING_RECHECK_SHARE ? 'warning' : 'info',
          title:
            `${nodeName(node)}: ${formatCount(lossy)} of ${formatCount(blocks)} heap blocks lossy (${formatPercent(lossyShare)})` +
            (rechecked > 0 ? `, recheck removed ${formatCount(rechecked)} rows` : ''),
          explanation:
            `The bitmap of matching rows outgrew work_mem, so for ${formatCount(lossy)} pages it kept only "some row on this page matches". ` +
            `PostgreSQL then read every row on those pages and rechecked it${condition ? ` against ${condition}` : ''}` +
            (rechecked > 0 ? `, discarding ${formatCount(rechecked)} (${formatPercent(recheckShare)} of the rows read).` : '.'),
          remedy:
            `Give this query more work_mem: an exact bitmap of ${formatCount(blocks)} pages needs about ${BITMAP_BYTES_PER_HEAP_BLOCK} bytes each, ` +
            `so SET work_mem = '${memorySetting(neededKb * WORK_MEM_HEADROOM)}' (SET LOCAL inside its transaction). ` +
            'If the index is a BRIN index, its bitmaps are always lossy: a smaller pages_per_range narrows them. ' +
            'A more selective condition, or an index matching it better, also makes the bitmap smaller.',
          // The rechecking of rows on lossy pages, assuming the scan's time is spread evenly over its pages.
          impactMs: exclusiveMs(node) * lossyShare,
        }),
      );
    }
    return findings;
  },
};

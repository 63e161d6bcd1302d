/**
 * The workload detectors, run over the statements of a recording in order. Each lives in its own
 * file and keeps bounded state, so a recording of any length can be checked as it streams by.
 */
import type { DetectorRun, RecordedStatement, WorkloadDetector, WorkloadFinding, WorkloadSettings } from './model';
import { nPlusOne } from './n-plus-one';
import { rowByRowWrite } from './row-by-row-write';
import { slowStatement } from './slow-statement';
import { offsetPagination } from './offset-pagination';
import { repeatedStatement } from './repeated-statement';

export const DETECTORS: readonly WorkloadDetector[] = [nPlusOne, rowByRowWrite, slowStatement, offsetPagination, repeatedStatement];

const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;

export class WorkloadAnalysis {
  private readonly runs: DetectorRun[];

  constructor(settings: WorkloadSettings) {
    this.runs = DETECTORS.map((detector) => detector.start(settings));
  }

  observe(statement: RecordedStatement): void {
    for (const run of this.runs) run.observe(statement);
  }

  /** Worst first, then by time at stake. */
  findings(): WorkloadFinding[] {
    return this.runs
      .flatMap((run) => run.findings())
      .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.totalMs - a.totalMs);
  }
}

export function analyzeWorkload(statements: Iterable<RecordedStatement>, settings: WorkloadSettings): WorkloadFinding[] {
  const analysis = new WorkloadAnalysis(settings);
  for (const statement of statements) analysis.observe(statement);
  return analysis.findings();
}

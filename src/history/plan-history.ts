/**
 * Every plan explained in a workspace, kept on disk so two runs of a statement can be compared
 * later: an index file listing the plans (statement, fingerprint, server, time, parameter values,
 * summary) and one file per plan holding PostgreSQL's JSON as it came. Bounded by a number of
 * plans and a byte budget, oldest dropped first. Knows files, never `vscode`: the extension passes
 * its workspace storage folder.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalyzedPlan } from '../core/plan/model';
import { summarizePlan, type PlanSummary } from '../core/plan/plan-diff';
import { fingerprintSql } from '../core/sql/sql-parser';
import type { ExplainMode } from '../protocol';

export const DEFAULT_MAX_PLANS = 200;
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

const INDEX_FILE = 'history.json';
const PLANS_DIR = 'plans';
const INDEX_VERSION = 1;

export interface HistoryEntry {
  /** Also the plan file's name; generated here, never from external text. */
  id: string;
  /** libpg-query's fingerprint of the statement sent, so reformatted or re-valued runs group together. */
  fingerprint: string;
  /** The statement as written. */
  statement: string;
  /** Where it ran ("PostgreSQL 15.18 · shop"); never carries a password. */
  server: string;
  /** ISO 8601 time the EXPLAIN started. */
  ranAt: string;
  mode: ExplainMode;
  /** The values sent for the placeholders, in order; null is SQL NULL. */
  params?: Array<string | null>;
  summary: PlanSummary;
  /** Size of the stored plan JSON, counted against the byte budget. */
  bytes: number;
}

export interface HistoryRecord {
  /** The text sent to the server, fingerprinted. */
  sqlText: string;
  statement: string;
  server: string;
  ranAt: string;
  mode: ExplainMode;
  params?: Array<string | null>;
  /** What PostgreSQL returned for EXPLAIN (FORMAT JSON). */
  explainJson: unknown;
  plan: AnalyzedPlan;
}

export interface HistoryLimits {
  maxPlans: number;
  maxBytes: number;
}

/** The plans of one statement, newest first. */
export interface StatementHistory {
  fingerprint: string;
  /** The statement of the newest plan. */
  statement: string;
  entries: HistoryEntry[];
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const ID_PATTERN = /^[0-9a-f-]{36}$/;

function isEntry(x: unknown): x is HistoryEntry {
  return (
    isRecord(x) &&
    typeof x.id === 'string' &&
    ID_PATTERN.test(x.id) &&
    typeof x.fingerprint === 'string' &&
    typeof x.statement === 'string' &&
    typeof x.server === 'string' &&
    typeof x.ranAt === 'string' &&
    (x.mode === 'analyze' || x.mode === 'estimate') &&
    (x.params === undefined || (Array.isArray(x.params) && x.params.every((v) => v === null || typeof v === 'string'))) &&
    isRecord(x.summary) &&
    Number.isFinite(x.summary.totalCost) &&
    Number.isSafeInteger(x.bytes)
  );
}

/** The statement's fingerprint; text PostgreSQL cannot parse is grouped by its exact text instead. */
export function statementFingerprint(sqlText: string): string {
  return fingerprintSql(sqlText)?.fingerprint ?? `text:${createHash('sha256').update(sqlText).digest('hex').slice(0, 16)}`;
}

export class PlanHistory {
  /** Oldest first, as plans are dropped from the front. */
  private entries: HistoryEntry[] = [];
  private loaded = false;
  /** File operations one at a time, so a record and a clear never interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly dir: string,
    private readonly limits: () => HistoryLimits,
    private readonly log: (message: string) => void,
  ) {}

  /** Called whenever the list of plans changes. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** All plans, newest first. */
  async list(): Promise<HistoryEntry[]> {
    await this.run(() => this.ensureLoaded());
    return [...this.entries].reverse();
  }

  /** The plans grouped by statement, the most recently explained statement first. */
  async byStatement(): Promise<StatementHistory[]> {
    const groups = new Map<string, StatementHistory>();
    for (const entry of await this.list()) {
      let group = groups.get(entry.fingerprint);
      if (!group) {
        group = { fingerprint: entry.fingerprint, statement: entry.statement, entries: [] };
        groups.set(entry.fingerprint, group);
      }
      group.entries.push(entry);
    }
    return [...groups.values()];
  }

  async record(input: HistoryRecord): Promise<HistoryEntry | undefined> {
    const changed = await this.run(async () => {
      await this.ensureLoaded();
      const json = JSON.stringify(input.explainJson);
      const bytes = Buffer.byteLength(json);
      const { maxPlans, maxBytes } = this.limits();
      if (bytes > maxBytes) {
        this.log(
          `Plan history: a plan of ${bytes} bytes is larger than the whole history budget (planLens.history.maxMegabytes) and was not kept.`,
        );
        return undefined;
      }
      const entry: HistoryEntry = {
        id: randomUUID(),
        fingerprint: statementFingerprint(input.sqlText),
        statement: input.statement,
        server: input.server,
        ranAt: input.ranAt,
        mode: input.mode,
        params: input.params,
        summary: summarizePlan(input.plan),
        bytes,
      };
      await mkdir(join(this.dir, PLANS_DIR), { recursive: true });
      await writeFile(this.planPath(entry.id), json);
      this.entries.push(entry);
      let total = this.entries.reduce((sum, e) => sum + e.bytes, 0);
      const dropped: HistoryEntry[] = [];
      while (this.entries.length > maxPlans || total > maxBytes) {
        const oldest = this.entries.shift()!;
        total -= oldest.bytes;
        dropped.push(oldest);
      }
      await this.saveIndex();
      await Promise.all(dropped.map((e) => rm(this.planPath(e.id), { force: true })));
      return entry;
    });
    if (changed) this.changed();
    return changed;
  }

  /** The stored EXPLAIN JSON of a plan; undefined (and a log line) when its file is gone or unreadable. */
  async readPlan(id: string): Promise<unknown> {
    return this.run(async () => {
      await this.ensureLoaded();
      if (!this.entries.some((e) => e.id === id)) return undefined;
      try {
        return JSON.parse(await readFile(this.planPath(id), 'utf8')) as unknown;
      } catch (error) {
        this.log(`Plan history: the stored plan ${id} could not be read (${(error as Error).message}); it was removed from the history.`);
        this.entries = this.entries.filter((e) => e.id !== id);
        await this.saveIndex();
        this.changed();
        return undefined;
      }
    });
  }

  async clear(): Promise<void> {
    await this.run(async () => {
      this.entries = [];
      this.loaded = true;
      await rm(join(this.dir, PLANS_DIR), { recursive: true, force: true });
      await this.saveIndex();
    });
    this.changed();
  }

  private run<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private planPath(id: string): string {
    return join(this.dir, PLANS_DIR, `${id}.json`);
  }

  private async ensureLoaded(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const path = join(this.dir, INDEX_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log(`Plan history: ${path} could not be read (${(error as Error).message}); the history starts empty.`);
      }
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this.log(
        `Plan history: ${path} is corrupt (${(error as Error).message}); the history starts empty and the file is replaced on the next explain.`,
      );
      return;
    }
    if (!isRecord(parsed) || parsed.version !== INDEX_VERSION || !Array.isArray(parsed.entries)) {
      this.log(
        `Plan history: ${path} is not a plan history of this version; the history starts empty and the file is replaced on the next explain.`,
      );
      return;
    }
    const valid = parsed.entries.filter(isEntry);
    const skipped = parsed.entries.length - valid.length;
    if (skipped > 0) this.log(`Plan history: ${skipped} malformed entries in ${path} were ignored.`);
    this.entries = valid;
  }

  /** Written to a temporary file and renamed, so a crash mid-write leaves the previous index whole. */
  private async saveIndex(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, INDEX_FILE);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ version: INDEX_VERSION, entries: this.entries }));
    await rename(temporary, path);
  }
}

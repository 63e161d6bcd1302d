/**
 * `plan-lens record`: the query recorder from a terminal or CI. It forwards --listen to the
 * server of --db until SIGINT, SIGTERM or --duration, then prints the statements grouped by
 * shape and the workload findings; --fail-on turns chosen findings into exit code 1.
 */
import { writeFileSync } from 'node:fs';
import { resolveConnection, type ResolvedConnection } from '../db/connection-config';
import { DEFAULT_WORKLOAD_SETTINGS, type WorkloadFindingId } from '../core/workload/model';
import { DETECTORS } from '../core/workload/index';
import type { WorkloadReport } from '../core/workload/recording-store';
import { formatCount, formatMs } from '../core/format';
import { ListenError } from '../recorder/proxy';
import { RecordingSession, recorderUrl, upstreamOf } from '../recorder/recording-session';
import { EXIT, UsageError } from './commands';

export interface RecordCommandOptions {
  db?: string;
  listen?: string;
  out?: string;
  json: boolean;
  duration?: string;
  failOn?: string;
  slowMs?: string;
  nPlusOneMin?: string;
  /** Resolves when recording should stop; SIGINT/SIGTERM when not given. */
  stopSignal?: Promise<void>;
  /** Told the address once the recorder listens (the CLI prints it to stderr). */
  onListening?(url: string): void;
}

const FINDING_IDS = DETECTORS.map((detector) => detector.id);

export async function runRecordCommand(options: RecordCommandOptions): Promise<number> {
  const connection = resolveRecordedConnection(options.db);
  const { host, port } = parseListen(options.listen);
  const failOn = parseFailOn(options.failOn);
  const durationMs = options.duration === undefined ? undefined : positiveNumber(options.duration, '--duration') * 1000;
  const settings = {
    ...DEFAULT_WORKLOAD_SETTINGS,
    ...(options.slowMs !== undefined ? { slowStatementMs: positiveNumber(options.slowMs, '--slow-ms') } : {}),
    ...(options.nPlusOneMin !== undefined ? { nPlusOneMinCalls: positiveNumber(options.nPlusOneMin, '--n-plus-one-min') } : {}),
  };
  const session = new RecordingSession({
    upstream: upstreamOf(connection),
    listenHost: host,
    listenPort: port,
    settings,
    onEvent: (event) => {
      if (event.kind === 'problem') process.stderr.write(`plan-lens record: ${event.message}\n`);
    },
  });
  let listening;
  try {
    listening = await session.start();
  } catch (error) {
    if (error instanceof ListenError) {
      process.stderr.write(`plan-lens record: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  const url = recorderUrl(listening, connection);
  process.stderr.write(
    `plan-lens record: forwarding ${listening.host}:${listening.port} to ${connection.describe()}; point the application at ${url}\n`,
  );
  options.onListening?.(url);
  await waitForStop(options.stopSignal, durationMs);
  await session.stop();

  const report = session.store.report(session.startedAt);
  const output = options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReportText(report);
  if (options.out) writeFileSync(options.out, options.json ? output : `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(output);
  return report.findings.some((finding) => failOn.has(finding.id as WorkloadFindingId)) ? EXIT.statementFailed : EXIT.ok;
}

function resolveRecordedConnection(db: string | undefined): ResolvedConnection {
  const connection = resolveConnection({ url: db });
  if (!connection) throw new UsageError('record needs the server to forward to: give --db URL (or set DATABASE_URL or the PG* variables).');
  return connection;
}

function parseListen(listen: string | undefined): { host: string; port: number } {
  if (listen === undefined)
    throw new UsageError('record needs --listen HOST:PORT (for example --listen 127.0.0.1:6432), the address the application connects to.');
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen) ?? /^()()(\d+)$/.exec(listen);
  const port = match ? Number(match[3]) : NaN;
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--listen "${listen}" is not HOST:PORT: write it like 127.0.0.1:6432.`);
  }
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

function parseFailOn(value: string | undefined): Set<WorkloadFindingId> {
  const ids = new Set<WorkloadFindingId>();
  for (const raw of (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    // "n-plus-one,slow": the finding ids, or their first word.
    const id = FINDING_IDS.find((candidate) => candidate === raw || candidate.split('-')[0] === raw);
    if (!id) throw new UsageError(`--fail-on "${raw}" is not a finding: use ${FINDING_IDS.join(', ')} (or slow, row, offset, repeated).`);
    ids.add(id);
  }
  return ids;
}

function positiveNumber(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${option} must be a positive number, got "${text}".`);
  return value;
}

function waitForStop(stopSignal: Promise<void> | undefined, durationMs: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    const timer = durationMs === undefined ? undefined : setTimeout(done, durationMs);
    if (stopSignal) void stopSignal.then(done);
    else {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    }
  });
}

export function renderReportText(report: WorkloadReport, heading?: string): string {
  const lines: string[] = [];
  const calls = report.statements.reduce((sum, group) => sum + group.calls, 0);
  lines.push(heading ?? `Recorded ${formatCount(calls)} statements of ${formatCount(report.statements.length)} shapes.`, '');
  for (const group of report.statements.slice(0, 20)) {
    lines.push(
      `${formatCount(group.calls).padStart(8)} calls  ${formatMs(group.totalMs).padStart(10)} total  ${formatMs(group.meanMs).padStart(10)} mean  ${formatCount(group.rows).padStart(8)} rows  ${oneLine(group.query)}`,
    );
  }
  if (report.statements.length > 20) lines.push(`  ... and ${report.statements.length - 20} more shapes (--json lists all).`);
  if (report.statements.length > 0) lines.push('');
  if (report.findings.length === 0) lines.push('No findings.');
  for (const finding of report.findings) {
    lines.push(`${finding.severity.toUpperCase()} ${finding.id}: ${finding.message}`, `  Fix: ${finding.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

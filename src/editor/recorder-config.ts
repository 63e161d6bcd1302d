/** The planLens.recorder.* settings. */
import * as vscode from 'vscode';
import { DEFAULT_WORKLOAD_SETTINGS, type WorkloadSettings } from '../core/workload/model';

export const DEFAULT_RECORDER_PORT = 6432;

export function readRecorderListen(): { host: string; port: number } {
  const config = vscode.workspace.getConfiguration('planLens.recorder');
  return { host: config.get<string>('listenHost') || '127.0.0.1', port: config.get<number>('listenPort') ?? DEFAULT_RECORDER_PORT };
}

export function readWorkloadSettings(): WorkloadSettings {
  const config = vscode.workspace.getConfiguration('planLens.recorder');
  return {
    ...DEFAULT_WORKLOAD_SETTINGS,
    nPlusOneMinCalls: config.get<number>('nPlusOneMinCalls') ?? DEFAULT_WORKLOAD_SETTINGS.nPlusOneMinCalls,
    slowStatementMs: config.get<number>('slowStatementMs') ?? DEFAULT_WORKLOAD_SETTINGS.slowStatementMs,
  };
}

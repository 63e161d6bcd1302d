/**
 * A typed view of the `planLens.*` settings. Everything that reads settings goes through here,
 * so names and defaults live in one place (and in package.json's contribution, which they match).
 */
import * as vscode from 'vscode';
import { DEFAULT_EXECUTION_TARGET_MS } from '../core/advice/finding-ranking';
import { DEFAULT_EXPLAIN_TIMEOUT_MS } from '../db/explain-runner';
import { DEFAULT_POOL_SETTINGS, type PoolSettings } from '../db/pool';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_PLANS, type HistoryLimits } from '../history/plan-history';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface PoolOverrides {
  max?: number;
  idleTimeoutMs?: number;
  connectionTimeoutMs?: number;
  maxLifetimeSeconds?: number;
}

export interface ConnectionSetting {
  name: string;
  host: string;
  port: number;
  database: string;
  user: string;
  sslMode: SslMode;
  /** Files as libpq's sslrootcert, sslcert and sslkey: the CA that signed the server's certificate, a client certificate and its key. */
  sslRootCert?: string;
  sslCert?: string;
  sslKey?: string;
  pool?: PoolOverrides;
}

/** The pool settings a user can set, under the names src/db/pool.ts takes. */
export type PoolConfig = Pick<PoolSettings, 'max' | 'idleTimeoutMillis' | 'connectionTimeoutMillis' | 'maxLifetimeSeconds'>;

export interface ExplainConfig {
  timeoutMs: number;
  confirmDataModifying: boolean;
  verbose: boolean;
  settings: boolean;
  wal: boolean;
}

export interface AdviceConfig {
  executionTargetMs: number;
  suggestIndexes: boolean;
  createIndexConcurrently: boolean;
}

export interface CodeConfig {
  /** Application processes sharing the server, each with its own pool. */
  processes: number;
}

const SECTION = 'planLens';
const BYTES_PER_MB = 1024 * 1024;

/** Settings whose change invalidates the open pools. */
export const POOL_AFFECTING_SETTINGS = ['planLens.connections', 'planLens.activeConnection', 'planLens.pool'];

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

export function readConnections(): ConnectionSetting[] {
  const raw = section().get<Partial<ConnectionSetting>[]>('connections', []);
  return raw
    .filter((c): c is Partial<ConnectionSetting> & { name: string } => typeof c?.name === 'string' && c.name.length > 0)
    .map((c) => ({
      name: c.name,
      host: c.host ?? 'localhost',
      port: c.port ?? 5432,
      database: c.database ?? c.user ?? 'postgres',
      user: c.user ?? 'postgres',
      sslMode: c.sslMode ?? 'prefer',
      ...(c.sslRootCert ? { sslRootCert: c.sslRootCert } : {}),
      ...(c.sslCert ? { sslCert: c.sslCert } : {}),
      ...(c.sslKey ? { sslKey: c.sslKey } : {}),
      pool: c.pool,
    }));
}

export function readActiveConnectionName(): string {
  return section().get<string>('activeConnection', '');
}

export async function writeActiveConnectionName(name: string): Promise<void> {
  await section().update('activeConnection', name, vscode.ConfigurationTarget.Global);
}

export async function writeConnections(connections: ConnectionSetting[]): Promise<void> {
  await section().update('connections', connections, vscode.ConfigurationTarget.Global);
}

export function readPoolConfig(overrides: PoolOverrides = {}): PoolConfig {
  const s = section();
  return {
    max: overrides.max ?? s.get<number>('pool.max', DEFAULT_POOL_SETTINGS.max),
    idleTimeoutMillis: overrides.idleTimeoutMs ?? s.get<number>('pool.idleTimeoutMs', DEFAULT_POOL_SETTINGS.idleTimeoutMillis),
    connectionTimeoutMillis:
      overrides.connectionTimeoutMs ?? s.get<number>('pool.connectionTimeoutMs', DEFAULT_POOL_SETTINGS.connectionTimeoutMillis),
    maxLifetimeSeconds: overrides.maxLifetimeSeconds ?? s.get<number>('pool.maxLifetimeSeconds', DEFAULT_POOL_SETTINGS.maxLifetimeSeconds),
  };
}

export function readExplainConfig(): ExplainConfig {
  const s = section();
  return {
    timeoutMs: s.get<number>('explain.timeoutMs', DEFAULT_EXPLAIN_TIMEOUT_MS),
    confirmDataModifying: s.get<boolean>('explain.confirmDataModifying', true),
    verbose: s.get<boolean>('explain.verbose', false),
    settings: s.get<boolean>('explain.settings', true),
    wal: s.get<boolean>('explain.wal', false),
  };
}

export async function writeConfirmDataModifying(value: boolean): Promise<void> {
  await section().update('explain.confirmDataModifying', value, vscode.ConfigurationTarget.Global);
}

export function readAdviceConfig(): AdviceConfig {
  const s = section();
  return {
    executionTargetMs: s.get<number>('advice.executionTargetMs', DEFAULT_EXECUTION_TARGET_MS),
    suggestIndexes: s.get<boolean>('advice.suggestIndexes', true),
    createIndexConcurrently: s.get<boolean>('advice.createIndexConcurrently', true),
  };
}

export function readCodeConfig(): CodeConfig {
  return { processes: Math.max(1, Math.floor(section().get<number>('code.processes', 1))) };
}

export function readHistoryLimits(): HistoryLimits {
  const s = section();
  return {
    maxPlans: Math.max(2, Math.floor(s.get<number>('history.maxPlans', DEFAULT_MAX_PLANS))),
    maxBytes: Math.max(1, s.get<number>('history.maxMegabytes', DEFAULT_MAX_BYTES / BYTES_PER_MB)) * BYTES_PER_MB,
  };
}

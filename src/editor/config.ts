/**
 * A typed view of the `planLens.*` settings. Everything that reads settings goes through here,
 * so names and defaults live in one place (and in package.json's contribution, which they match).
 */
import * as vscode from 'vscode';

export type SslMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

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
  pool?: PoolOverrides;
}

export interface PoolConfig {
  max: number;
  idleTimeoutMs: number;
  connectionTimeoutMs: number;
  maxLifetimeSeconds: number;
}

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

const SECTION = 'planLens';

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
    max: overrides.max ?? s.get<number>('pool.max', 4),
    idleTimeoutMs: overrides.idleTimeoutMs ?? s.get<number>('pool.idleTimeoutMs', 60_000),
    connectionTimeoutMs: overrides.connectionTimeoutMs ?? s.get<number>('pool.connectionTimeoutMs', 10_000),
    maxLifetimeSeconds: overrides.maxLifetimeSeconds ?? s.get<number>('pool.maxLifetimeSeconds', 1800),
  };
}

export function readExplainConfig(): ExplainConfig {
  const s = section();
  return {
    timeoutMs: s.get<number>('explain.timeoutMs', 30_000),
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
    executionTargetMs: s.get<number>('advice.executionTargetMs', 100),
    suggestIndexes: s.get<boolean>('advice.suggestIndexes', true),
    createIndexConcurrently: s.get<boolean>('advice.createIndexConcurrently', true),
  };
}

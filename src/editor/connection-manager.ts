/**
 * Owns the active database: which connection Explain Query uses, its pool, the embedded demo
 * database, the password in SecretStorage, and the status bar item that shows all of it.
 *
 * Pools are built lazily on the first explain and rebuilt when a setting they depend on changes.
 */
import * as vscode from 'vscode';
import { resolveConnection, type ResolvedConnection } from '../db/connection-config';
import { createPool, type PlanLensPool } from '../db/pool';
import type { DemoDatabase } from '../db/demo-database';
import {
  POOL_AFFECTING_SETTINGS,
  readActiveConnectionName,
  readConnections,
  readPoolConfig,
  type PoolConfig,
  type ConnectionSetting,
} from './config';
import type { OutputLog } from './output-log';

export type DatabaseKind = 'named' | 'environment' | 'demo';

export interface ActiveDatabase {
  kind: DatabaseKind;
  /** The connection's name, or "DATABASE_URL"/"PG environment"/"Demo database". */
  name: string;
  /** user@host:port/database: never the password. */
  target: string;
  pool: PlanLensPool;
  /** Where the pool connects: the query recorder forwards to the same server. */
  connection: ResolvedConnection;
}

export class NoConnectionChosenError extends Error {
  constructor() {
    super('No database was chosen.');
  }
}

const DEMO_CHOICE_KEY = 'planLens.useDemoDatabase';

export function passwordSecretKey(connectionName: string): string {
  return `planLens.password.${connectionName}`;
}

export function connectionUrl(connection: ConnectionSetting, password: string | undefined): string {
  const auth = encodeURIComponent(connection.user) + (password ? `:${encodeURIComponent(password)}` : '');
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  const files = [
    ['sslrootcert', connection.sslRootCert],
    ['sslcert', connection.sslCert],
    ['sslkey', connection.sslKey],
  ].filter((entry): entry is [string, string] => Boolean(entry[1]));
  const query = new URLSearchParams([['sslmode', connection.sslMode], ...files]);
  return `postgresql://${auth}@${host}:${connection.port}/${encodeURIComponent(connection.database)}?${query}`;
}

export class ConnectionManager implements vscode.Disposable {
  private active: ActiveDatabase | undefined;
  private activating: Promise<ActiveDatabase> | undefined;
  private demo: DemoDatabase | undefined;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: OutputLog,
  ) {
    this.statusItem = vscode.window.createStatusBarItem('planLens.connection', vscode.StatusBarAlignment.Left, 10);
    this.statusItem.name = 'Plan Lens Connection';
    this.statusItem.command = 'planLens.selectConnection';
    this.renderStatus();
    this.statusItem.show();
    this.disposables.push(
      this.statusItem,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (POOL_AFFECTING_SETTINGS.some((setting) => event.affectsConfiguration(setting))) {
          void this.reset('settings changed');
        }
      }),
    );
  }

  /** The database to explain on, connecting (or asking the user) on first use. */
  async acquire(): Promise<ActiveDatabase> {
    if (this.active) return this.active;
    this.activating ??= this.activate().finally(() => {
      this.activating = undefined;
    });
    return this.activating;
  }

  /** The active database, or undefined when the user closed the question of which one to use. */
  async acquireIfChosen(): Promise<ActiveDatabase | undefined> {
    try {
      return await this.acquire();
    } catch (error) {
      if (error instanceof NoConnectionChosenError) return undefined;
      throw error;
    }
  }

  /** Closes the pool so the next explain builds a new one from the current settings. */
  async reset(reason: string): Promise<void> {
    const previous = this.active;
    this.active = undefined;
    this.renderStatus();
    if (previous) {
      this.log.info(`Closing the pool for ${previous.target}: ${previous.kind === 'demo' ? 'demo database released' : reason}`);
      await previous.pool.end().catch(() => undefined);
    }
  }

  async useDemoDatabase(): Promise<void> {
    await this.context.globalState.update(DEMO_CHOICE_KEY, true);
    await this.reset('switched to the demo database');
  }

  async forgetDemoChoice(): Promise<void> {
    await this.context.globalState.update(DEMO_CHOICE_KEY, undefined);
  }

  /** Asks for the password of a named connection and keeps it in SecretStorage. */
  async promptForPassword(connection: ConnectionSetting, reason: string): Promise<boolean> {
    const password = await vscode.window.showInputBox({
      title: `Plan Lens: password for ${connection.user}@${connection.host}`,
      prompt: `${reason} It is kept in VS Code's secret storage, never in settings.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return false;
    await this.context.secrets.store(passwordSecretKey(connection.name), password);
    await this.reset('password changed');
    return true;
  }

  /** The open database, if any, without connecting or asking. */
  current(): ActiveDatabase | undefined {
    return this.active;
  }

  activeConnectionSetting(): ConnectionSetting | undefined {
    const name = readActiveConnectionName();
    return name ? readConnections().find((c) => c.name === name) : undefined;
  }

  private async activate(): Promise<ActiveDatabase> {
    const active = await this.connect();
    this.active = active;
    // pg-pool announces a release before it puts the connection back among the idle ones: count
    // once it has, or the status bar keeps showing the connection in use.
    active.pool.onChange(() => queueMicrotask(() => this.renderStatus()));
    this.renderStatus();
    this.log.info(`Using ${active.name} (${active.target})`);
    return active;
  }

  private async connect(): Promise<ActiveDatabase> {
    const name = readActiveConnectionName();
    if (name) {
      const connection = readConnections().find((c) => c.name === name);
      if (!connection) {
        throw new Error(
          `The active connection "${name}" is not in planLens.connections: run "Plan Lens: Select Connection" or "Plan Lens: Add Connection".`,
        );
      }
      const password = await this.context.secrets.get(passwordSecretKey(connection.name));
      const resolved = resolveConnection({ url: connectionUrl(connection, password), env: {} })!;
      return this.named(
        connection.name,
        'named',
        resolved,
        readPoolConfig(connection.pool),
        `the password stored for "${connection.name}"`,
      );
    }
    // An explicit choice of the demo database wins over DATABASE_URL / PG* variables.
    if (this.context.globalState.get<boolean>(DEMO_CHOICE_KEY)) return this.startDemo();
    const fromEnvironment = resolveConnection({ env: process.env });
    if (fromEnvironment) return this.named(fromEnvironment.source, 'environment', fromEnvironment, readPoolConfig());
    const choice = await vscode.window.showInformationMessage(
      'No PostgreSQL connection is configured. Explain on the embedded demo database (a sample shop, built on first use), or add your own connection?',
      'Use Demo Database',
      'Add Connection',
    );
    if (choice === 'Add Connection') {
      void vscode.commands.executeCommand('planLens.addConnection');
      throw new NoConnectionChosenError();
    }
    if (choice !== 'Use Demo Database') throw new NoConnectionChosenError();
    await this.context.globalState.update(DEMO_CHOICE_KEY, true);
    return this.startDemo();
  }

  private named(name: string, kind: DatabaseKind, resolved: ResolvedConnection, pool: PoolConfig, storedPassword?: string): ActiveDatabase {
    return {
      kind,
      name,
      target: resolved.describe(),
      connection: resolved,
      pool: createPool(resolved, {
        ...pool,
        storedPassword,
        log: (message: string) => this.log.warn(message),
      }),
    };
  }

  private async startDemo(): Promise<ActiveDatabase> {
    if (!this.demo) {
      const { startDemoDatabase } = await import('../db/demo-database');
      this.demo = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Plan Lens: starting the demo database' },
        async (progress) =>
          startDemoDatabase({
            cacheDir: vscode.Uri.joinPath(this.context.globalStorageUri, 'demo').fsPath,
            log: (message: string) => {
              progress.report({ message });
              this.log.info(message);
            },
          }),
      );
    }
    const resolved = resolveConnection({ url: this.demo.connectionString, env: {} })!;
    const active = this.named('Demo database', 'demo', resolved, { ...readPoolConfig(), max: 1 });
    return active;
  }

  private renderStatus(): void {
    const active = this.active;
    if (!active) {
      const name = readActiveConnectionName();
      this.statusItem.text = `$(database) ${name || 'Plan Lens'}`;
      this.statusItem.tooltip = name
        ? `Plan Lens: ${name} (not connected yet). Click to select a connection.`
        : 'Plan Lens: no connection yet (DATABASE_URL / PG* variables, else the demo database). Click to select a connection.';
      return;
    }
    const { total, idle, waiting } = active.pool.status();
    const inUse = total - idle;
    this.statusItem.text = `$(database) ${active.name} ${inUse}/${idle}/${waiting}`;
    this.statusItem.tooltip = new vscode.MarkdownString(
      `**Plan Lens**: ${active.target}\n\nPool: ${inUse} in use, ${idle} idle, ${waiting} waiting\n\nClick to select a connection.`,
    );
  }

  async dispose(): Promise<void> {
    for (const d of this.disposables) d.dispose();
    await this.active?.pool.end().catch(() => undefined);
    this.active = undefined;
    await this.demo?.stop().catch(() => undefined);
    this.demo = undefined;
  }
}

/**
 * The recording: "Plan Lens: Record Queries" starts the query recorder in front of the active
 * connection and shows, live, the findings and the statements grouped by shape (calls, total and
 * mean time, rows), each call with its parameters; every statement has Explain, Copy and Open in
 * editor. "Plan Lens: Stop Recording" ends it (open application connections get a PostgreSQL error).
 * An N+1 finding whose loop is known in the code has "Go to code"; the code's diagnostics name
 * what the recording saw.
 */
import * as vscode from 'vscode';
import { recordedNPlusOneOf, type RecordedNPlusOne } from '../core/code/runtime-links';
import { formatCount, formatMs } from '../core/format';
import type { RecordedStatement, WorkloadFinding } from '../core/workload/model';
import type { StatementGroup } from '../core/workload/recording-store';
import { ListenError } from '../recorder/proxy';
import { RecordingSession, recorderUrl, upstreamOf } from '../recorder/recording-session';
import type { ConnectionManager } from './connection-manager';
import type { OutputLog } from './output-log';
import type { ExplainRecorded } from './recorded-explain';
import { readWorkloadSettings, readRecorderListen } from './recorder-config';

export const RECORDING_VIEW_ID = 'planLensRecording';
/** The view redraws at most this often while statements stream in. */
const REFRESH_MS = 500;

/** The application-code diagnostics, as the recording sees them (the editor wires them in). */
export interface RecordedCodeLinks {
  setRecordedNPlusOne(recorded: RecordedNPlusOne[]): void;
  codeOf(recorded: RecordedNPlusOne): vscode.Location[];
  readonly onDidChangeSites: vscode.Event<void>;
}

type Item =
  | { kind: 'status'; label: string; url?: string }
  | { kind: 'findings'; findings: WorkloadFinding[] }
  | { kind: 'finding'; finding: WorkloadFinding; group?: StatementGroup }
  | { kind: 'statements'; groups: StatementGroup[] }
  | { kind: 'group'; group: StatementGroup }
  | { kind: 'call'; statement: RecordedStatement };

export class RecordingView implements vscode.TreeDataProvider<Item>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private session: RecordingSession | undefined;
  /** The last recording stays visible after Stop. */
  private stoppedSession: RecordingSession | undefined;
  private url: string | undefined;
  private problem: string | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private filter = '';
  private readonly codeListener: vscode.Disposable | undefined;

  constructor(
    private readonly connections: ConnectionManager,
    private readonly log: OutputLog,
    readonly explain: ExplainRecorded,
    private readonly code?: RecordedCodeLinks,
  ) {
    this.codeListener = code?.onDidChangeSites(() => this.changed.fire());
  }

  get recording(): boolean {
    return this.session !== undefined;
  }

  async start(): Promise<void> {
    if (this.session) {
      void this.showUrl();
      return;
    }
    const database = await this.connections.acquireIfChosen();
    if (!database) return;
    const listen = readRecorderListen();
    const port = await vscode.window.showInputBox({
      title: 'Plan Lens: Record Queries',
      prompt: `Port for the application to connect to (on ${listen.host}); the recorder forwards it to ${database.target}.`,
      value: String(listen.port),
      validateInput: (value) =>
        /^\d+$/.test(value) && Number(value) < 65536 ? undefined : 'A port number, 1 to 65535 (0: any free port).',
    });
    if (port === undefined) return;
    const session = new RecordingSession({
      upstream: upstreamOf(database.connection),
      listenHost: listen.host,
      listenPort: Number(port),
      settings: readWorkloadSettings(),
      onStatement: () => this.scheduleRefresh(),
      onEvent: (event) => {
        if (event.kind !== 'problem') return;
        this.problem = event.message;
        this.log.warn(`Recorder: ${event.message}`);
        this.scheduleRefresh();
      },
    });
    try {
      const listening = await session.start();
      this.session = session;
      this.problem = undefined;
      this.url = recorderUrl(listening, database.connection);
    } catch (error) {
      if (error instanceof ListenError) {
        void vscode.window.showErrorMessage(`Plan Lens: ${error.message}`);
        return;
      }
      throw error;
    }
    this.log.info(`Recording: ${this.url} forwards to ${database.target}`);
    await vscode.commands.executeCommand('setContext', 'planLens.recording', true);
    this.changed.fire();
    void vscode.commands.executeCommand(`${RECORDING_VIEW_ID}.focus`);
    void this.showUrl();
  }

  async stop(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    const open = session.openConnections;
    await session.stop();
    this.stoppedSession = session;
    this.shareNPlusOne();
    this.log.info(
      `Recording stopped: ${session.store.statementCount} statements${open ? `; ${open} open application connections were ended` : ''}`,
    );
    await vscode.commands.executeCommand('setContext', 'planLens.recording', false);
    this.changed.fire();
  }

  async setFilter(): Promise<void> {
    const filter = await vscode.window.showInputBox({
      title: 'Plan Lens: filter recorded statements',
      prompt: 'Text the statement must contain (empty: all).',
      value: this.filter,
    });
    if (filter === undefined) return;
    this.filter = filter.trim().toLowerCase();
    this.changed.fire();
  }

  private async showUrl(): Promise<void> {
    if (!this.url) return;
    const copy = 'Copy URL';
    const pick = await vscode.window.showInformationMessage(
      `Plan Lens is recording. Point the application at ${this.url} (with its own password).`,
      copy,
    );
    if (pick === copy) await vscode.env.clipboard.writeText(this.url);
  }

  async copyUrl(): Promise<void> {
    if (this.url) await vscode.env.clipboard.writeText(this.url);
  }

  private scheduleRefresh(): void {
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      this.shareNPlusOne();
      this.changed.fire();
    }, REFRESH_MS);
  }

  /** The recording's N+1 findings, for the code's diagnostics. */
  private shareNPlusOne(): void {
    const session = this.session ?? this.stoppedSession;
    if (session?.startedAt !== undefined) this.code?.setRecordedNPlusOne(recordedNPlusOneOf(session.store.findings(), session.startedAt));
  }

  /** Where in the code a recorded N+1 finding comes from (files checked so far). */
  codeOf(item: Item | undefined): vscode.Location[] {
    const session = this.session ?? this.stoppedSession;
    if (item?.kind !== 'finding' || item.finding.id !== 'n-plus-one' || session?.startedAt === undefined || !this.code) return [];
    return recordedNPlusOneOf([item.finding], session.startedAt).flatMap((recorded) => this.code!.codeOf(recorded));
  }

  async goToCode(item: Item | undefined): Promise<void> {
    const locations = this.codeOf(item);
    if (locations.length === 0) {
      void vscode.window.showInformationMessage(
        'Plan Lens: no loop in the checked code runs this N+1; open the Python file with the loop so Plan Lens checks it.',
      );
      return;
    }
    let location = locations[0];
    if (locations.length > 1) {
      const picked = await vscode.window.showQuickPick(
        locations.map((l) => ({
          label: vscode.workspace.asRelativePath(l.uri),
          description: `line ${l.range.start.line + 1}`,
          location: l,
        })),
        { title: 'Plan Lens: the loops that run this N+1' },
      );
      if (!picked) return;
      location = picked.location;
    }
    await vscode.window.showTextDocument(location.uri, { selection: location.range });
  }

  getChildren(item?: Item): Item[] {
    const session = this.session ?? this.stoppedSession;
    if (!item) {
      if (!session) return [];
      const groups = session.store.groups().filter((group) => !this.filter || group.query.toLowerCase().includes(this.filter));
      const status: Item = {
        kind: 'status',
        label: this.session ? `Recording on ${this.url}` : `Stopped: ${formatCount(session.store.statementCount)} statements recorded`,
        url: this.session ? this.url : undefined,
      };
      const problem: Item[] = this.problem ? [{ kind: 'status', label: this.problem }] : [];
      return [status, ...problem, { kind: 'findings', findings: session.store.findings() }, { kind: 'statements', groups }];
    }
    switch (item.kind) {
      case 'findings': {
        const groups = new Map(session?.store.groups().map((group) => [group.fingerprint, group]));
        return item.findings.map((finding) => ({ kind: 'finding', finding, group: groups.get(finding.fingerprint) }));
      }
      case 'statements':
        return item.groups.map((group) => ({ kind: 'group', group }));
      case 'group':
        return [...item.group.samples].reverse().map((statement) => ({ kind: 'call', statement }));
      default:
        return [];
    }
  }

  getTreeItem(item: Item): vscode.TreeItem {
    const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    switch (item.kind) {
      case 'status': {
        const tree = new vscode.TreeItem(item.label);
        if (item.url) {
          tree.contextValue = 'recordingUrl';
          tree.tooltip = 'Click to copy the URL the application should connect to.';
          tree.command = { command: 'planLens.recording.copyUrl', title: 'Copy URL' };
          tree.iconPath = new vscode.ThemeIcon('record');
        } else tree.iconPath = new vscode.ThemeIcon('warning');
        return tree;
      }
      case 'findings': {
        const tree = new vscode.TreeItem(`Findings (${item.findings.length})`, vscode.TreeItemCollapsibleState.Expanded);
        tree.iconPath = new vscode.ThemeIcon('lightbulb');
        return tree;
      }
      case 'finding': {
        const tree = new vscode.TreeItem(`${item.finding.id}: ${item.finding.calls} calls, ${formatMs(item.finding.totalMs)}`);
        tree.description = item.finding.query.replace(/\s+/g, ' ');
        tree.tooltip = new vscode.MarkdownString().appendText(`${item.finding.message}\n\nFix: ${item.finding.fix}`);
        tree.iconPath = new vscode.ThemeIcon(item.finding.severity === 'info' ? 'info' : 'warning');
        const sample = item.group?.samples.at(-1);
        if (sample) {
          // "recordedStatement.code": Explain, Copy and Open as for any statement, plus Go to code.
          tree.contextValue = this.codeOf(item).length > 0 ? 'recordedStatement.code' : 'recordedStatement';
          tree.command = { command: 'planLens.recording.explain', title: 'Explain', arguments: [{ kind: 'call', statement: sample }] };
        }
        return tree;
      }
      case 'statements': {
        const tree = new vscode.TreeItem(
          `Statements (${item.groups.length} shapes)${this.filter ? ` matching "${this.filter}"` : ''}`,
          vscode.TreeItemCollapsibleState.Expanded,
        );
        tree.iconPath = new vscode.ThemeIcon('database');
        return tree;
      }
      case 'group': {
        const { group } = item;
        const tree = new vscode.TreeItem(group.query.replace(/\s+/g, ' '), collapsed);
        tree.description = `${formatCount(group.calls)} calls · ${formatMs(group.totalMs)} total · ${formatMs(group.meanMs)} mean · ${formatCount(group.rows)} rows${group.errors ? ` · ${group.errors} errors` : ''}`;
        tree.tooltip = new vscode.MarkdownString().appendCodeblock(group.query, 'sql');
        tree.contextValue = 'recordedStatement';
        return tree;
      }
      case 'call': {
        const { statement } = item;
        const params = statement.params.length
          ? ` with ${statement.params.map((value) => (value === null ? 'NULL' : `'${value}'`)).join(', ')}`
          : '';
        const tree = new vscode.TreeItem(
          `#${statement.seq} ${formatMs(statement.durationMs)}, ${formatCount(statement.rows)} rows${params}`,
        );
        tree.description = statement.error ?? `connection ${statement.connectionId}, transaction ${statement.transactionId}`;
        tree.tooltip = new vscode.MarkdownString().appendCodeblock(statement.sql, 'sql');
        tree.contextValue = 'recordedStatement';
        tree.iconPath = new vscode.ThemeIcon(statement.error ? 'error' : 'debug-stackframe-dot');
        return tree;
      }
    }
  }

  /** The SQL and values of a statement, group (its latest call) or finding in the view. */
  static statementOf(item: Item): { sql: string; params: readonly (string | null)[] } | undefined {
    if (item.kind === 'call') return item.statement;
    if (item.kind === 'group') return item.group.samples.at(-1);
    if (item.kind === 'finding') return item.group?.samples.at(-1);
    return undefined;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    void this.session?.stop();
    this.codeListener?.dispose();
    this.changed.dispose();
  }
}

export function registerRecording(view: RecordingView): Record<string, (item?: Item) => Promise<void> | void> {
  const withStatement = (
    item: Item | undefined,
    run: (statement: { sql: string; params: readonly (string | null)[] }) => Promise<void> | void,
  ) => {
    const statement = item && RecordingView.statementOf(item);
    if (!statement) {
      void vscode.window.showInformationMessage('Plan Lens: choose a recorded statement in the Plan Lens Recording view.');
      return;
    }
    return run(statement);
  };
  return {
    'planLens.recordQueries': () => view.start(),
    'planLens.stopRecording': () => view.stop(),
    'planLens.recording.copyUrl': () => view.copyUrl(),
    'planLens.recording.filter': () => view.setFilter(),
    'planLens.recording.explain': (item) =>
      withStatement(item, (statement) => view.explain({ sql: statement.sql, params: statement.params })),
    'planLens.recording.copy': (item) =>
      withStatement(item, async (statement) => {
        await vscode.env.clipboard.writeText(statement.sql);
      }),
    'planLens.recording.goToCode': (item) => view.goToCode(item),
    'planLens.recording.open': (item) =>
      withStatement(item, async (statement) => {
        const document = await vscode.workspace.openTextDocument({ language: 'sql', content: `${statement.sql}\n` });
        await vscode.window.showTextDocument(document);
      }),
  };
}

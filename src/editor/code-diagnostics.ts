/**
 * Application code in the editor: diagnostics (source "Plan Lens", the rule's code), quick fixes
 * and hovers for Python, JavaScript and TypeScript files; and the workspace index of SQLAlchemy
 * models, built in the background with progress and kept up to date as files are saved, created
 * and deleted. A file that does not parse (mid-edit) keeps its last good diagnostics. N+1 loops
 * the query recorder saw at run time are named in the matching diagnostics, and the recording
 * view asks here where in the code a recorded N+1 comes from.
 */
import * as vscode from 'vscode';
import type { LintContext } from '../core/code/context';
import type { CodeFinding, CodeRange, CodeSeverity } from '../core/code/findings';
import { poolSettingHover } from '../core/code/hovers';
import { DjangoModelIndex } from '../core/code/django-models';
import { djangoHover } from '../core/code/django-hovers';
import { checkCode } from '../core/code/lint';
import { ModelIndex } from '../core/code/models';
import { codeSitesOf, linkRecordedNPlusOne, type CodeSite, type RecordedNPlusOne } from '../core/code/runtime-links';
import type { ServerFacts } from '../core/code/server-facts';
import { importedModules } from '../core/code/source-file';
import type { CodeLanguage, CodeParsers } from '../core/code/syntax';
import { readServerFacts } from '../db/server-facts-reader';
import { loadCodeParsers } from '../host/grammar-files';
import { readCodeConfig } from './config';
import type { ConnectionManager } from './connection-manager';
import type { OutputLog } from './output-log';

const LANGUAGES = new Map<string, CodeLanguage>([
  ['python', 'python'],
  ['javascript', 'javascript'],
  ['javascriptreact', 'javascript'],
  ['typescript', 'typescript'],
  ['typescriptreact', 'tsx'],
]);

export const CODE_SELECTOR: vscode.DocumentSelector = [...LANGUAGES.keys()].map((language) => ({ language }));

const SEVERITY: Record<CodeSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Typing pauses this long before a file is checked again. */
const CHANGE_DEBOUNCE_MS = 300;
/** Server facts older than this are read again (connections in use change). */
const SERVER_FACTS_MAX_AGE_MS = 60_000;
/** Larger files are generated or bundled code, not where pools and loops are written: skipped. */
const MAX_FILE_CHARS = 1_000_000;
/** Files indexed between two yields to the extension host's event loop. */
const INDEX_BATCH = 50;
const MODEL_FILES = '**/*.py';
const EXCLUDED = '**/{node_modules,.git,.venv,venv,__pycache__,.tox,site-packages}/**';

function toRange(range: CodeRange): vscode.Range {
  return new vscode.Range(range.start.line, range.start.column, range.end.line, range.end.column);
}

export class CodeDiagnostics implements vscode.Disposable, vscode.CodeActionProvider, vscode.HoverProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  private readonly collection = vscode.languages.createDiagnosticCollection('planLens.code');
  private readonly sitesChanged = new vscode.EventEmitter<void>();
  /** Fires when the code locations of N+1 loops change (a file with one was checked, changed or deleted). */
  readonly onDidChangeSites = this.sitesChanged.event;
  private readonly models = new ModelIndex();
  private readonly djangoModels = new DjangoModelIndex();
  /** The last good findings of each document, by URI: the quick fixes come from here. */
  private readonly findings = new Map<string, CodeFinding[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [this.collection, this.sitesChanged];
  private parsers: CodeParsers | undefined;
  private facts: { target: string; at: number; facts: ServerFacts | undefined } | undefined;
  /** The N+1 of the current (or last) recording; matching them parses SQL with the parser the recorder loaded. */
  private recorded: RecordedNPlusOne[] = [];
  /** Per-row lookups of the N+1 findings of every file checked, by URI: where a recorded N+1 leads. */
  private readonly sites = new Map<string, CodeSite[]>();

  constructor(
    private readonly connections: ConnectionManager,
    private readonly log: OutputLog,
  ) {}

  async start(): Promise<void> {
    this.parsers = await loadCodeParsers();
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((document) => this.check(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.saved(document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('planLens.code')) this.checkOpenDocuments();
      }),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(MODEL_FILES);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => void this.indexFile(uri)),
      watcher.onDidChange((uri) => {
        if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) this.sites.delete(uri.toString());
        void this.indexFile(uri);
      }),
      watcher.onDidDelete((uri) => {
        this.models.remove(uri.toString());
        this.djangoModels.remove(uri.toString());
        this.sites.delete(uri.toString());
        this.checkOpenDocuments();
      }),
    );
    this.checkOpenDocuments();
    void this.indexWorkspace();
  }

  /** Indexes every Python file's models in the background, then checks the open files again with them. */
  async indexWorkspace(): Promise<void> {
    if (!vscode.workspace.workspaceFolders?.length) return;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Plan Lens: indexing models' },
      async (progress) => {
        const files = await vscode.workspace.findFiles(MODEL_FILES, EXCLUDED);
        const started = Date.now();
        for (let i = 0; i < files.length; i++) {
          await this.indexFile(files[i], false);
          if ((i + 1) % INDEX_BATCH === 0) {
            progress.report({ message: `${i + 1}/${files.length} files` });
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
        this.log.info(
          `Indexed ${this.models.size} SQLAlchemy and ${this.djangoModels.size} Django models in ${files.length} Python files in ${Date.now() - started} ms.`,
        );
      },
    );
    this.checkOpenDocuments();
  }

  /** A recording's N+1 changed: the open files are checked again so their diagnostics say what it saw. */
  setRecordedNPlusOne(recorded: RecordedNPlusOne[]): void {
    const key = (list: RecordedNPlusOne[]) => JSON.stringify(list.map((r) => [r.fingerprint, r.calls, r.totalMs, r.recordedAt]));
    if (key(recorded) === key(this.recorded)) return;
    this.recorded = recorded;
    this.checkOpenDocuments();
  }

  /** The attribute reads in the code (of the files checked so far) whose lazy load the recorded N+1 runs. */
  codeOf(recorded: RecordedNPlusOne): vscode.Location[] {
    const locations: vscode.Location[] = [];
    for (const sites of this.sites.values())
      for (const site of codeSitesOf(recorded, sites))
        locations.push(new vscode.Location(vscode.Uri.parse(site.path), toRange(site.range)));
    return locations;
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const findings = this.findings.get(document.uri.toString()) ?? [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'Plan Lens') continue;
      const finding = findings.find(
        (f) => f.code === diagnostic.code && toRange(f.range).isEqual(diagnostic.range) && f.message === diagnostic.message,
      );
      for (const [index, fix] of (finding?.fixes ?? []).entries()) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.isPreferred = index === 0;
        action.edit = new vscode.WorkspaceEdit();
        for (const edit of fix.edits) action.edit.replace(document.uri, toRange(edit.range), edit.newText);
        actions.push(action);
      }
    }
    return actions;
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const language = LANGUAGES.get(document.languageId);
    if (!this.parsers || !language) return undefined;
    const tree = this.parsers.parse(language, document.getText());
    try {
      const root = tree.rootNode;
      const file = { root, imports: importedModules(language, root) };
      const hover =
        poolSettingHover(file, position.line, position.character) ??
        djangoHover(file, this.djangoModels, position.line, position.character);
      if (!hover) return undefined;
      const { startPosition: s, endPosition: e } = hover.node;
      return new vscode.Hover(new vscode.MarkdownString(hover.markdown), new vscode.Range(s.row, s.column, e.row, e.column));
    } finally {
      tree.delete();
    }
  }

  private schedule(document: vscode.TextDocument): void {
    if (!LANGUAGES.has(document.languageId)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.check(document);
      }, CHANGE_DEBOUNCE_MS),
    );
  }

  private saved(document: vscode.TextDocument): void {
    this.check(document);
    // A saved model file changes what loops elsewhere mean.
    if (document.languageId === 'python') this.checkOpenDocuments(document);
  }

  private checkOpenDocuments(except?: vscode.TextDocument): void {
    for (const document of vscode.workspace.textDocuments) if (document !== except) this.check(document);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.findings.delete(key);
    this.collection.delete(uri);
  }

  private async indexFile(uri: vscode.Uri, recheck = true): Promise<void> {
    if (!this.parsers) return;
    let text: string;
    try {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return;
    }
    if (text.length > MAX_FILE_CHARS) return;
    const result = checkCode(this.parsers, uri.toString(), 'python', text, 'models');
    // A file mid-edit keeps the models it had when it last parsed.
    if (result.parsed) this.models.update(uri.toString(), result.models);
    if (result.parsed) this.djangoModels.update(uri.toString(), result.djangoModels);
    if (recheck) this.checkOpenDocuments();
  }

  private check(document: vscode.TextDocument): void {
    const language = LANGUAGES.get(document.languageId);
    if (!this.parsers || !language || document.uri.scheme === 'output' || document.getText().length > MAX_FILE_CHARS) return;
    const context: LintContext = {
      models: this.models,
      djangoModels: this.djangoModels,
      server: this.currentFacts(),
      processes: readCodeConfig().processes,
    };
    const result = checkCode(this.parsers, document.uri.toString(), language, document.getText(), context);
    if (!result.parsed) return;
    const findings = linkRecordedNPlusOne(result.findings, this.recorded);
    const key = document.uri.toString();
    this.findings.set(key, findings);
    const sites = findings.flatMap((f) => (f.perRowLookup ? [{ path: key, range: f.range, lookup: f.perRowLookup }] : []));
    const before = JSON.stringify(this.sites.get(key) ?? []);
    if (sites.length > 0) this.sites.set(key, sites);
    else this.sites.delete(key);
    if (JSON.stringify(sites) !== before) this.sitesChanged.fire();
    this.collection.set(
      document.uri,
      findings.map((finding) => {
        const diagnostic = new vscode.Diagnostic(toRange(finding.range), finding.message, SEVERITY[finding.severity]);
        diagnostic.source = 'Plan Lens';
        diagnostic.code = finding.code;
        return diagnostic;
      }),
    );
  }

  /**
   * The connected server's limits when a PostgreSQL connection is already open (never the demo
   * database, never a prompt): read in the background, and the open files checked again with them.
   */
  private currentFacts(): ServerFacts | undefined {
    const active = this.connections.current();
    if (!active || active.kind === 'demo') return undefined;
    const fresh = this.facts?.target === active.target && Date.now() - this.facts.at < SERVER_FACTS_MAX_AGE_MS;
    if (!fresh) {
      this.facts = { target: active.target, at: Date.now(), facts: this.facts?.target === active.target ? this.facts.facts : undefined };
      readServerFacts(active.pool).then(
        (facts) => {
          this.facts = { target: active.target, at: Date.now(), facts };
          this.checkOpenDocuments();
        },
        (error: unknown) =>
          this.log.warn(
            `Could not read the connection limits of ${active.target}: ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
    }
    return this.facts?.facts;
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/**
 * The plan's findings in the editor: diagnostics on the part of the explained statement each is
 * about (the table reference, its conditions, the ORDER BY keys; the whole statement when the
 * parser cannot place it), source "Plan Lens", the rule id as code; what to fix first as one more
 * on the statement; and quick fixes that insert a suggested CREATE INDEX below the statement.
 * All come from the same analysis the plan panel shows.
 */
import * as vscode from 'vscode';
import type { Finding, IndexSuggestion, PlanAdvice, Severity } from '../core/advice/advice-model';
import { isSqlParserLoaded, subjectLocator } from '../core/sql';
import { insertDdlBelow } from './ddl-insertion';

/** The code of the diagnostic that says what to fix first. */
export const FIX_FIRST_CODE = 'fix-first';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  critical: vscode.DiagnosticSeverity.Warning,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

interface StatementAdvice {
  range: vscode.Range;
  version: number;
  findings: Map<vscode.Diagnostic, Finding>;
  /** The suggestions of what to fix first, offered on its diagnostic. */
  fixFirst: string[];
  suggestions: Map<string, IndexSuggestion>;
}

export class AdviceDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  private readonly collection = vscode.languages.createDiagnosticCollection('planLens.advice');
  private readonly byDocument = new Map<string, StatementAdvice>();
  private readonly disposables: vscode.Disposable[] = [
    this.collection,
    // Findings belong to the statement as it was explained; an edit makes them stale. Every
    // keystroke of every document passes here, so only documents with findings are touched.
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0 && this.byDocument.has(event.document.uri.toString())) this.clear(event.document.uri);
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (this.byDocument.has(document.uri.toString())) this.clear(document.uri);
    }),
  ];

  constructor(selector: vscode.DocumentSelector) {
    this.disposables.push(
      vscode.languages.registerCodeActionsProvider(selector, this, { providedCodeActionKinds: AdviceDiagnostics.providedCodeActionKinds }),
    );
  }

  show(document: vscode.TextDocument, range: vscode.Range, advice: PlanAdvice): void {
    const findings = new Map<vscode.Diagnostic, Finding>();
    const place = this.placer(document, range);
    for (const finding of advice.findings) {
      const diagnostic = new vscode.Diagnostic(place(finding), `${finding.title}. ${finding.fix}`, SEVERITY[finding.severity]);
      diagnostic.source = 'Plan Lens';
      diagnostic.code = finding.ruleId;
      findings.set(diagnostic, finding);
    }
    const diagnostics = [...findings.keys()];
    if (advice.fixFirst) {
      const summary = [advice.headline?.text, advice.fixFirst.text].filter((text) => text !== undefined).join('. ');
      const fixFirst = new vscode.Diagnostic(range, summary, vscode.DiagnosticSeverity.Information);
      fixFirst.source = 'Plan Lens';
      fixFirst.code = FIX_FIRST_CODE;
      diagnostics.unshift(fixFirst);
    }
    this.byDocument.set(document.uri.toString(), {
      range,
      version: document.version,
      findings,
      fixFirst: advice.fixFirst?.suggestionIds ?? [],
      suggestions: new Map(advice.suggestions.map((s) => [s.id, s])),
    });
    this.collection.set(document.uri, diagnostics);
  }

  /** Where a finding goes: the part of the statement it is about, else the whole statement. */
  private placer(document: vscode.TextDocument, statement: vscode.Range): (finding: Finding) => vscode.Range {
    const locate = isSqlParserLoaded() ? subjectLocator(document.getText(statement)) : undefined;
    const base = document.offsetAt(statement.start);
    return (finding) => {
      const span = finding.subject && locate?.(finding.subject);
      return span ? new vscode.Range(document.positionAt(base + span.start), document.positionAt(base + span.end)) : statement;
    };
  }

  clear(uri: vscode.Uri): void {
    this.byDocument.delete(uri.toString());
    this.collection.delete(uri);
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const entry = this.byDocument.get(document.uri.toString());
    if (!entry || entry.version !== document.version) return [];
    const actions: vscode.CodeAction[] = [];
    const offered = new Set<string>();
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'Plan Lens') continue;
      const ids = diagnostic.code === FIX_FIRST_CODE ? entry.fixFirst : (this.findingFor(entry, diagnostic)?.suggestionIds ?? []);
      for (const id of ids) {
        const suggestion = entry.suggestions.get(id);
        if (!suggestion || offered.has(id)) continue;
        offered.add(id);
        const columns = suggestion.columns.map((c) => (c.descending ? `${c.name} DESC` : c.name)).join(', ');
        const action = new vscode.CodeAction(
          `Create index ${suggestion.name} on ${suggestion.table} (${columns})`,
          vscode.CodeActionKind.QuickFix,
        );
        action.diagnostics = [diagnostic];
        action.isPreferred = actions.length === 0;
        action.edit = insertDdlBelow(document, entry.range, suggestion.ddl);
        actions.push(action);
      }
    }
    return actions;
  }

  /** Diagnostics come back to providers as copies: match them by code and message. */
  private findingFor(entry: StatementAdvice, diagnostic: vscode.Diagnostic): Finding | undefined {
    for (const [shown, finding] of entry.findings) {
      if (shown.message === diagnostic.message && shown.code === diagnostic.code) return finding;
    }
    return undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

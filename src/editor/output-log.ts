/**
 * The "Plan Lens" output channel: one line per explain (server, duration, outcome). Connection
 * targets are always the password-free description.
 */
import * as vscode from 'vscode';

export class OutputLog implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Plan Lens', { log: true });

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  error(message: string): void {
    this.channel.error(message);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/** Runs the built `plan-lens` (dist/cli.js) in a child process, as a user would, and collects what it printed. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

export const CLI_PATH = join(__dirname, '..', '..', 'dist', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

export interface CliRun {
  child: ChildProcessWithoutNullStreams;
  done: Promise<CliResult>;
}

export function startCli(args: string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliRun {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env } });
  const done = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.input ?? '');
  return { child, done };
}

export function runCli(
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return startCli(args, options).done;
}

/** One sentence on one line, prefixed as the CLI prefixes its messages, and no stack trace. */
export function isOneCleanMessage(stderr: string): boolean {
  const lines = stderr.trimEnd().split('\n');
  return lines.length === 1 && lines[0]!.startsWith('plan-lens: ') && !/\n\s+at /.test(stderr) && !/unexpected error/.test(stderr);
}

/**
 * Starts and stops a private code-server (VS Code's workbench and Node extension host, served
 * over HTTP on loopback).
 *
 *   const server = await startCodeServer({ workspace: '/abs/folder', settings: {...}, env: {...} });
 *   server.workbenchUrl({ extensionDevelopmentPath, extensionTestsPath }); // URL for a browser
 *   await server.stop();
 *
 * Every server gets a fresh temporary folder holding its `--user-data-dir` (with
 * `User/settings.json`), `--extensions-dir` and config file, so nothing is shared with other
 * servers or with the user's own code-server. It binds 127.0.0.1 on a port the kernel picks
 * (`--bind-addr 127.0.0.1:0`), so parallel runs never collide. It runs in its own process group,
 * and `stop()` kills the whole group (server, extension host, file watcher, pty host).
 */
import { type ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { codeServerEntry } from './environment';

export interface CodeServerOptions {
  /** Folder opened by default (the `folder` of the workbench URL and code-server's argument). */
  workspace?: string;
  /** Extra user settings, merged over the defaults in {@link DEFAULT_SETTINGS}. */
  settings?: Record<string, unknown>;
  /** Extra environment variables for the code-server process and so for the extension host. */
  env?: Record<string, string>;
  /** `.vsix` files (or marketplace ids, useless offline) installed into the fresh extensions dir before start. */
  installExtensions?: string[];
  /** Receives each line code-server prints (default: dropped; the tail is kept for errors). */
  log?: (line: string) => void;
  /** How long to wait for code-server to listen (default 60 s). */
  startTimeoutMs?: number;
  /** Keep the temporary folder after `stop()` (default: removed). */
  keepTempDir?: boolean;
}

/** Workbench URL parameters: what `@vscode/test-electron`'s runTests() takes, plus the folder. */
export interface WorkbenchUrlOptions {
  /** Folder to open; defaults to the server's workspace. */
  folder?: string;
  /** Absolute path of an extension to load from source (`package.json` folder). */
  extensionDevelopmentPath?: string;
  /** Absolute path of a test module exporting `run(): Promise<void>`, run in the extension host. */
  extensionTestsPath?: string;
}

export interface CodeServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  readonly tempDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly workspace: string | undefined;
  /** The workbench URL, with the `payload` parameter when an extension or tests are given. */
  workbenchUrl(options?: WorkbenchUrlOptions): string;
  /** `vscode-remote://127.0.0.1:PORT/abs/path`: how the workbench names a file of this machine. */
  remoteUri(absolutePath: string): string;
  /** The last lines code-server printed (for error messages). */
  outputTail(lines?: number): string;
  /** Set once the process has exited (its exit code or signal). */
  readonly exit: { code: number | null; signal: string | null } | undefined;
  /** Kills the process group and removes the temporary folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** Settings that keep the welcome page, trust prompt and other first-run surfaces away. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
};

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Environment for code-server: ours, minus what would redirect it to another instance or port. */
function childEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  // No extension gallery: the network is closed, and tests must not depend on a marketplace.
  const env: NodeJS.ProcessEnv = { ...process.env, EXTENSIONS_GALLERY: '{}', ...extra };
  for (const name of [
    'VSCODE_IPC_HOOK_CLI',
    'PORT',
    'PASSWORD',
    'HASHED_PASSWORD',
    'CODE_SERVER_PARENT_PID',
    'ELECTRON_RUN_AS_NODE',
    'NODE_OPTIONS',
  ]) {
    if (!(extra && name in extra)) delete env[name];
  }
  return env;
}

/** Installs a `.vsix` into an extensions folder with code-server's CLI (synchronous, ~2 s). */
export function installExtension(vsixOrId: string, extensionsDir: string, userDataDir: string): void {
  const result = spawnSync(
    process.execPath,
    [codeServerEntry(), '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--force', '--install-extension', vsixOrId],
    { encoding: 'utf8', env: childEnv(undefined), timeout: 120_000 },
  );
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || /Failed Installing/.test(output)) {
    throw new Error(`code-server --install-extension ${vsixOrId} failed (exit ${result.status}):\n${output}`);
  }
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lens-e2e-'));
  const userDataDir = path.join(tempDir, 'user-data');
  const extensionsDir = path.join(tempDir, 'extensions');
  const configFile = path.join(tempDir, 'config.yaml');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2));
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const workspace = options.workspace ? path.resolve(options.workspace) : undefined;

  for (const ext of options.installExtensions ?? []) installExtension(ext, extensionsDir, userDataDir);

  const args = [
    codeServerEntry(),
    '--config',
    configFile,
    '--auth',
    'none',
    '--bind-addr',
    '127.0.0.1:0',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
  ];
  if (workspace) args.push(workspace);

  const child = spawn(process.execPath, args, {
    cwd: workspace ?? tempDir,
    env: childEnv(options.env),
    detached: true, // a process group of its own, killed as a whole
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);

  const tail: string[] = [];
  let exit: CodeServer['exit'];
  let onListening: (port: number) => void = () => undefined;
  let onExit: () => void = () => undefined;
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > 200) tail.shift();
    options.log?.(line);
    const m = /HTTP server listening on https?:\/\/[^\s]*:(\d+)\//.exec(line);
    if (m) onListening(Number(m[1]));
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(onLine);
    });
  }
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      running.delete(child);
      resolve();
      onExit();
    });
  });
  const outputTail = (lines = 40): string => tail.slice(-lines).join('\n');

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (!exit) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    // Extension host and watchers may outlive the server process by a moment.
    killGroup(child, 'SIGKILL');
    if (!options.keepTempDir) fs.rmSync(tempDir, { recursive: true, force: true, maxRetries: 3 });
  };

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`code-server did not listen within ${timeoutMs} ms. Output:\n${outputTail()}`)),
        timeoutMs,
      );
      onListening = (p) => {
        clearTimeout(timer);
        resolve(p);
      };
      onExit = () => {
        clearTimeout(timer);
        reject(new Error(`code-server exited at start (${JSON.stringify(exit)}). Output:\n${outputTail()}`));
      };
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  onExit = () => undefined;

  const authority = `127.0.0.1:${port}`;
  const url = `http://${authority}/`;
  const remoteUri = (absolutePath: string): string =>
    `vscode-remote://${authority}${path.resolve(absolutePath).split(path.sep).map(encodeURIComponent).join('/')}`;

  return {
    port,
    url,
    tempDir,
    userDataDir,
    extensionsDir,
    workspace,
    remoteUri,
    outputTail,
    get exit() {
      return exit;
    },
    stop,
    workbenchUrl(urlOptions: WorkbenchUrlOptions = {}): string {
      const params = new URLSearchParams();
      const folder = urlOptions.folder ? path.resolve(urlOptions.folder) : workspace;
      if (folder) params.set('folder', folder);
      const payload: [string, string][] = [];
      if (urlOptions.extensionDevelopmentPath) {
        payload.push(['extensionDevelopmentPath', remoteUri(urlOptions.extensionDevelopmentPath)]);
      }
      if (urlOptions.extensionTestsPath) {
        payload.push(['extensionTestsPath', remoteUri(urlOptions.extensionTestsPath)]);
      }
      if (payload.length) params.set('payload', JSON.stringify(payload));
      const query = params.toString();
      return query ? `${url}?${query}` : url;
    },
  };
}

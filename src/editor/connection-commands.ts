/**
 * Add, select and remove named connections. Settings hold everything but the password, which
 * goes to SecretStorage under the connection's name.
 */
import * as vscode from 'vscode';
import { resolveConnection } from '../db/connection-config';
import {
  readActiveConnectionName,
  readConnections,
  writeActiveConnectionName,
  writeConnections,
  type ConnectionSetting,
  type SslMode,
} from './config';
import { passwordSecretKey, type ConnectionManager } from './connection-manager';

const SSL_MODES: Array<{ label: SslMode; detail: string }> = [
  { label: 'prefer', detail: 'Use SSL when the server offers it, without verifying the certificate; plain otherwise (libpq default).' },
  { label: 'require', detail: 'Always use SSL; do not verify the certificate.' },
  { label: 'verify-full', detail: 'Always use SSL; verify the certificate and the host name.' },
  { label: 'verify-ca', detail: 'Always use SSL; verify the certificate against a trusted CA.' },
  { label: 'allow', detail: 'Connect without SSL; use SSL only when the server insists.' },
  { label: 'disable', detail: 'Never use SSL.' },
];

const STEPS = 7;

/**
 * The questions of Add Connection, pre-filled from `current` for Edit Connection. Resolves to the
 * connection and the password typed (empty: none, or keep the stored one when editing), or
 * undefined when a question was dismissed.
 */
async function askConnection(
  verb: 'Add' | 'Edit',
  others: ConnectionSetting[],
  current?: ConnectionSetting,
): Promise<{ connection: ConnectionSetting; password: string } | undefined> {
  const ask = (step: number, title: string, options: vscode.InputBoxOptions) =>
    vscode.window.showInputBox({ title: `Plan Lens: ${verb} Connection (${step}/${STEPS} ${title})`, ignoreFocusOut: true, ...options });
  const name = await ask(1, 'name', {
    prompt: 'A name to pick this connection by',
    placeHolder: 'e.g. local shop, staging',
    value: current?.name,
    validateInput: (v) =>
      !v.trim()
        ? 'Give the connection a name.'
        : others.some((c) => c.name === v.trim())
          ? `A connection named "${v.trim()}" exists already.`
          : undefined,
  });
  if (name === undefined) return undefined;
  const host = await ask(2, 'host', {
    prompt: 'Host name or address of the PostgreSQL server',
    value: current?.host ?? 'localhost',
    validateInput: (v) => (v.trim() ? undefined : 'Give a host.'),
  });
  if (host === undefined) return undefined;
  const port = await ask(3, 'port', {
    value: String(current?.port ?? 5432),
    validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port is a number from 1 to 65535.'),
  });
  if (port === undefined) return undefined;
  const database = await ask(4, 'database', {
    value: current?.database ?? 'postgres',
    validateInput: (v) => (v.trim() ? undefined : 'Give a database name.'),
  });
  if (database === undefined) return undefined;
  const user = await ask(5, 'user', {
    value: current?.user ?? process.env.USER ?? 'postgres',
    validateInput: (v) => (v.trim() ? undefined : 'Give a user name.'),
  });
  if (user === undefined) return undefined;
  const password = await ask(6, 'password', {
    prompt: current
      ? "Leave empty to keep the stored password. Kept in VS Code's secret storage, never in settings."
      : "Kept in VS Code's secret storage, never in settings. Leave empty if the server needs none.",
    password: true,
  });
  if (password === undefined) return undefined;
  const modes = current
    ? [...SSL_MODES].sort((a, b) => Number(b.label === current.sslMode) - Number(a.label === current.sslMode))
    : SSL_MODES;
  const ssl = await vscode.window.showQuickPick(modes, {
    title: `Plan Lens: ${verb} Connection (7/${STEPS} SSL mode)`,
    ignoreFocusOut: true,
  });
  if (!ssl) return undefined;
  let sslRootCert = current?.sslRootCert;
  if (ssl.label === 'verify-ca' || ssl.label === 'verify-full') {
    const answer = await ask(7, 'SSL mode: CA certificate', {
      prompt: "The CA certificate file that signed the server's (sslrootcert); empty: the system's trusted CAs",
      value: sslRootCert ?? '',
    });
    if (answer === undefined) return undefined;
    sslRootCert = answer.trim() || undefined;
  }
  const connection: ConnectionSetting = {
    ...current,
    name: name.trim(),
    host: host.trim(),
    port: Number(port),
    database: database.trim(),
    user: user.trim(),
    sslMode: ssl.label,
  };
  if (sslRootCert) connection.sslRootCert = sslRootCert;
  else delete connection.sslRootCert;
  return { connection, password };
}

export async function addConnection(context: vscode.ExtensionContext, manager: ConnectionManager): Promise<void> {
  const existing = readConnections();
  const answer = await askConnection('Add', existing);
  if (!answer) return;
  const { connection, password } = answer;
  if (password) await context.secrets.store(passwordSecretKey(connection.name), password);
  await writeConnections([...existing, connection]);
  await writeActiveConnectionName(connection.name);
  void vscode.window.showInformationMessage(
    `Plan Lens: "${connection.name}" added and selected (${connection.user}@${connection.host}:${connection.port}/${connection.database}).`,
  );
  await manager.reset('connection added');
}

/** Every question of Add Connection again, answered already; the stored password stays unless a new one is typed. */
export async function editConnection(context: vscode.ExtensionContext, manager: ConnectionManager): Promise<void> {
  const connections = readConnections();
  if (connections.length === 0) {
    void vscode.window.showInformationMessage('Plan Lens: there are no named connections to edit: run "Plan Lens: Add Connection".');
    return;
  }
  const active = readActiveConnectionName();
  const pick = await vscode.window.showQuickPick(
    connections.map((c) => ({ label: c.name, description: `${c.user}@${c.host}:${c.port}/${c.database}` })),
    { title: 'Plan Lens: Edit Connection' },
  );
  if (!pick) return;
  const current = connections.find((c) => c.name === pick.label)!;
  const answer = await askConnection(
    'Edit',
    connections.filter((c) => c !== current),
    current,
  );
  if (!answer) return;
  const { connection, password } = answer;
  const stored = await context.secrets.get(passwordSecretKey(current.name));
  if (connection.name !== current.name) await context.secrets.delete(passwordSecretKey(current.name));
  const keep = password || stored;
  if (keep) await context.secrets.store(passwordSecretKey(connection.name), keep);
  await writeConnections(connections.map((c) => (c === current ? connection : c)));
  if (active === current.name) await writeActiveConnectionName(connection.name);
  void vscode.window.showInformationMessage(
    `Plan Lens: "${connection.name}" saved (${connection.user}@${connection.host}:${connection.port}/${connection.database}, SSL ${connection.sslMode}).`,
  );
  await manager.reset('connection edited');
}

interface ConnectionPick extends vscode.QuickPickItem {
  action: 'named' | 'environment' | 'demo' | 'add';
  name?: string;
}

export async function selectConnection(context: vscode.ExtensionContext, manager: ConnectionManager): Promise<void> {
  const active = readActiveConnectionName();
  const items: ConnectionPick[] = readConnections().map((c) => ({
    action: 'named',
    name: c.name,
    label: `${c.name === active ? '$(check) ' : ''}${c.name}`,
    description: `${c.user}@${c.host}:${c.port}/${c.database}`,
    detail: `SSL: ${c.sslMode}`,
  }));
  const environment = resolveConnection({ env: process.env });
  if (environment)
    items.push({
      action: 'environment',
      label: `${!active ? '$(check) ' : ''}${environment.source}`,
      description: environment.describe(),
      detail: "From the environment of VS Code's process",
    });
  items.push({
    action: 'demo',
    label: '$(beaker) Demo database',
    description: 'embedded PostgreSQL (PGlite) with a sample shop',
    detail: 'No server needed; built on first use',
  });
  items.push({ action: 'add', label: '$(add) Add Connection…' });

  const pick = await vscode.window.showQuickPick(items, {
    title: 'Plan Lens: Select Connection',
    placeHolder: 'The database Explain Query runs on',
  });
  if (!pick) return;
  switch (pick.action) {
    case 'add':
      await addConnection(context, manager);
      return;
    case 'named':
      await writeActiveConnectionName(pick.name!);
      break;
    case 'environment':
      await writeActiveConnectionName('');
      await manager.forgetDemoChoice();
      break;
    case 'demo':
      await writeActiveConnectionName('');
      await manager.useDemoDatabase();
      break;
  }
  await manager.reset('connection selected');
}

export async function removeConnection(context: vscode.ExtensionContext, manager: ConnectionManager): Promise<void> {
  const connections = readConnections();
  if (connections.length === 0) {
    void vscode.window.showInformationMessage('Plan Lens: there are no named connections to remove.');
    return;
  }
  const pick = await vscode.window.showQuickPick(
    connections.map((c) => ({ label: c.name, description: `${c.user}@${c.host}:${c.port}/${c.database}` })),
    { title: 'Plan Lens: Remove Connection' },
  );
  if (!pick) return;
  await writeConnections(connections.filter((c) => c.name !== pick.label));
  await context.secrets.delete(passwordSecretKey(pick.label));
  if (readActiveConnectionName() === pick.label) await writeActiveConnectionName('');
  await manager.reset('connection removed');
  void vscode.window.showInformationMessage(`Plan Lens: "${pick.label}" removed, with its stored password.`);
}

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
  { label: 'prefer', detail: 'Use SSL when the server offers it, without verifying the certificate (libpq default).' },
  { label: 'require', detail: 'Always use SSL; do not verify the certificate.' },
  { label: 'verify-full', detail: 'Always use SSL; verify the certificate and the host name.' },
  { label: 'verify-ca', detail: 'Always use SSL; verify the certificate against a trusted CA.' },
  { label: 'disable', detail: 'Never use SSL.' },
];

async function ask(title: string, options: vscode.InputBoxOptions): Promise<string | undefined> {
  return vscode.window.showInputBox({ title: `Plan Lens: Add Connection (${title})`, ignoreFocusOut: true, ...options });
}

export async function addConnection(context: vscode.ExtensionContext, manager: ConnectionManager): Promise<void> {
  const existing = readConnections();
  const name = await ask('1/7 name', {
    prompt: 'A name to pick this connection by',
    placeHolder: 'e.g. local shop, staging',
    validateInput: (v) => (!v.trim() ? 'Give the connection a name.' : existing.some((c) => c.name === v.trim()) ? `A connection named "${v.trim()}" exists already.` : undefined),
  });
  if (name === undefined) return;
  const host = await ask('2/7 host', { prompt: 'Host name or address of the PostgreSQL server', value: 'localhost', validateInput: (v) => (v.trim() ? undefined : 'Give a host.') });
  if (host === undefined) return;
  const port = await ask('3/7 port', {
    value: '5432',
    validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port is a number from 1 to 65535.'),
  });
  if (port === undefined) return;
  const database = await ask('4/7 database', { value: 'postgres', validateInput: (v) => (v.trim() ? undefined : 'Give a database name.') });
  if (database === undefined) return;
  const user = await ask('5/7 user', { value: process.env.USER ?? 'postgres', validateInput: (v) => (v.trim() ? undefined : 'Give a user name.') });
  if (user === undefined) return;
  const password = await ask('6/7 password', { prompt: 'Kept in VS Code\'s secret storage, never in settings. Leave empty if the server needs none.', password: true });
  if (password === undefined) return;
  const ssl = await vscode.window.showQuickPick(SSL_MODES, { title: 'Plan Lens: Add Connection (7/7 SSL mode)', ignoreFocusOut: true });
  if (!ssl) return;

  const connection: ConnectionSetting = { name: name.trim(), host: host.trim(), port: Number(port), database: database.trim(), user: user.trim(), sslMode: ssl.label };
  if (password) await context.secrets.store(passwordSecretKey(connection.name), password);
  await writeConnections([...existing, connection]);
  await writeActiveConnectionName(connection.name);
  void vscode.window.showInformationMessage(`Plan Lens: "${connection.name}" added and selected (${connection.user}@${connection.host}:${connection.port}/${connection.database}).`);
  await manager.reset('connection added');
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
  if (environment) items.push({ action: 'environment', label: `${!active ? '$(check) ' : ''}${environment.source}`, description: environment.describe(), detail: 'From the environment of VS Code\'s process' });
  items.push({ action: 'demo', label: '$(beaker) Demo database', description: 'embedded PostgreSQL (PGlite) with a sample shop', detail: 'No server needed; built on first use' });
  items.push({ action: 'add', label: '$(add) Add Connection…' });

  const pick = await vscode.window.showQuickPick(items, { title: 'Plan Lens: Select Connection', placeHolder: 'The database Explain Query runs on' });
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

/**
 * node-postgres `new Pool({...})`: the connection wait, idle and lifetime limits, the pool's size
 * against the connected server, and the 'error' listener without which an idle client's error
 * (the server restarting, a proxy cutting the connection) crashes the Node process.
 */
import { javascriptOptionsArguments, type CallArguments } from '../call-arguments';
import { endOf, insertAt, rangeOf, type CodeFinding, type CodeFix, type CodeRange } from '../findings';
import type { LintContext } from '../context';
import { availableConnections, type ServerFacts } from '../server-facts';
import { calleeName, enclosingStatement, type SourceFile } from '../source-file';
import type { Node } from '../syntax';
import { missingSetting, setSettingFix, unknownValue, wrongSetting } from './pool-finding';

export const RECOMMENDED_CONNECTION_TIMEOUT_MS = 10000;
export const RECOMMENDED_MAX_LIFETIME_S = 1800;
const DEFAULT_MAX = 10;
const DEFAULT_IDLE_TIMEOUT_MS = 10000;

/** `pool.on('error', ...)` or `pool.once('error', ...)`: the pool's name as @pool. */
const ERROR_LISTENER = `(call_expression
  function: (member_expression object: (identifier) @pool property: (property_identifier) @method)
  arguments: (arguments . (string (string_fragment) @event))
  (#any-of? @method "on" "once")
  (#eq? @event "error"))`;

export function nodePostgresPoolRule(file: SourceFile, context: LintContext): CodeFinding[] {
  if (file.language === 'python' || !file.imports.has('pg')) return [];
  const findings: CodeFinding[] = [];
  for (const call of file.root.descendantsOfType('new_expression')) {
    if (!call || calleeName(call) !== 'Pool') continue;
    const options = javascriptOptionsArguments(call);
    const bare = options ? undefined : withoutOptions(call);
    const args = options ?? bare?.args;
    if (!args) continue;
    const optionsFix = bare ? [optionsObjectFix(args, bare.connectionString, context)] : undefined;
    if (bare?.connectionString) findings.push(connectionStringFinding(bare.connectionString, optionsFix!));
    findings.push(...settingFindings(args, context, optionsFix));
    findings.push(...errorListenerFindings(call, file));
  }
  return findings;
}

/**
 * `new Pool()` or `new Pool(process.env.DATABASE_URL)`: no options object, so every default
 * applies; the fixes then write one. Any other argument (`new Pool(config)`) is not followed.
 */
function withoutOptions(call: Node): { args: CallArguments; connectionString?: Node } | undefined {
  const list = call.childForFieldName('arguments');
  if (!list) return undefined;
  const given = list.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
  const args: CallArguments = { call, container: list, positional: given, settings: new Map(), style: 'javascript' };
  if (given.length === 0) return { args };
  if (given.length === 1 && isConnectionString(given[0])) return { args, connectionString: given[0] };
  return undefined;
}

/** A string literal, a template string, or a variable of the environment (`process.env.X`, `process.env['X']`). */
function isConnectionString(node: Node): boolean {
  if (node.type === 'string' || node.type === 'template_string') return true;
  const object = node.type === 'member_expression' || node.type === 'subscript_expression' ? node.childForFieldName('object') : null;
  return object?.text.replace(/\s+/g, '') === 'process.env';
}

/** Replaces the arguments with an options object holding the recommended settings (and the connection string given). */
function optionsObjectFix(args: CallArguments, connectionString: Node | undefined, context: LintContext): CodeFix {
  const entries = [
    ...(connectionString ? [`connectionString: ${connectionString.text}`] : []),
    ...(context.server ? [`max: ${Math.min(DEFAULT_MAX, serverBudget(context.server, context.processes))}`] : []),
    `connectionTimeoutMillis: ${RECOMMENDED_CONNECTION_TIMEOUT_MS}`,
    `idleTimeoutMillis: ${DEFAULT_IDLE_TIMEOUT_MS}`,
    `maxLifetimeSeconds: ${RECOMMENDED_MAX_LIFETIME_S}`,
  ];
  const list = args.container;
  const open = list.firstChild;
  const close = list.lastChild;
  const range: CodeRange = {
    start: open ? endOf(open) : rangeOf(list).start,
    end: close ? rangeOf(close).start : rangeOf(list).end,
  };
  return { title: 'Pass an options object with the recommended settings', edits: [{ range, newText: `{ ${entries.join(', ')} }` }] };
}

function connectionStringFinding(argument: Node, fixes: CodeFix[]): CodeFinding {
  return {
    code: 'pg-pool-connection-string',
    severity: 'error',
    message: `new Pool() takes an options object, not a connection string: given the string in ${argument.text} it throws a TypeError ("Cannot use 'in' operator to search for 'password'"), and when the variable is unset it silently connects with the PG* environment variables and defaults; pass { connectionString: ${argument.text} }.`,
    range: rangeOf(argument),
    fixes,
  };
}

/** Clients per process that fit in what the server can still accept, at least 1. */
function serverBudget(server: ServerFacts, processes: number): number {
  return Math.max(1, Math.floor(availableConnections(server) / processes));
}

/** `optionsFix`: for a pool without an options object, the one fix that writes it, offered by every setting finding. */
function settingFindings(args: CallArguments, context: LintContext, optionsFix: CodeFix[] | undefined): CodeFinding[] {
  const findings: CodeFinding[] = [];
  const finish = (finding: CodeFinding): CodeFinding => (optionsFix ? { ...finding, fixes: optionsFix } : finding);
  const timeout = args.settings.get('connectionTimeoutMillis');
  if (!timeout || (timeout.value.kind === 'number' && timeout.value.value === 0)) {
    const message = `connectionTimeoutMillis is ${timeout ? '0' : 'not set (0)'}, so pool.connect() and pool.query() wait forever when the server is unreachable or the pool is exhausted; set connectionTimeoutMillis: ${RECOMMENDED_CONNECTION_TIMEOUT_MS}.`;
    findings.push(
      timeout
        ? wrongSetting(timeout, 'pg-connection-timeout', 'warning', message, String(RECOMMENDED_CONNECTION_TIMEOUT_MS))
        : finish(
            missingSetting(
              args,
              'pg-connection-timeout',
              'warning',
              message,
              'connectionTimeoutMillis',
              String(RECOMMENDED_CONNECTION_TIMEOUT_MS),
            ),
          ),
    );
  }
  const idle = args.settings.get('idleTimeoutMillis');
  if (idle?.value.kind === 'number' && idle.value.value === 0) {
    findings.push(
      wrongSetting(
        idle,
        'pg-idle-timeout',
        'info',
        `idleTimeoutMillis: 0 never closes idle clients, so they hold server connections until something between cuts them; use ${DEFAULT_IDLE_TIMEOUT_MS} (the default) or more.`,
        String(DEFAULT_IDLE_TIMEOUT_MS),
      ),
    );
  }
  if (!args.settings.has('maxLifetimeSeconds')) {
    findings.push(
      finish(
        missingSetting(
          args,
          'pg-max-lifetime',
          'info',
          `maxLifetimeSeconds is not set, so clients live forever and fail after any idle or lifetime limit on the way to the server; set maxLifetimeSeconds: ${RECOMMENDED_MAX_LIFETIME_S}.`,
          'maxLifetimeSeconds',
          String(RECOMMENDED_MAX_LIFETIME_S),
        ),
      ),
    );
  }
  const server = context.server;
  if (server) {
    const max = args.settings.get('max');
    const available = availableConnections(server);
    if (max && max.value.kind !== 'number') {
      findings.push(
        unknownValue('max', max.value, `checked against the ${available} connections ${server.server} can still accept`, max.node),
      );
    } else {
      const size = max?.value.kind === 'number' ? max.value.value : DEFAULT_MAX;
      const total = size * context.processes;
      if (total > available) {
        const budget = serverBudget(server, context.processes);
        const processes = context.processes === 1 ? 'one process' : `${context.processes} processes`;
        findings.push({
          code: 'pg-pool-exceeds-server',
          severity: 'error',
          message: `max is ${size} clients per process, ${total} for ${processes}, but ${server.server} accepts only ${available} more (max_connections ${server.maxConnections} - ${server.superuserReservedConnections} reserved for superusers - ${server.connectionsInUseByOthers} in use); lower max to ${budget} or put PgBouncer in front.`,
          range: rangeOf(max?.node ?? args.call),
          fixes: optionsFix ?? [{ title: `Set max to ${budget}`, edits: [setSettingFix(args, 'max', String(budget))] }],
        });
      }
    }
  }
  return findings;
}

function errorListenerFindings(call: Node, file: SourceFile): CodeFinding[] {
  const declarator = call.parent;
  const name =
    declarator?.type === 'variable_declarator'
      ? declarator.childForFieldName('name')?.text
      : declarator?.type === 'assignment_expression'
        ? declarator.childForFieldName('left')?.text
        : undefined;
  if (!name) return [];
  const listened = file.matches(ERROR_LISTENER).some((match) => match.captures.some((c) => c.name === 'pool' && c.node.text === name));
  if (listened) return [];
  const statement = enclosingStatement(call);
  const indent = ' '.repeat(statement.startPosition.column);
  return [
    {
      code: 'pg-pool-error-handler',
      severity: 'warning',
      message: `${name} has no 'error' listener, so when an idle client loses its connection (server restart, proxy timeout) the error is unhandled and crashes the Node process; add ${name}.on('error', ...).`,
      range: rangeOf(call.childForFieldName('constructor') ?? call),
      fixes: [
        {
          title: `Add ${name}.on('error', ...)`,
          edits: [
            insertAt(
              endOf(statement),
              `\n${indent}${name}.on('error', (err) => {\n${indent}  console.error('idle PostgreSQL client error', err);\n${indent}});`,
            ),
          ],
        },
      ],
    },
  ];
}

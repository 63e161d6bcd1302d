/**
 * PyMongo `MongoClient(...)`: pool bounds, idle closing and the two waits (for a connection, for a
 * server), from keywords or the connection string's query (keywords win, as in PyMongo).
 */
import { pythonCallArguments, settingOrUrl, urlParameters } from '../call-arguments';
import { rangeOf, type CodeFinding } from '../findings';
import type { LintContext } from '../context';
import { calleeName, type SourceFile } from '../source-file';
import { missingSetting } from './pool-finding';

export const RECOMMENDED_WAIT_QUEUE_TIMEOUT_MS = 5000;
export const RECOMMENDED_MAX_IDLE_TIME_MS = 60000;
export const RECOMMENDED_SERVER_SELECTION_TIMEOUT_MS = 5000;
/** PyMongo's default; longer leaves requests hanging through an election or an outage. */
export const SERVER_SELECTION_LONG_MS = 30000;

const CLIENTS = new Set(['MongoClient', 'AsyncMongoClient']);

export function pymongoClientRule(file: SourceFile, _context: LintContext): CodeFinding[] {
  if (file.language !== 'python' || !file.imports.has('pymongo')) return [];
  const findings: CodeFinding[] = [];
  for (const call of file.root.descendantsOfType('call')) {
    if (!call || !CLIENTS.has(calleeName(call))) continue;
    const args = pythonCallArguments(call);
    if (!args) continue;
    const url = urlParameters(args.positional[0] ?? args.settings.get('host')?.valueNode);
    const get = (name: string) => settingOrUrl(args, url, name);
    const max = get('maxPoolSize');
    const min = get('minPoolSize');
    if (max?.kind === 'number' && min?.kind === 'number' && max.value > 0 && min.value > max.value) {
      findings.push({
        code: 'mongo-min-pool-above-max',
        severity: 'error',
        message: `minPoolSize=${min.value} is above maxPoolSize=${max.value}, which PyMongo rejects; make minPoolSize at most maxPoolSize.`,
        range: rangeOf(args.settings.get('minPoolSize')?.node ?? call),
        fixes: [],
      });
    }
    if (max && (max.kind === 'none' || (max.kind === 'number' && max.value === 0))) {
      findings.push({
        code: 'mongo-max-pool-size',
        severity: 'warning',
        message: `maxPoolSize=${max.text} leaves the pool unbounded, so a burst can open connections until the server refuses them; give it a bound such as maxPoolSize=100.`,
        range: rangeOf(args.settings.get('maxPoolSize')?.node ?? call),
        fixes: [],
      });
    }
    if (!get('waitQueueTimeoutMS')) {
      findings.push(
        missingSetting(
          args,
          'mongo-wait-queue-timeout',
          'warning',
          `waitQueueTimeoutMS is not set, so when all ${max?.kind === 'number' ? max.value : 100} connections are busy an operation waits for one without limit; set waitQueueTimeoutMS=${RECOMMENDED_WAIT_QUEUE_TIMEOUT_MS}.`,
          'waitQueueTimeoutMS',
          String(RECOMMENDED_WAIT_QUEUE_TIMEOUT_MS),
        ),
      );
    }
    if (!get('maxIdleTimeMS')) {
      findings.push(
        missingSetting(
          args,
          'mongo-max-idle-time',
          'info',
          `maxIdleTimeMS is not set, so idle connections stay open until a firewall or proxy silently drops them; set maxIdleTimeMS=${RECOMMENDED_MAX_IDLE_TIME_MS}.`,
          'maxIdleTimeMS',
          String(RECOMMENDED_MAX_IDLE_TIME_MS),
        ),
      );
    }
    const selection = get('serverSelectionTimeoutMS');
    if (!selection) {
      findings.push(
        missingSetting(
          args,
          'mongo-server-selection-timeout',
          'info',
          `serverSelectionTimeoutMS is not set, so with no reachable server each operation hangs 30 s before failing; set serverSelectionTimeoutMS=${RECOMMENDED_SERVER_SELECTION_TIMEOUT_MS}.`,
          'serverSelectionTimeoutMS',
          String(RECOMMENDED_SERVER_SELECTION_TIMEOUT_MS),
        ),
      );
    } else if (selection.kind === 'number' && selection.value > SERVER_SELECTION_LONG_MS) {
      findings.push({
        code: 'mongo-server-selection-timeout',
        severity: 'warning',
        message: `serverSelectionTimeoutMS=${selection.value} makes every operation hang that long when no server is reachable; lower it to ${RECOMMENDED_SERVER_SELECTION_TIMEOUT_MS}.`,
        range: rangeOf(args.settings.get('serverSelectionTimeoutMS')?.node ?? call),
        fixes: [],
      });
    }
  }
  return findings;
}

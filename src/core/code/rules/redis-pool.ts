/**
 * redis-py `ConnectionPool(...)`, `BlockingConnectionPool(...)`, `Redis(...)` and `from_url(...)`:
 * timeouts, a bound on connections, health checks. Settings may also come from the URL query.
 */
import { pythonCallArguments, settingOrUrl, urlParameters } from '../call-arguments';
import type { CodeFinding } from '../findings';
import type { LintContext } from '../context';
import { calleeName, type SourceFile } from '../source-file';
import { missingSetting, wrongSetting } from './pool-finding';

export const RECOMMENDED_SOCKET_TIMEOUT_S = 5;
export const RECOMMENDED_HEALTH_CHECK_S = 30;
export const RECOMMENDED_MAX_CONNECTIONS = 50;

const CLIENTS = new Set(['ConnectionPool', 'BlockingConnectionPool', 'Redis', 'StrictRedis', 'from_url']);

export function redisPoolRule(file: SourceFile, _context: LintContext): CodeFinding[] {
  if (file.language !== 'python' || !file.imports.has('redis')) return [];
  const findings: CodeFinding[] = [];
  for (const call of file.root.descendantsOfType('call')) {
    const kind = call ? calleeName(call) : '';
    if (!call || !CLIENTS.has(kind)) continue;
    const args = pythonCallArguments(call);
    // A client built on an explicit pool takes its settings from that pool.
    if (!args || args.settings.has('connection_pool')) continue;
    const url = kind === 'from_url' ? urlParameters(args.positional[0] ?? args.settings.get('url')?.valueNode) : undefined;
    const has = (name: string) => settingOrUrl(args, url, name) !== undefined;
    for (const name of ['socket_timeout', 'socket_connect_timeout']) {
      if (has(name)) continue;
      const what = name === 'socket_timeout' ? 'a reply' : 'the connection';
      findings.push(
        missingSetting(
          args,
          `redis-${name.replace(/_/g, '-')}`,
          'warning',
          `${name} is not set, so a stalled Redis server blocks this process forever waiting for ${what}; set ${name}=${RECOMMENDED_SOCKET_TIMEOUT_S}.`,
          name,
          String(RECOMMENDED_SOCKET_TIMEOUT_S),
        ),
      );
    }
    const max = settingOrUrl(args, url, 'max_connections');
    if (!max || max.kind === 'none') {
      findings.push(
        missingSetting(
          args,
          'redis-max-connections',
          'warning',
          `max_connections is not set, so the pool may open connections without limit (2**31) until Redis refuses them at maxclients; set max_connections=${RECOMMENDED_MAX_CONNECTIONS} (or what the server's maxclients divided by the processes allows).`,
          'max_connections',
          String(RECOMMENDED_MAX_CONNECTIONS),
        ),
      );
    } else if (kind === 'ConnectionPool') {
      findings.push({
        ...missingSetting(
          args,
          'redis-bounded-pool-raises',
          'info',
          'A bounded ConnectionPool raises ConnectionError("Too many connections") at once when all connections are busy; BlockingConnectionPool(..., timeout=5) waits a bounded time for one instead.',
          'timeout',
          '5',
        ),
        fixes: [],
      });
    }
    const blockingTimeout = args.settings.get('timeout');
    if (kind === 'BlockingConnectionPool' && blockingTimeout?.value.kind === 'none') {
      findings.push(
        wrongSetting(
          blockingTimeout,
          'redis-blocking-timeout',
          'warning',
          'timeout=None makes BlockingConnectionPool wait forever for a free connection; set a bound such as timeout=5.',
          '5',
        ),
      );
    }
    if (!has('health_check_interval')) {
      findings.push(
        missingSetting(
          args,
          'redis-health-check-interval',
          'info',
          `health_check_interval is not set, so a connection dropped while idle (by a proxy, a firewall or the server's timeout) fails on first use; set health_check_interval=${RECOMMENDED_HEALTH_CHECK_S}.`,
          'health_check_interval',
          String(RECOMMENDED_HEALTH_CHECK_S),
        ),
      );
    }
  }
  return findings;
}

/**
 * SQLAlchemy `create_engine(...)`: validation (`pool_pre_ping`), recycling below the server's idle
 * limit, the pool's size against what the connected server can still accept, the checkout wait,
 * and NullPool in a web application.
 */
import { pythonCallArguments, type CallArguments } from '../call-arguments';
import { rangeOf, type CodeFinding } from '../findings';
import type { LintContext } from '../context';
import { availableConnections } from '../server-facts';
import { calleeName, type SourceFile } from '../source-file';
import { missingSetting, setSettingFix, unknownValue, wrongSetting } from './pool-finding';

/** Our own pool's default (planLens.pool.maxLifetimeSeconds): well below common proxy and firewall idle limits. */
export const RECOMMENDED_POOL_RECYCLE_S = 1800;
/** Seconds kept between pool_recycle and a server idle limit, so a connection is replaced before it is cut. */
export const RECYCLE_MARGIN_S = 60;
/** A checkout waiting longer than this holds a web request hostage; fail fast instead. */
export const POOL_TIMEOUT_LONG_S = 60;
export const RECOMMENDED_POOL_TIMEOUT_S = 10;
const DEFAULT_POOL_SIZE = 5;
const DEFAULT_MAX_OVERFLOW = 10;

const ENGINE_FACTORIES = new Set(['create_engine', 'create_async_engine']);
const WEB_FRAMEWORKS = ['flask', 'django', 'fastapi', 'starlette', 'pyramid', 'tornado', 'aiohttp'];
const UNPOOLED = /(?:^|\.)(?:StaticPool|SingletonThreadPool|AssertionPool)$/;

export function sqlalchemyEngineRule(file: SourceFile, context: LintContext): CodeFinding[] {
  if (file.language !== 'python' || !file.imports.has('sqlalchemy')) return [];
  const findings: CodeFinding[] = [];
  for (const call of file.root.descendantsOfType('call')) {
    if (!call || !ENGINE_FACTORIES.has(calleeName(call))) continue;
    const args = pythonCallArguments(call);
    if (args) findings.push(...engineFindings(args, file, context));
  }
  return findings;
}

function engineFindings(args: CallArguments, file: SourceFile, context: LintContext): CodeFinding[] {
  const url = args.positional[0] ?? args.settings.get('url')?.valueNode;
  const urlValue = url?.type === 'string' ? url.text : '';
  if (/^[rbuf]*['"]sqlite/i.test(urlValue)) return [];
  const poolclass = args.settings.get('poolclass')?.value;
  const poolName = poolclass?.kind === 'name' ? poolclass.name : '';
  if (/(?:^|\.)NullPool$/.test(poolName)) {
    const framework = WEB_FRAMEWORKS.find((name) => file.imports.has(name));
    if (!framework) return [];
    const setting = args.settings.get('poolclass')!;
    return [
      {
        code: 'sqlalchemy-nullpool-in-web-app',
        severity: 'warning',
        message: `NullPool opens a new PostgreSQL connection for every request of this ${framework} application (a TCP and authentication round trip each time); remove poolclass=NullPool to use the default QueuePool, unless an external pooler such as PgBouncer does the pooling.`,
        range: rangeOf(setting.node),
        fixes: [],
      },
    ];
  }
  if (UNPOOLED.test(poolName)) return [];

  const findings: CodeFinding[] = [];
  const prePing = args.settings.get('pool_pre_ping');
  if (!prePing) {
    findings.push(
      missingSetting(
        args,
        'sqlalchemy-pool-pre-ping',
        'warning',
        'pool_pre_ping is not set, so a connection the server or a proxy closed is handed out and the first statement on it fails; add pool_pre_ping=True.',
        'pool_pre_ping',
        'True',
      ),
    );
  } else if (prePing.value.kind === 'boolean' && !prePing.value.value) {
    findings.push(
      wrongSetting(
        prePing,
        'sqlalchemy-pool-pre-ping',
        'warning',
        'pool_pre_ping=False hands out connections the server may have closed; set it to True.',
        'True',
      ),
    );
  }
  findings.push(...recycleFindings(args, context));
  findings.push(...capacityFindings(args, context));
  findings.push(...timeoutFindings(args));
  return findings;
}

function recycleFindings(args: CallArguments, context: LintContext): CodeFinding[] {
  const idle = context.server?.idleSessionTimeoutSeconds ?? null;
  const keepalive = context.server?.tcpKeepalivesIdleSeconds ?? null;
  const limitText =
    idle !== null
      ? ` (the server's idle_session_timeout is ${idle} s)`
      : keepalive !== null && keepalive > RECOMMENDED_POOL_RECYCLE_S
        ? ` (the server's first TCP keepalive comes only after ${keepalive} s of silence, too late for proxies and firewalls that drop idle connections sooner)`
        : '';
  const recommended =
    idle === null ? RECOMMENDED_POOL_RECYCLE_S : Math.max(1, Math.min(RECOMMENDED_POOL_RECYCLE_S, idle - RECYCLE_MARGIN_S));
  const setting = args.settings.get('pool_recycle');
  if (!setting || (setting.value.kind === 'number' && setting.value.value < 0)) {
    const message = `pool_recycle is not set, so connections live forever and fail after any idle limit on the way to the server${limitText}; set pool_recycle=${recommended}.`;
    if (!setting) return [missingSetting(args, 'sqlalchemy-pool-recycle', 'warning', message, 'pool_recycle', String(recommended))];
    return [wrongSetting(setting, 'sqlalchemy-pool-recycle', 'warning', message, String(recommended))];
  }
  if (setting.value.kind !== 'number') {
    return idle === null
      ? []
      : [unknownValue(setting.name, setting.value, `compared with the server's idle_session_timeout of ${idle} s`, setting.node)];
  }
  if (idle !== null && setting.value.value >= idle) {
    return [
      wrongSetting(
        setting,
        'sqlalchemy-pool-recycle',
        'warning',
        `pool_recycle=${setting.value.value} s is not below the server's idle_session_timeout of ${idle} s, so idle pooled connections are closed by the server before they are recycled; set pool_recycle=${recommended}.`,
        String(recommended),
      ),
    ];
  }
  return [];
}

// SQLAlchemy passes a URL's query to the DBAPI, so pool settings come from keywords only.
function capacityFindings(args: CallArguments, context: LintContext): CodeFinding[] {
  const server = context.server;
  if (!server) return [];
  const available = availableConnections(server);
  const sizes: number[] = [];
  for (const [name, fallback] of [
    ['pool_size', DEFAULT_POOL_SIZE],
    ['max_overflow', DEFAULT_MAX_OVERFLOW],
  ] as const) {
    const setting = args.settings.get(name);
    if (setting && setting.value.kind !== 'number') {
      return [
        unknownValue(name, setting.value, `checked against the ${available} connections ${server.server} can still accept`, setting.node),
      ];
    }
    sizes.push(setting?.value.kind === 'number' ? setting.value.value : fallback);
  }
  const [size, overflow] = sizes;
  const perProcess = size + overflow;
  const total = perProcess * context.processes;
  if (total <= available) return [];
  const budget = Math.max(1, Math.floor(available / context.processes));
  const newSize = Math.min(size, budget);
  const processes = context.processes === 1 ? 'one process' : `${context.processes} processes`;
  return [
    {
      code: 'sqlalchemy-pool-exceeds-server',
      severity: 'error',
      message: `pool_size + max_overflow = ${perProcess} connections per process, ${total} for ${processes}, but ${server.server} accepts only ${available} more (max_connections ${server.maxConnections} - ${server.superuserReservedConnections} reserved for superusers - ${server.connectionsInUseByOthers} in use); lower them to at most ${budget} per process or put PgBouncer in front.`,
      range: rangeOf(args.call.childForFieldName('function') ?? args.call),
      fixes: [
        {
          title: `Set pool_size=${newSize}, max_overflow=${budget - newSize}`,
          edits: [setSettingFix(args, 'pool_size', String(newSize)), setSettingFix(args, 'max_overflow', String(budget - newSize))],
        },
      ],
    },
  ];
}

function timeoutFindings(args: CallArguments): CodeFinding[] {
  const setting = args.settings.get('pool_timeout');
  if (!setting) {
    return [
      missingSetting(
        args,
        'sqlalchemy-pool-timeout',
        'info',
        `pool_timeout is not set, so a request waits up to 30 s (the default) for a connection when the pool is exhausted; set how long a request may wait, e.g. pool_timeout=${RECOMMENDED_POOL_TIMEOUT_S}.`,
        'pool_timeout',
        String(RECOMMENDED_POOL_TIMEOUT_S),
      ),
    ];
  }
  if (setting.value.kind === 'number' && setting.value.value > POOL_TIMEOUT_LONG_S) {
    return [
      wrongSetting(
        setting,
        'sqlalchemy-pool-timeout',
        'warning',
        `pool_timeout=${setting.value.value} s keeps requests waiting that long for a connection when the pool is exhausted; fail faster with pool_timeout=${RECOMMENDED_POOL_TIMEOUT_S}.`,
        String(RECOMMENDED_POOL_TIMEOUT_S),
      ),
    ];
  }
  return [];
}

/**
 * `plan-lens`: the command line face of Plan Lens. It shares the core (statement checks, plan
 * analysis) and the database layer (pool, safe runner, embedded demo) with the extension.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { runExplainCommand, runAnalyzeCommand, UsageError, EXIT } from './commands';
import { runLintCommand } from './lint-command';
import { runRecordCommand } from './record-command';
import { runSlowCommand } from './slow-command';

const HELP = `plan-lens: understand PostgreSQL query plans

Usage:
  plan-lens explain [FILE | - | --sql TEXT] [--db URL | --demo] [--estimate] [--param VALUE]... [--generic]
                   [--json] [--timeout MS] [--no-indexes] [--allow-side-effects]
  plan-lens analyze [FILE | -] [--plan N] [--json]
  plan-lens lint PATH... [--db URL] [--json] [--fail-on error|warning|info] [--processes N] [--recording FILE]
  plan-lens record --db URL --listen HOST:PORT [--out FILE] [--json] [--duration S] [--fail-on IDS]
  plan-lens slow --db URL [--json] [--limit N] [--slow-ms MS]
  (both)   [--color auto|always|never]  colours on a terminal by default; NO_COLOR and FORCE_COLOR are honoured
  plan-lens --help | --version

explain   Runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) on one statement inside a transaction
          that is always rolled back, and prints the plan with the time each node took, what
          looks wrong (findings) and the indexes that would help (verified with HypoPG).
          --db URL      connection URL (else DATABASE_URL, else the PG* variables, else the demo)
          --demo        use the embedded demo database (PGlite), built on first use
          --estimate    plan only (EXPLAIN without ANALYZE): nothing is executed
          --param VALUE a value for the statement's next $n placeholder, in order; repeat it
                        for each ($1, $2, ...); NULL is SQL NULL. Values travel as parameters.
          --generic     plan $n placeholders without values (a generic plan, estimates only):
                        EXPLAIN (GENERIC_PLAN) on PostgreSQL 16+, PREPARE before
          --timeout MS  statement timeout in milliseconds (default 30000)
          --json        print the versioned JSON report instead of text
          --no-indexes  skip the index advisor (it reads the catalog and, with HypoPG,
                        re-plans the statement with hypothetical indexes; nothing is created)
          --allow-side-effects
                        run a statement that does what a rollback cannot undo (draws from a
                        sequence, creates a replication slot, calls dblink, ...); without it
                        such a statement is refused with exit code 2. Functions the statement
                        calls may do anything: Plan Lens sees the calls, not what they do.
analyze   Reads a saved plan (a file, or - for standard input) and prints the same report without
          any database: EXPLAIN output in text or JSON format, inside psql's frames or not, an
          auto_explain log entry, or a report of plan-lens --json.
          An input with several plans (an auto_explain log, several psql outputs or JSON
          results) gets an index first (number, line, duration, nodes, statement; the
          slowest marked *), then the report of the slowest.
          --plan N      report on plan N of the index instead (1 is the first in the input)
          --json        the report of that one plan, with a "plans" array indexing them all
lint      Checks Python, JavaScript and TypeScript code for connection-pool settings, ORM N+1
          loops and row-by-row writes (SQLAlchemy, redis-py, PyMongo, node-postgres).
          --db URL        compare pool sizes and recycling with this server's limits, read live
          --processes N   application processes sharing the server, each with a pool (default 1)
          --fail-on SEV   exit 1 when a finding of this severity or worse exists (default warning)
          --json          print the findings as JSON, with their quick fixes as text edits
          --recording FILE
                          a recording saved by plan-lens record --out: the N+1 loops it saw
                          at run time are named in the matching findings
record    Starts a PostgreSQL proxy on --listen in front of --db and records what the application
          sends through it, until Ctrl+C, SIGTERM or --duration S; then prints the statements
          grouped by shape and the findings (n-plus-one, row-by-row-write, slow-statement,
          offset-pagination, repeated-statement). --out FILE also writes the JSON report;
          --fail-on n-plus-one,slow exits 1 when such a finding exists; --slow-ms MS (500) and
          --n-plus-one-min N (5) set the thresholds.
slow      The slowest statements from pg_stat_statements (by total time; mean, calls, rows per
          call) and N+1 suspects; --limit N (20) rows.

Exit codes: 0 success, 1 the statement failed (syntax error, timeout, cancelled) or lint found
            a finding at or above --fail-on,
            2 usage or connection problem (also an unreadable or malformed plan file, or a
            statement with side effects refused without --allow-side-effects).`;

function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(`${__dirname}/../package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        sql: { type: 'string' },
        db: { type: 'string' },
        demo: { type: 'boolean' },
        estimate: { type: 'boolean' },
        param: { type: 'string', multiple: true },
        generic: { type: 'boolean' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        'no-indexes': { type: 'boolean' },
        processes: { type: 'string' },
        recording: { type: 'string' },
        listen: { type: 'string' },
        out: { type: 'string' },
        duration: { type: 'string' },
        'fail-on': { type: 'string' },
        'slow-ms': { type: 'string' },
        'n-plus-one-min': { type: 'string' },
        limit: { type: 'string' },
        'allow-side-effects': { type: 'boolean' },
        color: { type: 'string' },
        plan: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    process.stderr.write(`plan-lens: ${(error as Error).message}\nRun plan-lens --help for usage.\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`plan-lens ${readVersion()}\n`);
    return EXIT.ok;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command === undefined && !values.help ? EXIT.usage : EXIT.ok;
  }
  const color = values.color ?? 'auto';
  if (color !== 'auto' && color !== 'always' && color !== 'never') {
    process.stderr.write(`plan-lens: --color takes auto, always or never, not "${color}"\nRun plan-lens --help for usage.\n`);
    return EXIT.usage;
  }
  try {
    if (command === 'lint') {
      if (values.sql || values.demo || values.estimate || values.timeout || values['no-indexes']) {
        throw new UsageError('lint takes PATH..., --db, --json, --fail-on, --processes and --recording');
      }
      return await runLintCommand({
        paths: rest,
        db: values.db,
        json: values.json ?? false,
        failOn: values['fail-on'],
        processes: values.processes,
        recording: values.recording,
      });
    }
    if (values.processes || values.recording) throw new UsageError(`--${values.processes ? 'processes' : 'recording'} belongs to lint`);
    if (values['fail-on'] && command !== 'record') throw new UsageError('--fail-on belongs to lint and record');
    if (values.plan !== undefined && command !== 'analyze') throw new UsageError('--plan belongs to analyze');
    if (rest.length > 1) throw new UsageError(`expected at most one FILE, got ${rest.length}: ${rest.join(' ')}`);
    switch (command) {
      case 'explain':
        return await runExplainCommand({
          file: rest[0],
          sql: values.sql,
          db: values.db,
          demo: values.demo ?? false,
          estimate: values.estimate ?? false,
          params: values.param ?? [],
          generic: values.generic ?? false,
          json: values.json ?? false,
          timeout: values.timeout,
          indexes: !values['no-indexes'],
          allowSideEffects: values['allow-side-effects'] ?? false,
          color,
        });
      case 'analyze':
        if (
          values.sql ||
          values.db ||
          values.demo ||
          values.estimate ||
          values.timeout ||
          values['no-indexes'] ||
          values.param ||
          values.generic ||
          values['allow-side-effects']
        ) {
          throw new UsageError('analyze reads a saved plan and takes only FILE (or -), --plan N and --json');
        }
        return await runAnalyzeCommand({ file: rest[0], json: values.json ?? false, color, plan: values.plan });
      case 'record':
        return await runRecordCommand({
          db: values.db,
          listen: values.listen,
          out: values.out,
          json: values.json ?? false,
          duration: values.duration,
          failOn: values['fail-on'],
          slowMs: values['slow-ms'],
          nPlusOneMin: values['n-plus-one-min'],
        });
      case 'slow':
        return await runSlowCommand({ db: values.db, json: values.json ?? false, limit: values.limit, slowMs: values['slow-ms'] });
      default:
        throw new UsageError(`unknown command "${command}" (expected explain, analyze, lint, record or slow)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`plan-lens: ${error.message}\nRun plan-lens --help for usage.\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

if (require.main === module) {
  // A reader that stops early (plan-lens analyze big.json | head) closes the pipe: that is the
  // reader's choice, not a failure, so the CLI ends quietly as other Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`plan-lens: cannot write the output: ${error.message}\n`);
    process.exit(1);
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`plan-lens: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT.statementFailed;
    },
  );
}

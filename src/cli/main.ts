/**
 * `plan-lens`: the command line face of Plan Lens. It shares the core (statement checks, plan
 * analysis) and the database layer (pool, safe runner, embedded demo) with the extension.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { runExplainCommand, runAnalyzeCommand, UsageError, EXIT } from './commands';

const HELP = `plan-lens: understand PostgreSQL query plans

Usage:
  plan-lens explain [FILE | - | --sql TEXT] [--db URL | --demo] [--estimate] [--json] [--timeout MS] [--no-indexes]
  plan-lens analyze [FILE | -] [--json]
  (both)   [--color auto|always|never]  colours on a terminal by default; NO_COLOR and FORCE_COLOR are honoured
  plan-lens --help | --version

explain   Runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) on one statement inside a transaction
          that is always rolled back, and prints the plan with the time each node took, what
          looks wrong (findings) and the indexes that would help (verified with HypoPG).
          --db URL      connection URL (else DATABASE_URL, else the PG* variables, else the demo)
          --demo        use the embedded demo database (PGlite), built on first use
          --estimate    plan only (EXPLAIN without ANALYZE): nothing is executed
          --timeout MS  statement timeout in milliseconds (default 30000)
          --json        print the versioned JSON report instead of text
          --no-indexes  skip the index advisor (it reads the catalog and, with HypoPG,
                        re-plans the statement with hypothetical indexes; nothing is created)
analyze   Reads a saved plan (a file, or - for standard input) and prints the same report without
          any database: EXPLAIN output in text or JSON format, inside psql's frames or not, an
          auto_explain log entry, or a report of plan-lens --json.

Exit codes: 0 success, 1 the statement failed (syntax error, timeout, cancelled),
            2 usage or connection problem (also an unreadable or malformed plan file).`;

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
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        'no-indexes': { type: 'boolean' },
        color: { type: 'string' },
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
    if (rest.length > 1) throw new UsageError(`expected at most one FILE, got ${rest.length}: ${rest.join(' ')}`);
    switch (command) {
      case 'explain':
        return await runExplainCommand({
          file: rest[0],
          sql: values.sql,
          db: values.db,
          demo: values.demo ?? false,
          estimate: values.estimate ?? false,
          json: values.json ?? false,
          timeout: values.timeout,
          indexes: !values['no-indexes'],
          color,
        });
      case 'analyze':
        if (values.sql || values.db || values.demo || values.estimate || values.timeout || values['no-indexes']) {
          throw new UsageError('analyze reads a saved plan and takes only FILE (or -) and --json');
        }
        return await runAnalyzeCommand({ file: rest[0], json: values.json ?? false, color });
      default:
        throw new UsageError(`unknown command "${command}" (expected explain or analyze)`);
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

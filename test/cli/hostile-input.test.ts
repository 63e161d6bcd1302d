/**
 * `plan-lens analyze` and `explain` fed what an attacker or a careless user feeds them: plans
 * deeper than the call stack, wide and huge plans, binary files, one enormous line, numbers
 * EXPLAIN never writes, plan text that names Object's own members, a reader that closes the pipe.
 * Each ends in a report or in one sentence, never a stack trace.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOneCleanMessage, runCli, startCli } from '../support/run-cli';

const RESULT =
  '{"Node Type":"Result","Startup Cost":0,"Total Cost":1,"Plan Rows":1,"Plan Width":4,"Actual Startup Time":0.01,"Actual Total Time":0.01,"Actual Rows":1,"Actual Loops":1}';

function deepPlan(depth: number): string {
  const open =
    '{"Node Type":"Limit","Startup Cost":0,"Total Cost":1,"Plan Rows":1,"Plan Width":4,"Actual Startup Time":0.01,"Actual Total Time":0.02,"Actual Rows":1,"Actual Loops":1,"Plans":[';
  return `[{"Plan":${open.repeat(depth)}${RESULT}${']}'.repeat(depth)},"Planning Time":0.1,"Execution Time":0.5}]`;
}

function widePlan(children: number): string {
  const scan =
    '{"Node Type":"Seq Scan","Relation Name":"t","Alias":"t","Startup Cost":0,"Total Cost":1,"Plan Rows":1,"Plan Width":4,"Actual Startup Time":0.01,"Actual Total Time":0.02,"Actual Rows":1,"Actual Loops":1}';
  const append =
    '"Node Type":"Append","Startup Cost":0,"Total Cost":1,"Plan Rows":1,"Plan Width":4,"Actual Startup Time":0.01,"Actual Total Time":5,"Actual Rows":1,"Actual Loops":1';
  return `[{"Plan":{${append},"Plans":[${Array(children).fill(scan).join(',')}]},"Execution Time":5}]`;
}

describe('plan-lens with hostile input', function () {
  this.timeout(300_000);
  let work: string;
  const file = (name: string, content: string | Buffer) => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };

  before(function () {
    work = mkdtempSync(join(tmpdir(), 'plan-lens-hostile-'));
  });

  after(function () {
    rmSync(work, { recursive: true, force: true });
  });

  it('a plan 100 000 levels deep: the text report, and a JSON report that reads back', async function () {
    const path = file('deep.json', deepPlan(100_000));
    const text = await runCli(['analyze', path]);
    assert.equal(text.code, 0, text.stderr.slice(0, 500));
    assert.match(text.stdout, /\[level 100000\] #\d+ Result/);
    const longest = Math.max(
      ...text.stdout
        .split('\n')
        .slice(0, 100_010)
        .map((line) => line.length),
    );
    assert.ok(longest < 400, `a line of ${longest} characters: indentation grows with depth`);
    const json = await runCli(['analyze', '--json', path]);
    assert.equal(json.code, 0, json.stderr.slice(0, 500));
    const report = JSON.parse(json.stdout);
    assert.equal(report.nodeCount, 100_001);
    assert.equal(report.nodes[100_000].parentId, 99_999);
  });

  it('a plan with 200 000 siblings', async function () {
    const result = await runCli(['analyze', '--json', file('wide.json', widePlan(200_000))]);
    assert.equal(result.code, 0, result.stderr.slice(0, 500));
    assert.equal(JSON.parse(result.stdout).nodeCount, 200_001);
  });

  it('a file over 256 MB is refused at once, by its size', async function () {
    const path = join(work, 'huge.json');
    writeFileSync(path, '');
    truncateSync(path, 300 * 1024 * 1024);
    const result = await runCli(['analyze', path]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^plan-lens: .*huge\.json is larger than 256 MB, the most Plan Lens reads/);
  });

  it('standard input over 256 MB is refused once the limit is passed', async function () {
    const result = await runCli(['analyze', '-'], { input: Buffer.alloc(257 * 1024 * 1024, 0x20) });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^plan-lens: <stdin> is larger than 256 MB/);
  });

  it('a binary file is named as such, not echoed to the terminal', async function () {
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0x1b, 0x5d, 0x30, 0x3b]);
    for (const command of ['analyze', 'explain']) {
      const result = await runCli([command, file(`picture-${command}.png`, binary)]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /picture-\w+\.png is not a text file/);
      assert.doesNotMatch(result.stderr, /\u001b/);
    }
  });

  it('a 20 MB line is not copied into the error: each message line stays short', async function () {
    const result = await runCli(['analyze', file('one-line.txt', `{"Plan": ${'x'.repeat(20 * 1024 * 1024)}`)]);
    assert.equal(result.code, 2);
    assert.ok(result.stderr.length < 2_000, `${result.stderr.length} characters on stderr`);
    const sql = await runCli(['explain', '--demo', file('one-line.sql', `SELECT ${'a'.repeat(5 * 1024 * 1024)} FROM FROM`)], {
      env: { PGHOST: undefined, DATABASE_URL: undefined },
    });
    assert.equal(sql.code, 1);
    assert.ok(sql.stderr.length < 2_000, `${sql.stderr.length} characters on stderr`);
    assert.match(sql.stderr, /one-line\.sql:1:\d+: syntax error at or near "FROM".*\n {2}…a+ FROM FROM\n {2} {61}\^\n$/);
  });

  it('negative and infinite numbers are refused, naming the field and the node', async function () {
    const negative = await runCli(['analyze', file('negative.json', deepPlan(1).replace('"Execution Time":0.5', '"Execution Time":-1'))]);
    assert.equal(negative.code, 2);
    assert.ok(isOneCleanMessage(negative.stderr), negative.stderr);
    assert.match(negative.stderr, /"Execution Time" of the plan is -1: EXPLAIN never writes a negative or infinite number/);
    const infinite = await runCli([
      'analyze',
      file('infinite.json', deepPlan(1).replace('"Actual Total Time":0.01,', '"Actual Total Time":1e999,')),
    ]);
    assert.equal(infinite.code, 2);
    assert.match(infinite.stderr, /"Actual Total Time" of node #1 \(Result\) is Infinity/);
  });

  it('a Strategy named after a member of Object gets the node type as its label, not a function', async function () {
    for (const strategy of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      const plan = `[{"Plan":{"Node Type":"Aggregate","Strategy":"${strategy}","Startup Cost":0,"Total Cost":1,"Plan Rows":1,"Plan Width":4,"Plans":[{"Node Type":"SetOp","Strategy":"${strategy}","Command":"Intersect","Startup Cost":0,"Total Cost":1,"Plan Rows":1,"Plan Width":4}]}}]`;
      const result = await runCli(['analyze', '--json', file(`strategy-${strategy}.json`, plan)]);
      assert.equal(result.code, 0, result.stderr);
      const labels = JSON.parse(result.stdout).nodes.map((n: { label: string }) => n.label);
      assert.deepEqual(labels, ['Aggregate', 'SetOp Intersect'], strategy);
    }
  });

  it('control characters in plan text reach the terminal as visible escapes', async function () {
    const plan = deepPlan(0).replace('"Node Type":"Result"', '"Node Type":"Result\\u001b[2J\\u202e"');
    const result = await runCli(['analyze', file('escape.json', plan)]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Result\\u001b\[2J\\u202e/);
    assert.doesNotMatch(result.stdout, /[\u001b\u202e]/);
  });

  it('a reader that closes the pipe early ends the CLI quietly, with exit 0', async function () {
    const run = startCli(['analyze', file('deep-pipe.json', deepPlan(20_000))]);
    let seen = '';
    await new Promise<void>((resolve) => {
      run.child.stdout.on('data', (data: Buffer) => {
        seen += data;
        if (seen.split('\n').length > 3) {
          run.child.stdout.destroy();
          resolve();
        }
      });
    });
    const result = await run.done;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
  });
});

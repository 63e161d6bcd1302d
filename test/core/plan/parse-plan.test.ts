import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { parseExplainJson, PlanParseError } from '../../../src/core/plan';
import { PLANS_DIR, readText } from './fixture-files';

/** Output captured with psql 15 from the same statement (see test/fixtures/plans/README.md). */
const psqlOutput = (name: string): string => readText(join(PLANS_DIR, 'psql-output', name));
const SMALL_PLAN = '[{"Plan": {"Node Type": "Result", "Plan Rows": 1}, "Planning Time": 0.01}]';

function parseError(input: unknown): PlanParseError {
  try {
    parseExplainJson(input);
  } catch (error) {
    assert.ok(error instanceof PlanParseError, `expected a PlanParseError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected parseExplainJson to throw');
}

describe('parseExplainJson', () => {
  describe('accepts', () => {
    it('the JSON array PostgreSQL returns, giving its first element', () => {
      const result = parseExplainJson(SMALL_PLAN);
      assert.equal(result.Plan['Node Type'], 'Result');
      assert.equal(result['Planning Time'], 0.01);
    });

    it('a bare {"Plan": ...} object, and an already parsed value, returned as is', () => {
      assert.equal(parseExplainJson('{"Plan": {"Node Type": "Limit"}}').Plan['Node Type'], 'Limit');
      const value = { Plan: { 'Node Type': 'Sort' } };
      assert.equal(parseExplainJson(value), value);
      assert.equal(parseExplainJson([value]), value);
    });

    it('a plan node on its own, wrapping it as "Plan"', () => {
      const result = parseExplainJson('{"Node Type": "Seq Scan", "Relation Name": "t"}');
      assert.equal(result.Plan['Relation Name'], 't');
    });

    it('a result set exported by a SQL client: [{"QUERY PLAN": [...]}], also with the plan as a string', () => {
      assert.equal(parseExplainJson(`[{"QUERY PLAN": ${SMALL_PLAN}}]`).Plan['Node Type'], 'Result');
      assert.equal(parseExplainJson(JSON.stringify([{ 'QUERY PLAN': SMALL_PLAN }])).Plan['Node Type'], 'Result');
    });

    it("psql's aligned output: header, dashes, + continuations and row count", () => {
      const text = psqlOutput('aligned.txt');
      assert.match(text, /QUERY PLAN/);
      assert.match(text, /\+\n/);
      const result = parseExplainJson(text);
      assert.equal(result.Plan['Node Type'], 'Aggregate');
      assert.equal(result.Plan.Plans?.[0]['Rows Removed by Filter'], 18000);
      assert.equal(result['Execution Time'], 0.942);
    });

    it("psql's unaligned output (psql -A)", () => {
      const result = parseExplainJson(psqlOutput('unaligned.txt'));
      assert.equal(result.Plan.Plans?.[0]['Relation Name'], 'orders');
      assert.equal(result['Execution Time'], 0.929);
    });

    it('an auto_explain log entry, with the statement result after it', () => {
      const text = psqlOutput('auto-explain.txt');
      assert.match(text, /^LOG: {2}duration: [\d.]+ ms {2}plan:$/m);
      const result = parseExplainJson(text);
      assert.equal(result['Query Text'], 'SELECT count(*) FROM orders WHERE status = 3;');
      assert.equal(result.Plan['Node Type'], 'Aggregate');
    });

    it('a server log line with its prefix and a trailing line', () => {
      const text = `2025-03-01 10:00:00.123 UTC [4242] app@shop LOG:  duration: 0.050 ms  plan: {"Query Text": "select 1", "Plan": {"Node Type": "Result"}}\n2025-03-01 10:00:01.000 UTC [4242] app@shop LOG:  disconnection`;
      assert.equal(parseExplainJson(text)['Query Text'], 'select 1');
    });

    it('arrays nested deeper than the call stack', () => {
      const text = `${'['.repeat(50000)}{"Plan": {"Node Type": "Result"}}${']'.repeat(50000)}`;
      assert.equal(parseExplainJson(text).Plan['Node Type'], 'Result');
    });

    it('a byte order mark and Windows line ends', () => {
      assert.equal(parseExplainJson(`\ufeff[\r\n  {"Plan": {"Node Type": "Result"}}\r\n]\r\n`).Plan['Node Type'], 'Result');
    });
  });

  describe('rejects, saying what is wrong', () => {
    it('empty input', () => {
      for (const input of ['', '   \n\t '])
        assert.equal(parseError(input).message, 'empty input: paste the output of EXPLAIN, as text or JSON');
    });

    it('invalid JSON, naming the line and column', () => {
      const error = parseError('[\n  {\n    "Plan": {"Node Type": "Result",, }\n  }\n]');
      assert.equal(error.message, 'not JSON: Expected double-quoted property name at line 3, column 36');
      assert.equal(error.line, 3);
      assert.equal(error.column, 36);
    });

    it('invalid JSON whose V8 message gives no position', () => {
      const error = parseError('{\n  "Plan": {\n    "Node Type": tru\n  }\n}');
      assert.equal(error.message, "not JSON: Unexpected token 't' at line 3, column 18");
      assert.deepEqual([error.line, error.column], [3, 18]);
    });

    it('truncated JSON, pointing at its end', () => {
      const error = parseError('[{"Plan": {"Node Type": "Seq Scan",\n "Plans": [');
      assert.match(error.message, /^not JSON: .* at line 2, column 12$/);
    });

    it('a syntax error in psql output, at the line of the output', () => {
      const broken = psqlOutput('aligned.txt').replace('"Actual Loops": 1,', '"Actual Loops": 1,,');
      const error = parseError(broken);
      const line = broken.split('\n').findIndex((l) => l.includes('"Actual Loops": 1,,')) + 1;
      assert.equal(error.line, line);
      assert.match(error.message, new RegExp(`^not JSON: .* at line ${line}, column \\d+$`));
    });

    it('text that is no plan at all', () => {
      assert.equal(
        parseError('hello').message,
        'no plan found: expected EXPLAIN output (a line such as "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)" or JSON with a "Plan" key)',
      );
    });

    it('JSON without a "Plan"', () => {
      assert.equal(parseError('{"rows": []}').message, 'JSON has no "Plan" key: is this EXPLAIN (FORMAT JSON) output?');
      assert.equal(parseError([{ plan: {} }]).message, 'JSON has no "Plan" key: is this EXPLAIN (FORMAT JSON) output?');
    });

    it('a "Plan" that is not an object', () => {
      assert.match(parseError('{"Plan": "Seq Scan"}').message, /^"Plan" is not an object/);
    });

    it('a node without "Node Type", with its path', () => {
      const error = parseError('{"Plan": {"Node Type": "Hash Join", "Plans": [{"Node Type": "Seq Scan"}, {"Plans": []}]}}');
      assert.equal(error.message, 'Plan.Plans[1] has no "Node Type": is this EXPLAIN (FORMAT JSON) output?');
    });

    it('"Plans" that is not an array', () => {
      assert.equal(parseError('{"Plan": {"Node Type": "Limit", "Plans": {}}}').message, '"Plans" of Plan is not an array');
    });

    it('an empty array', () => {
      assert.match(parseError('[]').message, /^the JSON array is empty/);
    });

    it('values that are no plan at all', () => {
      assert.match(parseError(42).message, /^expected a JSON object or array, got number/);
      assert.match(parseError(null).message, /^expected a JSON object or array, got null/);
      assert.match(parseError('true').message, /^expected a JSON object or array, got boolean/);
    });

    it('reads a text-format plan instead of refusing it', () => {
      assert.equal(parseExplainJson(psqlOutput('text-format.txt')).Plan['Node Type'], 'Aggregate');
      assert.equal(parseExplainJson('Seq Scan on t  (cost=0.00..35.50 rows=2550 width=4)').Plan['Relation Name'], 't');
    });

    it('XML and YAML plans', () => {
      assert.match(parseError('<explain xmlns="http://www.postgresql.org/2009/explain">\n  <Query>').message, /XML-format plan/);
      assert.match(parseError('- Plan: \n    Node Type: "Seq Scan"').message, /YAML-format plan/);
    });

    it('plans nested deeper than the call stack, without overflowing it', () => {
      let json = '{"Node Type": "Result"}';
      for (let i = 0; i < 20000; i++) json = `{"Node Type": "Limit", "Plans": [${json}]}`;
      const broken = json.replace('"Result"', '"Result",');
      assert.match(parseError(`{"Plan": ${broken}}`).message, /^not JSON: /);
    });
  });
});

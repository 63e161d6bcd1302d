import * as assert from 'node:assert/strict';
import { ensureSqlParser, readStatements, splitStatements, statementAtOffset, type SqlStatement } from '../../../src/core/sql';

/** The statements' texts, each checked against the document slice its offsets point at. */
function statementTexts(document: string): string[] {
  return splitStatements(document).map((statement) => {
    assert.equal(document.slice(statement.start, statement.end), statement.text, `offsets of ${JSON.stringify(statement.text)}`);
    return statement.text;
  });
}

describe('statements', () => {
  before(() => ensureSqlParser());

  describe('splitStatements', () => {
    it('keeps a ; inside a string literal', () => {
      assert.deepEqual(statementTexts("SELECT 'a;b' AS x; SELECT 2"), ["SELECT 'a;b' AS x", 'SELECT 2']);
    });

    it('keeps a ; inside line comments and nested block comments, and leaves comments outside statements', () => {
      const document = '-- first; not a statement\nSELECT 1 /* a /* nested; */ still; */ + 1;\n/* ; */ SELECT 2 -- done;';
      assert.deepEqual(statementTexts(document), ['SELECT 1 /* a /* nested; */ still; */ + 1', 'SELECT 2']);
    });

    it('keeps a ; inside $$ and $tag$ dollar quotes', () => {
      const document = 'DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;\nSELECT $fn$ a; b $fn$, $$;$$';
      assert.deepEqual(statementTexts(document), ['DO $$ BEGIN PERFORM 1; PERFORM 2; END $$', 'SELECT $fn$ a; b $fn$, $$;$$']);
    });

    it("keeps a ; after an escaped quote in an E'' string", () => {
      assert.deepEqual(statementTexts("SELECT E'it\\'s; fine'; SELECT 2"), ["SELECT E'it\\'s; fine'", 'SELECT 2']);
    });

    it('keeps a ; inside a quoted identifier', () => {
      assert.deepEqual(statementTexts('SELECT 1 AS "a;b"; SELECT 2'), ['SELECT 1 AS "a;b"', 'SELECT 2']);
    });

    it('keeps offsets exact after multi-byte characters (é, €, emoji)', () => {
      const document = "-- prix en € 😀\nSELECT 'é😀€' AS x;\nSELECT '€' || name FROM café; SELECT 3";
      assert.deepEqual(statementTexts(document), ["SELECT 'é😀€' AS x", "SELECT '€' || name FROM café", 'SELECT 3']);
    });

    it('ends a statement at its last token: blanks and a comment before the ; are left out', () => {
      assert.deepEqual(statementTexts('SELECT 1   -- why\n  ;'), ['SELECT 1']);
    });

    it('reports 0-based start and end lines and columns', () => {
      const [, second] = splitStatements('SELECT 1;\n  SELECT 2\n  FROM t;');
      assert.deepEqual(
        { startLine: second.startLine, startColumn: second.startColumn, endLine: second.endLine, endColumn: second.endColumn },
        { startLine: 1, startColumn: 2, endLine: 2, endColumn: 8 },
      );
    });

    it('yields nothing for empty statements, blank text and comment-only text', () => {
      assert.deepEqual(splitStatements(';; ;\n;'), []);
      assert.deepEqual(splitStatements(''), []);
      assert.deepEqual(splitStatements('  \n\t'), []);
      assert.deepEqual(splitStatements('-- nothing here;\n/* nor; here */'), []);
    });

    it('keeps CREATE FUNCTION ... BEGIN ATOMIC ... END whole when the document parses', () => {
      const fn = 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END';
      assert.equal(readStatements(`${fn}; SELECT 5`).parse.ok, true);
      assert.deepEqual(statementTexts(`${fn}; SELECT 5`), [fn, 'SELECT 5']);
    });

    describe('in a document that does not parse', () => {
      it('still finds the complete statements around a half-written one', () => {
        const document = "SELECT 'é€';\nSELECT * FROM WHERE;\nSELECT '😀' AS ok";
        const { parse } = readStatements(document);
        assert.equal(parse.ok, false);
        assert.deepEqual(statementTexts(document), ["SELECT 'é€'", 'SELECT * FROM WHERE', "SELECT '😀' AS ok"]);
      });

      it('keeps BEGIN ATOMIC bodies (with CASE ... END inside) whole', () => {
        const fn = 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END';
        assert.deepEqual(statementTexts(`${fn};\nSELECT FROM FROM;\nSELECT 5`), [fn, 'SELECT FROM FROM', 'SELECT 5']);
      });

      it('lets an unterminated string run to the end, as PostgreSQL does, keeping the statements before it', () => {
        const document = "SELECT 1;\nSELECT 'open; SELECT 2\n";
        assert.deepEqual(statementTexts(document), ['SELECT 1', "SELECT 'open; SELECT 2"]);
      });

      it('lets an unterminated block comment run to the end', () => {
        assert.deepEqual(statementTexts('SELECT 1; SELECT 2 /* open; SELECT 3'), ['SELECT 1', 'SELECT 2 /* open; SELECT 3']);
      });

      it('reads on past a bad token such as the empty identifier "" left by auto-closed quotes', () => {
        assert.deepEqual(statementTexts('SELECT 1;\nSELECT "" FROM t;\nSELECT 3'), ['SELECT 1', 'SELECT "" FROM t', 'SELECT 3']);
      });
    });
  });

  describe('statementAtOffset', () => {
    const document = 'SELECT 1; -- one\n\n  SELECT 2\n  FROM t\n;\nSELECT 3; SELECT 4;\n';
    const at = (offset: number): string | undefined => statementAtOffset(document, offset)?.text;
    const second = 'SELECT 2\n  FROM t';

    it('finds the statement containing the cursor, including at its first and last character', () => {
      assert.equal(at(3), 'SELECT 1');
      assert.equal(at(document.indexOf('SELECT 2')), second);
      assert.equal(at(document.indexOf('FROM t') + 'FROM t'.length), second);
      assert.equal(at(document.indexOf('t\n;')), second);
    });

    it('gives a cursor right after the ; or in the trailing comment to the statement before', () => {
      assert.equal(at(document.indexOf(';') + 1), 'SELECT 1');
      assert.equal(at(document.indexOf('one')), 'SELECT 1');
      assert.equal(at(document.indexOf('\n')), 'SELECT 1');
    });

    it('gives a cursor after a ; on its own line to the statement it ends', () => {
      assert.equal(at(document.indexOf('\n;\n') + 2), second);
    });

    it('picks the preceding statement between two statements on one line', () => {
      assert.equal(at(document.indexOf(' SELECT 4')), 'SELECT 3');
      assert.equal(at(document.indexOf('SELECT 4')), 'SELECT 4');
    });

    it('finds nothing on a blank line or in indentation before a statement', () => {
      assert.equal(at(document.indexOf('\n\n') + 1), undefined);
      assert.equal(at(document.indexOf('  SELECT 2')), undefined);
    });

    it('at the end of the document: the last statement when on its line, nothing on the empty line after', () => {
      assert.equal(at(document.length - 1), 'SELECT 4');
      assert.equal(at(document.length), undefined);
      assert.equal(statementAtOffset('SELECT 1;\nSELECT 2', 'SELECT 1;\nSELECT 2'.length)?.text, 'SELECT 2');
    });

    it('finds the valid statement under the cursor while another statement is half-written', () => {
      const broken = 'SELECT * FROM orders WHERE;\nSELECT id FROM café WHERE total > 10;\nSELECT';
      const found: SqlStatement | undefined = statementAtOffset(broken, broken.indexOf('café'));
      assert.equal(found?.text, 'SELECT id FROM café WHERE total > 10');
      assert.equal(found?.startLine, 1);
    });

    it('finds nothing in a document without statements', () => {
      assert.equal(statementAtOffset('-- just a note', 5), undefined);
    });
  });
});

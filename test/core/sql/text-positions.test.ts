import * as assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { indexAtLineColumn, LineIndex, lineColumnAt, mapServerErrorPosition } from '../../../src/core/sql';

describe('text-positions', () => {
  describe('lineColumnAt / indexAtLineColumn', () => {
    const text = 'SELECT 1\r\nFROM t\nWHERE x\ry';

    it('counts \\n, \\r\\n and a lone \\r as line breaks', () => {
      assert.deepEqual(lineColumnAt(text, 0), { line: 0, column: 0 });
      assert.deepEqual(lineColumnAt(text, text.indexOf('FROM')), { line: 1, column: 0 });
      assert.deepEqual(lineColumnAt(text, text.indexOf('t\n')), { line: 1, column: 5 });
      assert.deepEqual(lineColumnAt(text, text.indexOf('WHERE')), { line: 2, column: 0 });
      assert.deepEqual(lineColumnAt(text, text.indexOf('y')), { line: 3, column: 0 });
      assert.deepEqual(lineColumnAt(text, text.length), { line: 3, column: 1 });
    });

    it('counts columns in UTF-16 units, as editors do', () => {
      assert.deepEqual(lineColumnAt("SELECT '😀', x", 12), { line: 0, column: 12 });
    });

    it('converts a line and column back to the same index', () => {
      const lines = new LineIndex(text);
      for (let index = 0; index <= text.length; index++) {
        if (text[index - 1] === '\r' && text[index] === '\n') continue; // between \r and \n is not a position
        const { line, column } = lines.lineColumnAt(index);
        assert.equal(lines.indexAt(line, column), index, `index ${index}`);
      }
    });

    it('clamps a column beyond the end of its line to the line end, before the line break', () => {
      assert.equal(indexAtLineColumn(text, 0, 99), text.indexOf('\r\n'));
      assert.equal(indexAtLineColumn(text, 99, 0), text.indexOf('y'));
    });
  });

  describe('mapServerErrorPosition', () => {
    const prefix = 'EXPLAIN (FORMAT JSON) ';
    /** What PostgreSQL reports: a 1-based character index into prefix + statement. */
    const serverPosition = (statement: string, index: number): number => [...(prefix + statement.slice(0, index))].length + 1;

    it('maps a position past the prefix to the line, column and offset in the statement', () => {
      const statement = "SELECT '😀é€' AS x\nFROM t\n  WHERE nope > 1";
      const offset = statement.indexOf('nope');
      assert.deepEqual(mapServerErrorPosition(statement, serverPosition(statement, offset), prefix.length), {
        line: 3,
        column: 9,
        offset,
      });
    });

    it('accepts the position as the string that database drivers report', () => {
      assert.deepEqual(mapServerErrorPosition('SELECT nope', '8'), { line: 1, column: 8, offset: 7 });
    });

    it('maps the position just past the end (errors "at end of input") to the end of the statement', () => {
      const statement = 'SELECT 1 FROM';
      assert.equal(mapServerErrorPosition(statement, serverPosition(statement, statement.length), prefix.length)?.offset, statement.length);
    });

    it('returns undefined for a position inside the prefix or beyond the statement', () => {
      assert.equal(mapServerErrorPosition('SELECT 1', 3, prefix.length), undefined);
      assert.equal(mapServerErrorPosition('SELECT 1', prefix.length + 10, prefix.length), undefined);
      assert.equal(mapServerErrorPosition('SELECT 1', '', prefix.length), undefined);
    });

    describe('against a real PostgreSQL server (PGlite)', () => {
      let db: PGlite;
      before(async () => {
        db = await PGlite.create();
      });
      after(async () => {
        await db?.close();
      });

      it('points at the token the server complained about, after multi-byte characters', async () => {
        const statement = "SELECT '😀é€' AS x\nFROM missing_table";
        const error = await db.query(prefix + statement).then(
          () => assert.fail('the query should fail: missing_table does not exist'),
          (failure: { position?: string }) => failure,
        );
        const mapped = mapServerErrorPosition(statement, error.position ?? '', prefix.length);
        assert.deepEqual(mapped, { line: 2, column: 6, offset: statement.indexOf('missing_table') });
      });
    });
  });
});

import * as assert from 'node:assert/strict';
import { byteOffsetToIndex, ensureSqlParser, indexToByteOffset, Utf8IndexMap } from '../../../src/core/sql';
import { parseSql, scanSql } from '../../../src/core/sql/sql-parser';

type SqlParserModule = typeof import('../../../src/core/sql/sql-parser');

/** A separate instance of the module, so that its "not loaded yet" state can be observed. */
function freshSqlParserModule(): SqlParserModule {
  const path = require.resolve('../../../src/core/sql/sql-parser');
  const shared = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as SqlParserModule;
  } finally {
    require.cache[path] = shared;
  }
}

describe('sql-parser', () => {
  describe('loading', () => {
    it('refuses synchronous use before ensureSqlParser() and names the fix', () => {
      const parser = freshSqlParserModule();
      assert.equal(parser.isSqlParserLoaded(), false);
      assert.throws(() => parser.parseSql('SELECT 1'), /not loaded yet: await ensureSqlParser\(\)/);
      assert.throws(() => parser.scanSql('SELECT 1'), /not loaded yet: await ensureSqlParser\(\)/);
    });

    it('shares one load between concurrent callers and then parses synchronously', async () => {
      const parser = freshSqlParserModule();
      const first = parser.ensureSqlParser();
      const second = parser.ensureSqlParser();
      assert.equal(first, second);
      await Promise.all([first, second]);
      assert.equal(parser.isSqlParserLoaded(), true);
      const outcome = parser.parseSql('SELECT 1; SELECT 2');
      assert.ok(outcome.ok);
      assert.equal(outcome.statements.length, 2);
    });
  });

  describe('parseSql / scanSql', () => {
    before(() => ensureSqlParser());

    it('reports a syntax error, with the UTF-16 index of the offending token, instead of throwing', () => {
      // PostgreSQL counts error positions in characters; '😀' is one character but two UTF-16 units.
      const text = "SELECT '😀é€' FROM x WHERE WHERE";
      assert.deepEqual(parseSql(text), { ok: false, message: 'syntax error at or near "WHERE"', index: text.lastIndexOf('WHERE') });
      assert.deepEqual(parseSql("SELECT '😀' FROM"), { ok: false, message: 'syntax error at end of input', index: 16 });
    });

    it('treats empty text as no statements, and an unterminated string as unscannable', () => {
      assert.deepEqual(parseSql(''), { ok: true, statements: [] });
      assert.deepEqual(scanSql(''), []);
      assert.equal(scanSql("SELECT 'open"), undefined);
    });
  });

  describe('Utf8IndexMap', () => {
    // 'é' is 2 UTF-8 bytes / 1 UTF-16 unit, '€' 3 / 1, '😀' 4 / 2.
    const text = "a'é€😀'b";

    it('maps byte offsets to UTF-16 indices across multi-byte characters', () => {
      const map = new Utf8IndexMap(text);
      assert.equal(map.indexAtByte(0), 0);
      assert.equal(map.indexAtByte(2), 2); // é
      assert.equal(map.indexAtByte(4), 3); // €
      assert.equal(map.indexAtByte(7), 4); // 😀
      assert.equal(map.indexAtByte(11), 6); // closing quote
      assert.equal(map.indexAtByte(13), 8); // end of text
    });

    it('maps a byte inside a multi-byte character to that character', () => {
      assert.equal(byteOffsetToIndex(text, 5), 3);
      assert.equal(byteOffsetToIndex(text, 9), 4);
    });

    it('maps UTF-16 indices back to byte offsets', () => {
      assert.equal(indexToByteOffset(text, 3), 4);
      assert.equal(indexToByteOffset(text, 6), 11);
      assert.equal(indexToByteOffset(text, text.length), new TextEncoder().encode(text).length);
    });

    it('is the identity on ASCII text', () => {
      const map = new Utf8IndexMap('SELECT 1');
      assert.equal(map.indexAtByte(7), 7);
      assert.equal(map.byteAtIndex(7), 7);
    });
  });
});

import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { Writer } from 'pg-protocol/dist/buffer-writer';
import { FrontendReader, readInitialMessage, type FrontendMessage } from '../../src/recorder/wire';

/** Frontend messages as node-postgres's own serializer writes them. */
const stream = Buffer.concat([
  serialize.sendSCRAMClientFinalMessage('c=biws,r=nonce,p=proof'),
  serialize.query('SELECT 1; SELECT 2'),
  serialize.parse({ name: 'lookup', text: 'SELECT * FROM t WHERE id = $1 AND name = $2 AND blob = $3' }),
  serialize.bind({ statement: 'lookup', values: ['42', null, Buffer.from([0xde, 0xad])] }),
  serialize.describe({ type: 'P' }),
  serialize.execute({}),
  serialize.sync(),
  serialize.close({ type: 'S', name: 'lookup' }),
  serialize.end(),
]);

const expected: FrontendMessage[] = [
  { type: 'query', sql: 'SELECT 1; SELECT 2' },
  { type: 'parse', name: 'lookup', sql: 'SELECT * FROM t WHERE id = $1 AND name = $2 AND blob = $3' },
  { type: 'bind', portal: '', statement: 'lookup', params: ['42', null, '\\xdead'] },
  { type: 'execute', portal: '' },
  { type: 'sync' },
  { type: 'close', kind: 'S', name: 'lookup' },
  { type: 'terminate' },
];

function decode(chunks: Buffer[]): FrontendMessage[] {
  const messages: FrontendMessage[] = [];
  const reader = new FrontendReader((message) => messages.push(message));
  for (const chunk of chunks) reader.feed(chunk);
  assert.ok(reader.atMessageBoundary);
  return messages;
}

describe("the recorder's frontend message reader", () => {
  it('decodes what node-postgres sends, skipping a SCRAM message that has no terminating zero', () => {
    assert.deepEqual(decode([stream]), expected);
  });

  it('decodes the same however the bytes are split across TCP reads', () => {
    const oneByteAtATime = [...stream].map((byte) => Buffer.from([byte]));
    assert.deepEqual(decode(oneByteAtATime), expected);
    for (const at of [1, 5, 17, stream.length - 3]) assert.deepEqual(decode([stream.subarray(0, at), stream.subarray(at)]), expected);
  });

  it('applies a single format code to every parameter, as the protocol says', () => {
    const bind = new Writer().addCString('').addCString('s').addInt16(1).addInt16(1).addInt16(2);
    for (const value of [Buffer.from([1, 2]), Buffer.from([3])]) bind.addInt32(value.length).add(value);
    const message = bind.addInt16(0).flush(0x42);
    assert.deepEqual(decode([message]), [{ type: 'bind', portal: '', statement: 's', params: ['\\x0102', '\\x03'] }]);
  });

  it("reads the startup packet's parameters, and waits for all of it", () => {
    const startup = serialize.startup({ user: 'app', database: 'shop', application_name: 'worker' });
    assert.equal(readInitialMessage(startup.subarray(0, startup.length - 1)), undefined);
    const message = readInitialMessage(startup);
    assert.equal(message?.code, 196608);
    assert.deepEqual(Object.fromEntries(message!.parameters), {
      user: 'app',
      database: 'shop',
      application_name: 'worker',
      client_encoding: 'UTF8',
    });
    assert.equal(readInitialMessage(serialize.requestSsl())?.code, 80877103);
  });
});

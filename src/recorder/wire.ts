/**
 * The PostgreSQL wire protocol as the recorder needs it. Backend messages are decoded by
 * pg-protocol's Parser (node-postgres's own). Neither pg-protocol nor pg-gateway decodes the
 * frontend's Query, Parse, Bind and Execute (pg-gateway answers them "not yet implemented";
 * pg-server reads them but spins forever on a message without a terminating zero, which SCRAM's
 * SASLResponse is), so the few fields the recorder reads from those are taken here with
 * pg-protocol's BufferReader, and ErrorResponses to the application are written with its Writer.
 */
import { BufferReader } from 'pg-protocol/dist/buffer-reader';
import { Writer } from 'pg-protocol/dist/buffer-writer';

export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
export const PROTOCOL_3 = 3;

/** The untyped first message: a startup packet, or a request for TLS, GSS encryption or a cancel. */
export interface InitialMessage {
  length: number;
  code: number;
  parameters: Map<string, string>;
}

/** The first message when `buffer` holds all of it; undefined while more bytes are needed. */
export function readInitialMessage(buffer: Buffer): InitialMessage | undefined {
  if (buffer.length < 8) return undefined;
  const length = buffer.readInt32BE(0);
  if (length < 8 || length > 10_000) throw new ProtocolViolation(`a startup packet of ${length} bytes`);
  if (buffer.length < length) return undefined;
  const code = buffer.readInt32BE(4);
  const parameters = new Map<string, string>();
  if (code >>> 16 === PROTOCOL_3) {
    const body = buffer.subarray(0, length);
    let offset = 8;
    // Name and value pairs, each zero-terminated, ending in an empty name.
    while (offset < length) {
      const name = cstringIn(body, offset);
      if (name === '') break;
      offset += Buffer.byteLength(name) + 1;
      const value = cstringIn(body, offset);
      offset += Buffer.byteLength(value) + 1;
      parameters.set(name, value);
    }
  }
  return { length, code, parameters };
}

export class ProtocolViolation extends Error {}

export type FrontendMessage =
  | { type: 'query'; sql: string }
  | { type: 'parse'; name: string; sql: string }
  | { type: 'bind'; portal: string; statement: string; params: (string | null)[] }
  | { type: 'execute'; portal: string }
  | { type: 'sync' }
  | { type: 'close'; kind: 'S' | 'P'; name: string }
  | { type: 'terminate' };

const QUERY = 0x51; // Q
const PARSE = 0x50; // P
const BIND = 0x42; // B
const EXECUTE = 0x45; // E
const SYNC = 0x53; // S
const CLOSE = 0x43; // C
const TERMINATE = 0x58; // X

/**
 * Splits the frontend byte stream after the startup packet into messages (1-byte type, int32
 * length) and decodes the ones the recorder follows; the others (passwords, CopyData, Describe,
 * Flush...) are only skipped over.
 */
export class FrontendReader {
  private pending: Buffer = Buffer.alloc(0);
  private readonly reader = new BufferReader();

  constructor(private readonly onMessage: (message: FrontendMessage) => void) {}

  feed(chunk: Buffer): void {
    let buffer = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    while (buffer.length - offset >= 5) {
      const type = buffer[offset];
      const length = buffer.readInt32BE(offset + 1);
      if (length < 4) throw new ProtocolViolation(`a message of type ${String.fromCharCode(type)} with length ${length}`);
      const end = offset + 1 + length;
      if (end > buffer.length) break;
      const message = this.decode(type, buffer.subarray(offset + 5, end));
      if (message) this.onMessage(message);
      offset = end;
    }
    buffer = buffer.subarray(offset);
    // Copied so a large chunk is not kept alive by the few bytes of a partial message.
    this.pending = buffer.length === 0 ? Buffer.alloc(0) : Buffer.from(buffer);
  }

  /** True when every byte fed so far ended a whole message. */
  get atMessageBoundary(): boolean {
    return this.pending.length === 0;
  }

  private decode(type: number, body: Buffer): FrontendMessage | undefined {
    const reader = this.reader;
    reader.setBuffer(0, body);
    switch (type) {
      case QUERY:
        return { type: 'query', sql: cstringIn(body, 0) };
      case PARSE: {
        const name = cstringIn(body, 0);
        return { type: 'parse', name, sql: cstringIn(body, Buffer.byteLength(name) + 1) };
      }
      case BIND: {
        const portal = cstringIn(body, 0);
        const statement = cstringIn(body, Buffer.byteLength(portal) + 1);
        reader.setBuffer(Buffer.byteLength(portal) + Buffer.byteLength(statement) + 2, body);
        const formatCount = reader.int16();
        const formats: number[] = [];
        for (let i = 0; i < formatCount; i++) formats.push(reader.int16());
        const count = reader.int16();
        const params: (string | null)[] = [];
        for (let i = 0; i < count; i++) {
          const size = reader.int32();
          // One format code applies to every parameter; none means text.
          const binary = (formatCount === 1 ? formats[0] : (formats[i] ?? 0)) === 1;
          if (size < 0) params.push(null);
          else params.push(binary ? `\\x${reader.bytes(size).toString('hex')}` : reader.string(size));
        }
        return { type: 'bind', portal, statement, params };
      }
      case EXECUTE:
        return { type: 'execute', portal: cstringIn(body, 0) };
      case SYNC:
        return { type: 'sync' };
      case CLOSE:
        return { type: 'close', kind: body[0] === 0x50 ? 'P' : 'S', name: cstringIn(body, 1) };
      case TERMINATE:
        return { type: 'terminate' };
      default:
        return undefined;
    }
  }
}

/** A zero-terminated string starting at `offset`; a missing terminator ends it at the message end. */
function cstringIn(body: Buffer, offset: number): string {
  const end = body.indexOf(0, offset);
  return body.toString('utf8', offset, end === -1 ? body.length : end);
}

/** A backend ErrorResponse, as PostgreSQL itself would send it. */
export function errorResponse(severity: 'FATAL' | 'ERROR', code: string, message: string): Buffer {
  const writer = new Writer();
  for (const [field, value] of [
    ['S', severity],
    ['V', severity],
    ['C', code],
    ['M', message],
  ]) {
    writer.addString(field).addCString(value);
  }
  writer.addCString('');
  return writer.flush(0x45);
}

export function sslRequest(): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeInt32BE(8, 0);
  buffer.writeInt32BE(SSL_REQUEST_CODE, 4);
  return buffer;
}

// The query-phase messages of the PostgreSQL protocol (v3): frontend ones decoded, backend ones encoded.
// pg-gateway runs start-up, TLS negotiation and authentication; the query phase is the server's to answer.
import { BackendError } from 'pg-gateway';
import type { PgType } from './pg-types.js';

/** A frontend message of the query phase, decoded. */
export type FrontendMessage =
  | { type: 'query'; sql: string }
  | { type: 'parse'; statement: string; sql: string; paramTypes: number[] }
  | { type: 'bind'; portal: string; statement: string; params: (Buffer | null)[]; paramFormats: number[]; resultFormats: number[] }
  | { type: 'describe'; target: 'statement' | 'portal'; name: string }
  | { type: 'execute'; portal: string; maxRows: number }
  | { type: 'close'; target: 'statement' | 'portal'; name: string }
  | { type: 'sync' }
  | { type: 'flush' }
  | { type: 'terminate' }
  | { type: 'unsupported'; code: string };

/** Reads the fields of one message body. */
class Reader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}
  byte(): string {
    return String.fromCharCode(this.buffer[this.offset++]!);
  }
  int16(): number {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32(): number {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  cstring(): string {
    const end = this.buffer.indexOf(0, this.offset);
    if (end < 0) throw new Error('malformed message: a string has no terminator');
    const text = this.buffer.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }
  bytes(length: number): Buffer {
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  list<T>(read: () => T): T[] {
    return Array.from({ length: this.int16() }, read);
  }
}

/**
 * Decodes one whole frontend message (type byte, length, body).
 * @example decodeFrontendMessage(bytes) // { type: 'query', sql: 'SELECT 1' }
 */
export function decodeFrontendMessage(message: Uint8Array): FrontendMessage {
  const buffer = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const code = String.fromCharCode(buffer[0]!);
  const r = new Reader(buffer.subarray(5));
  switch (code) {
    case 'Q':
      return { type: 'query', sql: r.cstring() };
    case 'P':
      return { type: 'parse', statement: r.cstring(), sql: r.cstring(), paramTypes: r.list(() => r.int32()) };
    case 'B': {
      const portal = r.cstring();
      const statement = r.cstring();
      const paramFormats = r.list(() => r.int16());
      const params = r.list(() => {
        const length = r.int32();
        return length < 0 ? null : Buffer.from(r.bytes(length));
      });
      return { type: 'bind', portal, statement, params, paramFormats, resultFormats: r.list(() => r.int16()) };
    }
    case 'D':
      return { type: 'describe', target: r.byte() === 'S' ? 'statement' : 'portal', name: r.cstring() };
    case 'E':
      return { type: 'execute', portal: r.cstring(), maxRows: r.int32() };
    case 'C':
      return { type: 'close', target: r.byte() === 'S' ? 'statement' : 'portal', name: r.cstring() };
    case 'S':
      return { type: 'sync' };
    case 'H':
      return { type: 'flush' };
    case 'X':
      return { type: 'terminate' };
    default:
      return { type: 'unsupported', code };
  }
}

/** Builds one backend message: type byte, length, body. */
class Writer {
  private readonly parts: Buffer[] = [];
  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    this.parts.push(b);
    return this;
  }
  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    this.parts.push(b);
    return this;
  }
  cstring(text: string): this {
    this.parts.push(Buffer.from(text, 'utf8'), Buffer.alloc(1));
    return this;
  }
  bytes(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }
  message(code: string): Buffer {
    const body = Buffer.concat(this.parts);
    const header = Buffer.alloc(5);
    header.write(code, 0, 'latin1');
    header.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([header, body]);
  }
}

/** A column of a result as RowDescription announces it. */
export interface FieldDescription {
  name: string;
  type: PgType;
}

/** Backend messages, each a ready-to-send buffer. */
export const backend = {
  rowDescription(fields: readonly FieldDescription[]): Buffer {
    const w = new Writer().int16(fields.length);
    // Table OID and attribute number 0: the columns of a query, not of a stored table. Format 0: text.
    for (const f of fields) w.cstring(f.name).int32(0).int16(0).int32(f.type.oid).int16(f.type.size).int32(f.type.typmod).int16(0);
    return w.message('T');
  },
  dataRow(values: readonly (string | null)[]): Buffer {
    // The hot path of big results: one allocation per row.
    const lengths = values.map((v) => (v === null ? -1 : Buffer.byteLength(v, 'utf8')));
    const size = 7 + lengths.reduce((n, l) => n + 4 + Math.max(l, 0), 0);
    const out = Buffer.allocUnsafe(size);
    out.write('D', 0, 'latin1');
    out.writeInt32BE(size - 1, 1);
    out.writeInt16BE(values.length, 5);
    let at = 7;
    values.forEach((value, i) => {
      out.writeInt32BE(lengths[i]!, at);
      at += 4;
      if (value !== null) at += out.write(value, at, 'utf8');
    });
    return out;
  },
  commandComplete(tag: string): Buffer {
    return new Writer().cstring(tag).message('C');
  },
  emptyQuery(): Buffer {
    return new Writer().message('I');
  },
  readyForQuery(status: 'I' | 'T' | 'E'): Buffer {
    return Buffer.concat([Buffer.from('Z\0\0\0\x05', 'latin1'), Buffer.from(status, 'latin1')]);
  },
  parseComplete: (): Buffer => new Writer().message('1'),
  bindComplete: (): Buffer => new Writer().message('2'),
  closeComplete: (): Buffer => new Writer().message('3'),
  noData: (): Buffer => new Writer().message('n'),
  portalSuspended: (): Buffer => new Writer().message('s'),
  parameterDescription(oids: readonly number[]): Buffer {
    const w = new Writer().int16(oids.length);
    for (const oid of oids) w.int32(oid);
    return w.message('t');
  },
  parameterStatus(name: string, value: string): Buffer {
    return new Writer().cstring(name).cstring(value).message('S');
  },
  /** A NoticeResponse: a warning the client shows beside the result (psql prints it). */
  notice(message: string, hint?: string): Buffer {
    const w = new Writer();
    for (const [field, value] of [['S', 'NOTICE'], ['V', 'NOTICE'], ['C', '01000'], ['M', message], ...(hint ? [['H', hint]] : [])] as const) {
      w.bytes(Buffer.from(field, 'latin1')).cstring(value);
    }
    return w.bytes(Buffer.alloc(1)).message('N');
  },
  /** An ErrorResponse; `code` is a SQLSTATE (42501 insufficient privilege, 42601 syntax error, 0A000 not supported). */
  error(code: string, message: string, hint?: string): Buffer {
    return Buffer.from(BackendError.create({ severity: 'ERROR', code, message, ...(hint ? { hint } : {}) }).flush());
  },
};

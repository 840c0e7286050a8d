// One pass over a CSV file's bytes, at memory speed, for anything DuckDB's CSV reader would read differently from the
// line-by-line path, counting the lines as it goes (the one-pass load's evidence that no line was skipped).
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const QUOTE = 0x22;
const BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);
const CHUNK_BYTES = 1 << 20;

/** What every data line of a plain file is measured against. */
export interface PlainCsvShape {
  /** The header line as the line path reads it (CRLF ending and byte-order marks stripped). */
  headerLine: string;
  delimiter: string;
  /** Fields of the header line. */
  fieldCount: number;
}

/**
 * Scans a file chunk by chunk. A file is plain when the reader, given the header's field count, makes one row per line
 * below the header from exactly the fields the line path splits, or fails: no quote (the reader accepts one inside an
 * unquoted field and spaces around a quoted one), no byte-order mark past the first byte (the line path strips it, the
 * reader keeps it), no lone carriage return (a line break to the reader only), no blank line (the reader skips it), no
 * repeated header line (data to the reader), no line ending in a delimiter with more fields than the header (the
 * reader drops empty fields past the last column without a word) and nothing but UTF-8 (the reader checks only the
 * fields it converts). A line with too few or too many other fields, or a
 * value its column type refuses, makes the reader fail, which the caller answers by classifying every line.
 * @example
 * const scan = new PlainCsvScan({ headerLine: 'id,name', delimiter: ',', fieldCount: 2 });
 * scan.push(Buffer.from('id,name\n1,a\n2,b,\n'));
 * scan.finish(); // undefined: line 3 has three fields, the last one empty
 */
export class PlainCsvScan {
  private readonly header: Buffer;
  private readonly delimiter: Buffer;
  private readonly fieldCount: number;
  /** The unterminated line at the end of what was pushed so far, and where it starts in the file. */
  private carry: Buffer = Buffer.alloc(0);
  private carryOffset = 0;
  /** Bytes pushed so far. */
  private offset = 0;
  private newlines = 0;
  private plain = true;

  constructor(shape: PlainCsvShape) {
    this.header = Buffer.from(shape.headerLine);
    this.delimiter = Buffer.from(shape.delimiter);
    this.fieldCount = shape.fieldCount;
  }

  /** False once something was found that makes the file not plain (the rest need not be pushed). */
  get stillPlain(): boolean {
    return this.plain;
  }

  /** The next bytes of the file; `chunk` is only read until the following push, so its buffer may then be reused. */
  push(chunk: Buffer): void {
    if (!this.plain) return;
    if (chunk.includes(QUOTE)) return this.fail();
    const chunkOffset = this.offset;
    this.offset += chunk.length;
    let from = 0;
    if (this.carry.length > 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      // The line across the chunk boundary, joined (a copy of one line, not of the chunk).
      const joined = Buffer.concat([this.carry, chunk.subarray(0, newline + 1)]);
      if (this.completeLines(joined, 0, this.carryOffset) < 0) return this.fail();
      from = newline + 1;
    }
    const rest = this.completeLines(chunk, from, chunkOffset);
    if (rest < 0) return this.fail();
    this.carry = chunk.subarray(rest);
    this.carryOffset = chunkOffset + rest;
  }

  /** The lines below the header once every byte was pushed, or undefined when the file is not plain. */
  finish(): number | undefined {
    if (!this.plain) return undefined;
    let lines = this.newlines;
    const last = this.carry;
    if (last.length > 0) {
      // A carriage return ending the file is a line break to the reader; the line path strips it from the text.
      if (last.includes(CARRIAGE_RETURN) || !isUtf8(last) || last.indexOf(BYTE_ORDER_MARK, this.carryOffset === 0 ? 1 : 0) >= 0) return this.fail();
      if (lines > 0 && !this.lineIsPlain(last, 0, last.length)) return this.fail();
      lines++;
    }
    return Math.max(0, lines - 1);
  }

  /**
   * Checks the newline-terminated lines of `data` from `from` (`dataOffset`: where `data` starts in the file); the
   * start of the unterminated rest, or -1 when something is not plain.
   */
  private completeLines(data: Buffer, from: number, dataOffset: number): number {
    let start = from;
    for (let at = data.indexOf(NEWLINE, from); at >= 0; at = data.indexOf(NEWLINE, start)) {
      const end = at > start && data[at - 1] === CARRIAGE_RETURN ? at - 1 : at;
      // Line 1 is the header itself.
      if (this.newlines > 0 && !this.lineIsPlain(data, start, end)) return -1;
      this.newlines++;
      start = at + 1;
    }
    const lines = data.subarray(from, start);
    // Byte 0 of the file may carry a byte-order mark (the reader skips it, the line path strips it).
    if (lines.indexOf(BYTE_ORDER_MARK, dataOffset + from === 0 ? 1 : 0) >= 0) return -1;
    // The reader checks the text of the columns it converts only; a line with bytes that are not UTF-8 anywhere is
    // the line path's to quarantine. (A line break never splits a character, so whole lines are checked alone.)
    if (!isUtf8(lines)) return -1;
    // Every carriage return in whole lines is followed by a byte of them.
    for (let at = lines.indexOf(CARRIAGE_RETURN); at >= 0; at = lines.indexOf(CARRIAGE_RETURN, at + 1)) {
      if (lines[at + 1] !== NEWLINE) return -1;
    }
    return start;
  }

  /** One data line, `data[start, end)` without its line break. Runs for every line: native calls only when needed. */
  private lineIsPlain(data: Buffer, start: number, end: number): boolean {
    if (end === start) return false;
    if (end - start === this.header.length && data.compare(this.header, 0, this.header.length, start, end) === 0) return false;
    const width = this.delimiter.length;
    if (data[end - 1] !== this.delimiter[width - 1]) return true;
    if (end - start < width || data.compare(this.delimiter, 0, width, end - width, end) !== 0) return true;
    // Ends in a delimiter: plain only with the header's number of fields, the last one empty.
    let delimiters = 0;
    for (let at = data.indexOf(this.delimiter, start); at >= 0 && at < end; at = data.indexOf(this.delimiter, at + width)) delimiters++;
    return delimiters === this.fieldCount - 1;
  }

  private fail(): undefined {
    this.plain = false;
    this.carry = Buffer.alloc(0);
    return undefined;
  }
}

/**
 * Scans `file` (see `PlainCsvScan`): its lines below the header, or undefined when it is not plain. With `maxBytes`
 * only the file's start is scanned and the answer is `complete: false` unless that was the whole file.
 */
export async function scanPlainCsv(
  file: string,
  shape: PlainCsvShape,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ lines: number; complete: true } | { complete: false } | undefined> {
  const scan = new PlainCsvScan(shape);
  const handle = await open(file, 'r');
  try {
    // Two buffers in turn: the scan keeps the unterminated line of the last chunk, which the next read must not overwrite.
    const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
    let position = 0;
    for (let turn = 0; position < maxBytes; turn ^= 1) {
      const buffer = buffers[turn]!;
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, maxBytes - position), position);
      if (bytesRead === 0) {
        const lines = scan.finish();
        return lines === undefined ? undefined : { lines, complete: true };
      }
      scan.push(buffer.subarray(0, bytesRead));
      if (!scan.stillPlain) return undefined;
      position += bytesRead;
    }
    return { complete: false };
  } finally {
    await handle.close();
  }
}

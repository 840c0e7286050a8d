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
  /** Fields (1-based positions) whose texts are watched for anything but a plain integer (see `PlainCsvScan`). */
  integerFields?: readonly number[];
}

// Bytes without which a text that TRY_CAST turns into an integer is that integer exactly.
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const CANDIDATES = [DOT, LOWER_E, UPPER_E];

/**
 * Scans a file chunk by chunk. A file is plain when the reader, given the header's field count, makes one row per line
 * below the header from exactly the fields the line path splits, or fails: no quote (the reader accepts one inside an
 * unquoted field and spaces around a quoted one), no byte-order mark past the first byte (the line path strips it, the
 * reader keeps it), no lone carriage return (a line break to the reader only), no blank line (the reader skips it), no
 * repeated header line (data to the reader), no line ending in a delimiter with more fields than the header (the
 * reader drops empty fields past the last column without a word) and nothing but UTF-8 (the reader checks only the
 * fields it converts). A line with too few or too many other fields, or a
 * value its column type refuses, makes the reader fail, which the caller answers by classifying every line.
 *
 * It also tells which of the `integerFields` hold a text with '.', 'e' or 'E' on some line (`notPlainIntegers`): the
 * only texts that TRY_CAST may round into an integer ('1.5' gives 2), so a field without them can be read as an
 * integer by the reader, which converts with TRY_CAST's own function. With a delimiter of more than one byte every
 * integer field counts as not plain.
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
  /** The integer fields not yet seen holding a text with '.', 'e' or 'E', in order; and those seen. */
  private watched: number[];
  private readonly notPlain = new Set<number>();
  /** Bytes the watch looked at, over all data lines. */
  private watchedBytes = 0;

  constructor(shape: PlainCsvShape) {
    this.header = Buffer.from(shape.headerLine);
    this.delimiter = Buffer.from(shape.delimiter);
    this.fieldCount = shape.fieldCount;
    this.watched = [...new Set(shape.integerFields ?? [])].sort((a, b) => a - b);
    if (this.delimiter.length !== 1) this.unwatch(this.watched);
  }

  /**
   * The integer fields (see `integerFields`) holding a text with '.', 'e' or 'E' on a line pushed so far, in order,
   * and what watching them cost: the bytes looked at per data line, on average.
   */
  get integers(): PlainCsvIntegers {
    return { notPlainIntegers: [...this.notPlain].sort((a, b) => a - b), watchedBytesPerLine: this.watchedBytes / Math.max(1, this.newlines - 1) };
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
      if (lines > 0) {
        if (!this.lineIsPlain(last, 0, last.length)) return this.fail();
        this.watchIntegers(last, 0, last.length);
      }
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
    const candidates = new CandidateBytes(data);
    // The first '.', 'e' or 'E' at or after the line's start (it is never a line break).
    let candidate = this.watched.length > 0 ? candidates.next(from) : Number.POSITIVE_INFINITY;
    for (let at = data.indexOf(NEWLINE, from); at >= 0; at = data.indexOf(NEWLINE, start)) {
      const end = at > start && data[at - 1] === CARRIAGE_RETURN ? at - 1 : at;
      // Line 1 is the header itself.
      if (this.newlines > 0 && !this.lineIsPlain(data, start, end)) return -1;
      if (candidate < end) {
        if (this.newlines > 0) this.watchIntegers(data, start, end);
        candidate = this.watched.length > 0 ? candidates.next(at + 1) : Number.POSITIVE_INFINITY;
      }
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

  /**
   * Marks the watched fields of one data line that hold '.', 'e' or 'E'. A JS loop over the line's first fields: a
   * native call per field costs more than the few bytes of a number. (Runs beside DuckDB's read, on the JS thread.)
   */
  private watchIntegers(data: Buffer, start: number, end: number): void {
    const delimiter = this.delimiter[0];
    const watched = this.watched;
    const last = watched[watched.length - 1] ?? 0;
    let field = 1;
    let next = 0;
    let seen: number[] | undefined;
    let at = start;
    for (; at < end && field <= last; at++) {
      const byte = data[at];
      if (byte === delimiter) {
        field++;
        if (field > watched[next]!) next++;
      } else if (field === watched[next] && (byte === DOT || byte === LOWER_E || byte === UPPER_E)) {
        (seen ??= []).push(field);
        // The rest of this field need not be looked at.
        next++;
        const following = data.indexOf(delimiter!, at);
        at = following < 0 || following >= end ? end : following - 1;
      }
    }
    this.watchedBytes += at - start;
    if (seen) this.unwatch(seen);
  }

  private unwatch(fields: readonly number[]): void {
    for (const field of fields) this.notPlain.add(field);
    this.watched = this.watched.filter((field) => !this.notPlain.has(field));
  }

  private fail(): undefined {
    this.plain = false;
    this.carry = Buffer.alloc(0);
    return undefined;
  }
}

/**
 * Where the next '.', 'e' or 'E' of a buffer is: most lines have none, and skipping those costs a comparison where
 * looking at their fields would cost a loop over their bytes (~0.2 s per 3M lines, on the JS thread beside DuckDB's).
 */
class CandidateBytes {
  /** Per byte, the first position at or after the last one asked about (Infinity: none). */
  private readonly found = [-1, -1, -1];

  constructor(private readonly data: Buffer) {}

  /** The first position at or after `from` holding one of the bytes; `from` never decreases from one call to the next. */
  next(from: number): number {
    let first = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      let at = this.found[i]!;
      if (at < from) {
        const index = this.data.indexOf(CANDIDATES[i]!, from);
        at = this.found[i] = index < 0 ? Number.POSITIVE_INFINITY : index;
      }
      if (at < first) first = at;
    }
    return first;
  }
}

/** A plain file's scan: its lines below the header when scanned whole, and its integer fields that are not plain. */
export type PlainCsvScanned = ({ lines: number; complete: true } | { complete: false }) & PlainCsvIntegers;

/** What a scan found of the integer fields it watched (see `PlainCsvScan`). */
export interface PlainCsvIntegers {
  notPlainIntegers: number[];
  watchedBytesPerLine: number;
}

/**
 * Scans `file` (see `PlainCsvScan`): its lines below the header, or undefined when it is not plain. With `maxBytes`
 * only the file's start is scanned and the answer is `complete: false` unless that was the whole file.
 */
export async function scanPlainCsv(file: string, shape: PlainCsvShape, maxBytes = Number.POSITIVE_INFINITY): Promise<PlainCsvScanned | undefined> {
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
        return lines === undefined ? undefined : { lines, complete: true, ...scan.integers };
      }
      scan.push(buffer.subarray(0, bytesRead));
      if (!scan.stillPlain) return undefined;
      position += bytesRead;
    }
    return { complete: false, ...scan.integers };
  } finally {
    await handle.close();
  }
}

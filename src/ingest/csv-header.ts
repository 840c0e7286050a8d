// Reads the header line of a CSV file from its first bytes, without reading the rest of the file.
import { open } from 'node:fs/promises';
import { SluiceError } from '../errors.js';

/** Header lines are read from this many leading bytes of each file; a longer header is refused. */
const HEADER_WINDOW_BYTES = 1_048_576;

/**
 * The first line of `file`, decoded as UTF-8 with CRLF endings and byte-order marks stripped exactly as the data
 * lines are; `null` for an empty file. Throws SOURCE_ERROR for a header that is not UTF-8 or has no end in sight.
 * @example await readHeaderLine('/landing/events.csv') // 'created_ts,event_id,asset_id,value'
 */
export async function readHeaderLine(file: string): Promise<string | null> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw new SluiceError('SOURCE_ERROR', `cannot open CSV file ${file}: ${(error as Error).message}`, { cause: error });
  });
  try {
    const buffer = Buffer.alloc(HEADER_WINDOW_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_WINDOW_BYTES, 0);
    if (bytesRead === 0) return null;
    const end = buffer.subarray(0, bytesRead).indexOf(0x0a);
    if (end < 0 && bytesRead === HEADER_WINDOW_BYTES) {
      throw new SluiceError('SOURCE_ERROR', `${file}: no line break in the first ${HEADER_WINDOW_BYTES} bytes; is this a CSV file with a header line?`);
    }
    let line: string;
    try {
      line = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buffer.subarray(0, end < 0 ? bytesRead : end));
    } catch (error) {
      throw new SluiceError('SOURCE_ERROR', `${file}: the header line is not valid UTF-8; re-export the file as UTF-8`, { cause: error });
    }
    // Same framing rule as the SQL for data lines: trailing carriage returns, then leading byte-order marks.
    return line.replace(/\r+$/, '').replace(/^\uFEFF+/, '');
  } finally {
    await handle.close();
  }
}

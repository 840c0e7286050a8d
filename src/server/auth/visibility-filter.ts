// Narrows every API answer (JSON bodies and Server-Sent Events) to the assets the caller may read.
import type { Context } from 'hono';
import type { AssetVisibility } from '../../access/grants/visibility.js';
import type { ApiEnv } from '../api-context.js';

/**
 * Replaces `c.res` with its narrowed copy: JSON is scrubbed whole, an event stream message by message (a
 * message about a hidden asset is dropped). Other answers (the UI's files) pass untouched.
 * @example if (!view.everything) narrowResponse(c, view);
 */
export async function narrowResponse(c: Context<ApiEnv>, view: AssetVisibility): Promise<void> {
  const type = c.res.headers.get('content-type') ?? '';
  if (type.includes('application/json')) {
    const body = view.scrub(await c.res.json());
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    c.res = new Response(JSON.stringify(body ?? null), { status: c.res.status, headers });
  } else if (type.includes('text/event-stream') && c.res.body) {
    const headers = new Headers(c.res.headers);
    c.res = new Response(c.res.body.pipeThrough(new TextDecoderStream()).pipeThrough(sseFilter(view)).pipeThrough(new TextEncoderStream()), {
      status: c.res.status,
      headers,
    });
  }
}

/** Splits an event stream into messages (blank-line separated) and scrubs each message's JSON data. */
function sseFilter(view: AssetVisibility): TransformStream<string, string> {
  let buffer = '';
  return new TransformStream<string, string>({
    transform(chunk, controller) {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const narrowed = narrowMessage(message, view);
        if (narrowed !== undefined) controller.enqueue(`${narrowed}\n\n`);
      }
    },
    flush(controller) {
      const narrowed = buffer === '' ? undefined : narrowMessage(buffer, view);
      if (narrowed !== undefined) controller.enqueue(narrowed);
    },
  });
}

function narrowMessage(message: string, view: AssetVisibility): string | undefined {
  const lines = message.split('\n');
  const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(l.startsWith('data: ') ? 6 : 5));
  if (data.length === 0) return view.scrubText(message);
  let value: unknown;
  try {
    value = JSON.parse(data.join('\n'));
  } catch {
    return lines.map((l) => view.scrubText(l)).join('\n');
  }
  const scrubbed = view.scrub(value);
  if (scrubbed === undefined) return undefined;
  const rest = lines.filter((l) => !l.startsWith('data:')).map((l) => view.scrubText(l));
  return [...rest, `data: ${JSON.stringify(scrubbed)}`].join('\n');
}

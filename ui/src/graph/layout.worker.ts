// Web Worker that runs the ELK layout off the main thread, so pan, zoom and typing stay smooth while it works.
import ELK from 'elkjs/lib/elk.bundled.js';
import { computeLayout, type LayoutInput, type LayoutResult } from './layout';

export interface LayoutRequest {
  id: number;
  input: LayoutInput;
}

export type LayoutReply = { id: number; ok: true; result: LayoutResult } | { id: number; ok: false; message: string };

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutReply): void;
};

const elk = new ELK();

scope.onmessage = (event) => {
  const { id, input } = event.data;
  computeLayout(elk, input).then(
    (result) => scope.postMessage({ id, ok: true, result }),
    (cause: unknown) => scope.postMessage({ id, ok: false, message: cause instanceof Error ? cause.message : String(cause) }),
  );
};

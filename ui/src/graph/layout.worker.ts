// Web Worker that runs ELK off the main thread: a whole layout, or the group interiors of a two-level layout.
import ELK from 'elkjs/lib/elk.bundled.js';
import { computeLayout, layoutGroupInteriors, type GroupGraph, type GroupInterior, type LayoutInput, type LayoutResult } from './layout';

export type LayoutTask =
  | { kind: 'layout'; input: LayoutInput }
  | { kind: 'interiors'; groups: GroupGraph[] };

export interface LayoutTaskResults {
  layout: LayoutResult;
  interiors: GroupInterior[];
}

export interface LayoutRequest {
  id: number;
  task: LayoutTask;
}

export type LayoutReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutReply): void;
};

const elk = new ELK();

function run(task: LayoutTask): Promise<unknown> {
  switch (task.kind) {
    case 'layout':
      return computeLayout(elk, task.input);
    case 'interiors':
      return layoutGroupInteriors(elk, task.groups);
  }
}

scope.onmessage = (event) => {
  const { id, task } = event.data;
  run(task).then(
    (result) => scope.postMessage({ id, ok: true, result }),
    (cause: unknown) => scope.postMessage({ id, ok: false, message: cause instanceof Error ? cause.message : String(cause) }),
  );
};

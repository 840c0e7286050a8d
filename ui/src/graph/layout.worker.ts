// Web Worker that lays out off the main thread: a whole small graph (ELK), or the interiors of some groups. ELK
// (1.4 MB) is loaded only when a task needs it: a large group's own arrangement does not.
import {
  computeLayout,
  ELK_GROUP_LIMIT,
  layoutGroupInteriors,
  type ElkLike,
  type GroupGraph,
  type GroupInterior,
  type LayoutInput,
  type LayoutResult,
} from './layout';

export type LayoutTask = { kind: 'layout'; input: LayoutInput } | { kind: 'interiors'; groups: GroupGraph[] } | { kind: 'warm-up' };

export interface LayoutTaskResults {
  layout: LayoutResult;
  interiors: GroupInterior[];
  'warm-up': null;
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

let elk: Promise<ElkLike> | null = null;
function loadElk(): Promise<ElkLike> {
  elk ??= import('elkjs/lib/elk.bundled.js').then((module) => {
    const instance = new module.default();
    // Run in a worker, ELK's bundle takes over `self.onmessage` for its own protocol (when the bundler evaluates it,
    // which may be as late as the first use above): take it back.
    scope.onmessage = onMessage;
    return instance;
  });
  return elk;
}

/** Stands in for ELK when no group of a task needs it. */
const NO_ELK: ElkLike = {
  layout: () => Promise.reject(new Error('ELK was not loaded for this task')),
};

const needsElk = (groups: GroupGraph[]): boolean => groups.some((g) => g.edges.length > 0 && g.members.length <= ELK_GROUP_LIMIT);

async function run(task: LayoutTask): Promise<unknown> {
  switch (task.kind) {
    case 'layout':
      return computeLayout(await loadElk(), task.input);
    case 'interiors':
      return layoutGroupInteriors(needsElk(task.groups) ? await loadElk() : NO_ELK, task.groups);
    case 'warm-up': {
      // ELK's first layouts run cold (JIT); one tiny layout while the user reads the overview makes the next expansion quick.
      const warm = await loadElk();
      await warm.layout({
        id: 'warm-up',
        children: [
          { id: 'a', width: 10, height: 10 },
          { id: 'b', width: 10, height: 10 },
        ],
        edges: [{ id: 'e', sources: ['a'], targets: ['b'] }],
      });
      return null;
    }
  }
}

function onMessage(event: MessageEvent<LayoutRequest>): void {
  const { id, task } = event.data;
  run(task).then(
    (result) => scope.postMessage({ id, ok: true, result }),
    (cause: unknown) => scope.postMessage({ id, ok: false, message: cause instanceof Error ? cause.message : String(cause) }),
  );
}

scope.onmessage = onMessage;

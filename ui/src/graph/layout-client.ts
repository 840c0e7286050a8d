// Runs layouts in Web Workers: a small graph whole in one worker, group interiors spread over a pool when many need ELK.
import { ELK_GROUP_LIMIT, type GroupGraph, type GroupInterior, type LayoutInput, type LayoutResult } from './layout';
import type { LayoutReply, LayoutRequest, LayoutTask, LayoutTaskResults } from './layout.worker';

/** More workers than this rarely pay for their start-up (each loads and warms up ELK). */
const MAX_WORKERS = 4;
/** Each extra worker costs an ELK warm-up of a second or more; only this many ELK-laid assets win it back. */
const POOL_MIN_NODES = 3000;

let primary: Worker | null = null;
let nextId = 1;

function spawn(): Worker {
  return new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module', name: 'sluice-layout' });
}

function send<K extends LayoutTask['kind']>(worker: Worker, task: Extract<LayoutTask, { kind: K }>): Promise<LayoutTaskResults[K]> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (event: MessageEvent<LayoutReply>): void => {
      if (event.data.id !== id) return;
      worker.removeEventListener('message', onMessage);
      if (event.data.ok) resolve(event.data.result as LayoutTaskResults[K]);
      else reject(new Error(event.data.message));
    };
    worker.addEventListener('message', onMessage);
    const request: LayoutRequest = { id, task };
    worker.postMessage(request);
  });
}

/**
 * Start the layout worker early; with `elk`, also load and warm up ELK in it (for graphs whose groups ELK lays out).
 * @example useEffect(() => warmUpLayoutWorker({ elk: true }), []);
 */
export function warmUpLayoutWorker(options: { elk?: boolean } = {}): void {
  primary ??= spawn();
  if (options.elk) void send(primary, { kind: 'warm-up' }).catch(() => undefined);
}

/** Spread groups over `count` buckets with similar total size (largest first into the lightest bucket). */
export function balanceGroups(groups: GroupGraph[], count: number): GroupGraph[][] {
  const buckets = Array.from({ length: Math.max(1, count) }, () => ({ size: 0, groups: [] as GroupGraph[] }));
  for (const group of [...groups].sort((a, b) => b.members.length - a.members.length)) {
    const lightest = buckets.reduce((best, bucket) => (bucket.size < best.size ? bucket : best));
    lightest.groups.push(group);
    lightest.size += group.members.length + group.edges.length;
  }
  return buckets.map((b) => b.groups).filter((g) => g.length > 0);
}

/**
 * Lay out a whole (small) graph in the worker without blocking the page.
 * @example const layout = await layoutInWorkers({ nodes, edges });
 */
export function layoutInWorkers(input: LayoutInput): Promise<LayoutResult> {
  primary ??= spawn();
  return send(primary, { kind: 'layout', input });
}

/**
 * Lay out the interiors of `groups`, spread over helper workers when enough of them need ELK.
 * @example const [interior] = await layoutInteriorsInWorkers([structure.graphs.get('sales')!]);
 */
export async function layoutInteriorsInWorkers(groups: GroupGraph[]): Promise<GroupInterior[]> {
  primary ??= spawn();
  const elkNodes = groups.filter((g) => g.edges.length > 0 && g.members.length <= ELK_GROUP_LIMIT).reduce((n, g) => n + g.members.length, 0);
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  const workerCount = elkNodes < POOL_MIN_NODES ? 1 : Math.min(MAX_WORKERS, Math.max(1, cores - 1));
  const buckets = balanceGroups(groups, workerCount);
  const helpers = buckets.slice(1).map(() => spawn());
  const workers = [primary, ...helpers];
  try {
    return (await Promise.all(buckets.map((bucket, i) => send(workers[i] as Worker, { kind: 'interiors', groups: bucket })))).flat();
  } finally {
    // Layouts are rare (results are cached), so helpers do not linger holding ELK's memory.
    for (const helper of helpers) helper.terminate();
  }
}

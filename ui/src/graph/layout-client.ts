// Runs layouts in Web Workers: small graphs in one worker, large ones with their groups spread over a pool.
import { arrangeGroupColumns } from './group-arrangement';
import { assembleTwoLevel, chooseStrategy, splitByGroup, type GroupGraph, type LayoutInput, type LayoutResult } from './layout';
import type { LayoutReply, LayoutRequest, LayoutTask, LayoutTaskResults } from './layout.worker';

/** More workers than this rarely pay for their start-up (each loads and warms up ELK). */
const MAX_WORKERS = 4;
/** Each extra worker costs an ELK warm-up of a second or more; only graphs this large win it back. */
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
 * Start the layout worker before the graph data arrives, so loading and compiling ELK (1.4 MB) overlaps the fetch.
 * @example useEffect(() => warmUpLayoutWorker(), []);
 */
export function warmUpLayoutWorker(): void {
  primary ??= spawn();
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
 * Lay out a lineage graph without blocking the page.
 * @example const layout = await layoutInWorkers({ nodes, edges });
 */
export async function layoutInWorkers(input: LayoutInput): Promise<LayoutResult> {
  primary ??= spawn();
  if (chooseStrategy(input) === 'compound') return send(primary, { kind: 'layout', input });

  const started = performance.now();
  const { groups, between } = splitByGroup(input);
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  const workerCount = input.nodes.length < POOL_MIN_NODES ? 1 : Math.min(MAX_WORKERS, Math.max(1, cores - 1));
  const buckets = balanceGroups(groups, workerCount);
  const helpers = buckets.slice(1).map(() => spawn());
  const workers = [primary, ...helpers];
  try {
    const interiors = (await Promise.all(buckets.map((bucket, i) => send(workers[i] as Worker, { kind: 'interiors', groups: bucket })))).flat();
    // Placing the group boxes is cheap and pure, so it runs here rather than in another round trip.
    return assembleTwoLevel(interiors, arrangeGroupColumns(interiors, between), performance.now() - started);
  } finally {
    // Layouts are rare (results are cached), so helpers do not linger holding ELK's memory.
    for (const helper of helpers) helper.terminate();
  }
}

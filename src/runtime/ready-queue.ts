// The executor's queue of runnable steps: a binary heap that yields them in plan order.

/**
 * Steps ready to start, earliest plan position first. Push and pop cost O(log n), so a wide graph whose
 * steps become ready one by one never re-sorts the whole queue (a sort per finished step grew as n² log n).
 * @example const queue = new ReadyQueue(new Map([['a', 0], ['b', 1]])); queue.push('b'); queue.push('a'); queue.pop() // 'a'
 */
export class ReadyQueue {
  private readonly heap: string[] = [];

  constructor(private readonly position: ReadonlyMap<string, number>) {}

  get size(): number {
    return this.heap.length;
  }

  push(key: string): void {
    const heap = this.heap;
    heap.push(key);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** The ready step that comes first in the plan, or undefined when none is ready. */
  pop(): string | undefined {
    const heap = this.heap;
    const first = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return first;
    heap[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return first;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }

  private before(a: string, b: string): boolean {
    return this.position.get(a)! < this.position.get(b)!;
  }
}

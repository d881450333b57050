/** A step of the business due at a business instant. */
export type Step = () => void | Promise<void>;

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly step: Step;
}

/**
 * The business's agenda: steps ordered by business time (ms), ties in the order they were
 * scheduled. A binary min-heap, so a run with hundreds of thousands of pending steps stays fast.
 */
export class Agenda {
  private readonly heap: Entry[] = [];
  private seq = 0;

  schedule(at: number, step: Step): void {
    const heap = this.heap;
    heap.push({ at, seq: this.seq++, step });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Entry, heap[parent] as Entry)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  pop(): { at: number; step: Step } | null {
    const heap = this.heap;
    const top = heap[0];
    if (!top) return null;
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left] as Entry, heap[smallest] as Entry)) smallest = left;
        if (right < heap.length && before(heap[right] as Entry, heap[smallest] as Entry)) smallest = right;
        if (smallest === i) break;
        swap(heap, i, smallest);
        i = smallest;
      }
    }
    return { at: top.at, step: top.step };
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function swap(heap: Entry[], i: number, j: number): void {
  const t = heap[i] as Entry;
  heap[i] = heap[j] as Entry;
  heap[j] = t;
}

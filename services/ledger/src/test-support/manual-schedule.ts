import type { Schedule } from '../background/supervisor.js';

/** A `Schedule` that runs nothing by itself: tests see each delay asked for and fire them at will. */
export class ManualSchedule {
  private readonly pending = new Set<{ readonly fn: () => void; readonly ms: number }>();
  /** Every delay ever scheduled, in order. */
  readonly delays: number[] = [];

  readonly schedule: Schedule = (fn, ms) => {
    const entry = { fn, ms };
    this.pending.add(entry);
    this.delays.push(ms);
    return () => this.pending.delete(entry);
  };

  get size(): number {
    return this.pending.size;
  }

  /** Runs everything due now (not what those runs schedule in turn). */
  fire(): void {
    const due = [...this.pending];
    this.pending.clear();
    for (const entry of due) entry.fn();
  }
}

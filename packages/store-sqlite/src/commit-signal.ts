/** Wakes subscriptions when this process commits, and at the latest after the poll interval (other processes). */
export class CommitSignal {
  private waiters = new Set<() => void>();

  constructor(private readonly pollIntervalMs: number) {}

  notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next commit, after the poll interval, or when `cancel` is called, whichever comes first. */
  wait(): { readonly changed: Promise<void>; readonly cancel: () => void } {
    let cancel!: () => void;
    const changed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => cancel(), this.pollIntervalMs);
      cancel = () => {
        clearTimeout(timer);
        this.waiters.delete(cancel);
        resolve();
      };
      this.waiters.add(cancel);
    });
    return { changed, cancel };
  }
}

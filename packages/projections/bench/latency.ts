/** Median and p95 (nearest rank) of repeated calls, in milliseconds, after unmeasured warm-up calls. */
export interface Latency {
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly calls: number;
}

export function measureLatency(run: () => unknown, calls: number, warmUp: number): Latency {
  for (let i = 0; i < warmUp; i++) run();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const rank = (q: number) => times[Math.max(0, Math.ceil(q * times.length) - 1)]!;
  return { medianMs: rank(0.5), p95Ms: rank(0.95), maxMs: times[times.length - 1]!, calls };
}

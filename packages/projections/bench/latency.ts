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
  return latencyOf(times);
}

/** As `measureLatency`, each measured call preceded by an unmeasured `before` (a write, say). */
export async function measureLatencyAfter(
  before: (call: number) => Promise<void>,
  run: () => unknown,
  calls: number,
): Promise<Latency> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    await before(i);
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return latencyOf(times);
}

function latencyOf(times: number[]): Latency {
  times.sort((a, b) => a - b);
  const rank = (q: number) => times[Math.max(0, Math.ceil(q * times.length) - 1)]!;
  return { medianMs: rank(0.5), p95Ms: rank(0.95), maxMs: times[times.length - 1]!, calls: times.length };
}

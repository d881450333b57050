import type { EventStore, Subscription } from '@rma-ledger/event-store';
import type { ParseEvent, Projection } from './projection.js';
import { endBulkLoad, type ReadModelFile } from './read-model-file.js';
import { type BatchLimits, ReadModelWriter } from './read-model-writer.js';

export interface BuildTarget<E> {
  readonly projection: Projection<E>;
  readonly file: ReadModelFile;
}

/**
 * Feeds fresh read-model files from one read of the log until they have caught up with it, then
 * gives them their query indexes and ends their bulk loads. The files stay `building`: the runner
 * that takes them over marks them live. This is all a worker thread does; resolves to the
 * position the files have reached.
 */
export async function buildReadModels<E>(
  store: EventStore,
  targets: readonly BuildTarget<E>[],
  parse: ParseEvent<E>,
  limits: BatchLimits,
  /** Told the position reached about once a second. */
  onProgress: (position: number) => void,
): Promise<number | null> {
  const writers = targets.map(({ file, projection }) => new ReadModelWriter(file, projection, parse, limits));
  const progress = progressEverySecond(onProgress);
  let subscription: Subscription | undefined;
  let position: number | null = null;
  const caughtUp = new Promise<void>((resolve, reject) => {
    subscription = store.subscribeToAll({
      handler: (event) => {
        for (const writer of writers) writer.add(event);
        progress(event.position);
      },
      onCaughtUp: (at) => {
        try {
          for (const writer of writers) {
            writer.flush();
            writer.createIndexes();
            endBulkLoad(writer.file);
          }
          position = at;
          resolve();
        } catch (error) {
          reject(error);
        }
      },
      onError: (error) => reject(error.cause instanceof Error ? error.cause : error),
    });
  });
  try {
    await caughtUp;
  } finally {
    await subscription?.stop();
  }
  return position;
}

/** Passes on a position at most once a second (the clock is read every 1,000 positions). */
export function progressEverySecond(
  report: (position: number) => void,
  clock: () => number = () => performance.now(),
): (position: number) => void {
  let calls = 0;
  let last = clock();
  return (position) => {
    if (++calls % 1000 !== 0) return;
    const now = clock();
    if (now - last < 1000) return;
    last = now;
    report(position);
  };
}

import type { EventStore, Subscription } from '@rma-ledger/event-store';
import type { ParseEvent, Projection } from './projection.js';
import { endBulkLoad, type ReadModelFile } from './read-model-file.js';
import { type BatchLimits, ReadModelWriter } from './read-model-writer.js';

export interface BuildTarget<E> {
  readonly projection: Projection<E>;
  readonly file: ReadModelFile;
}

/** What a build made of each target: the position it reached, or the error that stopped it. */
export type BuildResult = { readonly position: number | null } | { readonly error: Error };

/**
 * Feeds fresh read-model files from one read of the log until they have caught up with it, then
 * gives them their query indexes and ends their bulk loads. The files stay `building`: the runner
 * that takes them over marks them live. A target that fails stops alone; the others go on. This
 * is all a worker thread does; only the store failing fails the whole build.
 */
export async function buildReadModels<E>(
  store: EventStore,
  targets: readonly BuildTarget<E>[],
  parse: ParseEvent<E>,
  limits: BatchLimits,
  /** Told the position reached about once a second. */
  onProgress: (position: number) => void,
): Promise<BuildResult[]> {
  const writers = targets.map(({ file, projection }) => new ReadModelWriter(file, projection, parse, limits));
  const errors: (Error | null)[] = writers.map(() => null);
  const failed = (i: number, error: unknown) => {
    errors[i] = error as Error;
    writers[i]!.discardPending();
  };
  const progress = progressEverySecond(onProgress);
  let subscription: Subscription | undefined;
  let position: number | null = null;
  const caughtUp = new Promise<void>((resolve, reject) => {
    subscription = store.subscribeToAll({
      eventTypes: eventTypesOf(targets.map((t) => t.projection)),
      handler: (event) => {
        for (const [i, writer] of writers.entries()) {
          if (errors[i] !== null) continue;
          try {
            writer.add(event);
          } catch (error) {
            failed(i, error);
          }
        }
        progress(event.position);
      },
      onCaughtUp: (at) => {
        for (const [i, writer] of writers.entries()) {
          if (errors[i] !== null) continue;
          try {
            writer.flush();
            writer.advanceTo(at);
            writer.saveCheckpoint();
            writer.createIndexes();
            endBulkLoad(writer.file);
          } catch (error) {
            failed(i, error);
          }
        }
        position = at;
        resolve();
      },
      onError: (error) => reject(error.cause instanceof Error ? error.cause : error),
    });
  });
  try {
    await caughtUp;
  } finally {
    await subscription?.stop();
  }
  return errors.map((error) => (error === null ? { position } : { error }));
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

/** Every event type the projections apply: what a subscription shared by them needs. */
export function eventTypesOf<E>(projections: readonly Projection<E>[]): string[] {
  return [...new Set(projections.flatMap((p) => p.eventTypes))];
}

import {
  type BrokenLink,
  canonicalJson,
  LogDigest,
  type RecordedEvent,
  StreamChainChecker,
  type VerifyOptions,
  type VerifyReport,
} from '@rma-ledger/event-store';
import { PAGE_SIZE } from './reads.js';
import { type EventRow, toRecordedEvent } from './rows.js';
import type { Statements, StreamRow } from './statements.js';

const PROGRESS_EVERY = 10_000;

function at(row: EventRow): Pick<BrokenLink, 'streamName' | 'revision' | 'position' | 'eventId'> {
  return { streamName: row[0], revision: row[3], position: row[4], eventId: row[1] };
}

/** Reads a row for verification: it must parse, and its data must be exactly the canonical text that was hashed. */
function readForCheck(row: EventRow): RecordedEvent | BrokenLink {
  let event: RecordedEvent;
  try {
    if (typeof row[5] !== 'string') throw new TypeError(`data is stored as ${typeof row[5]}, not text`);
    event = toRecordedEvent(row);
  } catch (error) {
    return { ...at(row), reason: 'unreadable', detail: `the stored event cannot be read: ${String(error)}` };
  }
  if (canonicalJson(event.data) !== row[5]) {
    return {
      ...at(row),
      reason: 'hash-mismatch',
      detail: 'the stored data is not in canonical form, so it is not the text the hash was computed over',
    };
  }
  return event;
}

/** The streams table repeats each stream's last revision and hash: a chain that ends early was truncated. */
function checkHead(
  stream: StreamRow | undefined,
  name: string,
  last: EventRow | undefined,
): BrokenLink | undefined {
  if (stream === undefined) {
    // Only reached for a stream found in the events table, so it has a last event.
    return {
      ...at(last!),
      reason: 'hash-mismatch',
      detail: `the streams table does not list '${name}', so the head hash of its events (revision ${last![3]}, hash ${last![13]}) is not recorded`,
    };
  }
  const lastRevision = last === undefined ? -1 : last[3];
  if (lastRevision < stream.revision) {
    return {
      streamName: stream.name,
      revision: lastRevision + 1,
      position: last === undefined ? 0 : last[4],
      eventId: last === undefined ? '' : last[1],
      reason: 'revision-gap',
      detail: `the stream is recorded at revision ${stream.revision} but its events end at revision ${lastRevision}`,
    };
  }
  if (last !== undefined && lastRevision === stream.revision && last[13] !== stream.head_hash) {
    return {
      ...at(last),
      reason: 'hash-mismatch',
      detail: `the stream is recorded with head hash ${stream.head_hash} but its last event's hash is ${last[13]}`,
    };
  }
  return undefined;
}

/**
 * Positions are not hashed (EventStoreDB assigns them after the hash is written), but a stream's
 * revisions were committed in order, so in the global log they must appear in that order.
 */
function checkPosition(row: EventRow, previous: EventRow | undefined): BrokenLink | undefined {
  if (previous === undefined || row[4] > previous[4]) return undefined;
  return {
    ...at(row),
    reason: 'revision-gap',
    detail:
      `revision ${row[3]} is at position ${row[4]}, not after revision ${previous[3]} at position ${previous[4]}: ` +
      "the global log holds the stream's revisions out of order",
  };
}

/**
 * Walks every stream's chain in revision order, a page at a time (yielding to the event loop
 * between pages, so appends on the same connection go on), and stops at the first broken link.
 * The streams table names the streams to walk; then every stream name in the events table must be
 * one of them, or its events were written behind the store's back (or its streams row deleted).
 * Then walks the global log once in position order for its digest, checking the anchors given.
 * `statements` throws once the store is closed, which ends a walk in progress.
 */
export async function verifyChains(
  statements: () => Statements,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  let streams = 0;
  let events = 0;
  let reported = 0;
  const progress = () => {
    if (events - reported >= PROGRESS_EVERY) {
      reported = events;
      options.onProgress?.(events);
    }
  };

  /** Checks one stream's events, its positions and its streams row; returns its first broken link. */
  const walk = async (name: string, stream: StreamRow | undefined): Promise<BrokenLink | undefined> => {
    streams += 1;
    const checker = new StreamChainChecker();
    let last: EventRow | undefined;
    for (;;) {
      // Strictly after the last revision seen (from -Infinity): a forged negative or fractional
      // revision is read, and reported, rather than skipped.
      const after = last === undefined ? Number.NEGATIVE_INFINITY : last[3];
      const rows = statements().streamAfterRevision.all(name, after, PAGE_SIZE);
      for (const row of rows) {
        const event = readForCheck(row);
        const broken = 'reason' in event ? event : (checker.check(event) ?? checkPosition(row, last));
        if (broken !== undefined) return broken;
        events += 1;
        last = row;
      }
      if (rows.length < PAGE_SIZE) break;
      progress();
      await new Promise(setImmediate);
    }
    return checkHead(stream, name, last);
  };

  // No text sorts before '', so the first page needs its own query to include a stream named ''.
  let streamPage = statements().firstStreams.all(PAGE_SIZE);
  for (;;) {
    for (const stream of streamPage) {
      const broken = await walk(stream.name, stream);
      if (broken !== undefined) return { ok: false, streams, events, firstBroken: broken };
    }
    if (streamPage.length < PAGE_SIZE) break;
    progress();
    await new Promise(setImmediate);
    streamPage = statements().streamsAfter.all(streamPage[streamPage.length - 1]!.name, PAGE_SIZE);
  }

  let [logged, listed] = statements().firstLoggedStream.get()!;
  for (let seen = 1; logged !== null; seen += 1) {
    if (listed === 0) {
      const broken = await walk(logged, undefined);
      return { ok: false, streams, events, firstBroken: broken! };
    }
    [logged, listed] = statements().loggedStreamAfter.get(logged)!;
    if (seen % PAGE_SIZE === 0) await new Promise(setImmediate);
  }
  const digest = new LogDigest(options.anchors);
  for (let after = 0; ; ) {
    const rows = statements().allAfter.all(after, PAGE_SIZE);
    for (const row of rows) {
      const broken = digest.add({ ...at(row), hash: row[13] });
      if (broken !== undefined) return { ok: false, streams, events, firstBroken: broken };
    }
    if (rows.length < PAGE_SIZE) break;
    after = rows[rows.length - 1]![4];
    await new Promise(setImmediate);
  }
  const broken = digest.finish();
  if (broken !== undefined) return { ok: false, streams, events, firstBroken: broken };
  options.onProgress?.(events);
  return { ok: true, streams, events, head: digest.head };
}

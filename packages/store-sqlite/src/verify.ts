import {
  type BrokenLink,
  canonicalJson,
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
function checkHead(stream: StreamRow, last: EventRow | undefined): BrokenLink | undefined {
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
 * Walks every stream's chain in revision order, a page at a time (yielding to the event loop
 * between pages, so appends on the same connection go on), and stops at the first broken link.
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
  let afterName = '';
  for (;;) {
    const streamPage = statements().streamsAfter.all(afterName, PAGE_SIZE);
    for (const stream of streamPage) {
      streams += 1;
      const checker = new StreamChainChecker();
      let last: EventRow | undefined;
      for (;;) {
        const rows = statements().streamForwards.all(
          stream.name,
          last === undefined ? 0 : last[3] + 1,
          PAGE_SIZE,
        );
        for (const row of rows) {
          const event = readForCheck(row);
          const broken = 'reason' in event ? event : checker.check(event);
          if (broken !== undefined) return { ok: false, streams, events, firstBroken: broken };
          events += 1;
          last = row;
        }
        if (rows.length < PAGE_SIZE) break;
        progress();
        await new Promise(setImmediate);
      }
      const truncated = checkHead(stream, last);
      if (truncated !== undefined) return { ok: false, streams, events, firstBroken: truncated };
    }
    if (streamPage.length < PAGE_SIZE) break;
    afterName = streamPage[streamPage.length - 1]!.name;
    progress();
    await new Promise(setImmediate);
  }
  options.onProgress?.(events);
  return { ok: true, streams, events };
}

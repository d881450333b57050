import { hash } from 'node:crypto';
import type { BrokenLink, EventMetadataInput, JsonValue, LogAnchor, RecordedEvent } from './types.js';

/**
 * Canonical JSON: object keys sorted by code unit, no insignificant white space, numbers as
 * JSON.stringify writes them. Two equal JSON values always serialise to the same string, so a hash
 * over it does not depend on key order or on how a store re-encodes the document.
 *
 * Only JSON values are accepted: anything JSON.stringify would drop, turn into `null` or `{}`, or
 * write through `toJSON` (undefined in an array, functions, symbols, bigints, non-finite numbers,
 * Dates and other class instances) throws a TypeError, because the text read back would not be the
 * value that was hashed. An object member whose value is undefined is left out, as JSON does.
 */
export function canonicalJson(value: JsonValue): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Cannot serialise non-finite number ${value} as JSON`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`Cannot serialise ${kindOf(value)} as JSON`);
  }
  if (value === null) return 'null';
  // String concatenation rather than map/join: this runs for every event written and verified.
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) text += ',';
      text += canonicalJson(value[i]!);
    }
    return `${text}]`;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError(`Cannot serialise ${kindOf(value)} as JSON: only plain objects and arrays are JSON`);
  }
  const keys = Object.keys(value).sort();
  let text = '{';
  for (const key of keys) {
    const member = value[key];
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${text}}`;
}

function kindOf(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    return `an instance of ${value.constructor?.name ?? 'an unnamed class'}`;
  }
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}

/** Everything the hash covers: the event's identity, content, caller metadata, write time and the previous link. */
export interface HashedContent {
  readonly streamName: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata: EventMetadataInput;
  readonly recordedAt: string;
  readonly idempotencyKey: string | null;
  readonly prevHash: string | null;
}

/**
 * SHA-256 (hex) over the canonical serialisation of the event and the previous event's hash.
 * The global position is not covered: EventStoreDB assigns it after the hash is written.
 */
export function computeEventHash(content: HashedContent): string {
  return computeEventHashWithCanonicalData(content, canonicalJson(content.data));
}

/**
 * `computeEventHash` for a writer that already holds `canonicalJson(content.data)` (because it
 * stores that text): the same digest, without serialising the data a second time.
 */
export function computeEventHashWithCanonicalData(
  content: Omit<HashedContent, 'data'>,
  canonicalData: string,
): string {
  const { actor, correlationId, causationId, schemaVersion } = content.metadata;
  const str = JSON.stringify;
  // canonicalJson of the whole event, written out with its keys already in code-unit order: the
  // members are all strings, nulls or numbers, and this runs for every event written and verified.
  const canonical =
    `{"data":${canonicalData},"eventId":${str(content.eventId)},"idempotencyKey":${str(content.idempotencyKey)},` +
    `"metadata":{"actor":${str(actor)},"causationId":${str(causationId)},"correlationId":${str(correlationId)},` +
    `"schemaVersion":${canonicalJson(schemaVersion)}},"prevHash":${str(content.prevHash)},` +
    `"recordedAt":${str(content.recordedAt)},"revision":${canonicalJson(content.revision)},` +
    `"streamName":${str(content.streamName)},"type":${str(content.type)}}`;
  return hash('sha256', canonical, 'hex');
}

/**
 * Checks one stream's chain as its events arrive in revision order. Returns the first broken link
 * of the stream, or undefined while the chain holds.
 */
export class StreamChainChecker {
  private expectedRevision = 0;
  private previousHash: string | null = null;

  check(event: RecordedEvent): BrokenLink | undefined {
    const at = {
      streamName: event.streamName,
      revision: event.revision,
      position: event.position,
      eventId: event.eventId,
    };
    if (event.revision !== this.expectedRevision) {
      return {
        ...at,
        reason: 'revision-gap',
        detail: `expected revision ${this.expectedRevision}, found ${event.revision}`,
      };
    }
    if (event.metadata.prevHash !== this.previousHash) {
      return {
        ...at,
        reason: 'prev-hash-mismatch',
        detail: `prevHash ${String(event.metadata.prevHash)} does not link to the previous event's hash ${String(this.previousHash)}`,
      };
    }
    const recomputed = computeEventHash({
      streamName: event.streamName,
      revision: event.revision,
      eventId: event.eventId,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      recordedAt: event.metadata.recordedAt,
      idempotencyKey: event.metadata.idempotencyKey,
      prevHash: event.metadata.prevHash,
    });
    if (recomputed !== event.metadata.hash) {
      return {
        ...at,
        reason: 'hash-mismatch',
        detail: `stored hash ${event.metadata.hash} does not match the recomputed ${recomputed}`,
      };
    }
    this.expectedRevision += 1;
    this.previousHash = event.metadata.hash;
    return undefined;
  }
}

/** The log digest after `event`, given the digest before it (null at the start of the log). */
export function nextLogDigest(
  previous: string | null,
  event: Pick<RecordedEvent, 'position'> & { hash: string },
): string {
  return hash('sha256', `${previous ?? ''}\n${event.position}\n${event.hash}`, 'hex');
}

type LoggedEvent = Pick<RecordedEvent, 'streamName' | 'revision' | 'position' | 'eventId'> & { hash: string };

/**
 * Folds the log, in position order, into its digest, and checks each anchor when the walk reaches
 * its position. Feed every event (`add`), then call `finish`; each returns the first broken anchor.
 */
export class LogDigest {
  private digest: string | null = null;
  private last: LoggedEvent | null = null;
  private readonly pending: LogAnchor[];

  constructor(anchors: readonly LogAnchor[] = []) {
    this.pending = [...anchors].sort((a, b) => a.position - b.position);
  }

  /** The digest of everything added so far; null before the first event. */
  get head(): LogAnchor | null {
    return this.last === null ? null : { position: this.last.position, digest: this.digest! };
  }

  add(event: LoggedEvent): BrokenLink | undefined {
    const anchor = this.pending[0];
    if (anchor !== undefined && event.position > anchor.position) {
      return this.broken(
        anchor,
        event,
        `the log has no event at the anchored position ${anchor.position} any more`,
      );
    }
    this.digest = nextLogDigest(this.digest, event);
    this.last = event;
    if (anchor !== undefined && event.position === anchor.position) {
      this.pending.shift();
      if (anchor.digest !== this.digest) {
        return this.broken(
          anchor,
          event,
          `the log up to position ${anchor.position} digests to ${this.digest}, not to the anchored ${anchor.digest}: an event up to there was removed, added or rewritten`,
        );
      }
    }
    return undefined;
  }

  finish(): BrokenLink | undefined {
    const anchor = this.pending[0];
    if (anchor === undefined) return undefined;
    const end = this.last === null ? 'the log is empty' : `the log ends at position ${this.last.position}`;
    return this.broken(
      anchor,
      this.last,
      `${end}, before the anchored position ${anchor.position}: its tail was removed`,
    );
  }

  private broken(anchor: LogAnchor, at: LoggedEvent | null, detail: string): BrokenLink {
    return {
      streamName: at?.streamName ?? '',
      revision: at?.revision ?? -1,
      position: at?.position ?? anchor.position,
      eventId: at?.eventId ?? '',
      reason: 'anchor-mismatch',
      detail,
    };
  }
}

import type { z } from 'zod';
import { type Decision, refuse } from '../decider.js';
import { type CodedDomainError, domainError } from '../errors.js';
import { isBefore, isIsoInstant } from './time.js';

/** An aggregate's events: event type → zod schema of its `data` (current version). */
export type EventSchemaMap = Readonly<Record<string, z.ZodType>>;

/** The typed union `{ type, data }` of every event in a schema map. */
export type EventsOf<M extends EventSchemaMap> = {
  [K in keyof M & string]: { readonly type: K; readonly data: z.output<M[K]> };
}[keyof M & string];

/**
 * Validates every event a decision emits against its schema. Commands are plain objects from the
 * application layer; a malformed field (a negative quantity, a bad currency code, a date that is no
 * instant) surfaces here as `LDG_INVALID_COMMAND` naming the field, and nothing is emitted.
 */
export function validatedDecision<E extends { readonly type: string; readonly data: unknown }>(
  schemas: EventSchemaMap,
  decision: Decision<E>,
): Decision<E> {
  if (!decision.ok) return decision;
  for (const event of decision.events) {
    const schema = schemas[event.type];
    if (!schema) throw new Error(`No schema for event type ${event.type}`);
    const result = schema.safeParse(event.data);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue?.path.map(String).join('.') || undefined;
      return refuse(
        domainError(
          'LDG_INVALID_COMMAND',
          `Invalid ${field ?? 'command'}: ${issue?.message ?? 'invalid'}`,
          field,
          {
            issues: result.error.issues.map((i) => ({
              path: i.path.map(String).join('.'),
              message: i.message,
            })),
          },
        ),
      );
    }
  }
  return decision;
}

/** The business-time rule shared by every stream: no command may precede the previous event. */
export function occurredAtError(occurredAt: string, lastOccurredAt: string | null): CodedDomainError | null {
  if (!isIsoInstant(occurredAt)) {
    return domainError('LDG_INVALID_COMMAND', 'occurredAt must be an ISO-8601 UTC instant', 'occurredAt');
  }
  if (lastOccurredAt !== null && isBefore(occurredAt, lastOccurredAt)) {
    return domainError(
      'LDG_OCCURRED_AT_BEFORE_PREVIOUS',
      `occurredAt ${occurredAt} precedes the stream's previous event (${lastOccurredAt})`,
      'occurredAt',
      { lastOccurredAt },
    );
  }
  return null;
}

/** Structural equality of JSON-like values (objects compared by keys, not key order). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bKeys = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    aKeys.length === bKeys.length &&
    aKeys.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

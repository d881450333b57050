import type { CommandContext, WriteResult } from '@rma-ledger/application';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorName } from '../auth/roles.js';
import { etagFor, revisionFromIfMatch } from '../http/etag.js';

/**
 * Who asks and under which guarantees: the actor recorded on the events, the request id as their
 * correlation id, the idempotency key (scoped to the token, as the HTTP layer scopes it) and the
 * revision of `If-Match`.
 */
export function commandContext(request: FastifyRequest): CommandContext {
  const expectedRevision = revisionFromIfMatch(request.headers['if-match']);
  const actor = request.actor!;
  return {
    actor: actorName(actor),
    correlationId: request.id,
    ...(request.idempotencyKey === undefined
      ? {}
      : { idempotencyKey: `${actor.tokenId}:${request.idempotencyKey}` }),
    ...(expectedRevision === undefined ? {} : { expectedRevision }),
  };
}

/** `ETag` of the stream a command wrote, so the caller can chain `If-Match`. */
export function withEtag(reply: FastifyReply, result: Pick<WriteResult, 'revision'>): FastifyReply {
  if (result.revision !== null) reply.header('etag', etagFor(result.revision));
  return reply;
}

/** `?asOf=` as the facade wants it. */
export function asOf(query: { asOf?: string | undefined }): { asOf?: Date } {
  return query.asOf === undefined ? {} : { asOf: new Date(query.asOf) };
}

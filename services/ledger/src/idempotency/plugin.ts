import { createHash } from 'node:crypto';
import { canonicalJson, type JsonValue } from '@rma-ledger/event-store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from '../http/codes.js';
import type { IdempotencyStore } from './store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's `Idempotency-Key`, once claimed; passed on to the application layer. */
    idempotencyKey?: string;
    idempotencyClaim?: { readonly scope: string; readonly key: string; settled: boolean };
  }
}

const KEY = /^[\x21-\x7e]{1,255}$/;
/** Headers a replay must carry to be the same response. */
const REPLAYED_HEADERS = ['content-type', 'etag', 'location'] as const;
/** Outcomes that wrote nothing and that a retry may legitimately change: not remembered. */
const NOT_REMEMBERED = new Set([409, 429]);

/** The request as far as idempotency is concerned: method, path with query, and canonical body. */
export function requestFingerprint(request: FastifyRequest): string {
  const body = request.body === undefined ? null : canonicalJson(request.body as JsonValue);
  return createHash('sha256').update(`${request.method} ${request.url}\n${body}`, 'utf8').digest('hex');
}

/**
 * `Idempotency-Key` on POST and PUT: the first response is stored durably and replayed to every
 * retry with the same key and request; the same key with another request is refused (422).
 */
export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' && request.method !== 'PUT') return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    if (typeof header !== 'string' || !KEY.test(header)) {
      throw new HttpProblem(
        'LDG_HTTP_BAD_REQUEST',
        'Idempotency-Key must be 1 to 255 visible ASCII characters.',
      );
    }
    const scope = request.actor?.tokenId ?? 'anonymous';
    const claim = store.claim(scope, header, requestFingerprint(request));
    switch (claim.kind) {
      case 'mismatch':
        throw new HttpProblem(
          'LDG_HTTP_IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was first used with a different method, path or body.',
        );
      case 'in-progress':
        throw new HttpProblem('LDG_HTTP_IDEMPOTENCY_IN_PROGRESS');
      case 'replay':
        request.idempotencyKey = header;
        reply
          .code(claim.response.status)
          .headers(claim.response.headers)
          .header('idempotent-replayed', 'true');
        return reply.send(claim.response.body);
      case 'claimed':
        request.idempotencyKey = header;
        request.idempotencyClaim = { scope, key: header, settled: false };
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (claim === undefined || claim.settled) return payload;
    claim.settled = true;
    if (reply.statusCode >= 500 || NOT_REMEMBERED.has(reply.statusCode) || typeof payload !== 'string') {
      store.release(claim.scope, claim.key);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    store.store(claim.scope, claim.key, { status: reply.statusCode, headers, body: payload });
    return payload;
  });

  // A request that died without sending (client gone, crash in a hook) must not hold its key forever.
  app.addHook('onResponse', async (request) => {
    const claim = request.idempotencyClaim;
    if (claim !== undefined && !claim.settled) store.release(claim.scope, claim.key);
  });
}

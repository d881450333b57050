import type { EventStore } from '@rma-ledger/event-store';
import { z } from 'zod';
import { anyRole } from '../auth/roles.js';
import type { TypedApp } from '../http/typed.js';
import { recordedEventSchema, toEventView } from '../schemas/events.js';

const MAX_PAGE = 1000;

const verifySchema = z.object({
  ok: z.boolean(),
  streams: z.number().int(),
  events: z.number().int(),
  firstBroken: z
    .object({
      streamName: z.string(),
      revision: z.number().int(),
      position: z.number().int(),
      eventId: z.string(),
      reason: z.enum([
        'hash-mismatch',
        'prev-hash-mismatch',
        'revision-gap',
        'unreadable',
        'anchor-mismatch',
      ]),
      detail: z.string(),
    })
    .optional(),
  head: z
    .object({ position: z.number().int(), digest: z.string() })
    .nullable()
    .optional()
    .describe(
      'The digest of the whole log (null when empty). Record it outside the ledger and pass it back as `anchor` to prove later that nothing up to it was removed or rewritten.',
    ),
});

/** `<position>:<digest>`, as `head` prints them. */
const anchorSchema = z
  .string()
  .regex(/^\d+:[0-9a-f]{64}$/, 'an anchor is <position>:<64 hex digits>, as verify reports its head')
  .transform((value) => {
    const [position, digest] = value.split(':') as [string, string];
    return { position: Number(position), digest };
  });

export function registerAuditRoutes(app: TypedApp, store: EventStore): void {
  app.get(
    '/events',
    {
      config: { auth: anyRole },
      schema: {
        tags: ['audit'],
        summary: 'The global event log in order, page by page',
        querystring: z.strictObject({
          after: z.coerce
            .number()
            .int()
            .min(0)
            .optional()
            .describe('Exclusive: events strictly after this position'),
          limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
        }),
        response: {
          200: z.object({
            events: z.array(recordedEventSchema),
            next: z
              .number()
              .int()
              .nullable()
              .describe('Pass as `after` for the next page; null at the end of the log'),
          }),
        },
      },
    },
    async (request) => {
      const { after, limit } = request.query;
      const events = [];
      // One more than asked tells whether another page exists without a second query.
      for await (const event of store.readAll({
        ...(after === undefined ? {} : { after }),
        maxCount: limit + 1,
      })) {
        events.push(event);
      }
      const page = events.slice(0, limit);
      return {
        events: page.map(toEventView),
        next: events.length > limit ? (page.at(-1)?.position ?? null) : null,
      };
    },
  );

  app.get(
    '/audit/verify',
    {
      config: { auth: anyRole },
      schema: {
        tags: ['audit'],
        summary:
          "Recomputes every stream's hash chain and the log's digest, checks an anchor if given, and reports the first broken link",
        querystring: z.strictObject({
          anchor: anchorSchema
            .optional()
            .describe('A head recorded by an earlier verify: `<position>:<digest>`'),
        }),
        response: { 200: verifySchema },
      },
    },
    async (request) => store.verify(request.query.anchor ? { anchors: [request.query.anchor] } : {}),
  );
}

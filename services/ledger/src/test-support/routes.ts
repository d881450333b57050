import type { EventStore, RecordedEvent } from '@rma-ledger/event-store';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorName } from '../auth/roles.js';

/**
 * Routes that exercise the HTTP layer on its own: a write that appends one event per call, and a
 * route that fails unexpectedly.
 */
export function addProbeRoutes(app: FastifyInstance, store: EventStore): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post(
    '/probe/notes/:id',
    {
      config: { auth: ['cs'] },
      schema: {
        params: z.object({ id: z.string().min(1) }),
        body: z.strictObject({
          text: z.string().min(1),
          amount: z.strictObject({
            amount: z.number().int().nonnegative(),
            currency: z.string().regex(/^[A-Z]{3}$/),
          }),
        }),
      },
    },
    async (request, reply) => {
      const result = await store.append(`probe-${request.params.id}`, [
        {
          type: 'NoteWritten',
          data: request.body,
          metadata: {
            actor: actorName(request.actor!),
            correlationId: request.id,
            causationId: null,
            schemaVersion: 1,
          },
        },
      ]);
      return reply.code(201).send({ position: result.position, revision: result.nextExpectedRevision });
    },
  );
  app.get('/probe/boom', { config: { auth: 'public' } }, async () => {
    throw new Error('secret internals at /etc/ledger');
  });
}

export async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll()) events.push(event);
  return events;
}

export async function countEvents(store: EventStore): Promise<number> {
  return (await allEvents(store)).length;
}

import type { EventStore } from '@rma-ledger/event-store';
import { z } from 'zod';
import type { TaskStatus } from '../background/supervisor.js';
import type { TypedApp } from '../http/typed.js';

/** What `/ready` needs of the projections: how far each one trails the log. */
export interface ProjectionLagSource {
  lag(): Promise<
    readonly {
      readonly name: string;
      readonly status: string;
      readonly eventsBehind: number;
      readonly secondsBehind: number;
    }[]
  >;
}

/** What `/ready` needs of the background tasks: whether each one runs, and why not. */
export interface BackgroundStatusSource {
  status(): readonly TaskStatus[];
}

const healthSchema = z.object({ status: z.literal('ok') });

const readySchema = z.object({
  status: z.enum(['ready', 'not-ready']),
  store: z.object({ reachable: z.boolean(), error: z.string().optional() }),
  head: z.number().int().nullable().describe('Global position of the last event in the log'),
  maxLag: z.number().int().describe('Most events a projection may trail the log by'),
  projectionsError: z.string().optional().describe('Why the projections could not report their lag'),
  background: z
    .array(
      z.object({
        name: z.string(),
        state: z.enum(['running', 'restarting', 'stopped']),
        consecutiveFailures: z.number().int().describe('Failures since the task last caught up'),
        lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
        retryAt: z.string().nullable().describe('When the next restart is due'),
      }),
    )
    .describe(
      'Subscriptions restarted with backoff when they fail; any not running makes the service not ready',
    ),
  projections: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      eventsBehind: z.number().int(),
      secondsBehind: z.number(),
      withinBound: z.boolean(),
    }),
  ),
});

export function registerSystemRoutes(
  app: TypedApp,
  deps: {
    store: EventStore;
    projections: ProjectionLagSource | undefined;
    background: BackgroundStatusSource | undefined;
    maxLag: number;
  },
): void {
  app.get(
    '/health',
    {
      config: { auth: 'public', rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        security: [],
        response: { 200: healthSchema },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { auth: 'public', rateLimit: false },
      schema: {
        tags: ['health'],
        summary:
          'Readiness: the store answers, every background task runs and every projection is within the lag bound',
        security: [],
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (_request, reply) => {
      let head: number | null = null;
      let storeError: string | undefined;
      try {
        await deps.store.ping();
        head = await deps.store.headPosition();
      } catch (error) {
        storeError = error instanceof Error ? error.message : String(error);
      }
      let lags: Awaited<ReturnType<ProjectionLagSource['lag']>> = [];
      let projectionsError: string | undefined;
      try {
        lags = deps.projections === undefined ? [] : await deps.projections.lag();
      } catch (error) {
        projectionsError = error instanceof Error ? error.message : String(error);
      }
      const projections = lags.map((lag) => ({
        name: lag.name,
        status: lag.status,
        eventsBehind: lag.eventsBehind,
        secondsBehind: lag.secondsBehind,
        withinBound: lag.status !== 'failed' && lag.eventsBehind <= deps.maxLag,
      }));
      const background = [...(deps.background?.status() ?? [])];
      const ready =
        storeError === undefined &&
        projectionsError === undefined &&
        projections.every((p) => p.withinBound) &&
        background.every((task) => task.state === 'running');
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not-ready',
        store: storeError === undefined ? { reachable: true } : { reachable: false, error: storeError },
        head,
        maxLag: deps.maxLag,
        background,
        projections,
        ...(projectionsError === undefined ? {} : { projectionsError }),
      });
    },
  );
}

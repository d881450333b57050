import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Ledger } from '@rma-ledger/application';
import type { EventStore } from '@rma-ledger/event-store';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { bearerToken, registerAuth } from './auth/guard.js';
import type { TokenStore } from './auth/token-store.js';
import { type Config, configSchema } from './config.js';
import { HttpProblem } from './http/codes.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './http/problem.js';
import { requestId } from './http/request-id.js';
import { registerIdempotency } from './idempotency/plugin.js';
import type { IdempotencyStore } from './idempotency/store.js';
import { REDACTED_PATHS } from './logging.js';
import { DEFAULT_REPORT_SETTINGS, type ReportReader, type ReportSettings } from './reports.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerCaseListRoute } from './routes/case-list.js';
import { registerCaseRoutes } from './routes/cases.js';
import { registerCatalogueRoutes } from './routes/catalogue.js';
import { registerCustomerRoutes } from './routes/customers.js';
import { registerImportRoutes } from './routes/imports.js';
import { registerPendingRoutes } from './routes/not-yet-available.js';
import { registerReconciliationRoutes } from './routes/reconciliations.js';
import { registerReportRoutes } from './routes/reports.js';
import {
  type BackgroundStatusSource,
  type ProjectionLagSource,
  registerSystemRoutes,
} from './routes/system.js';
import { registerUnitRoutes } from './routes/units.js';

export type Limits = Pick<
  Config,
  'bodyLimitBytes' | 'importBodyLimitBytes' | 'rateLimitMax' | 'rateLimitWindowMs' | 'readyMaxLag'
>;

/** The configuration's defaults. */
export const defaultLimits: Limits = configSchema.parse({});

export interface AppDeps {
  readonly store: EventStore;
  /** The use cases; without it only health, audit and documentation routes are served. */
  readonly ledger?: Ledger;
  readonly tokens: TokenStore;
  readonly idempotency: IdempotencyStore;
  /** Projections whose lag `/ready` reports; absent until the service runs any. */
  readonly projections?: ProjectionLagSource;
  /** Background tasks whose state `/ready` reports (any not running makes it answer 503). */
  readonly background?: BackgroundStatusSource;
  /** The read model behind `/reports/*`; without it those paths answer 501. */
  readonly reports?: ReportReader;
  /** The configured parts of reports (SKU flag thresholds); default kpis.md's. */
  readonly reportSettings?: ReportSettings;
  readonly limits?: Partial<Limits>;
  /** Where and how much to log; default nothing, which is what tests want. Redaction always applies. */
  readonly log?: { readonly level: Config['logLevel']; readonly destination?: { write(line: string): void } };
}

/** Builds the HTTP application without listening: `inject` it in tests, `listen` it in `startServer`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const limits: Limits = { ...defaultLimits, ...deps.limits };
  const app = Fastify({
    logger:
      deps.log === undefined || deps.log.level === 'silent'
        ? false
        : {
            level: deps.log.level,
            redact: REDACTED_PATHS,
            ...(deps.log.destination && { stream: deps.log.destination }),
          },
    genReqId: requestId,
    bodyLimit: limits.bodyLimitBytes,
    // Stop accepting and answer 503 to new requests on keep-alive sockets while draining.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // A command without a body is a command with no fields: its schema then names what is missing.
  app.addHook('preValidation', async (request) => {
    if (request.body == null && request.headers['content-type'] === undefined) request.body = {};
  });

  app.setErrorHandler(async (error, request, reply) => {
    const body = toProblem(error);
    if (body.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.code, status: body.status }, 'request refused');
    if (body.status === 429) {
      const retry = reply.getHeader('retry-after');
      if (retry === undefined) reply.header('retry-after', Math.ceil(limits.rateLimitWindowMs / 1000));
    }
    return reply
      .code(body.status)
      .type(PROBLEM_CONTENT_TYPE)
      .send({ ...body, instance: request.url });
  });
  app.setNotFoundHandler(async (request) => {
    throw new HttpProblem(
      'LDG_HTTP_ROUTE_NOT_FOUND',
      `No route ${request.method} ${request.url.split('?')[0]}`,
    );
  });

  if (limits.rateLimitMax > 0) {
    await app.register(rateLimit, {
      max: limits.rateLimitMax,
      timeWindow: limits.rateLimitWindowMs,
      // Per live token (many clients may share a proxy's IP), else per IP: made-up tokens must
      // not buy a fresh allowance each.
      keyGenerator: (request) => {
        const token = bearerToken(request.headers.authorization);
        const record = token === null ? null : deps.tokens.authenticate(token);
        return record === null ? `ip:${request.ip}` : `token:${record.id}`;
      },
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'rma-ledger',
        version: '0.1.0',
        description:
          'Event-sourced ledger for e-commerce after-sales. Errors are `application/problem+json` with a stable `code`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    // Emits the schemas registered with `.meta({ id })` as components the paths refer to.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerAuth(app, deps.tokens);
  registerIdempotency(app, deps.idempotency);

  app.get('/openapi.json', { schema: { hide: true }, config: { auth: 'public' } }, async () => app.swagger());

  const typed = app.withTypeProvider<ZodTypeProvider>();
  registerSystemRoutes(typed, {
    store: deps.store,
    projections: deps.projections,
    background: deps.background,
    maxLag: limits.readyMaxLag,
  });
  registerAuditRoutes(typed, deps.store);
  if (deps.ledger !== undefined) {
    registerCatalogueRoutes(typed, deps.ledger);
    registerCaseRoutes(typed, deps.ledger);
    registerUnitRoutes(typed, deps.ledger);
    registerCustomerRoutes(typed, deps.ledger);
    registerImportRoutes(typed, deps.ledger, limits.importBodyLimitBytes);
  }
  if (deps.reports !== undefined) {
    registerReportRoutes(typed, deps.reports, deps.store, deps.reportSettings ?? DEFAULT_REPORT_SETTINGS);
    registerCaseListRoute(typed, deps.reports, deps.store);
  }
  const reconciliations = deps.ledger !== undefined && deps.reports !== undefined;
  if (deps.ledger !== undefined && deps.reports !== undefined) {
    registerReconciliationRoutes(typed, deps.ledger, deps.reports, deps.store);
  }
  registerPendingRoutes(typed, {
    reports: deps.reports !== undefined,
    reconciliations,
    imports: deps.ledger !== undefined,
  });
  return app;
}

import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ledgerFlagWriter, superviseAfterSalesFlags } from './background/after-sales-flags.js';
import { superviseCustodyReactor } from './background/custody-reactor.js';
import { CheckpointStore } from './checkpoints.js';
import { afterSalesFlagConfig, type Config } from './config.js';
import { openRuntime, READ_MODELS_DIR } from './runtime.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  /** `http://host:port` as actually bound (the real port when 0 was asked for). */
  readonly url: string;
  /** Stops accepting, waits for in-flight requests (at most `shutdownTimeoutMs`), closes the stores. */
  close(): Promise<void>;
}

/**
 * Opens the stores named by the configuration, starts the custody reactor (the safety net that
 * finishes any unit write a command could not complete inline) and the SKU after-sales flag
 * reactor from their checkpoints under the runtime's supervisor, and listens.
 */
export async function startServer(config: Config): Promise<RunningServer> {
  let app: FastifyInstance | undefined;
  const runtime = await openRuntime(config, {
    onReactionError: (error) => app?.log.warn({ err: error }, 'inline custody reaction failed'),
    onProjectionFailure: (projection, error) =>
      app?.log.error({ err: error, projection }, 'projection stopped'),
    background: {
      onFailure: ({ task, error, code, attempt, retryInMs }) =>
        app?.log.error({ err: error, task, code, attempt, retryInMs }, 'background task stopped; restarting'),
      onRecovered: (task, afterFailures) =>
        app?.log.info({ task, afterFailures }, 'background task recovered'),
    },
  });
  const checkpoints = new CheckpointStore(runtime.db);
  try {
    app = await buildApp({
      store: runtime.store,
      ledger: runtime.ledger,
      projections: runtime.projections,
      background: runtime.background,
      reports: runtime.projections,
      reportSettings: { afterSales: afterSalesFlagConfig(config) },
      tokens: runtime.tokens,
      idempotency: runtime.idempotency,
      limits: config,
      log: { level: config.logLevel },
    });
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app?.close();
    await runtime.close();
    throw error;
  }
  const server = app;
  superviseCustodyReactor(runtime.background, runtime.ledger, checkpoints, (error, trigger) =>
    server.log.warn({ code: error.code, position: trigger.position }, 'custody reaction refused'),
  );
  superviseAfterSalesFlags(runtime.background, {
    store: runtime.store,
    directory: join(config.data, READ_MODELS_DIR),
    config: afterSalesFlagConfig(config),
    write: ledgerFlagWriter(runtime.ledger, (error, change) =>
      server.log.warn({ code: error.code, sku: change.sku }, 'after-sales flag change refused'),
    ),
  });

  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          server.log.warn(
            { timeoutMs: config.shutdownTimeoutMs },
            'shutdown timed out; closing remaining connections',
          );
          server.server.closeAllConnections();
          resolve();
        }, config.shutdownTimeoutMs);
      });
      try {
        await Promise.race([server.close(), timeout]);
      } finally {
        clearTimeout(timer);
        // The reactor checkpoints after each event and the runner commits its batch: nothing is lost.
        await runtime.close();
      }
    })();
    return closing;
  };
  return { app: server, url: `http://${host}:${port}`, close };
}

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import type { EventStore } from '@rma-ledger/event-store';
import { describeEventStoreContract } from '@rma-ledger/event-store/contract-suite';
import type { StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll } from 'vitest';
import { openEventStoreDbEventStore } from './eventstoredb-store.js';
import { appendForgedCopy } from './testing/forged-copy.js';

// The contract against a real EventStoreDB, one fresh in-memory single node per store (the log is
// global, so stores cannot share a server). Without a Docker engine the whole suite is registered
// as skipped, with the reason in its title.
const IMAGE = process.env.EVENTSTORE_IMAGE ?? 'eventstore/eventstore:24.10';
const HTTP_PORT = 2113;

/** Where a Docker engine could answer; when there is none, testcontainers is not even loaded. */
function dockerEndpointCandidates(): string[] {
  const home = homedir();
  return [
    '/var/run/docker.sock',
    join(home, '.docker', 'run', 'docker.sock'),
    join(home, '.docker', 'desktop', 'docker.sock'),
    join(home, '.testcontainers.properties'),
    ...(process.env.XDG_RUNTIME_DIR ? [join(process.env.XDG_RUNTIME_DIR, 'docker.sock')] : []),
  ];
}

async function noDockerEngine(): Promise<string | undefined> {
  const configured = process.env.DOCKER_HOST ?? process.env.TESTCONTAINERS_HOST_OVERRIDE;
  if (configured === undefined && !dockerEndpointCandidates().some((candidate) => existsSync(candidate))) {
    return 'no Docker engine reachable (DOCKER_HOST is unset and there is no Docker socket)';
  }
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5_000).unref()),
    ]);
    return undefined;
  } catch (error) {
    return `no Docker engine reachable (${error instanceof Error ? error.message : String(error)})`;
  }
}

async function startServer(): Promise<StartedTestContainer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  return new GenericContainer(IMAGE)
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_START_STANDARD_PROJECTIONS: 'false',
      EVENTSTORE_MEM_DB: 'true',
    })
    .withExposedPorts(HTTP_PORT)
    .withWaitStrategy(Wait.forHttp('/health/live', HTTP_PORT).forStatusCode(204))
    .withStartupTimeout(120_000)
    .start();
}

const skipReason = await noDockerEngine();
if (skipReason !== undefined) console.warn(`EventStoreDB contract skipped: ${skipReason}`);

/** The next server, started while the previous test runs. */
let warm: Promise<StartedTestContainer> | undefined;
const connectionStrings = new WeakMap<EventStore, string>();

function takeServer(): Promise<StartedTestContainer> {
  const server = warm ?? startServer();
  warm = startServer();
  warm.catch(() => {});
  return server;
}

if (skipReason === undefined) {
  beforeAll(async () => {
    warm = startServer();
    await warm; // the first start may pull the image
  }, 600_000);
  afterAll(async () => {
    await (await warm?.catch(() => undefined))?.stop();
  });
}

describeEventStoreContract('EventStoreDB', {
  ...(skipReason === undefined ? {} : { skipReason }),
  async create() {
    const server = await takeServer();
    const connectionString = `esdb://${server.getHost()}:${server.getMappedPort(HTTP_PORT)}?tls=false`;
    const store = openEventStoreDbEventStore({ connectionString });
    // Closing the store also stops its server.
    const closesServer = new Proxy(store, {
      get(target, property) {
        if (property === 'close') {
          return async () => {
            await target.close();
            await server.stop();
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    connectionStrings.set(closesServer, connectionString);
    return closesServer;
  },
  async tamper(store, event) {
    const client = EventStoreDBClient.connectionString(connectionStrings.get(store)!);
    try {
      return await appendForgedCopy(client, event);
    } finally {
      await client.dispose();
    }
  },
});

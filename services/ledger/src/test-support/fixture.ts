import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ledger } from '@rma-ledger/application';
import type { EventStore } from '@rma-ledger/event-store';
import type { FastifyInstance } from 'fastify';
import { type AppDeps, buildApp } from '../app.js';
import type { Role } from '../auth/roles.js';
import type { TokenStore } from '../auth/token-store.js';
import { openRuntime, type Runtime } from '../runtime.js';

export interface Fixture {
  readonly dir: string;
  readonly app: FastifyInstance;
  readonly store: EventStore;
  readonly ledger: Ledger;
  readonly runtime: Runtime;
  readonly tokens: TokenStore;
  /** One bearer header per role, created in the fixture's data directory. */
  readonly auth: Record<Role, { authorization: string }>;
  /** Closes the app and its stores, keeping the data directory (for restart tests). */
  close(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'ledger-service-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

const roles: readonly Role[] = ['cs', 'warehouse', 'pm', 'finance', 'auditor', 'admin'];

/** The full app on a SQLite store in `dir`, with a token per role. */
export async function openFixture(
  dir: string = tempDataDir(),
  overrides: Partial<Omit<AppDeps, 'store' | 'tokens' | 'idempotency' | 'ledger'>> = {},
): Promise<Fixture> {
  const runtime = await openRuntime({ store: 'sqlite', data: dir });
  const app = await buildApp({
    store: runtime.store,
    ledger: runtime.ledger,
    projections: runtime.projections,
    background: runtime.background,
    reports: runtime.projections,
    tokens: runtime.tokens,
    idempotency: runtime.idempotency,
    ...overrides,
  });
  const auth = Object.fromEntries(
    roles.map((role) => [
      role,
      { authorization: `Bearer ${runtime.tokens.create(role, `test ${role}`).token}` },
    ]),
  ) as Record<Role, { authorization: string }>;
  return {
    dir,
    app,
    store: runtime.store,
    ledger: runtime.ledger,
    runtime,
    tokens: runtime.tokens,
    auth,
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
}

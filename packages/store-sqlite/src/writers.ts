import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { InvalidAppendError, StoreUnavailableError } from '@rma-ledger/event-store';
import type { Database } from 'better-sqlite3';
import { type AppendOutcome, type AppendRequest, createGroupAppend, type GroupAppendFn } from './append.js';
import type { ConnectionOptions } from './connection.js';
import { prepareStatements } from './statements.js';
import { type FromWriter, fromWire, outcomeFromWire, type ToWriter } from './wire.js';
import type { WriterThreadData } from './writer-thread.js';

/** Writes groups of appends, each group in one transaction; see `createGroupAppend`. */
export interface Writer {
  /** Each request's outcome; rejects when the group's commit failed, so none of it was written. */
  write(requests: readonly AppendRequest[]): Promise<AppendOutcome[]>;
  /** Why the writer can take no more writes, or null. */
  readonly failure: Error | null;
  /** Resolves once every write handed over has settled and the writer has stopped. */
  close(): Promise<void>;
}

/** Writes on the calling thread, through the store's own connection. */
export class InlineWriter implements Writer {
  readonly failure = null;
  private readonly group: GroupAppendFn;

  constructor(db: Database) {
    this.group = createGroupAppend(db, prepareStatements(db));
  }

  async write(requests: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    return this.group(requests);
  }

  async close(): Promise<void> {}
}

interface Pending {
  readonly resolve: (outcomes: AppendOutcome[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Writes on a worker thread with a connection of its own, so the event loop goes on serving while
 * a commit is hashed, written and fsynced. Started on the first write.
 */
export class ThreadWriter implements Writer {
  failure: Error | null = null;
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private exited: Promise<void> | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private idle: (() => void) | undefined;

  constructor(private readonly connection: ConnectionOptions) {}

  write(requests: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const port = this.start();
    const id = this.nextId++;
    try {
      port.postMessage({ type: 'write', id, requests } satisfies ToWriter);
    } catch (error) {
      // Data that cannot be cloned cannot be JSON either: find the appends it belongs to.
      if (requests.length === 1) {
        return Promise.reject(
          new InvalidAppendError(
            `An event for '${requests[0]!.streamName}' has data that is not JSON: ${String(error)}`,
          ),
        );
      }
      return Promise.all(
        requests.map((request) =>
          this.write([request]).then(
            ([outcome]) => outcome!,
            (failure) => ({ ok: false as const, error: failure }),
          ),
        ),
      );
    }
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  async close(): Promise<void> {
    if (this.worker === undefined) return;
    if (this.pending.size > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.port!.postMessage({ type: 'close' } satisfies ToWriter);
    await this.exited;
    this.port!.close();
    this.worker = undefined;
  }

  private start(): MessagePort {
    if (this.port !== undefined) return this.port;
    const { port1, port2 } = new MessageChannel();
    const workerData: WriterThreadData = { connection: this.connection, port: port2 };
    const worker = spawnWriterThread(workerData, [port2]);
    port1.on('message', (reply: FromWriter) => this.settle(reply));
    worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.once('exit', (code) => {
      if (this.pending.size > 0 || code !== 0)
        this.fail(new Error(`the writer thread exited with code ${code}`));
    });
    this.worker = worker;
    this.port = port1;
    return port1;
  }

  private settle(reply: FromWriter): void {
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.pending.delete(reply.id);
    if ('failure' in reply) waiting.reject(fromWire(reply.failure));
    else waiting.resolve(reply.outcomes.map(outcomeFromWire));
    if (this.pending.size === 0) this.idle?.();
  }

  private fail(cause: unknown): void {
    this.failure ??= new StoreUnavailableError(
      `The event store at ${this.connection.path} cannot write: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    for (const { reject } of this.pending.values()) reject(this.failure);
    this.pending.clear();
    this.idle?.();
  }
}

/**
 * Starts `writer-thread`: the built `.js` beside this file, or, when running from the TypeScript
 * sources (tests, benches), the `.ts` loaded through tsx as the parent was.
 */
function spawnWriterThread(workerData: WriterThreadData, transferList: readonly MessagePort[]): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './writer-thread.ts' : './writer-thread.js', import.meta.url);
  const options = { workerData, transferList: [...transferList] };
  if (!fromSource) return new Worker(entry, options);
  // tsx's ESM API by its package's export map: a plain `require.resolve` under tsx's own loader
  // picks the CommonJS build, which cannot register hooks in a worker.
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: { './esm/api': { import: { default: string } } };
  };
  const tsx = new URL(exports['./esm/api'].import.default, pathToFileURL(manifest)).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { ...options, eval: true, execArgv: ['--conditions=source'] });
}

/**
 * The writer thread's entry point: one connection that only writes. Every group of appends that
 * arrived while the previous commit was running is written in one transaction, so the busier the
 * store, the more appends share each fsync.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { createGroupAppend } from './append.js';
import { type ConnectionOptions, openDatabase } from './connection.js';
import { prepareStatements } from './statements.js';
import { type FromWriter, outcomeToWire, type ToWriter, toWire } from './wire.js';

export interface WriterThreadData {
  readonly connection: ConnectionOptions;
  readonly port: MessagePort;
}

const { connection, port } = workerData as WriterThreadData;
const db = openDatabase(connection);
const write = createGroupAppend(db, prepareStatements(db));

port.on('message', (first: ToWriter) => {
  const batches: Extract<ToWriter, { type: 'write' }>[] = [];
  let closing = false;
  for (let message: ToWriter | undefined = first; message !== undefined; ) {
    if (message.type === 'close') closing = true;
    else batches.push(message);
    message = receiveMessageOnPort(port)?.message as ToWriter | undefined;
  }
  if (batches.length > 0) commit(batches);
  if (closing) {
    db.close();
    port.close();
  }
});

function commit(batches: readonly Extract<ToWriter, { type: 'write' }>[]): void {
  let replies: FromWriter[];
  try {
    const outcomes = write(batches.flatMap((batch) => batch.requests));
    let next = 0;
    replies = batches.map((batch) => {
      const mine = outcomes.slice(next, next + batch.requests.length);
      next += batch.requests.length;
      return { id: batch.id, outcomes: mine.map(outcomeToWire) };
    });
  } catch (error) {
    const failure = toWire(error);
    replies = batches.map((batch) => ({ id: batch.id, failure }));
  }
  for (const reply of replies) port.postMessage(reply);
}

import { accept, assertNever, type Decider, type Decision, refuse } from '../decider.js';
import { domainError } from '../errors.js';
import { occurredAtError, validatedDecision } from '../shared/event-schema.js';
import {
  type ReconciliationEvent,
  type ReconciliationRowData,
  type ReconciliationRunRecordedData,
  reconciliationEventSchemas,
} from './events.js';

/** Rows per `ReconciliationRowsRecorded`: keeps every event well under a store's append size limit. */
export const RECONCILIATION_CHUNK_SIZE = 500;

export interface RecordReconciliationRun extends Omit<ReconciliationRunRecordedData, 'occurredAt'> {
  readonly type: 'RecordReconciliationRun';
  readonly occurredAt: string;
}

export interface RecordReconciliationRows {
  readonly type: 'RecordReconciliationRows';
  readonly runId: string;
  readonly chunkNo: number;
  readonly rows: readonly ReconciliationRowData[];
  readonly occurredAt: string;
}

export type ReconciliationCommand = RecordReconciliationRun | RecordReconciliationRows;

export interface ReconciliationState {
  readonly run: ReconciliationRunRecordedData | null;
  readonly chunksRecorded: number;
  readonly rowsRecorded: number;
  readonly lastOccurredAt: string | null;
}

/** Every row of the run is recorded (a run of no rows is complete as soon as it is recorded). */
export function isReconciliationComplete(state: ReconciliationState): boolean {
  return state.run !== null && state.rowsRecorded === state.run.rowCount;
}

/** How many chunks a run of `rowCount` rows is recorded in. */
export function reconciliationChunkCount(rowCount: number, chunkSize: number): number {
  return Math.ceil(rowCount / chunkSize);
}

function decideRun(
  command: RecordReconciliationRun,
  state: ReconciliationState,
): Decision<ReconciliationEvent> {
  if (state.run !== null) {
    return refuse(
      domainError(
        'LDG_RECONCILIATION_RUN_ALREADY_RECORDED',
        `Reconciliation run ${state.run.runId} is already recorded`,
        'runId',
        { resultSha256: state.run.resultSha256 },
      ),
    );
  }
  const { type: _type, ...data } = command;
  if (data.summary.rows !== data.rowCount) {
    return refuse(
      domainError(
        'LDG_INVALID_COMMAND',
        `rowCount ${data.rowCount} differs from the summary's ${data.summary.rows} rows`,
        'rowCount',
      ),
    );
  }
  return accept({ type: 'ReconciliationRunRecorded', data });
}

function decideRows(
  command: RecordReconciliationRows,
  state: ReconciliationState,
): Decision<ReconciliationEvent> {
  const { run } = state;
  if (run === null || run.runId !== command.runId) {
    return refuse(
      domainError('LDG_RECONCILIATION_RUN_NOT_FOUND', `No reconciliation run ${command.runId} here`, 'runId'),
    );
  }
  const expected = state.chunksRecorded + 1;
  if (command.chunkNo < expected) {
    return refuse(
      domainError(
        'LDG_RECONCILIATION_CHUNK_ALREADY_RECORDED',
        `Chunk ${command.chunkNo} of run ${run.runId} is already recorded`,
        'chunkNo',
        { nextChunkNo: expected },
      ),
    );
  }
  if (command.chunkNo > expected) {
    return refuse(
      domainError(
        'LDG_RECONCILIATION_CHUNK_OUT_OF_ORDER',
        `Chunk ${command.chunkNo} of run ${run.runId} comes before chunk ${expected}`,
        'chunkNo',
        { nextChunkNo: expected },
      ),
    );
  }
  const remaining = run.rowCount - state.rowsRecorded;
  const size = Math.min(run.chunkSize, remaining);
  if (command.rows.length !== size) {
    return refuse(
      domainError(
        'LDG_RECONCILIATION_CHUNK_SIZE',
        remaining === 0
          ? `Every row of run ${run.runId} is already recorded`
          : `Chunk ${command.chunkNo} of run ${run.runId} must hold ${size} rows, not ${command.rows.length}`,
        'rows',
        { expectedRows: size },
      ),
    );
  }
  const { runId, chunkNo, rows, occurredAt } = command;
  return accept({
    type: 'ReconciliationRowsRecorded',
    data: { runId, chunkNo, rows: [...rows], occurredAt },
  });
}

function decide(command: ReconciliationCommand, state: ReconciliationState): Decision<ReconciliationEvent> {
  const timeError = occurredAtError(command.occurredAt, state.lastOccurredAt);
  if (timeError) return refuse(timeError);
  switch (command.type) {
    case 'RecordReconciliationRun':
      return decideRun(command, state);
    case 'RecordReconciliationRows':
      return decideRows(command, state);
    default:
      return assertNever(command);
  }
}

function evolve(state: ReconciliationState, event: ReconciliationEvent): ReconciliationState {
  const lastOccurredAt = event.data.occurredAt;
  switch (event.type) {
    case 'ReconciliationRunRecorded':
      return { ...state, run: event.data, lastOccurredAt };
    case 'ReconciliationRowsRecorded':
      return {
        ...state,
        chunksRecorded: event.data.chunkNo,
        rowsRecorded: state.rowsRecorded + event.data.rows.length,
        lastOccurredAt,
      };
    default:
      return assertNever(event);
  }
}

/**
 * A recorded reconciliation run (`reconciliation-<runId>`): the run with its summary, then its rows
 * in numbered chunks. Facts only: the matching itself happened before, in the application.
 */
export const reconciliationDecider: Decider<ReconciliationCommand, ReconciliationEvent, ReconciliationState> =
  {
    initialState: { run: null, chunksRecorded: 0, rowsRecorded: 0, lastOccurredAt: null },
    evolve,
    decide: (command, state) => validatedDecision(reconciliationEventSchemas, decide(command, state)),
  };

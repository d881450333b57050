import { createHash } from 'node:crypto';
import {
  isReconciliationComplete,
  RECONCILIATION_CHUNK_SIZE,
  type ReconciliationRowData,
  type ReconciliationRunRecordedData,
  reconciliationChunkCount,
  reconciliationDecider,
  reconciliationRunId,
  reconciliationStream,
} from '@rma-ledger/domain';
import { canonicalJson, type JsonValue } from '@rma-ledger/event-store';
import {
  type LedgerRefund,
  type Provider,
  parseReport,
  type ReconciliationRow,
  type ReconciliationSummary,
  type ReportSource,
  reconcile,
  reportSha256,
} from '@rma-ledger/reconciliation';
import type { CommandContext } from './command-handler.js';
import { reconciliationCodec } from './domain-codecs.js';
import { DomainRejectedError, NotFoundError } from './errors.js';
import { loadStream } from './stream-reader.js';
import { type LedgerDeps, type Timed, utcInstant } from './use-case-support.js';

/** `reconcile`'s own default: how far apart paidAt and the provider's time may be for an order match. */
const DEFAULT_WINDOW_DAYS = 3;

type ParseOptionsOf<P extends Provider> = Omit<Extract<ReportSource, { readonly provider: P }>, 'provider'>;

/** The provider and its parse options; the generic CSV layout cannot do without its column mapping. */
export type ReconciliationSource = {
  [P in Provider]: Partial<ParseOptionsOf<P>> extends ParseOptionsOf<P>
    ? { readonly provider: P; readonly parseOptions?: ParseOptionsOf<P> }
    : { readonly provider: P; readonly parseOptions: ParseOptionsOf<P> };
}[Provider];

export type RecordReconciliationInput = ReconciliationSource &
  Timed & {
    /** The provider's report exactly as downloaded. */
    readonly bytes: Uint8Array;
    readonly fileName: string;
    /** Default 3. */
    readonly windowDays?: number;
    /** The refunds paid in the ledger over the period the report covers (e.g. `paidRefundsReport`). */
    readonly ledgerRefunds: readonly LedgerRefund[];
  };

export interface ReconciliationRecorded {
  readonly runId: string;
  readonly summary: ReconciliationSummary;
  /** The first run of the same file (provider and bytes) when the file was reconciled before. */
  readonly rerunOf: string | null;
  /**
   * True when nothing was written: the same file with the same options found exactly what an earlier
   * run found (that run is returned), or the idempotency key was seen (the first response is returned).
   */
  readonly deduplicated: boolean;
}

/** A recorded run as an auditor replays it: who, which file, the options, and every row. */
export interface ReconciliationRun extends Omit<ReconciliationRunRecordedData, 'summary'> {
  readonly summary: ReconciliationSummary;
  /** In the order they were found; feed them to `writeResultCsv` for the CSV. */
  readonly rows: readonly ReconciliationRow[];
  /** False only while (or when a crash left) some row chunks unwritten; a re-run of the file completes it. */
  readonly complete: boolean;
  readonly revision: number | null;
}

/**
 * Finance's reconciliation runs. A run is recorded on `reconciliation-<runId>` where the run id is
 * derived from the provider, the file's SHA-256 and a run number (`reconciliationRunId`): the first
 * run of a file is number 1, so a later run of the same file finds the earlier ones by name.
 */
export class ReconciliationUseCases {
  constructor(private readonly deps: LedgerDeps) {}

  /**
   * Reads the report, matches it with `ledgerRefunds` and records the run, then its rows in chunks.
   * Re-running a file that finds exactly what an earlier run of it found writes nothing and returns
   * that run; one that finds something else (the ledger changed, other options) is recorded as the
   * next run of the file, with `rerunOf` naming the first. A run whose rows were cut short by a crash
   * is completed by re-running the same file.
   */
  async record(input: RecordReconciliationInput, context: CommandContext): Promise<ReconciliationRecorded> {
    const fileSha256 = reportSha256(input.bytes);
    const parseOptions = jsonOf(input.parseOptions ?? {}) as Record<string, JsonValue>;
    const windowDays = input.windowDays ?? DEFAULT_WINDOW_DAYS;
    const ledgerRefunds = input.ledgerRefunds.map((refund) => ({
      ...refund,
      paidAt: utcInstant(refund.paidAt),
    }));
    const report = parseReport(input.bytes, { ...parseOptions, provider: input.provider } as ReportSource);
    const { rows, summary } = reconcile(ledgerRefunds, report.rows, { windowDays });
    const rowData = rows.map(toRowData);
    const found = {
      encoding: report.encoding,
      options: { parse: parseOptions, windowDays },
      summary: jsonOf(summary) as ReconciliationRunRecordedData['summary'],
      skipped: report.skipped.map(({ reason, count }) => ({ reason, count })),
      warnings: [...report.warnings],
    };
    const resultSha256 = sha256(canonicalJson(jsonOf({ ...found, rows: rowData })));

    for (;;) {
      const slot = await this.findSlot(input.provider, fileSha256, resultSha256);
      const runId = reconciliationRunId(input.provider, fileSha256, slot.runNo);
      const firstRunId = reconciliationRunId(input.provider, fileSha256, slot.firstRunNo ?? slot.runNo);
      // Without a key to answer first, the same result already recorded needs no command at all.
      let existing = context.idempotencyKey === undefined ? slot.sameResult : null;
      let outcome: { run: ReconciliationRunRecordedData; deduplicated: boolean } | null = null;
      if (existing === null) {
        try {
          outcome = await this.recordRun(runId, slot.firstRunNo === null ? null : firstRunId, {
            input,
            fileSha256,
            resultSha256,
            parseOptions,
            found,
            rowCount: rowData.length,
            context,
          });
        } catch (error) {
          if (
            !(
              error instanceof DomainRejectedError && error.code === 'LDG_RECONCILIATION_RUN_ALREADY_RECORDED'
            )
          ) {
            throw error;
          }
          // The slot was taken since the look-up: by the same result (this very run), or else look again.
          existing = await this.firstEvent(reconciliationStream(runId));
          if (existing?.resultSha256 !== resultSha256) continue;
        }
      }
      const run = outcome?.run ?? existing!;
      if (run.resultSha256 === resultSha256) await this.recordMissingRows(run, rowData, context);
      return {
        runId: run.runId,
        summary: run.summary,
        rerunOf: outcome === null ? firstRunId : run.rerunOf,
        deduplicated: outcome?.deduplicated ?? true,
      };
    }
  }

  private async recordRun(
    runId: string,
    rerunOf: string | null,
    run: {
      readonly input: RecordReconciliationInput;
      readonly fileSha256: string;
      readonly resultSha256: string;
      readonly parseOptions: Record<string, JsonValue>;
      readonly found: Pick<
        ReconciliationRunRecordedData,
        'encoding' | 'options' | 'summary' | 'skipped' | 'warnings'
      >;
      readonly rowCount: number;
      readonly context: CommandContext;
    },
  ): Promise<{ run: ReconciliationRunRecordedData; deduplicated: boolean }> {
    const { input, fileSha256, context } = run;
    const outcome = await this.deps.handler.handle(
      {
        decider: reconciliationDecider,
        codec: reconciliationCodec,
        streamName: reconciliationStream(runId),
        operation: 'reconciliation.record',
        target: 'reconciliations',
        // What the caller sent: a retry under the same key with the same file answers the first response.
        input: {
          provider: input.provider,
          fileName: input.fileName,
          fileSha256,
          parseOptions: run.parseOptions,
          windowDays: input.windowDays,
        },
        occurredAt: input.occurredAt,
        build: (_state, occurredAt) => ({
          type: 'RecordReconciliationRun' as const,
          runId,
          provider: input.provider,
          fileName: input.fileName,
          fileSha256,
          resultSha256: run.resultSha256,
          ranBy: context.actor,
          rerunOf,
          ...run.found,
          rowCount: run.rowCount,
          chunkSize: RECONCILIATION_CHUNK_SIZE,
          occurredAt,
        }),
      },
      context,
    );
    const first = outcome.events[0]?.event;
    if (first?.type !== 'ReconciliationRunRecorded')
      throw new Error(`No run recorded on ${outcome.streamName}`);
    return { run: first.data, deduplicated: outcome.deduplicated };
  }

  /** The run with every row, as recorded. */
  async get(runId: string): Promise<ReconciliationRun> {
    const loaded = await loadStream(
      this.deps.store,
      reconciliationDecider,
      reconciliationCodec,
      reconciliationStream(runId),
    );
    const run = loaded.state.run;
    if (run === null) throw new NotFoundError('reconciliation', runId);
    const rows: ReconciliationRow[] = [];
    for (const { event } of loaded.events) {
      if (event.type === 'ReconciliationRowsRecorded') {
        for (const row of event.data.rows) rows.push(fromRowData(row, run.provider));
      }
    }
    return { ...run, rows, complete: isReconciliationComplete(loaded.state), revision: loaded.revision };
  }

  /**
   * The run number to record under: the first run of this file that found exactly this result, else
   * the first unused number; and the number of the file's first run, if there is one.
   */
  private async findSlot(
    provider: Provider,
    fileSha256: string,
    resultSha256: string,
  ): Promise<{ runNo: number; firstRunNo: number | null; sameResult: ReconciliationRunRecordedData | null }> {
    let firstRunNo: number | null = null;
    for (let runNo = 1; ; runNo++) {
      const run = await this.firstEvent(
        reconciliationStream(reconciliationRunId(provider, fileSha256, runNo)),
      );
      if (run === null) return { runNo, firstRunNo, sameResult: null };
      // Run ids keep 128 bits of the hash; a run of another file under the same id is passed over.
      if (run.fileSha256 !== fileSha256) continue;
      firstRunNo ??= runNo;
      if (run.resultSha256 === resultSha256) return { runNo, firstRunNo, sameResult: run };
    }
  }

  private async firstEvent(streamName: string): Promise<ReconciliationRunRecordedData | null> {
    for await (const recorded of this.deps.store.readStream(streamName, { maxCount: 1 })) {
      const event = reconciliationCodec.decode(recorded);
      if (event.type === 'ReconciliationRunRecorded') return event.data;
    }
    return null;
  }

  /** Writes the chunks of rows the run does not have yet, in order (all of them for a new run). */
  private async recordMissingRows(
    run: ReconciliationRunRecordedData,
    rows: readonly ReconciliationRowData[],
    context: CommandContext,
  ): Promise<void> {
    const streamName = reconciliationStream(run.runId);
    const { state } = await loadStream(
      this.deps.store,
      reconciliationDecider,
      reconciliationCodec,
      streamName,
    );
    const chunks = reconciliationChunkCount(run.rowCount, run.chunkSize);
    const { idempotencyKey: _key, expectedRevision: _revision, ...chunkContext } = context;
    for (let chunkNo = state.chunksRecorded + 1; chunkNo <= chunks; chunkNo++) {
      const chunk = rows.slice((chunkNo - 1) * run.chunkSize, chunkNo * run.chunkSize);
      try {
        await this.deps.handler.handle(
          {
            decider: reconciliationDecider,
            codec: reconciliationCodec,
            streamName,
            operation: 'reconciliation.record-rows',
            input: { runId: run.runId, chunkNo },
            occurredAt: run.occurredAt,
            build: (_state, occurredAt) => ({
              type: 'RecordReconciliationRows' as const,
              runId: run.runId,
              chunkNo,
              rows: chunk,
              occurredAt,
            }),
          },
          chunkContext,
        );
      } catch (error) {
        // A concurrent re-run of the same file wrote this chunk first: the same rows, so carry on.
        if (
          !(
            error instanceof DomainRejectedError && error.code === 'LDG_RECONCILIATION_CHUNK_ALREADY_RECORDED'
          )
        ) {
          throw error;
        }
      }
    }
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A plain JSON copy: drops undefined members and readonly-ness, as the store would. */
function jsonOf(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

function toRowData(row: ReconciliationRow): ReconciliationRowData {
  const { ledger, provider } = row;
  const credit = ledger?.vendorCredit ?? null;
  return {
    category: row.category,
    matchedBy: row.matchedBy,
    ledger: ledger && {
      refundId: ledger.refundId,
      caseId: ledger.caseId,
      orderId: ledger.orderId,
      amount: ledger.amount,
      currency: ledger.currency,
      paidAt: ledger.paidAt,
      paymentRef: ledger.paymentRef,
      vendorCredit: credit && { unitId: credit.unitId, amount: credit.amount, currency: credit.currency },
    },
    provider: provider && {
      providerRefundId: provider.providerRefundId,
      originalPaymentId: provider.originalPaymentId,
      orderId: provider.orderId,
      merchantRefundId: provider.merchantRefundId,
      amount: provider.amount,
      currency: provider.currency,
      occurredAt: provider.occurredAt,
      status: provider.status,
      line: provider.line,
    },
    difference: row.difference,
    note: row.note,
  };
}

function fromRowData(row: ReconciliationRowData, provider: Provider): ReconciliationRow {
  return { ...row, provider: row.provider && { provider, ...row.provider } };
}

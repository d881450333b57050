import type { Ledger, RecordReconciliationInput } from '@rma-ledger/application';
import type { EventStore } from '@rma-ledger/event-store';
import { paidRefundsReport } from '@rma-ledger/projections';
import { csvColumnMappingSchema, PROVIDERS, writeResultCsv } from '@rma-ledger/reconciliation';
import { z } from 'zod';
import { HttpProblem } from '../http/codes.js';
import type { TypedApp } from '../http/typed.js';
import { caughtUp, READ_MODEL, type ReportReader } from '../reports.js';
import { idSchema, instantSchema, occurredAt, text } from '../schemas/common.js';
import { commandContext } from './command-support.js';

const tags = ['finance'];

const recordBody = z.strictObject({
  provider: z.enum(PROVIDERS),
  fileName: text(255),
  content: z
    .base64()
    .min(1)
    .describe('The report file exactly as downloaded from the provider, base64-encoded'),
  parseOptions: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'Provider options: `encoding`, and for `csv` the column mapping (see the reconciliation guide)',
    ),
  period: z
    .strictObject({ from: instantSchema, to: instantSchema })
    .describe('The period the report covers: the ledger refunds paid in it are matched against its rows'),
  windowDays: z
    .number()
    .int()
    .min(0)
    .max(60)
    .optional()
    .describe('How far apart paidAt and the provider time may be; default 3'),
  occurredAt,
});

export function registerReconciliationRoutes(
  app: TypedApp,
  ledger: Ledger,
  reader: ReportReader,
  store: EventStore,
): void {
  app.post(
    '/reconciliations',
    {
      config: { auth: ['finance'] },
      schema: {
        tags,
        summary: "Reconcile a payment provider's refund report with the refunds paid in the ledger",
        description:
          'Re-sending a file that finds what an earlier run of it found writes nothing and answers that run (`deduplicated`).',
        body: recordBody,
        response: {
          201: z.object({
            runId: z.string(),
            rerunOf: z.string().nullable(),
            deduplicated: z.boolean(),
            summary: z
              .record(z.string(), z.unknown())
              .describe('Counts per category and totals per currency'),
          }),
        },
      },
    },
    async (request, reply) => {
      const { content, period, ...rest } = request.body;
      if (rest.provider === 'csv') checkCsvMapping(rest.parseOptions);
      await caughtUp(reader, store);
      const ledgerRefunds = reader.read(READ_MODEL, (db) =>
        paidRefundsReport(db, {
          from: new Date(period.from).toISOString(),
          to: new Date(period.to).toISOString(),
        }),
      );
      const input = {
        ...rest,
        bytes: Buffer.from(content, 'base64'),
        ledgerRefunds,
      } as RecordReconciliationInput;
      const result = await ledger.reconciliations.record(input, commandContext(request));
      reply.code(201).header('location', `/reconciliations/${encodeURIComponent(result.runId)}`);
      return {
        runId: result.runId,
        rerunOf: result.rerunOf,
        deduplicated: result.deduplicated,
        summary: { ...result.summary },
      };
    },
  );

  app.get(
    '/reconciliations/:runId',
    {
      config: { auth: ['finance', 'auditor'] },
      schema: {
        tags,
        summary: 'A reconciliation run with every row and its category; CSV for `Accept: text/csv`',
        params: z.strictObject({ runId: idSchema }),
      },
    },
    async (request, reply) => {
      const run = await ledger.reconciliations.get(request.params.runId);
      const accept = request.headers.accept ?? '';
      if (/(^|,)\s*text\/csv/i.test(accept)) {
        return reply.type('text/csv; charset=utf-8').send(writeResultCsv(run.rows));
      }
      return reply.send(run);
    },
  );
}

/** The generic CSV layout needs its column mapping; refuse a missing or malformed one as a field error. */
function checkCsvMapping(parseOptions: Record<string, unknown> | undefined): void {
  const parsed = csvColumnMappingSchema.safeParse(parseOptions?.mapping);
  if (parsed.success) return;
  const errors = parsed.error.issues.map((issue) => ({
    path: ['body', 'parseOptions', 'mapping', ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }));
  throw new HttpProblem(
    'LDG_HTTP_VALIDATION_FAILED',
    `The csv provider needs a valid column mapping: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    { errors },
  );
}

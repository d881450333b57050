import type { Ledger } from '@rma-ledger/application';
import { ImportError, type ImportSummary, importCases, importSales } from '@rma-ledger/imports';
import { z } from 'zod';
import { actorName } from '../auth/roles.js';
import type { TypedApp } from '../http/typed.js';
import { idSchema, moneySchema, text } from '../schemas/common.js';

const tags = ['imports'];

const importBody = z.strictObject({
  fileName: text(255).optional().describe('The file’s name, for the record only'),
  content: z
    .base64()
    .min(1)
    .describe('The CSV or XLSX file exactly as exported, base64-encoded (the mapping says which it is)'),
  mapping: z
    .record(z.string(), z.unknown())
    .describe('The column mapping (see docs/import.md); checked field by field, every problem listed'),
  registerUnknownSkus: z
    .strictObject({
      vendorId: idSchema,
      pmId: idSchema,
      unitCost: moneySchema.optional(),
      category: text(100).optional(),
    })
    .optional()
    .describe(
      'Register SKUs the catalogue does not know under this vendor and PM instead of refusing their rows',
    ),
});

const importQuery = z.strictObject({
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('`true`: validate every row against the domain and write nothing'),
});

const rowErrorSchema = z.object({
  sheet: z.string().nullable(),
  row: z.number().int(),
  column: z.string().nullable(),
  field: z.string().nullable(),
  code: z.string(),
  message: z.string(),
});

const summarySchema = z
  .object({
    kind: z.enum(['cases', 'sales']),
    dryRun: z.boolean(),
    rows: z.number().int().describe('Data rows read'),
    imported: z.number().int().describe('written + unchanged (in a dry run, the rows that would be)'),
    written: z.number().int(),
    unchanged: z.number().int().describe('Rows an earlier run of the same file already imported'),
    skipped: z.record(z.string(), z.number().int()).describe('Rows left out on purpose, by reason'),
    failed: z.number().int(),
    errors: z.array(rowErrorSchema).describe('The refused rows (the first 1,000)'),
    registeredSkus: z.number().int(),
    commandsWritten: z.number().int(),
  })
  .meta({ id: 'ImportSummary' });

type Importer = typeof importCases;

/** A file-level refusal of the import (bad mapping, unreadable file…): nothing was written. */
class ImportRefused extends Error {
  readonly code: string;
  /** Picked up by the problem mapper as the problem's `errors`. */
  readonly fieldErrors: readonly { path: string; message: string; code: string }[];
  constructor(error: ImportError) {
    super(error.message);
    this.code = error.code;
    this.fieldErrors = error.issues.map((issue) => ({
      path: `body.mapping.${issue.path}`,
      message: issue.message,
      code: error.code,
    }));
  }
}

export function registerImportRoutes(app: TypedApp, ledger: Ledger, bodyLimit: number): void {
  const route = (kind: 'cases' | 'sales', importer: Importer, summary: string) =>
    app.post(
      `/imports/${kind}`,
      {
        config: { auth: ['admin'] },
        bodyLimit,
        schema: {
          tags,
          summary,
          description:
            'JSON body with the file base64-encoded and its column mapping. Rows go through the same use cases as the API; each row carries an idempotency key, so importing the same file again writes nothing. A refused row is listed in `errors` and does not stop the others; a bad mapping or an unreadable file is refused as a whole (422) before anything is written.',
          querystring: importQuery,
          body: importBody,
          response: { 200: summarySchema },
        },
      },
      async (request) => {
        const { content, mapping, registerUnknownSkus } = request.body;
        let result: ImportSummary;
        try {
          result = await importer(ledger, Buffer.from(content, 'base64'), mapping, {
            actor: actorName(request.actor!),
            correlationId: request.id,
            dryRun: request.query.dryRun,
            ...(registerUnknownSkus === undefined ? {} : { registerUnknownSkus }),
          });
        } catch (error) {
          throw error instanceof ImportError ? new ImportRefused(error) : error;
        }
        return { ...result, errors: [...result.errors] };
      },
    );
  route('cases', importCases, 'Import existing after-sales cases from a CSV or XLSX export');
  route('sales', importSales, 'Import sales lines from a CSV or XLSX export');
}

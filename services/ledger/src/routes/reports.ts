import type { EventStore } from '@rma-ledger/event-store';
import { anyRole } from '../auth/roles.js';
import type { TypedApp } from '../http/typed.js';
import { caughtUp, READ_MODEL, REPORTS, type ReportReader, type ReportSettings } from '../reports.js';

export function registerReportRoutes(
  app: TypedApp,
  reader: ReportReader,
  store: EventStore,
  settings: ReportSettings,
): void {
  for (const report of REPORTS) {
    app.get(
      `/reports/${report.name}`,
      {
        config: { auth: anyRole },
        schema: {
          tags: ['reports'],
          summary: report.summary,
          description:
            'JSON by default; CSV for `Accept: text/csv`. Computed from the read model once it has caught up with the log.',
          querystring: report.query,
        },
      },
      async (request, reply) => {
        await caughtUp(reader, store);
        if (prefersCsv(request.headers.accept)) {
          const csv = reader.read(READ_MODEL, (db) => report.csv(db, request.query, settings));
          return reply.type('text/csv; charset=utf-8').send(csv);
        }
        return reply.send(reader.read(READ_MODEL, (db) => report.json(db, request.query, settings)));
      },
    );
  }
}

function prefersCsv(accept: string | undefined): boolean {
  return (
    accept !== undefined && /(^|,)\s*text\/csv/i.test(accept) && !/(^|,)\s*application\/json/i.test(accept)
  );
}

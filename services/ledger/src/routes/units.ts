import type { Ledger, WriteResult } from '@rma-ledger/application';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { anyRole, type Role } from '../auth/roles.js';
import { etagFor } from '../http/etag.js';
import type { TypedApp } from '../http/typed.js';
import {
  dispatchBody,
  dunBody,
  emptyCommandBody,
  liquidateBody,
  restockBody,
  retestBody,
  vendorReturnBody,
  writeOffBody,
} from '../schemas/commands.js';
import { asOfQuery, idSchema } from '../schemas/common.js';
import { recordedEventSchema, toEventView } from '../schemas/events.js';
import { toUnitView, unitViewSchema, writeFields, writeView } from '../schemas/views.js';
import { asOf, commandContext, withEtag } from './command-support.js';

const unitParams = z.strictObject({ unitId: idSchema });
const tags = ['vendor-return cycle'];
const unitWrite = z.object({ unitId: z.string(), ...writeFields });

function answer(reply: FastifyReply, unitId: string, result: WriteResult) {
  withEtag(reply, result);
  return { unitId, ...writeView(result) };
}

export function registerUnitRoutes(app: TypedApp, ledger: Ledger): void {
  const { units } = ledger;

  app.post(
    '/rma-units/:unitId/dispatch',
    {
      config: { auth: ['warehouse'] },
      schema: {
        tags,
        summary: 'Send the unit to its vendor; answers when the vendor is due back',
        params: unitParams,
        body: dispatchBody,
        response: { 200: unitWrite.extend({ vendorDueAt: z.string() }) },
      },
    },
    async (request, reply) => {
      const result = await units.dispatch(request.params.unitId, request.body, commandContext(request));
      return { ...answer(reply, request.params.unitId, result), vendorDueAt: result.vendorDueAt };
    },
  );

  /** The unit commands whose answer is just what they wrote. */
  const simple = <B extends z.ZodType>(
    path: string,
    roles: readonly Role[],
    summary: string,
    body: B,
    run: (
      unitId: string,
      body: z.output<B>,
      context: ReturnType<typeof commandContext>,
    ) => Promise<WriteResult>,
  ) =>
    app.post(
      `/rma-units/:unitId/${path}`,
      {
        config: { auth: roles },
        schema: { tags, summary, params: unitParams, body, response: { 200: unitWrite } },
      },
      async (request, reply) => {
        const result = await run(request.params.unitId, request.body as z.output<B>, commandContext(request));
        return answer(reply, request.params.unitId, result);
      },
    );

  simple('dun', ['pm'], 'Remind the vendor of an overdue unit', dunBody, (id, body, ctx) =>
    units.dun(id, body, ctx),
  );
  simple('vendor-return', ['warehouse'], "Record the vendor's response", vendorReturnBody, (id, body, ctx) =>
    units.recordVendorResponse(id, body, ctx),
  );
  simple(
    'retest',
    ['warehouse'],
    'Record the retest of a unit the vendor returned',
    retestBody,
    (id, body, ctx) => units.recordRetest(id, body, ctx),
  );
  simple('restock', ['warehouse'], 'Put the unit back into sellable stock', restockBody, (id, body, ctx) =>
    units.restock(id, body, ctx),
  );
  simple(
    'return-to-customer',
    ['warehouse'],
    'Send the unit back to the customer',
    emptyCommandBody,
    (id, body, ctx) => units.returnToCustomer(id, body, ctx),
  );
  simple(
    'liquidate',
    ['pm'],
    'Sell the unit off, recording what was recovered',
    liquidateBody,
    (id, body, ctx) => units.liquidate(id, body, ctx),
  );
  simple('write-off', ['pm'], "Write the unit off, charged to the SKU's PM", writeOffBody, (id, body, ctx) =>
    units.writeOff(id, body, ctx),
  );

  app.get(
    '/rma-units/:unitId',
    {
      config: { auth: anyRole },
      schema: {
        tags,
        summary: 'The unit now, or as of an instant (`?asOf=`)',
        params: unitParams,
        querystring: asOfQuery,
        response: { 200: unitViewSchema },
      },
    },
    async (request, reply) => {
      const view = await units.get(request.params.unitId, asOf(request.query));
      reply.header('etag', etagFor(view.revision));
      return toUnitView(view);
    },
  );

  app.get(
    '/rma-units/:unitId/history',
    {
      config: { auth: anyRole },
      schema: {
        tags,
        summary: 'Every event of the unit in order, with its metadata',
        params: unitParams,
        querystring: asOfQuery,
        response: { 200: z.object({ unitId: z.string(), events: z.array(recordedEventSchema) }) },
      },
    },
    async (request) => {
      const events = await units.history(request.params.unitId, asOf(request.query));
      return { unitId: request.params.unitId, events: events.map(toEventView) };
    },
  );
}

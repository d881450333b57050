import type { Ledger } from '@rma-ledger/application';
import { z } from 'zod';
import type { TypedApp } from '../http/typed.js';
import { postSalesBody, putPolicyBody, putSkuBody, putVendorBody } from '../schemas/commands.js';
import { idSchema } from '../schemas/common.js';
import { writeFields, writeResponseSchema, writeView } from '../schemas/views.js';
import { commandContext, withEtag } from './command-support.js';

const tags = ['catalogue and policy'];
const upsertNote = 'An upsert: sending what is already recorded writes nothing (`events` is empty).';

export function registerCatalogueRoutes(app: TypedApp, ledger: Ledger): void {
  const { catalogue } = ledger;

  app.put(
    '/vendors/:vendorId',
    {
      config: { auth: ['admin'] },
      schema: {
        tags,
        summary: 'Register a vendor or change its name or agreement',
        description: upsertNote,
        params: z.strictObject({ vendorId: idSchema }),
        body: putVendorBody,
        response: { 200: z.object({ vendorId: z.string(), ...writeFields }) },
      },
    },
    async (request, reply) => {
      const result = await catalogue.putVendor(
        request.params.vendorId,
        request.body,
        commandContext(request),
      );
      withEtag(reply, result);
      return { vendorId: request.params.vendorId, ...writeView(result) };
    },
  );

  app.put(
    '/skus/:sku',
    {
      config: { auth: ['admin'] },
      schema: {
        tags,
        summary: 'Register a SKU or change its details',
        description: upsertNote,
        params: z.strictObject({ sku: idSchema }),
        body: putSkuBody,
        response: { 200: z.object({ sku: z.string(), ...writeFields }) },
      },
    },
    async (request, reply) => {
      const result = await catalogue.putSku(request.params.sku, request.body, commandContext(request));
      withEtag(reply, result);
      return { sku: request.params.sku, ...writeView(result) };
    },
  );

  app.post(
    '/sales',
    {
      config: { auth: ['admin'] },
      schema: {
        tags,
        summary: 'Record units sold: one line, or `{ lines: [...] }`',
        description: 'Every SKU is checked before anything is written (404 for an unknown one).',
        body: postSalesBody,
        response: { 201: z.object({ lines: z.array(writeResponseSchema) }) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const input =
        'lines' in body
          ? body
          : {
              lines: [{ sku: body.sku, quantity: body.quantity, soldAt: body.soldAt }],
              occurredAt: body.occurredAt,
            };
      const results = await catalogue.recordSales(input, commandContext(request));
      reply.code(201);
      return { lines: results.map(writeView) };
    },
  );

  app.put(
    '/policies/:channel',
    {
      config: { auth: ['admin'] },
      schema: {
        tags,
        summary: "Set a channel's customer policy",
        description: upsertNote,
        params: z.strictObject({ channel: idSchema }),
        body: putPolicyBody,
        response: { 200: z.object({ channel: z.string(), ...writeFields }) },
      },
    },
    async (request, reply) => {
      const result = await catalogue.putPolicy(request.params.channel, request.body, commandContext(request));
      withEtag(reply, result);
      return { channel: request.params.channel, ...writeView(result) };
    },
  );
}

import type { Ledger } from '@rma-ledger/application';
import { z } from 'zod';
import type { TypedApp } from '../http/typed.js';
import { idSchema, occurredAt, text } from '../schemas/common.js';
import { writeFields, writeView } from '../schemas/views.js';
import { commandContext } from './command-support.js';

export function registerCustomerRoutes(app: TypedApp, ledger: Ledger): void {
  app.post(
    '/customers/:customerId/erase',
    {
      config: { auth: ['admin'] },
      schema: {
        tags: ['personal data'],
        summary: "Erase the customer's personal data everywhere (crypto-shredding)",
        description:
          "Destroys the customer's key: every sealed copy in the log becomes unreadable, cases and reports keep working and the hash chains still verify. Erasing twice is not an error (`alreadyErased: true`).",
        params: z.strictObject({ customerId: idSchema }),
        body: z.strictObject({ reason: text(1000).optional(), occurredAt }),
        response: { 200: z.object({ customerId: z.string(), alreadyErased: z.boolean(), ...writeFields }) },
      },
    },
    async (request) => {
      const result = await ledger.customers.erase(
        request.params.customerId,
        request.body,
        commandContext(request),
      );
      return { customerId: result.customerId, alreadyErased: result.alreadyErased, ...writeView(result) };
    },
  );
}

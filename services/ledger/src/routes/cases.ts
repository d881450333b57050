import type { Ledger } from '@rma-ledger/application';
import { z } from 'zod';
import { anyRole } from '../auth/roles.js';
import { etagFor } from '../http/etag.js';
import type { TypedApp } from '../http/typed.js';
import {
  approveCaseBody,
  closeCaseBody,
  compensateBody,
  emptyCommandBody,
  inspectBody,
  openCaseBody,
  payRefundBody,
  receiveBody,
  rejectCaseBody,
  requestRefundBody,
  shipBody,
} from '../schemas/commands.js';
import { asOfQuery, idSchema } from '../schemas/common.js';
import { recordedEventSchema, toEventView } from '../schemas/events.js';
import { caseViewSchema, toCaseView, writeFields, writeResponseSchema, writeView } from '../schemas/views.js';
import { asOf, commandContext, withEtag } from './command-support.js';

const caseParams = z.strictObject({ caseId: idSchema });
const refundParams = z.strictObject({ caseId: idSchema, refundId: idSchema });
const tags = ['customer cycle'];
const ifMatchNote =
  'Send `If-Match: W/"<revision>"` to write only if the case is still at that revision (412 otherwise).';

const caseWrite = z.object({ caseId: z.string(), ...writeFields });
const custodyWrite = caseWrite.extend({
  unitId: z.string().describe('The RMA unit the command concerns'),
  unit: writeResponseSchema
    .nullable()
    .describe('What was written on the unit stream; null when the reactor will do it'),
});

export function registerCaseRoutes(app: TypedApp, ledger: Ledger): void {
  app.post(
    '/cases',
    {
      config: { auth: ['cs'] },
      schema: {
        tags,
        summary: 'Open a case; approved at once when the channel policy allows',
        body: openCaseBody,
        response: {
          201: caseWrite.extend({
            status: z.enum(['open', 'approved']),
            promisedBy: z.string().nullable().describe('Set when the case was approved on opening'),
          }),
        },
      },
    },
    async (request, reply) => {
      const result = await ledger.cases.open(request.body, commandContext(request));
      withEtag(reply, result)
        .header('location', `/cases/${encodeURIComponent(result.caseId)}`)
        .code(201);
      return {
        caseId: result.caseId,
        status: result.status,
        promisedBy: result.promisedBy,
        ...writeView(result),
      };
    },
  );

  app.post(
    '/cases/:caseId/approve',
    {
      config: { auth: ['cs'] },
      schema: {
        tags,
        summary: 'Approve a case',
        description: ifMatchNote,
        params: caseParams,
        body: approveCaseBody,
        response: { 200: caseWrite.extend({ promisedBy: z.string().nullable() }) },
      },
    },
    async (request, reply) => {
      const result = await ledger.cases.approve(request.params.caseId, request.body, commandContext(request));
      withEtag(reply, result);
      return { caseId: result.caseId, promisedBy: result.promisedBy, ...writeView(result) };
    },
  );

  app.post(
    '/cases/:caseId/reject',
    {
      config: { auth: ['cs'] },
      schema: {
        tags,
        summary: 'Reject a case',
        params: caseParams,
        body: rejectCaseBody,
        response: { 200: caseWrite },
      },
    },
    async (request, reply) => {
      const result = await ledger.cases.reject(request.params.caseId, request.body, commandContext(request));
      withEtag(reply, result);
      return { caseId: result.caseId, ...writeView(result) };
    },
  );

  app.post(
    '/cases/:caseId/receive',
    {
      config: { auth: ['warehouse'] },
      schema: {
        tags,
        summary: 'Receive the returned item: the unit enters RMA custody',
        params: caseParams,
        body: receiveBody,
        response: { 201: custodyWrite.extend({ receiptNo: z.number().int() }) },
      },
    },
    async (request, reply) => {
      const result = await ledger.cases.receive(request.params.caseId, request.body, commandContext(request));
      withEtag(reply, result)
        .header('location', `/rma-units/${encodeURIComponent(result.unitId)}`)
        .code(201);
      return {
        caseId: result.caseId,
        unitId: result.unitId,
        receiptNo: result.receiptNo,
        unit: result.unit && writeView(result.unit),
        ...writeView(result),
      };
    },
  );

  app.post(
    '/cases/:caseId/inspect',
    {
      config: { auth: ['warehouse'] },
      schema: {
        tags,
        summary: 'Grade a received unit (the unit is graded too)',
        params: caseParams,
        body: inspectBody,
        response: { 200: custodyWrite },
      },
    },
    async (request, reply) => {
      const result = await ledger.cases.inspect(request.params.caseId, request.body, commandContext(request));
      withEtag(reply, result);
      return {
        caseId: result.caseId,
        unitId: result.unitId,
        unit: result.unit && writeView(result.unit),
        ...writeView(result),
      };
    },
  );

  app.post(
    '/cases/:caseId/refunds',
    {
      config: { auth: ['cs'] },
      schema: {
        tags,
        summary: 'Request a refund; approved at once below the policy limit',
        params: caseParams,
        body: requestRefundBody,
        response: {
          201: caseWrite.extend({ refundId: z.string(), refundStatus: z.enum(['requested', 'approved']) }),
        },
      },
    },
    async (request, reply) => {
      const result = await ledger.cases.requestRefund(
        request.params.caseId,
        request.body,
        commandContext(request),
      );
      withEtag(reply, result).code(201);
      return {
        caseId: result.caseId,
        refundId: result.refundId,
        refundStatus: result.refundStatus,
        ...writeView(result),
      };
    },
  );

  const refundWrite = caseWrite.extend({ refundId: z.string() });
  app.post(
    '/cases/:caseId/refunds/:refundId/approve',
    {
      config: { auth: ['finance'] },
      schema: {
        tags,
        summary: 'Approve a refund',
        params: refundParams,
        body: emptyCommandBody,
        response: { 200: refundWrite },
      },
    },
    async (request, reply) => {
      const { caseId, refundId } = request.params;
      const result = await ledger.cases.approveRefund(
        caseId,
        refundId,
        request.body,
        commandContext(request),
      );
      withEtag(reply, result);
      return { caseId: result.caseId, refundId: result.refundId, ...writeView(result) };
    },
  );

  app.post(
    '/cases/:caseId/refunds/:refundId/reject',
    {
      config: { auth: ['finance'] },
      schema: {
        tags,
        summary: 'Reject a refund (not in the original contract; finance only)',
        params: refundParams,
        body: rejectCaseBody,
        response: { 200: refundWrite },
      },
    },
    async (request, reply) => {
      const { caseId, refundId } = request.params;
      const result = await ledger.cases.rejectRefund(caseId, refundId, request.body, commandContext(request));
      withEtag(reply, result);
      return { caseId: result.caseId, refundId: result.refundId, ...writeView(result) };
    },
  );

  app.post(
    '/cases/:caseId/refunds/:refundId/pay',
    {
      config: { auth: ['finance'] },
      schema: {
        tags,
        summary: 'Record a refund as paid',
        params: refundParams,
        body: payRefundBody,
        response: { 200: refundWrite },
      },
    },
    async (request, reply) => {
      const { caseId, refundId } = request.params;
      const result = await ledger.cases.payRefund(caseId, refundId, request.body, commandContext(request));
      withEtag(reply, result);
      return { caseId: result.caseId, refundId: result.refundId, ...writeView(result) };
    },
  );

  app.post(
    '/cases/:caseId/ship',
    {
      config: { auth: ['warehouse'] },
      schema: {
        tags,
        summary: 'Ship a replacement or the repaired unit',
        params: caseParams,
        body: shipBody,
        response: { 200: caseWrite },
      },
    },
    async (request, reply) => {
      const result = await ledger.cases.ship(request.params.caseId, request.body, commandContext(request));
      withEtag(reply, result);
      return { caseId: result.caseId, ...writeView(result) };
    },
  );

  app.post(
    '/cases/:caseId/compensate',
    {
      config: { auth: ['cs'] },
      schema: {
        tags,
        summary: 'Pay the customer a compensation',
        params: caseParams,
        body: compensateBody,
        response: { 200: caseWrite },
      },
    },
    async (request, reply) => {
      const result = await ledger.cases.compensate(
        request.params.caseId,
        request.body,
        commandContext(request),
      );
      withEtag(reply, result);
      return { caseId: result.caseId, ...writeView(result) };
    },
  );

  app.post(
    '/cases/:caseId/close',
    {
      config: { auth: ['cs'] },
      schema: {
        tags,
        summary: 'Close a case',
        params: caseParams,
        body: closeCaseBody,
        response: { 200: caseWrite },
      },
    },
    async (request, reply) => {
      const result = await ledger.cases.close(request.params.caseId, request.body, commandContext(request));
      withEtag(reply, result);
      return { caseId: result.caseId, ...writeView(result) };
    },
  );

  app.get(
    '/cases/:caseId',
    {
      config: { auth: anyRole },
      schema: {
        tags,
        summary: 'The case now, or as of an instant (`?asOf=`)',
        params: caseParams,
        querystring: asOfQuery,
        response: { 200: caseViewSchema },
      },
    },
    async (request, reply) => {
      const view = await ledger.cases.get(request.params.caseId, asOf(request.query));
      reply.header('etag', etagFor(view.revision));
      return toCaseView(view);
    },
  );

  app.get(
    '/cases/:caseId/history',
    {
      config: { auth: anyRole },
      schema: {
        tags,
        summary: 'Every event of the case in order, with its metadata (actor, times, correlation, hash)',
        params: caseParams,
        querystring: asOfQuery,
        response: { 200: z.object({ caseId: z.string(), events: z.array(recordedEventSchema) }) },
      },
    },
    async (request) => {
      const events = await ledger.cases.history(request.params.caseId, asOf(request.query));
      return { caseId: request.params.caseId, events: events.map(toEventView) };
    },
  );
}

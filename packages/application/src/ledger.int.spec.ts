import { caseDecider, caseStream, customerStream, receiptUnitId, rmaUnitStream } from '@rma-ledger/domain';
import type { EventStore, RecordedEvent } from '@rma-ledger/event-store';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OpenCaseInput } from './case-use-cases.js';
import { type Clock, type CommandContext, CommandHandler } from './command-handler.js';
import { caseCodec } from './domain-codecs.js';
import { Ledger } from './ledger.js';
import { PROCESS_MANAGER_ACTOR } from './process-manager.js';
import { SqliteKeyStore } from './sqlite-key-store.js';

const cny = (amount: number) => ({ amount, currency: 'CNY' });
const cs: CommandContext = { actor: 'token:cs-1', correlationId: 'req-1' };
const warehouse: CommandContext = { actor: 'token:wh-1', correlationId: 'req-2' };
const finance: CommandContext = { actor: 'token:fin-1', correlationId: 'req-3' };
const admin: CommandContext = { actor: 'token:admin', correlationId: 'req-0' };

const caseInput = (overrides: Partial<OpenCaseInput> = {}): OpenCaseInput => ({
  orderId: 'order-1',
  channel: 'web',
  sku: 'KETTLE-1',
  quantity: 1,
  unitPrice: cny(19_900),
  purchasedAt: '2026-03-01T12:00:00+08:00',
  reason: 'does not heat',
  resolution: 'repair',
  customer: { id: 'cust-1', name: 'Ann Lee', phone: '+86 138 0000 0000' },
  ...overrides,
});

async function eventsOf(store: EventStore, streamName: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(streamName)) events.push(event);
  return events;
}

describe('Ledger on the SQLite event store', () => {
  let store: EventStore;
  let keys: SqliteKeyStore;
  let now: Date;
  const clock: Clock = { now: () => now };
  let ids: number;
  let reactionErrors: unknown[];
  let ledger: Ledger;

  const newLedger = (eventStore: EventStore) =>
    new Ledger({
      store: eventStore,
      keys,
      clock,
      newId: () => `id-${++ids}`,
      onReactionError: (error) => reactionErrors.push(error),
    });

  /** Writes only the case's `ItemReceived`, as if the process died before its reaction. */
  const receiveWithoutReaction = (caseId: string) =>
    new CommandHandler(store, { clock }).handle(
      {
        decider: caseDecider,
        codec: caseCodec,
        streamName: caseStream(caseId),
        operation: 'case.receive',
        input: {},
        build: (state, occurredAt) => ({
          type: 'ReceiveItem' as const,
          caseId,
          unitId: receiptUnitId(caseId, state.units.length + 1),
          occurredAt,
        }),
      },
      warehouse,
    );

  beforeEach(async () => {
    store = openSqliteEventStore({ path: ':memory:' });
    keys = new SqliteKeyStore({ path: ':memory:' });
    now = new Date('2026-03-10T10:00:00.000Z');
    ids = 0;
    reactionErrors = [];
    ledger = newLedger(store);
    await ledger.catalogue.putVendor('acme', { name: 'Acme', agreement: { turnaroundDays: 10 } }, admin);
    await ledger.catalogue.putSku(
      'KETTLE-1',
      { name: 'Kettle', vendorId: 'acme', pmId: 'pm-li', unitCost: cny(8_000), category: 'kitchen' },
      admin,
    );
    await ledger.catalogue.putPolicy(
      'web',
      {
        returnWindowDays: 7,
        exchangeWindowDays: 15,
        warrantyDays: 365,
        promiseDays: { refund: 5, exchange: 10, repair: 20 },
        autoApproveLimit: cny(50_000),
        refundApprovalLimit: cny(10_000),
      },
      admin,
    );
  });
  afterEach(async () => {
    await store.close();
    await keys.close();
  });

  describe('opening a case', () => {
    it('approves by rule inside the policy and returns the generated id and the promise', async () => {
      const opened = await ledger.cases.open(caseInput(), cs);
      expect(opened).toMatchObject({
        caseId: 'id-1',
        status: 'approved',
        promisedBy: '2026-03-30T10:00:00.000Z',
        revision: 2,
        deduplicated: false,
      });
      const view = await ledger.cases.get('id-1');
      expect(view.state.opened).toMatchObject({
        vendorId: 'acme',
        pmId: 'pm-li',
        purchasedAt: '2026-03-01T04:00:00.000Z',
      });
      expect(view.customer).toEqual({
        id: 'cust-1',
        personalData: { status: 'available', data: { name: 'Ann Lee', phone: '+86 138 0000 0000' } },
      });
      expect(JSON.stringify(await eventsOf(store, caseStream('id-1')))).not.toContain('Ann');
    });

    it('writes once for a repeated idempotency key, returning the first case id although the clock moved', async () => {
      const keyed = { ...cs, idempotencyKey: 'open-1' };
      const first = await ledger.cases.open(caseInput(), keyed);
      now = new Date('2026-03-10T10:01:00.000Z');
      const again = await ledger.cases.open(caseInput(), { ...keyed, correlationId: 'req-retry' });

      expect(again).toMatchObject({ caseId: first.caseId, deduplicated: true, revision: first.revision });
      expect(await store.streamRevision(caseStream('id-2'))).toBeNull();
    });

    it('refuses the same idempotency key with a different body, writing nothing', async () => {
      const keyed = { ...cs, idempotencyKey: 'open-1' };
      await ledger.cases.open(caseInput(), keyed);
      const head = await store.headPosition();
      await expect(ledger.cases.open(caseInput({ quantity: 2 }), keyed)).rejects.toMatchObject({
        code: 'LDG_IDEMPOTENCY_KEY_REUSED',
      });
      expect(await store.headPosition()).toBe(head);
    });

    it('refuses an occurredAt more than 5 minutes ahead and writes nothing', async () => {
      const head = await store.headPosition();
      await expect(
        ledger.cases.open(caseInput({ occurredAt: '2026-03-10T10:06:00Z' }), cs),
      ).rejects.toMatchObject({
        code: 'LDG_OCCURRED_AT_IN_FUTURE',
        field: 'occurredAt',
      });
      expect(await store.headPosition()).toBe(head);
    });

    it('passes the domain refusal through with its code', async () => {
      await expect(ledger.cases.open(caseInput({ sku: 'NOPE' }), cs)).rejects.toMatchObject({
        code: 'LDG_SKU_NOT_FOUND',
        field: 'sku',
      });
    });
  });

  describe('approval and the state as of a moment', () => {
    it('fails an approval whose If-Match revision is stale and writes nothing', async () => {
      const { caseId } = await ledger.cases.open(caseInput({ unitPrice: cny(90_000) }), cs);
      // Someone else rejected the case after this caller read it at revision 0.
      await ledger.cases.reject(caseId, { reason: 'outside warranty' }, cs);
      await expect(ledger.cases.approve(caseId, {}, { ...cs, expectedRevision: 0 })).rejects.toMatchObject({
        code: 'LDG_PRECONDITION_FAILED',
      });
      expect(await store.streamRevision(caseStream(caseId))).toBe(1);
    });

    it('rebuilds the case as it was before a later approval', async () => {
      const { caseId } = await ledger.cases.open(caseInput({ unitPrice: cny(90_000) }), cs);
      now = new Date('2026-03-11T10:00:00.000Z');
      const approved = await ledger.cases.approve(caseId, {}, { ...cs, expectedRevision: 0 });
      expect(approved.promisedBy).toBe('2026-03-31T10:00:00.000Z');

      const before = await ledger.cases.get(caseId, { asOf: new Date('2026-03-10T12:00:00Z') });
      expect(before).toMatchObject({ revision: 0, state: { status: 'open' } });
      expect((await ledger.cases.get(caseId)).state.status).toBe('approved');
      const history = await ledger.cases.history(caseId);
      expect(history.map((e) => [e.type, e.metadata.actor])).toEqual([
        ['CaseOpened', 'token:cs-1'],
        ['CaseApproved', 'token:cs-1'],
        ['CustomerPromiseSet', 'token:cs-1'],
      ]);
      expect(history[1]?.metadata.prevHash).toBe(history[0]?.metadata.hash);
      const asOfOpening = await ledger.history(caseStream(caseId), {
        asOf: new Date('2026-03-10T12:00:00Z'),
      });
      expect(asOfOpening.map((e) => e.type)).toEqual(['CaseOpened']);
    });
  });

  describe('old event versions', () => {
    it('upcasts a CaseOpened v1 from an early import, so commands and reads work on it', async () => {
      const personalData = await ledger.vault.seal('cust-9', { name: 'Old Import' });
      await store.append(
        caseStream('legacy-1'),
        [
          {
            type: 'CaseOpened',
            data: {
              caseId: 'legacy-1',
              orderId: 'order-9',
              channel: 'web',
              sku: 'KETTLE-1',
              quantity: 1,
              unitPrice: '199.00',
              currency: 'CNY',
              purchasedAt: '2026-03-01',
              reason: 'broken',
              customer: { id: 'cust-9', personalData },
              vendorId: 'acme',
              pmId: 'pm-li',
              occurredAt: '2026-03-05T00:00:00.000Z',
            },
            metadata: { actor: 'import', correlationId: 'import-1', causationId: null, schemaVersion: 1 },
          },
        ],
        { expectedRevision: 'no_stream' },
      );
      const rejected = await ledger.cases.reject('legacy-1', { reason: 'late' }, cs);
      expect(rejected.revision).toBe(1);
      const view = await ledger.cases.get('legacy-1');
      expect(view.state.opened).toMatchObject({ unitPrice: cny(19_900), resolution: 'refund' });
      expect(view.customer?.personalData).toEqual({ status: 'available', data: { name: 'Old Import' } });
    });
  });

  describe('refunds', () => {
    it('lets exactly one of two racing payments of one refund succeed', async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      await ledger.cases.receive(caseId, {}, warehouse);
      const { refundId, refundStatus } = await ledger.cases.requestRefund(caseId, { amount: cny(5_000) }, cs);
      expect(refundStatus).toBe('approved');

      const results = await Promise.allSettled([
        ledger.cases.payRefund(caseId, refundId, { paymentRef: 'pay-1' }, finance),
        ledger.cases.payRefund(caseId, refundId, { paymentRef: 'pay-2' }, finance),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({
        reason: { code: 'LDG_REFUND_ALREADY_PAID' },
      });
      const paid = (await eventsOf(store, caseStream(caseId))).filter((e) => e.type === 'RefundPaid');
      expect(paid).toHaveLength(1);
    });

    it('makes a refund above the limit wait for finance', async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      await ledger.cases.receive(caseId, {}, warehouse);
      const refund = await ledger.cases.requestRefund(caseId, { refundId: 'r-1', amount: cny(15_000) }, cs);
      expect(refund).toMatchObject({ refundId: 'r-1', refundStatus: 'requested' });
      await expect(ledger.cases.payRefund(caseId, 'r-1', { paymentRef: 'p' }, finance)).rejects.toMatchObject(
        {
          code: 'LDG_REFUND_NOT_APPROVED',
        },
      );
      await ledger.cases.approveRefund(caseId, 'r-1', {}, finance);
      const paid = await ledger.cases.payRefund(caseId, 'r-1', { paymentRef: 'p' }, finance);
      expect(paid.events.map((e) => e.type)).toEqual(['RefundPaid']);
    });
  });

  describe('receipt: the unit enters RMA custody', () => {
    it('creates the unit inline, attributed to its SKU at the receipt, and links it both ways', async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      const received = await ledger.cases.receive(caseId, { location: 'bay-3' }, warehouse);

      expect(received).toMatchObject({ unitId: receiptUnitId(caseId, 1), receiptNo: 1 });
      expect(received.unit?.revision).toBe(0);
      const unit = await ledger.units.get(received.unitId);
      expect(unit.state).toMatchObject({
        custody: 'awaiting-inspection',
        caseId,
        sku: 'KETTLE-1',
        vendorId: 'acme',
        pmId: 'pm-li',
        unitCost: cny(8_000),
      });
      const [entered] = await ledger.units.history(received.unitId);
      const itemReceived = (await ledger.cases.history(caseId)).find((e) => e.type === 'ItemReceived');
      expect(entered?.metadata).toMatchObject({
        actor: PROCESS_MANAGER_ACTOR,
        causationId: itemReceived?.eventId,
        correlationId: 'req-2',
      });
    });

    it('grades the unit when the case records the inspection', async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      const { unitId } = await ledger.cases.receive(caseId, {}, warehouse);
      const inspected = await ledger.cases.inspect(caseId, { grade: 'repairable' }, warehouse);
      expect(inspected.unitId).toBe(unitId);
      expect((await ledger.units.get(unitId)).state).toMatchObject({
        grade: 'repairable',
        custody: 'awaiting-dispatch',
      });
    });

    it('creates one unit when a receipt is retried with its idempotency key', async () => {
      const { caseId } = await ledger.cases.open(caseInput({ quantity: 2 }), cs);
      const keyed = { ...warehouse, idempotencyKey: 'receive-1' };
      const first = await ledger.cases.receive(caseId, {}, keyed);
      const again = await ledger.cases.receive(caseId, {}, keyed);

      expect(again).toMatchObject({ unitId: first.unitId, deduplicated: true });
      expect(again.unit?.deduplicated).toBe(true);
      expect(await eventsOf(store, rmaUnitStream(first.unitId))).toHaveLength(1);
      expect((await ledger.cases.get(caseId)).state.units).toHaveLength(1);
    });

    it('finishes a receipt whose reaction never ran (crash window) when the reactor catches up', async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      // Only the case event is written, as if the process died right after it.
      const unitId = receiptUnitId(caseId, 1);
      const receipt = await receiveWithoutReaction(caseId);
      expect(await store.streamRevision(rmaUnitStream(unitId))).toBeNull();

      const checkpoints: number[] = [];
      const checkpoint = await ledger.processManager.catchUp({
        onCheckpoint: (p) => void checkpoints.push(p),
      });
      expect(checkpoint).toBeGreaterThanOrEqual(receipt.events[0]!.recorded.position);
      expect(checkpoints.at(-1)).toBe(checkpoint);
      expect((await ledger.units.get(unitId)).state.caseId).toBe(caseId);

      await ledger.processManager.catchUp();
      await ledger.processManager.catchUp({ after: checkpoints[0]! - 1 });
      expect(await eventsOf(store, rmaUnitStream(unitId))).toHaveLength(1);
    });

    it('writes the unit once when the inline reaction and the reactor race on the same receipt', async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      const receipt = await receiveWithoutReaction(caseId);
      const trigger = receipt.events[0]!.recorded;
      const reactor = newLedger(store).processManager;

      const outcomes = await Promise.all([ledger.processManager.react(trigger), reactor.react(trigger)]);
      expect(outcomes.map((o) => o?.deduplicated).sort()).toEqual([false, true]);
      expect(await eventsOf(store, rmaUnitStream(receiptUnitId(caseId, 1)))).toHaveLength(1);
    });

    it('answers the receipt even when the unit write fails inline, and the reactor completes it', async () => {
      const failingUnits = new Proxy(store, {
        get(target, property) {
          const member = Reflect.get(target, property);
          if (property !== 'append') return typeof member === 'function' ? member.bind(target) : member;
          return (streamName: string, ...rest: unknown[]) => {
            if (streamName.startsWith('rma-unit-')) return Promise.reject(new Error('disk full'));
            return (member as EventStore['append']).call(target, streamName, ...(rest as [never]));
          };
        },
      });
      const flaky = newLedger(failingUnits);
      const { caseId } = await flaky.cases.open(caseInput(), cs);
      const received = await flaky.cases.receive(caseId, {}, warehouse);

      expect(received.unit).toBeNull();
      expect(reactionErrors).toHaveLength(1);
      await ledger.processManager.catchUp();
      expect((await ledger.units.get(received.unitId)).revision).toBe(0);
    });

    it('skips, in the catch-up reactor, the reactions this process already made inline', async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      const { unitId } = await ledger.cases.receive(caseId, {}, warehouse);
      const reads = vi.spyOn(store, 'readStream');
      const lookups = vi.spyOn(store, 'lookupIdempotencyKey');

      await ledger.processManager.catchUp();
      expect(reads).not.toHaveBeenCalled();
      expect(lookups).not.toHaveBeenCalled();

      // A reactor elsewhere (another process) knows nothing of it and finds the reaction done.
      await newLedger(store).processManager.catchUp();
      expect(lookups).toHaveBeenCalled();
      expect(await eventsOf(store, rmaUnitStream(unitId))).toHaveLength(1);
    });

    it('keeps reacting live through the catch-up subscription', async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      const unitId = receiptUnitId(caseId, 1);
      const seen: number[] = [];
      const subscription = ledger.processManager.start({ onCheckpoint: (p) => void seen.push(p) });
      try {
        await receiveWithoutReaction(caseId);
        await expect.poll(() => store.streamRevision(rmaUnitStream(unitId)), { timeout: 10_000 }).toBe(0);
      } finally {
        await subscription.stop();
      }
    });
  });

  describe('the vendor-return cycle', () => {
    it('dispatches with the due date from the agreement and charges a write-off to the PM in force at it', async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      const { unitId } = await ledger.cases.receive(caseId, {}, warehouse);
      await ledger.cases.inspect(caseId, { grade: 'defective' }, warehouse);
      const dispatched = await ledger.units.dispatch(unitId, { vendorRef: 'ACME-77' }, warehouse);
      expect(dispatched.vendorDueAt).toBe('2026-03-20T10:00:00.000Z');

      await ledger.units.recordVendorResponse(unitId, { outcome: 'rejected' }, warehouse);
      await ledger.catalogue.putSku(
        'KETTLE-1',
        { name: 'Kettle', vendorId: 'acme', pmId: 'pm-wang', unitCost: cny(8_000), category: 'kitchen' },
        admin,
      );
      const written = await ledger.units.writeOff(
        unitId,
        { reason: 'vendor rejected' },
        { ...cs, actor: 'token:pm' },
      );
      expect(written.events[0]?.data).toMatchObject({ amount: cny(8_000), chargedToPmId: 'pm-wang' });
      expect((await ledger.units.get(unitId)).state).toMatchObject({ custody: 'disposed', pmId: 'pm-li' });
    });
  });

  describe('attribution as of the event, not today', () => {
    const kettle = { name: 'Kettle', vendorId: 'acme', unitCost: cny(8_000), category: 'kitchen' };
    const beforeChange = '2026-03-11T10:00:00Z';
    /** Two days after the setup, the SKU moves to another PM at a higher cost. */
    const reassignKettle = async () => {
      now = new Date('2026-03-12T10:00:00.000Z');
      await ledger.catalogue.putSku('KETTLE-1', { ...kettle, pmId: 'pm-wang', unitCost: cny(9_000) }, admin);
    };
    const rejectedByVendor = async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      const { unitId } = await ledger.cases.receive(caseId, {}, warehouse);
      await ledger.cases.inspect(caseId, { grade: 'defective' }, warehouse);
      return { caseId, unitId };
    };

    it('attributes a case opened with a backdated occurredAt to the PM of its SKU then', async () => {
      await reassignKettle();
      const { caseId } = await ledger.cases.open(caseInput({ occurredAt: beforeChange }), cs);
      expect((await ledger.cases.get(caseId)).state.opened).toMatchObject({
        vendorId: 'acme',
        pmId: 'pm-li',
      });
    });

    it('gives a unit the PM and cost of its SKU at the receipt, while its case keeps those at opening', async () => {
      const early = await ledger.cases.open(caseInput(), cs);
      const late = await ledger.cases.open(caseInput({ orderId: 'order-2' }), cs);
      await reassignKettle();
      const backdated = await ledger.cases.receive(early.caseId, { occurredAt: beforeChange }, warehouse);
      const current = await ledger.cases.receive(late.caseId, {}, warehouse);

      expect((await ledger.units.get(backdated.unitId)).state).toMatchObject({
        pmId: 'pm-li',
        unitCost: cny(8_000),
      });
      expect((await ledger.units.get(current.unitId)).state).toMatchObject({
        pmId: 'pm-wang',
        unitCost: cny(9_000),
      });
      expect((await ledger.cases.get(late.caseId)).state.opened?.pmId).toBe('pm-li');
    });

    it('charges a write-off backdated before a reassignment to the PM in force then', async () => {
      const { unitId } = await rejectedByVendor();
      await ledger.units.dispatch(unitId, {}, warehouse);
      await ledger.units.recordVendorResponse(unitId, { outcome: 'rejected' }, warehouse);
      await reassignKettle();
      const written = await ledger.units.writeOff(
        unitId,
        { reason: 'vendor rejected', occurredAt: beforeChange },
        cs,
      );
      expect(written.events[0]?.data).toMatchObject({ chargedToPmId: 'pm-li' });
    });

    it('applies the refund approval limit in force when a backdated refund was requested', async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      await ledger.cases.receive(caseId, {}, warehouse);
      now = new Date('2026-03-12T10:00:00.000Z');
      await ledger.catalogue.putPolicy(
        'web',
        {
          returnWindowDays: 7,
          exchangeWindowDays: 15,
          warrantyDays: 365,
          promiseDays: { refund: 5, exchange: 10, repair: 20 },
          autoApproveLimit: cny(50_000),
          refundApprovalLimit: cny(1_000),
        },
        admin,
      );
      const then = await ledger.cases.requestRefund(
        caseId,
        { amount: cny(5_000), occurredAt: beforeChange },
        cs,
      );
      expect(then.refundStatus).toBe('approved'); // under the 100.00 limit in force on the 11th
      const today = await ledger.cases.requestRefund(caseId, { amount: cny(5_000) }, cs);
      expect(today.refundStatus).toBe('requested'); // above today's 10.00 limit: finance decides
    });

    it('dates a dispatch backdated before an agreement change by the turnaround in force then', async () => {
      const { unitId } = await rejectedByVendor();
      now = new Date('2026-03-12T10:00:00.000Z');
      await ledger.catalogue.putVendor('acme', { name: 'Acme', agreement: { turnaroundDays: 5 } }, admin);
      const dispatched = await ledger.units.dispatch(unitId, { occurredAt: beforeChange }, warehouse);
      expect(dispatched.vendorDueAt).toBe('2026-03-21T10:00:00.000Z');
    });
  });

  describe('catalogue', () => {
    it('flags a repair promise shorter than a vendor turnaround when the policy is set', async () => {
      await ledger.catalogue.putVendor(
        'slowco',
        { name: 'SlowCo', agreement: { turnaroundDays: 30 } },
        admin,
      );
      const policy = await ledger.catalogue.putPolicy(
        'app',
        {
          returnWindowDays: 7,
          exchangeWindowDays: 15,
          warrantyDays: 365,
          promiseDays: { refund: 5, exchange: 10, repair: 20 },
          autoApproveLimit: cny(50_000),
          refundApprovalLimit: cny(10_000),
        },
        admin,
      );
      expect(policy.events[0]?.data).toMatchObject({
        promiseConflicts: [{ channel: 'app', vendorId: 'slowco', shortfallDays: 12 }],
      });
    });

    it('records sales lines and refuses a batch with an unknown SKU before writing any line', async () => {
      const head = await store.headPosition();
      await expect(
        ledger.catalogue.recordSales(
          {
            lines: [
              { sku: 'KETTLE-1', quantity: 3, soldAt: '2026-03-09' },
              { sku: 'NOPE', quantity: 1, soldAt: '2026-03-09' },
            ],
          },
          admin,
        ),
      ).rejects.toMatchObject({ code: 'LDG_SKU_NOT_FOUND' });
      expect(await store.headPosition()).toBe(head);

      const [line] = await ledger.catalogue.recordSales(
        { lines: [{ sku: 'KETTLE-1', quantity: 3, soldAt: '2026-03-09T23:30:00-02:00' }] },
        admin,
      );
      expect(line?.events[0]?.data).toMatchObject({ sku: 'KETTLE-1', quantity: 3, soldOn: '2026-03-10' });
    });
  });

  describe('erasing a customer', () => {
    it('shows the personal data as erased while the case still reads and the chain still verifies', async () => {
      const { caseId } = await ledger.cases.open(caseInput(), cs);
      const erased = await ledger.customers.erase('cust-1', { reason: 'GDPR request 42' }, admin);
      expect(erased).toMatchObject({ alreadyErased: false, streamName: customerStream('cust-1') });

      const view = await ledger.cases.get(caseId);
      expect(view.customer).toEqual({ id: 'cust-1', personalData: { status: 'erased' } });
      expect(view.state.status).toBe('approved');
      expect(await store.verify()).toMatchObject({ ok: true });

      expect(await ledger.customers.erase('cust-1', {}, admin)).toMatchObject({
        alreadyErased: true,
        events: [],
      });
      await expect(ledger.cases.open(caseInput({ orderId: 'order-2' }), cs)).rejects.toMatchObject({
        code: 'LDG_CUSTOMER_ERASED',
      });
    });
  });
});

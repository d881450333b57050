import { currentSchemaVersion, type DomainEvent } from '@rma-ledger/domain';
import type { EventToAppend, JsonValue } from '@rma-ledger/event-store';
import { expect } from 'vitest';
import { parseDomainEvent } from '../parse-domain-event.js';
import { ProjectionRunner } from '../projection-runner.js';
import { reportModelProjection } from '../reports/report-model.js';
import { dumpTables } from '../table-dump.js';
import { InMemoryEventStore } from './in-memory-event-store.js';

const DAY_MS = 86_400_000;
const EPOCH = Date.parse('2026-01-01T00:00:00.000Z');

/** Midnight UTC `n` days after 2026-01-01 (fractions allowed), plus `ms` milliseconds. */
export function day(n: number, ms = 0): string {
  return new Date(EPOCH + n * DAY_MS + ms).toISOString();
}

const money = (amount: number, currency: string) => ({ amount, currency });
const sealed = {
  alg: 'aes-256-gcm',
  keyId: 'customer',
  iv: 'AAAAAAAAAAAAAAAA',
  tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
  ciphertext: 'c2VhbGVk',
};

/**
 * Writes report fixtures as the domain records them: valid events of the domain's catalogue on the
 * domain's streams, read back through the domain's parser; fields the reports ignore get fillers.
 */
export class ReportScenario {
  readonly store = new InMemoryEventStore();
  /** Appends are grouped in chunks so a live run sees them arrive over several catch-ups. */
  readonly chunks: [string, EventToAppend[]][] = [];
  private readonly owners = new Map<string, { vendorId: string; pmId: string }>();

  private add(stream: string, type: string, data: Record<string, JsonValue>, occurredAt: string): this {
    this.chunks.push([
      stream,
      [
        {
          type,
          data: { ...data, occurredAt },
          metadata: {
            actor: 'test',
            correlationId: 'c',
            causationId: null,
            schemaVersion: currentSchemaVersion(type),
          },
        },
      ],
    ]);
    return this;
  }

  sku(sku: string, vendorId: string, pmId: string, unitCost: number, currency: string, at: string): this {
    this.owners.set(sku, { vendorId, pmId });
    const data = { sku, name: sku, vendorId, pmId, unitCost: money(unitCost, currency), category: 'test' };
    return this.add(`sku-${sku}`, 'SkuRegistered', data, at);
  }
  reassign(sku: string, vendorId: string, pmId: string, at: string): this {
    const previous = this.owners.get(sku)!;
    this.owners.set(sku, { vendorId, pmId });
    const data = { sku, vendorId, pmId, previousVendorId: previous.vendorId, previousPmId: previous.pmId };
    return this.add(`sku-${sku}`, 'SkuReassigned', data, at);
  }
  sales(sku: string, quantity: number, soldOn: string, at: string): this {
    return this.add(`sales-${sku}`, 'SalesRecorded', { sku, quantity, soldOn }, at);
  }
  openCase(caseId: string, sku: string, quantity: number, vendorId: string, pmId: string, at: string): this {
    return this.add(
      `case-${caseId}`,
      'CaseOpened',
      {
        caseId,
        orderId: `o-${caseId}`,
        channel: 'web',
        sku,
        quantity,
        unitPrice: money(1999, 'EUR'),
        purchasedAt: at,
        reason: 'faulty',
        resolution: 'repair',
        customer: { id: 'customer', personalData: sealed },
        vendorId,
        pmId,
      },
      at,
    );
  }
  promise(caseId: string, promisedBy: string, at: string): this {
    const promiseDays = (Date.parse(promisedBy) - Date.parse(at)) / DAY_MS;
    const data = { promisedBy, basis: 'policy', promiseDays, repairPlan: null };
    return this.add(`case-${caseId}`, 'CustomerPromiseSet', data, at);
  }
  receive(caseId: string, unitId: string, at: string): this {
    return this.add(`case-${caseId}`, 'ItemReceived', { unitId, receiptNo: 1, location: null }, at);
  }
  refundPaid(caseId: string, refundId: string, amount: number, currency: string, at: string): this {
    return this.add(
      `case-${caseId}`,
      'RefundPaid',
      { refundId, amount: money(amount, currency), paymentRef: refundId },
      at,
    );
  }
  enter(
    unitId: string,
    caseId: string,
    sku: string,
    vendorId: string,
    pmId: string,
    cost: number,
    currency: string,
    at: string,
  ): this {
    return this.add(
      `rma-unit-${unitId}`,
      'UnitEnteredCustody',
      { unitId, caseId, sku, vendorId, pmId, unitCost: money(cost, currency), location: null },
      at,
    );
  }
  grade(unitId: string, grade: string, at: string): this {
    return this.add(`rma-unit-${unitId}`, 'UnitGraded', { grade }, at);
  }
  dispatch(unitId: string, dispatchNo: number, vendorId: string, at: string, vendorDueAt: string): this {
    const turnaroundDays = Math.round((Date.parse(vendorDueAt) - Date.parse(at)) / DAY_MS);
    const data = { dispatchNo, vendorId, vendorRef: null, turnaroundDays, vendorDueAt };
    return this.add(`rma-unit-${unitId}`, 'UnitDispatchedToVendor', data, at);
  }
  dun(unitId: string, dispatchNo: number, dunningNo: number, at: string): this {
    return this.add(`rma-unit-${unitId}`, 'VendorDunned', { dispatchNo, dunningNo, note: 'chased' }, at);
  }
  repaired(unitId: string, dispatchNo: number, at: string): this {
    return this.add(`rma-unit-${unitId}`, 'VendorReturnedRepaired', { dispatchNo }, at);
  }
  replacement(unitId: string, dispatchNo: number, at: string): this {
    return this.add(`rma-unit-${unitId}`, 'VendorSentReplacement', { dispatchNo }, at);
  }
  credit(unitId: string, dispatchNo: number, amount: number, currency: string, at: string): this {
    return this.add(
      `rma-unit-${unitId}`,
      'VendorIssuedCredit',
      { dispatchNo, amount: money(amount, currency) },
      at,
    );
  }
  reject(unitId: string, dispatchNo: number, at: string): this {
    return this.add(`rma-unit-${unitId}`, 'VendorRejectedClaim', { dispatchNo }, at);
  }
  retest(unitId: string, dispatchNo: number, passed: boolean, at: string): this {
    return this.add(
      `rma-unit-${unitId}`,
      passed ? 'RetestPassed' : 'RetestFailed',
      { dispatchNo, notes: null },
      at,
    );
  }
  restock(unitId: string, at: string): this {
    return this.add(`rma-unit-${unitId}`, 'UnitRestocked', { location: null }, at);
  }
  returnToCustomer(unitId: string, at: string): this {
    return this.add(`rma-unit-${unitId}`, 'UnitReturnedToCustomer', {}, at);
  }
  liquidate(unitId: string, recovered: number, unitCost: number, currency: string, at: string): this {
    return this.add(
      `rma-unit-${unitId}`,
      'UnitLiquidated',
      {
        recovered: money(recovered, currency),
        unitCost: money(unitCost, currency),
        loss: money(Math.max(0, unitCost - recovered), currency),
      },
      at,
    );
  }
  writeOff(unitId: string, amount: number, currency: string, chargedToPmId: string, at: string): this {
    const data = { amount: money(amount, currency), reason: 'beyond repair', chargedToPmId };
    return this.add(`rma-unit-${unitId}`, 'UnitWrittenOff', data, at);
  }

  /**
   * Projects the scenario live (appending while the runner follows), then rebuilds it from the
   * first event and checks both read models are identical; returns the runner serving the rebuild.
   */
  async project(): Promise<ProjectionRunner<DomainEvent>> {
    const runner = ProjectionRunner.start<DomainEvent>({
      store: this.store,
      directory: null,
      projections: [reportModelProjection],
      parse: parseDomainEvent,
      batchSize: 5,
    });
    let last = 0;
    for (const [i, [stream, events]] of this.chunks.entries()) {
      last = (await this.store.append(stream, events)).position;
      if (i % 7 === 6) await runner.waitFor(last);
    }
    await runner.waitFor(last);
    const live = runner.read('reports', dumpTables);
    await runner.rebuild('reports');
    expect(runner.read('reports', dumpTables)).toEqual(live);
    return runner;
  }
}

import {
  type CaseEvent,
  caseDecider,
  caseStream,
  customerDecider,
  customerStream,
  DAY_MS,
  type Grade,
  goesToVendor,
  type Money,
  type Resolution,
  receiptUnitId,
  windowDays,
} from '@rma-ledger/domain';
import type { Business } from './business.js';
import { CS_AGENTS, FINANCE_APPROVERS, type SkuProfile } from './cast.js';
import { UnitFlow, type UnitOwner, type VendorResult } from './vendor-cycle.js';

const REASONS: Readonly<Record<Resolution, readonly string[]>> = {
  refund: ['Changed mind', 'Not as described', 'Arrived damaged', 'Wrong item delivered'],
  exchange: ['Wrong size or colour', 'Dead on arrival', 'Cosmetic defect'],
  repair: ['Stopped working', 'Battery does not hold charge', 'Intermittent fault', 'Unusual noise'],
};

const GRADES: Readonly<Record<Resolution, Readonly<Record<Grade, number>>>> = {
  refund: { resellable: 45, repairable: 18, defective: 20, 'customer-damaged': 10, scrap: 7 },
  exchange: { resellable: 25, repairable: 30, defective: 35, 'customer-damaged': 5, scrap: 5 },
  repair: { resellable: 6, repairable: 52, defective: 39, 'customer-damaged': 3, scrap: 0 },
};

/** Opens a case for a unit of the SKU sold some time ago, and plays it to the end. */
export async function openCase(b: Business, profile: SkuProfile): Promise<void> {
  const { random } = b;
  const channel = random.pickBy(b.cast.channels, (c) => c.share);
  const currency =
    channel.currencies.length > 1 && random.chance(0.35) ? channel.currencies[1]! : channel.currencies[0]!;
  const resolution = random.weighted({ refund: 50, exchange: 25, repair: 25 } as Record<Resolution, number>);
  const policy = b.policyTerms(channel.channel);
  const window = policy ? windowDays(policy, resolution) : 30;
  // Most customers ask within the window; a few come too late and need a person to decide.
  const ageDays = random.chance(0.06)
    ? window + random.between(1, 60)
    : random.between(resolution === 'repair' ? 15 : 0.5, Math.max(1, window - 0.2));
  const purchasedAt = b.now - ageDays * DAY_MS;
  const quantity = resolution !== 'repair' && random.chance(0.08) ? 2 : 1;
  const unitPrice: Money = { amount: profile.prices[currency] ?? 9_999, currency };
  const sku = b.skuDetails(profile.sku);
  const customer = await b.customers.next(b);
  const caseId = b.ids.next();
  const events = b.runCase({
    type: 'OpenCase',
    caseId,
    orderId: `ORD-${channel.channel.toUpperCase()}-${String(random.int(1, 9_999_999)).padStart(7, '0')}`,
    channel: channel.channel,
    sku: profile.sku,
    quantity,
    unitPrice,
    purchasedAt: b.iso(purchasedAt),
    reason: random.pick(REASONS[resolution]),
    resolution,
    customer,
    occurredAt: b.iso(),
    context: {
      ...b.approvalContext(channel.channel, sku?.vendorId ?? null),
      sku: sku && { vendorId: sku.vendorId, pmId: sku.pmId },
    },
  });
  b.cases++;
  const flow = new CaseFlow(
    b,
    caseId,
    customer.id,
    channel.channel,
    resolution,
    quantity,
    unitPrice,
    ageDays > window,
  );
  if (events.some((e) => e.type === 'CaseApproved')) flow.approved(events);
  else b.later(0.1, 2, () => flow.decide());
}

/** One case through the customer cycle, step by step on the business's agenda. */
class CaseFlow implements UnitOwner {
  private readonly stream: string;
  private readonly units: UnitFlow[] = [];
  promisedBy: number | null = null;
  private refundedBeforeReturn = false;
  private refundNo = 0;

  constructor(
    private readonly b: Business,
    private readonly caseId: string,
    private readonly customerId: string,
    private readonly channel: string,
    private readonly resolution: Resolution,
    private readonly quantity: number,
    private readonly unitPrice: Money,
    private readonly outsideWindow: boolean,
  ) {
    this.stream = caseStream(caseId);
  }

  private get line(): number {
    return this.unitPrice.amount * this.quantity;
  }

  /** A person decides a case the rule did not approve. */
  decide(): void {
    const { b } = this;
    if (b.random.chance(0.03)) {
      b.runCase({ type: 'CloseCase', caseId: this.caseId, occurredAt: b.iso() });
      return;
    }
    if (b.random.chance(this.outsideWindow ? 0.7 : 0.05)) {
      b.runCase({
        type: 'RejectCase',
        caseId: this.caseId,
        reason: this.outsideWindow ? 'Outside the policy window' : 'Damage not covered by the policy',
        occurredAt: b.iso(),
      });
      b.later(0.05, 1, () => this.close());
      return;
    }
    const opened = b.book.state(caseDecider, this.stream).opened;
    const terms = b.policyTerms(this.channel);
    const explicit =
      terms && b.random.chance(0.1)
        ? { promisedBy: b.iso(b.now + (terms.promiseDays[this.resolution] + 5) * DAY_MS) }
        : {};
    const events = b.runCase({
      type: 'ApproveCase',
      caseId: this.caseId,
      approverId: b.random.pick(CS_AGENTS),
      ...explicit,
      occurredAt: b.iso(),
      context: b.approvalContext(this.channel, opened?.vendorId ?? null),
    });
    this.approved(events);
  }

  approved(events: readonly CaseEvent[]): void {
    const { b } = this;
    const promise = events.find((e) => e.type === 'CustomerPromiseSet');
    if (promise?.type === 'CustomerPromiseSet') {
      this.promisedBy = Date.parse(promise.data.promisedBy);
      if (promise.data.repairPlan?.shorterThanVendorCycle)
        b.highlights.negativeHeadroomCaseId ??= this.caseId;
    }
    if (this.resolution === 'refund' && (b.random.chance(0.1) || b.firstTime('refund-before-return'))) {
      b.later(0.1, 1, () => this.requestRefund(this.line, true));
      return;
    }
    b.later(2, 8, () => this.receive());
  }

  private receive(): void {
    const { b } = this;
    for (let n = 1; n <= this.quantity; n++) {
      b.runCase({
        type: 'ReceiveItem',
        caseId: this.caseId,
        unitId: receiptUnitId(this.caseId, n),
        location: 'Returns dock',
        occurredAt: b.iso(),
      });
    }
    b.later(0.2, 3, () => this.inspect());
  }

  private inspect(): void {
    const { b } = this;
    const grades: Grade[] = [];
    for (let n = 1; n <= this.quantity; n++) {
      const unitId = receiptUnitId(this.caseId, n);
      const grade = b.random.weighted(GRADES[this.resolution]);
      b.runCase({ type: 'InspectItem', caseId: this.caseId, unitId, grade, occurredAt: b.iso() });
      const unit = new UnitFlow(b, unitId, this.resolution === 'repair' ? this : null);
      this.units.push(unit);
      unit.graded(grade);
      grades.push(grade);
    }
    switch (this.resolution) {
      case 'refund': {
        if (this.refundedBeforeReturn) {
          b.later(0.2, 2, () => this.close());
          return;
        }
        const damaged = grades.includes('customer-damaged');
        b.later(0.1, 2, () => this.requestRefund(damaged ? Math.round(this.line / 2) : this.line, false));
        return;
      }
      case 'exchange':
        b.later(0.5, 3, () => {
          this.ship('replacement');
          b.later(2, 5, () => this.close());
        });
        return;
      case 'repair':
        if (grades.some(goesToVendor)) return;
        if (grades.every((grade) => grade === 'resellable')) {
          b.later(0.5, 3, () => {
            for (const unit of this.units) unit.returnToCustomer();
            this.ship('repaired');
            b.later(2, 4, () => this.close());
          });
          return;
        }
        // Damaged by the customer: not covered, so the unit is liquidated and half the price refunded.
        b.later(0.1, 2, () => this.requestRefund(Math.round(this.line / 2), false));
        return;
    }
  }

  /** The repair's unit is done at the vendor: ship it back, or refund when the vendor made no good. */
  vendorDone(unit: UnitFlow, result: VendorResult): void {
    const { b } = this;
    if (result === 'repaired' || result === 'replaced') {
      b.later(0.2, 2, () => {
        unit.returnToCustomer();
        this.ship(result === 'repaired' ? 'repaired' : 'replacement');
        this.compensateIfLate();
        b.later(2, 5, () => this.close());
      });
      return;
    }
    b.later(0.5, 3, () => this.requestRefund(this.line, false));
  }

  private compensateIfLate(): void {
    const { b } = this;
    if (this.promisedBy === null || b.now <= this.promisedBy) return;
    const daysLate = Math.ceil((b.now - this.promisedBy) / DAY_MS);
    b.runCase({
      type: 'PayCompensation',
      caseId: this.caseId,
      amount: { ...this.unitPrice, amount: Math.max(1, Math.round(this.line * 0.1)) },
      reason: `Repair ${daysLate} day(s) past the promised date`,
      occurredAt: b.iso(),
    });
    b.highlights.laggingCaseId ??= this.caseId;
  }

  private ship(kind: 'replacement' | 'repaired'): void {
    const { b } = this;
    b.runCase({
      type: 'ShipToCustomer',
      caseId: this.caseId,
      kind,
      trackingNo: `SF${String(b.random.int(1, 999_999_999_999)).padStart(12, '0')}`,
      occurredAt: b.iso(),
    });
  }

  private requestRefund(amount: number, beforeReturn: boolean, finalAttempt = false): void {
    const { b } = this;
    const refundId = b.ids.next();
    this.refundNo++;
    const events = b.runCase({
      type: 'RequestRefund',
      caseId: this.caseId,
      refundId,
      amount: { ...this.unitPrice, amount },
      beforeReturn,
      ...(beforeReturn ? { evidence: 'Carrier scan shows the parcel handed back; photos attached' } : {}),
      occurredAt: b.iso(),
      context: { refundApprovalLimit: b.policyTerms(this.channel)?.refundApprovalLimit ?? null },
    });
    if (events.some((e) => e.type === 'RefundApproved')) {
      b.later(0.1, 1.5, () => this.payRefund(refundId, beforeReturn));
      return;
    }
    b.later(0.5, 3, () => {
      // The first refund before return is paid, the first other one finance decides is rejected.
      const rejected = beforeReturn
        ? !b.firstTime('refund-before-return-paid') && b.random.chance(0.12)
        : !finalAttempt && (b.random.chance(0.08) || b.firstTime('refund-rejected'));
      if (rejected) {
        b.runCase({
          type: 'RejectRefund',
          caseId: this.caseId,
          refundId,
          reason: beforeReturn
            ? 'Evidence insufficient: wait for the return'
            : 'Amount disputed: partial refund offered',
          occurredAt: b.iso(),
        });
        if (beforeReturn) b.later(1, 6, () => this.receive());
        else b.later(0.5, 2, () => this.requestRefund(Math.max(1, Math.round(amount * 0.8)), false, true));
        return;
      }
      b.runCase({
        type: 'ApproveRefund',
        caseId: this.caseId,
        refundId,
        approverId: b.random.pick(FINANCE_APPROVERS),
        occurredAt: b.iso(),
      });
      b.later(0.1, 1, () => this.payRefund(refundId, beforeReturn));
    });
  }

  private payRefund(refundId: string, beforeReturn: boolean): void {
    const { b } = this;
    b.runCase({
      type: 'PayRefund',
      caseId: this.caseId,
      refundId,
      paymentRef: `PAY-${refundId.slice(0, 8).toUpperCase()}-${this.refundNo}`,
      occurredAt: b.iso(),
    });
    if (beforeReturn) {
      this.refundedBeforeReturn = true;
      b.highlights.refundBeforeReturnCaseId ??= this.caseId;
      // Some parcels never arrive: the refund stays exposed and the case is closed after a while.
      if (b.random.chance(0.2)) b.later(30, 60, () => this.close());
      else b.later(1, 6, () => this.receive());
      return;
    }
    if (this.resolution === 'repair') this.compensateIfLate();
    b.later(0.2, 2, () => this.close(this.resolution === 'repair' ? 'refund' : undefined));
  }

  private close(resolution?: 'refund'): void {
    const { b } = this;
    b.runCase({
      type: 'CloseCase',
      caseId: this.caseId,
      ...(resolution ? { resolution } : {}),
      occurredAt: b.iso(),
    });
    if (b.personalData.erase && (b.random.chance(0.004) || b.firstTime('erasure')))
      b.later(1, 10, () => this.eraseCustomer());
  }

  /** The customer asks to be forgotten: the key goes, the fact of the erasure is recorded. */
  private async eraseCustomer(): Promise<void> {
    const { b } = this;
    const stream = customerStream(this.customerId);
    if (!b.personalData.erase || b.book.state(customerDecider, stream).erasedAt !== null) return;
    b.customers.remove(this.customerId);
    await b.personalData.erase(this.customerId);
    b.run(customerDecider, stream, {
      type: 'ErasePersonalData',
      customerId: this.customerId,
      reason: `Erasure request ER-${this.caseId.slice(0, 8)}`,
      occurredAt: b.iso(),
    });
  }
}

import {
  DAY_MS,
  type Grade,
  goesToVendor,
  type Money,
  rmaUnitDecider,
  rmaUnitStream,
  type VendorOutcome,
} from '@rma-ledger/domain';
import type { Business } from './business.js';
import type { VendorProfile } from './cast.js';

/** How the vendor cycle ended for a unit, as its case needs to know. */
export type VendorResult = 'repaired' | 'replaced' | 'credited' | 'rejected' | 'written-off';

/** A case that waits for its unit's vendor cycle (a repair). */
export interface UnitOwner {
  /** The customer promise, epoch ms (null when none was set). */
  readonly promisedBy: number | null;
  vendorDone(unit: UnitFlow, result: VendorResult): void;
}

const OUTCOMES: readonly VendorOutcome[] = ['repaired', 'replaced', 'credited', 'rejected'];
const MAX_DISPATCHES = 3;
const DUNNINGS_BEFORE_WRITE_OFF = 4;
/** How long after its customer's promise the business's first repair comes back. */
const LATE_REPAIR_DAYS = 3;

/**
 * One RMA unit through the vendor-return cycle: dispatch, dunning when late, the vendor's answer,
 * retest (a failure sends it back), and a disposition. A unit of a repair case goes back to its
 * customer; any other unit is restocked, liquidated or written off.
 */
export class UnitFlow {
  private vendorResult: VendorResult | null = null;

  constructor(
    private readonly b: Business,
    readonly unitId: string,
    private readonly owner: UnitOwner | null,
  ) {}

  private get state() {
    return this.b.book.state(rmaUnitDecider, rmaUnitStream(this.unitId));
  }

  private get unitCost(): Money {
    const cost = this.state.unitCost;
    if (!cost) throw new Error(`Unit ${this.unitId} has no unit cost`);
    return cost;
  }

  /** Called once the inspection graded the unit. */
  graded(grade: Grade): void {
    const { b } = this;
    if (goesToVendor(grade)) {
      // A customer waits for a repair's unit, so it goes out at once; other units wait for a batch.
      if (this.owner) b.later(0.5, 3, () => this.dispatch());
      else b.later(1, 10, () => this.dispatch());
      return;
    }
    // A repair case sends a unit without a fault straight back; any other unit is disposed of here.
    if (this.owner && grade === 'resellable') return;
    if (grade === 'resellable') b.later(1, 6, () => this.restock());
    else if (grade === 'customer-damaged') b.later(10, 40, () => this.liquidate());
    else b.later(5, 20, () => this.writeOff('Scrap: beyond economic repair'));
  }

  private dispatch(): void {
    const { b } = this;
    const vendorId = this.state.vendorId;
    if (!vendorId) throw new Error(`Unit ${this.unitId} has no vendor`);
    const turnaroundDays = b.vendorTurnaroundDays(vendorId);
    if (turnaroundDays === null) throw new Error(`Vendor ${vendorId} is not registered`);
    const dispatchNo = this.state.dispatchCount + 1;
    b.runUnit({
      type: 'DispatchToVendor',
      unitId: this.unitId,
      vendorRef: `${vendorId.toUpperCase()}-RMA-${this.unitId.slice(0, 8)}-${dispatchNo}`,
      occurredAt: b.iso(),
      context: { turnaroundDays },
    });
    const dueMs = b.now + turnaroundDays * DAY_MS;
    b.atVendor.set(this.unitId, dueMs);
    const vendor = b.vendorProfile(vendorId);
    if (b.random.chance(vendor.neverReturnRate) || this.firstSilence(vendorId)) {
      this.dunUntil(dueMs + 2 * DAY_MS, null, 1);
      return;
    }
    const responseMs = this.pastThePromise() ?? b.now + this.responseDays(vendor, turnaroundDays) * DAY_MS;
    if (responseMs > dueMs + 2 * DAY_MS) this.dunUntil(dueMs + 2 * DAY_MS, responseMs, 1);
    b.at(responseMs, () => this.vendorResponds(vendor.outcomes));
  }

  private responseDays(vendor: VendorProfile, turnaroundDays: number): number {
    const { random } = this.b;
    const onTime = random.chance(vendor.onTimeRate);
    return Math.max(0.5, turnaroundDays * (onTime ? random.between(0.35, 1) : random.between(1.05, 2.2)));
  }

  /**
   * The business's first repair comes back a few days after its customer's promise, so that even a
   * tiny run has a lagging case (and compensates its customer).
   */
  private pastThePromise(): number | null {
    const promisedBy = this.owner?.promisedBy ?? null;
    if (promisedBy === null || !this.b.firstTime('late-repair')) return null;
    return Math.max(promisedBy + LATE_REPAIR_DAYS * DAY_MS, this.b.now + DAY_MS);
  }

  /**
   * The troublesome vendor keeps its first unit for good (it ends written off) and, late in the
   * run, another one (still overdue when the run ends).
   */
  private firstSilence(vendorId: string): boolean {
    const { b } = this;
    if (vendorId !== b.troublesomeVendorId) return false;
    if (b.now > b.startMs + 0.6 * (b.endMs - b.startMs)) return b.firstTime('silent-vendor-late');
    return b.firstTime('silent-vendor');
  }

  /** The vendor's answer; the first four answers of the business are one of each kind. */
  private outcome(weights: Record<VendorOutcome, number>): VendorOutcome {
    const { b } = this;
    for (const kind of OUTCOMES) if (b.firstTime(`outcome-${kind}`)) return kind;
    return b.random.weighted(weights);
  }

  /**
   * Chases the vendor weekly from `fromMs` until it answers at `responseMs`; a vendor that never
   * answers (`responseMs` null) is written off after the last reminder.
   */
  private dunUntil(fromMs: number, responseMs: number | null, dunningNo: number): void {
    if (responseMs !== null && fromMs >= responseMs) return;
    const { b } = this;
    b.at(fromMs, () => {
      if (responseMs === null && dunningNo > DUNNINGS_BEFORE_WRITE_OFF) {
        this.writeOff('Vendor never returned the unit despite repeated dunning');
        return;
      }
      b.runUnit({
        type: 'DunVendor',
        unitId: this.unitId,
        note: `Reminder ${dunningNo}: unit overdue, please return or credit`,
        occurredAt: b.iso(),
      });
      this.dunUntil(fromMs + 7 * DAY_MS, responseMs, dunningNo + 1);
    });
  }

  private vendorResponds(weights: Record<VendorOutcome, number>): void {
    const { b } = this;
    const outcome = this.outcome(weights);
    const credit =
      outcome === 'credited'
        ? {
            creditAmount: {
              ...this.unitCost,
              amount: Math.round(this.unitCost.amount * b.random.between(0.5, 1)),
            },
          }
        : {};
    b.runUnit({
      type: 'RecordVendorResponse',
      unitId: this.unitId,
      outcome,
      ...credit,
      occurredAt: b.iso(),
    });
    b.atVendor.delete(this.unitId);
    if (outcome === 'repaired' || outcome === 'replaced') {
      b.later(1, 3, () => this.retest(outcome));
      return;
    }
    this.finishVendorCycle(outcome);
    // Most credited units still fetch something; half of the rejected ones do.
    if (b.random.chance(outcome === 'credited' ? 0.7 : 0.5)) {
      b.later(5, 30, () => this.liquidate());
    } else {
      const reason =
        outcome === 'credited' ? 'Credited by the vendor, unsaleable' : 'Vendor rejected the claim';
      b.later(5, 30, () => this.writeOff(reason));
    }
  }

  private retest(outcome: 'repaired' | 'replaced'): void {
    const { b } = this;
    const vendorId = this.state.vendorId as string;
    const passed = !(
      b.random.chance(b.vendorProfile(vendorId).retestFailRate) || b.firstTime('retest-failed')
    );
    b.runUnit({
      type: 'RecordRetest',
      unitId: this.unitId,
      passed,
      notes: passed ? 'Functional test passed' : 'Fault reproduced after vendor return',
      occurredAt: b.iso(),
    });
    if (!passed) {
      b.highlights.retestFailedUnitId ??= this.unitId;
      if (this.state.dispatchCount < MAX_DISPATCHES) b.later(1, 4, () => this.dispatch());
      else b.later(3, 10, () => this.writeOff('Failed retest after three vendor repairs'));
      return;
    }
    this.finishVendorCycle(outcome);
    if (!this.owner) b.later(1, 5, () => this.restock());
  }

  private finishVendorCycle(result: VendorResult): void {
    if (this.vendorResult !== null) return;
    this.vendorResult = result;
    this.owner?.vendorDone(this, result);
  }

  returnToCustomer(): void {
    this.b.runUnit({ type: 'ReturnToCustomer', unitId: this.unitId, occurredAt: this.b.iso() });
  }

  private restock(): void {
    const location = `WH-A-${this.b.random.int(1, 40)}`;
    this.b.runUnit({ type: 'Restock', unitId: this.unitId, location, occurredAt: this.b.iso() });
  }

  private liquidate(): void {
    const { b } = this;
    const recovered = {
      ...this.unitCost,
      amount: Math.round(this.unitCost.amount * b.random.between(0.1, 0.35)),
    };
    b.runUnit({ type: 'Liquidate', unitId: this.unitId, recovered, occurredAt: b.iso() });
    b.highlights.liquidatedUnitId ??= this.unitId;
  }

  /** Charged to the SKU's PM in force now, as `UnitUseCases.writeOff` does. */
  private writeOff(reason: string): void {
    const { b } = this;
    const sku = this.state.sku;
    const pmId = (sku === null ? null : b.skuDetails(sku)?.pmId) ?? this.state.pmId ?? '';
    b.atVendor.delete(this.unitId);
    b.runUnit({ type: 'WriteOff', unitId: this.unitId, reason, occurredAt: b.iso(), context: { pmId } });
    if (reason.startsWith('Vendor never')) b.highlights.writtenOffUnitId ??= this.unitId;
    this.finishVendorCycle('written-off');
  }
}

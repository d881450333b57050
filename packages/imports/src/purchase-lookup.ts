import type { PurchaseLookup } from './mapping.js';
import type { Cell } from './readers/table.js';
import { type FieldReader, type RowReader, textOf } from './rows.js';

interface Purchase {
  readonly orderId: string;
  readonly purchasedAt: number;
  remaining: number;
}

const DAY_MS = 86_400_000;
const PRUNE_EVERY = 10_000;

/**
 * Finds the sale a credit row reverses, among the earlier rows of the same file: the latest
 * candidate row agreeing on the `match` columns (e.g. customer and SKU), bought no later than the
 * credit, with enough quantity left. A match uses that quantity up, so two credits never reverse
 * the same units. Purchases older than `withinDays` before the latest row are forgotten, which
 * bounds memory on long files.
 */
export class PurchaseIndex {
  private readonly purchases = new Map<string, Purchase[]>();
  private readonly isCandidate: (cells: readonly Cell[]) => boolean;
  private readonly matchColumns: number[];
  private readonly quantity: FieldReader;
  private readonly orderId: FieldReader;
  private readonly purchasedAt: FieldReader;
  private offered = 0;
  private latest = 0;

  constructor(
    private readonly reader: RowReader,
    private readonly spec: PurchaseLookup,
  ) {
    this.isCandidate = reader.condition(spec.candidates);
    this.matchColumns = spec.match.map((column) => reader.columnIndex(column));
    this.quantity = reader.field('quantity', spec.quantity)!;
    this.orderId = reader.field('orderId', spec.fields.orderId)!;
    this.purchasedAt = reader.field('purchasedAt', spec.fields.purchasedAt)!;
  }

  /** Remembers the row if it is a candidate purchase (an unreadable one is simply not a candidate). */
  offer(cells: readonly Cell[]): void {
    if (!this.isCandidate(cells)) return;
    const key = this.key(cells);
    if (key === null) return;
    let purchase: Purchase;
    try {
      const remaining = this.reader.integer(this.quantity, cells);
      if (remaining <= 0) return;
      purchase = {
        orderId: this.reader.requiredText(this.orderId, cells),
        purchasedAt: this.reader.instant(this.purchasedAt, cells),
        remaining,
      };
    } catch {
      return;
    }
    const list = this.purchases.get(key);
    if (list) list.push(purchase);
    else this.purchases.set(key, [purchase]);
    this.latest = Math.max(this.latest, purchase.purchasedAt);
    this.offered += 1;
    if (this.offered % PRUNE_EVERY === 0) this.prune();
  }

  /** The purchase a credit of `quantity` at `creditedAt` reverses, its quantity used up; or null. */
  take(
    cells: readonly Cell[],
    quantity: number,
    creditedAt: number,
  ): { orderId: string; purchasedAt: number } | null {
    const key = this.key(cells);
    const list = key === null ? undefined : this.purchases.get(key);
    if (!list) return null;
    for (let index = list.length - 1; index >= 0; index -= 1) {
      const purchase = list[index]!;
      if (purchase.purchasedAt <= creditedAt && purchase.remaining >= quantity) {
        purchase.remaining -= quantity;
        return { orderId: purchase.orderId, purchasedAt: purchase.purchasedAt };
      }
    }
    return null;
  }

  private key(cells: readonly Cell[]): string | null {
    const values = this.matchColumns.map((index) => textOf(cells[index] ?? null).trim());
    return values.some((value) => value === '') ? null : values.join('\u001f');
  }

  private prune(): void {
    const horizon = this.latest - this.spec.withinDays * DAY_MS;
    for (const [key, list] of this.purchases) {
      const kept = list.filter((purchase) => purchase.purchasedAt >= horizon && purchase.remaining > 0);
      if (kept.length === 0) this.purchases.delete(key);
      else if (kept.length !== list.length) this.purchases.set(key, kept);
    }
  }
}

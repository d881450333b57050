import {
  type CommandContext,
  DomainRejectedError,
  Ledger,
  PersonalDataVault,
  type ReconciliationRun,
  SqliteKeyStore,
} from '@rma-ledger/application';
import type { DomainEvent } from '@rma-ledger/domain';
import {
  type PaidRefund,
  ProjectionRunner,
  paidRefundsReport,
  parseDomainEvent,
  reportModelProjection,
} from '@rma-ledger/projections';
import { RECONCILIATION_CATEGORIES, type ReconciliationCategory } from '@rma-ledger/reconciliation';
import { writeScenario } from '@rma-ledger/scenario';
import { openSqliteEventStore, type SqliteEventStore } from '@rma-ledger/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const finance: CommandContext = { actor: 'token:fin-1', correlationId: 'recon-generated' };
const bytes = (text: string) => new TextEncoder().encode(text);
/** Scenario currencies (CNY, USD, EUR) all have two decimals. */
const major = (minor: number) => (minor / 100).toFixed(2);
const DAY_MS = 86_400_000;

const STRIPE_HEADER =
  'balance_transaction_id,created_utc,charge_id,payment_intent_id,currency,gross,fee,net,reporting_category,source_id,description,payment_metadata[order_id]';

function stripeLine(n: number, refund: PaidRefund, overrides: { amount?: number; currency?: string } = {}) {
  const amount = major(overrides.amount ?? refund.amount);
  const created = refund.paidAt.slice(0, 19).replace('T', ' ');
  const currency = (overrides.currency ?? refund.currency).toLowerCase();
  return `txn_${n},${created},ch_${n},pi_${n},${currency},-${amount},0.00,-${amount},refund,${refund.paymentRef},Refund,${refund.orderId}`;
}

const WECHAT_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';

/** A WeChat Pay trade bill holding one refund still being processed (times in +08:00). */
function wechatBillWithProcessingRefund(refund: PaidRefund): string {
  const local = new Date(Date.parse(refund.paidAt) + 8 * 3_600_000).toISOString();
  const cells: Record<string, string> = {
    交易时间: `${local.slice(0, 10)} ${local.slice(11, 19)}`,
    商户号: '1900000109',
    微信订单号: '4200000001',
    商户订单号: refund.orderId,
    交易类型: 'JSAPI',
    交易状态: 'REFUND',
    货币种类: refund.currency,
    微信退款单号: '50300000001',
    商户退款单号: refund.paymentRef,
    退款金额: major(refund.amount),
    退款类型: 'ORIGINAL',
    退款状态: 'PROCESSING',
    申请退款金额: major(refund.amount),
  };
  const row = WECHAT_HEADER.split(',')
    .map((name) => `\`${cells[name] ?? ''}`)
    .join(',');
  return [
    WECHAT_HEADER,
    row,
    '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
    `\`1,\`0.00,\`${major(refund.amount)},\`0.00,\`0.00,\`0.00,\`${major(refund.amount)}`,
    '',
  ].join('\r\n');
}

type Six<T> = [T, T, T, T, T, T];

const countBy = (run: ReconciliationRun) => {
  const counts = Object.fromEntries(RECONCILIATION_CATEGORIES.map((c) => [c, 0])) as Record<
    ReconciliationCategory,
    number
  >;
  for (const row of run.rows) counts[row.category] += 1;
  return counts;
};
const rowsOf = (run: ReconciliationRun, category: ReconciliationCategory) =>
  run.rows.filter((row) => row.category === category);

describe('reconciling a generated business with a discrepancy of every kind planted', () => {
  let store: SqliteEventStore;
  let keys: SqliteKeyStore;
  let ledger: Ledger;
  let refunds: PaidRefund[];
  /** The refunds planted into each category, by role. */
  let planted: {
    amount: PaidRefund;
    currency: PaidRefund;
    ledgerOnly: PaidRefund;
    providerDuplicate: PaidRefund;
    /** Paid first; `ledgerDuplicate` records the same payment reference again. */
    original: PaidRefund;
    ledgerDuplicate: PaidRefund;
    pending: PaidRefund;
  };
  let stripeRefunds: PaidRefund[];
  let stripeRun: ReconciliationRun;
  let wechatRun: ReconciliationRun;

  beforeAll(async () => {
    store = openSqliteEventStore({ path: ':memory:' });
    keys = new SqliteKeyStore({ path: ':memory:' });
    const summary = await writeScenario(
      store,
      { preset: 'tiny', seed: 7 },
      { personalData: new PersonalDataVault(keys) },
    );
    const after = Date.parse(`${summary.period.to}T00:00:00Z`) + 2 * DAY_MS;
    ledger = new Ledger({ store, keys, clock: { now: () => new Date(after) } });

    const runner = ProjectionRunner.start<DomainEvent>({
      store,
      directory: null,
      projections: [reportModelProjection],
      parse: parseDomainEvent,
    });
    const paid = async () => {
      await runner.waitFor((await store.headPosition()) ?? 0);
      return runner.read('reports', (db) =>
        paidRefundsReport(db, { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' }),
      );
    };
    try {
      const generated = await paid();
      const [amount, currency, ledgerOnly, providerDuplicate, original, pending] = pickPlants(generated);
      // A second refund paid in the ledger under a payment reference already recorded on another case.
      const ledgerDuplicate = await payAgainOnAnOpenCase(original.paymentRef);
      refunds = await paid();
      planted = {
        amount,
        currency,
        ledgerOnly,
        providerDuplicate,
        original,
        ledgerDuplicate: refunds.find((r) => r.refundId === ledgerDuplicate)!,
        pending,
      };
    } finally {
      await runner.stop();
    }

    // Stripe paid every refund but the one still processing at WeChat.
    stripeRefunds = refunds.filter((r) => r.refundId !== planted.pending.refundId);
    const lines = [STRIPE_HEADER];
    for (const refund of stripeRefunds) {
      const n = lines.length;
      if (
        refund.refundId === planted.ledgerOnly.refundId ||
        refund.refundId === planted.ledgerDuplicate.refundId
      )
        continue;
      if (refund.refundId === planted.amount.refundId) {
        lines.push(stripeLine(n, refund, { amount: refund.amount + 1 }));
      } else if (refund.refundId === planted.currency.refundId) {
        lines.push(stripeLine(n, refund, { currency: refund.currency === 'USD' ? 'EUR' : 'USD' }));
      } else {
        lines.push(stripeLine(n, refund));
      }
      if (refund.refundId === planted.providerDuplicate.refundId) lines.push(stripeLine(n + 1, refund));
    }
    lines.push(
      stripeLine(lines.length, {
        ...planted.original,
        refundId: 'none',
        paymentRef: 're_not_in_the_ledger',
        orderId: 'order-not-in-the-ledger',
      }),
    );
    const stripe = await ledger.reconciliations.record(
      {
        bytes: bytes(`${lines.join('\r\n')}\r\n`),
        fileName: 'balance_change_from_activity_itemized.csv',
        provider: 'stripe',
        ledgerRefunds: stripeRefunds,
      },
      finance,
    );
    stripeRun = await ledger.reconciliations.get(stripe.runId);

    const wechat = await ledger.reconciliations.record(
      {
        bytes: bytes(wechatBillWithProcessingRefund(planted.pending)),
        fileName: 'wechat_trade_bill.csv',
        provider: 'wechat',
        ledgerRefunds: [planted.pending],
      },
      finance,
    );
    wechatRun = await ledger.reconciliations.get(wechat.runId);
  });

  afterAll(async () => {
    await store?.close();
    await keys?.close();
  });

  /** Six distinct refunds, each alone on its order; the pending one is paid in CNY as WeChat pays. */
  function pickPlants(generated: readonly PaidRefund[]): Six<PaidRefund> {
    const perOrder = new Map<string, number>();
    for (const r of generated) perOrder.set(r.orderId, (perOrder.get(r.orderId) ?? 0) + 1);
    const alone = generated.filter((r) => perOrder.get(r.orderId) === 1);
    const pending = alone.find((r) => r.currency === 'CNY');
    const others = alone.filter((r) => r !== pending);
    if (!pending || others.length < 5 || generated.length < 12) {
      throw new Error(`The generated business has too few paid refunds (${generated.length})`);
    }
    const step = Math.floor(others.length / 5);
    const at = (i: number) => others[i * step]!;
    return [at(0), at(1), at(2), at(3), at(4), pending];
  }

  /**
   * Pays a small refund under `paymentRef` on the first case the generated business left open that
   * still has something to refund; returns the new refund's id.
   */
  async function payAgainOnAnOpenCase(paymentRef: string): Promise<string> {
    const open = new Map<string, string>();
    for await (const event of store.readAll()) {
      const data = event.data as { caseId?: string; unitPrice?: { currency: string } };
      if (event.type === 'CaseOpened') open.set(data.caseId!, data.unitPrice!.currency);
      if (event.type === 'CaseClosed') open.delete(event.streamName.slice('case-'.length));
    }
    for (const [caseId, currency] of open) {
      const requested = await ledger.cases
        .requestRefund(caseId, { amount: { amount: 100, currency } }, finance)
        .catch((error: unknown) => {
          if (error instanceof DomainRejectedError) return null;
          throw error;
        });
      if (requested === null) continue;
      const { state } = await ledger.cases.get(caseId);
      if (state.refunds.find((r) => r.refundId === requested.refundId)?.status === 'requested') {
        await ledger.cases.approveRefund(caseId, requested.refundId, {}, finance);
      }
      await ledger.cases.payRefund(caseId, requested.refundId, { paymentRef }, finance);
      return requested.refundId;
    }
    throw new Error('The generated business left no open case with anything left to refund');
  }

  it('finds each planted discrepancy of the Stripe report exactly once and matches all the rest', () => {
    expect(stripeRefunds.length).toBeGreaterThanOrEqual(12);
    const expected = {
      matched: stripeRefunds.length - 4,
      'amount-mismatch': 1,
      'currency-mismatch': 1,
      'provider-only': 1,
      'ledger-only': 1,
      duplicate: 2,
      pending: 0,
    };
    expect(countBy(stripeRun)).toEqual(expected);
    expect(stripeRun.summary.byCategory).toEqual(expected);
    expect(stripeRun).toMatchObject({ complete: true, provider: 'stripe', ranBy: 'token:fin-1' });
    expect(stripeRun.summary.ledgerRefunds).toBe(stripeRefunds.length);
  });

  it('names the right refund on every planted Stripe row', () => {
    const [amount] = rowsOf(stripeRun, 'amount-mismatch');
    expect(amount).toMatchObject({
      ledger: { refundId: planted.amount.refundId },
      provider: { providerRefundId: planted.amount.paymentRef },
      difference: 1,
    });
    const [currency] = rowsOf(stripeRun, 'currency-mismatch');
    expect(currency?.ledger?.refundId).toBe(planted.currency.refundId);
    expect(currency?.provider?.currency).not.toBe(planted.currency.currency);
    expect(rowsOf(stripeRun, 'ledger-only').map((r) => r.ledger?.refundId)).toEqual([
      planted.ledgerOnly.refundId,
    ]);
    expect(rowsOf(stripeRun, 'provider-only')).toMatchObject([
      { ledger: null, provider: { providerRefundId: 're_not_in_the_ledger' } },
    ]);
    const duplicates = rowsOf(stripeRun, 'duplicate');
    expect(duplicates.filter((r) => r.provider !== null)).toMatchObject([
      { ledger: null, provider: { providerRefundId: planted.providerDuplicate.paymentRef } },
    ]);
    expect(duplicates.filter((r) => r.ledger !== null)).toMatchObject([
      { provider: null, ledger: { refundId: planted.ledgerDuplicate.refundId } },
    ]);
    expect(planted.ledgerDuplicate.paymentRef).toBe(planted.original.paymentRef);
  });

  it('matches every other ledger refund with its own Stripe row, by payment reference', () => {
    const matched = rowsOf(stripeRun, 'matched');
    const plantedIds = new Set([
      planted.amount.refundId,
      planted.currency.refundId,
      planted.ledgerOnly.refundId,
      planted.ledgerDuplicate.refundId,
    ]);
    expect(matched.map((r) => r.ledger?.refundId).sort()).toEqual(
      stripeRefunds
        .map((r) => r.refundId)
        .filter((id) => !plantedIds.has(id))
        .sort(),
    );
    for (const row of matched) {
      expect(row).toMatchObject({ matchedBy: 'payment-reference', difference: 0 });
      expect(row.provider?.providerRefundId).toBe(row.ledger?.paymentRef);
    }
  });

  it('shows the refund WeChat is still processing as pending, and nothing else', () => {
    expect(countBy(wechatRun)).toEqual({
      matched: 0,
      'amount-mismatch': 0,
      'currency-mismatch': 0,
      'provider-only': 0,
      'ledger-only': 0,
      duplicate: 0,
      pending: 1,
    });
    expect(wechatRun.rows).toMatchObject([
      {
        category: 'pending',
        ledger: { refundId: planted.pending.refundId },
        provider: { merchantRefundId: planted.pending.paymentRef, status: 'pending' },
      },
    ]);
    expect(wechatRun.warnings).toEqual([]);
  });

  it('leaves a log whose hash chains verify', async () => {
    expect(await store.verify()).toMatchObject({ ok: true });
  });
});

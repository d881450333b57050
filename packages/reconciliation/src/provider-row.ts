import { ReportError } from './errors.js';
import type { ReportEncoding } from './text/decode.js';

export const PROVIDERS = ['stripe', 'paypal', 'wechat', 'alipay', 'csv'] as const;
export type Provider = (typeof PROVIDERS)[number];

export type ProviderRefundStatus = 'succeeded' | 'pending' | 'failed';

/** One refund as a provider reports it, normalised across layouts. */
export interface ProviderRefundRow {
  readonly provider: Provider;
  /** The provider's own id of the refund (`re_…`, PayPal transaction id, 微信退款单号…). */
  readonly providerRefundId: string;
  /** The payment, charge or trade the refund gives money back from. */
  readonly originalPaymentId: string | null;
  /** The merchant's order id as the provider carries it (metadata, invoice id, 商户订单号). */
  readonly orderId: string | null;
  /** The merchant's own refund request id sent with the refund (商户退款单号, 退款批次号/请求号). */
  readonly merchantRefundId: string | null;
  /** Money given back, positive integer minor units of `currency`. */
  readonly amount: number;
  readonly currency: string;
  /** UTC ISO-8601 instant. */
  readonly occurredAt: string;
  readonly status: ProviderRefundStatus;
  /** 1-based physical line in the decoded report (inside the zip entry for Alipay). */
  readonly line: number;
}

/** Rows that are not refunds, counted by reason: none is dropped silently. */
export interface SkippedRows {
  readonly reason: string;
  readonly count: number;
}

export interface ParsedReport {
  readonly rows: ProviderRefundRow[];
  readonly skipped: SkippedRows[];
  /** Things finance should know that do not stop the import (counts that do not add up…). */
  readonly warnings: string[];
  /** The encoding the text was read in. */
  readonly encoding: 'utf-8' | 'gbk';
}

export interface CommonParseOptions {
  /** Default `auto`; set it when the detection guesses wrong. */
  readonly encoding?: ReportEncoding;
}

/** Collects rows, skip reasons (in first-seen order) and warnings while a parser walks a report. */
export class ReportCollector {
  private readonly rows: ProviderRefundRow[] = [];
  readonly warnings: string[] = [];
  private readonly skips = new Map<string, number>();

  /** Every refund row gives money back: a zero or negative amount means the layout was misread. */
  add(row: ProviderRefundRow): void {
    if (!(row.amount > 0)) {
      throw new ReportError('LDG_REPORT_INVALID_VALUE', `A refund of ${row.amount} minor units`, {
        line: row.line,
      });
    }
    this.rows.push(row);
  }

  skip(reason: string): void {
    this.skips.set(reason, (this.skips.get(reason) ?? 0) + 1);
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  result(encoding: 'utf-8' | 'gbk'): ParsedReport {
    const skipped = [...this.skips].map(([reason, count]) => ({ reason, count }));
    return { rows: this.rows, skipped, warnings: this.warnings, encoding };
  }
}

import { z } from 'zod';

/** Money is an integer number of minor units (cents, fen, yen…) of one ISO-4217 currency. */
export const moneySchema = z
  .object({
    amount: z.number().int().nonnegative().refine(Number.isSafeInteger, 'amount must be a safe integer'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO-4217 code'),
  })
  .strict();
export type Money = z.infer<typeof moneySchema>;

export class CurrencyMismatchError extends Error {
  readonly code = 'LDG_CURRENCY_MISMATCH';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`Cannot mix ${expected} with ${actual}`);
    this.name = 'CurrencyMismatchError';
  }
}

export function money(amount: number, currency: string): Money {
  return moneySchema.parse({ amount, currency });
}

export function sameCurrency(a: Money, b: Money): boolean {
  return a.currency === b.currency;
}

function assertSameCurrency(a: Money, b: Money): void {
  if (!sameCurrency(a, b)) throw new CurrencyMismatchError(a.currency, b.currency);
}

function checkedAmount(amount: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError(`Money amount out of range: ${amount}`);
  }
  return amount;
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { amount: checkedAmount(a.amount + b.amount), currency: a.currency };
}

/** `a − b`; throws when the result would be negative. */
export function subtractMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { amount: checkedAmount(a.amount - b.amount), currency: a.currency };
}

export function multiplyMoney(a: Money, factor: number): Money {
  if (!Number.isSafeInteger(factor) || factor < 0) throw new RangeError(`Bad factor: ${factor}`);
  return { amount: checkedAmount(a.amount * factor), currency: a.currency };
}

/** Negative, zero or positive like a comparator; throws on different currencies. */
export function compareMoney(a: Money, b: Money): number {
  assertSameCurrency(a, b);
  return a.amount - b.amount;
}

export function zeroMoney(currency: string): Money {
  return money(0, currency);
}

/**
 * Decimal places of the minor unit per ISO-4217 currency, for the few that differ from 2. Only
 * conversions from decimal text (old imports) need it: the ledger itself stores minor units.
 */
const MINOR_UNIT_DIGITS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function minorUnitDigits(currency: string): number {
  return MINOR_UNIT_DIGITS[currency] ?? 2;
}

/**
 * Converts a decimal amount in major units (`"12.30"` CNY) to minor units (1230) exactly, without
 * floating point. Throws when the text has more significant decimals than the currency allows.
 */
export function parseMajorUnits(text: string, currency: string): Money {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new RangeError(`Not a decimal amount: '${text}'`);
  const digits = minorUnitDigits(currency);
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (/[1-9]/.test(fraction.slice(digits))) {
    throw new RangeError(`'${text}' has more than ${digits} decimal places for ${currency}`);
  }
  const amount = Number(whole + fraction.slice(0, digits).padEnd(digits, '0'));
  return money(amount, currency);
}

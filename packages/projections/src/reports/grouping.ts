/** Groups items by key, the groups sorted by key (code-unit order, for a stable output). */
export function group<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Count and total per currency: money is never summed across currencies. */
export interface CurrencyTotal {
  readonly currency: string;
  readonly count: number;
  readonly amount: number;
}

export function totalsByCurrency<T>(
  items: readonly T[],
  money: (item: T) => { readonly currency: string; readonly amount: number },
): CurrencyTotal[] {
  return group(items, (item) => money(item).currency).map(([currency, list]) => ({
    currency,
    count: list.length,
    amount: list.reduce((sum, item) => sum + money(item).amount, 0),
  }));
}

import type { Role } from '../auth/roles.js';
import type { Fixture } from './fixture.js';

/** Sends a JSON request as a role; `body` undefined sends none. */
export function call(
  fx: Fixture,
  role: Role | null,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return fx.app.inject({
    method,
    url,
    headers: {
      ...(role === null ? {} : fx.auth[role]),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

export const CNY = (amount: number) => ({ amount, currency: 'CNY' });

export const vendorBody = { name: 'Acme Repairs', agreement: { turnaroundDays: 10 } };
export const skuBody = {
  name: 'Kettle',
  vendorId: 'v1',
  pmId: 'pm-li',
  unitCost: CNY(8000),
  category: 'kitchen',
};
export const policyBody = {
  returnWindowDays: 7,
  exchangeWindowDays: 15,
  warrantyDays: 365,
  promiseDays: { refund: 3, exchange: 7, repair: 20 },
  autoApproveLimit: CNY(0),
  refundApprovalLimit: CNY(5000),
};

export function caseBody(overrides: Record<string, unknown> = {}) {
  return {
    caseId: 'c1',
    orderId: 'o-1001',
    channel: 'tmall',
    sku: 'sku-1',
    quantity: 1,
    unitPrice: CNY(12900),
    purchasedAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
    reason: 'does not heat',
    resolution: 'repair',
    customer: { id: 'cust-1', name: 'Zhang Wei', phone: '13800138000' },
    ...overrides,
  };
}

/** Registers the vendor `v1`, the SKU `sku-1` and the `tmall` policy. */
export async function seedCatalogue(fx: Fixture): Promise<void> {
  for (const [url, body] of [
    ['/vendors/v1', vendorBody],
    ['/skus/sku-1', skuBody],
    ['/policies/tmall', policyBody],
  ] as const) {
    const res = await call(fx, 'admin', 'PUT', url, body);
    if (res.statusCode !== 200) throw new Error(`seeding ${url}: ${res.statusCode} ${res.body}`);
  }
}

/** Runs a request that must be refused with `status` and `code`, and checks it wrote nothing. */
export async function expectRefusal(
  fx: Fixture,
  send: () => ReturnType<typeof call>,
  status: number,
  code: string,
): Promise<{ errors?: { path: string }[]; detail: string }> {
  const before = await fx.store.headPosition();
  const res = await send();
  if (res.statusCode !== status || res.json().code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.statusCode} ${res.body}`);
  }
  if (!res.headers['content-type']?.toString().startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${res.headers['content-type']}`);
  }
  const after = await fx.store.headPosition();
  if (after !== before) throw new Error(`a refused request wrote events (head ${before} → ${after})`);
  return res.json();
}

/** Runs a request that must succeed with `status`; returns its JSON body. */
export async function expectOk(send: () => ReturnType<typeof call>, status = 200) {
  const res = await send();
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode} ${res.body}`);
  return res;
}

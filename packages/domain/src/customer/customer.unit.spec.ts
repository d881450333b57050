import { describe, it } from 'vitest';
import { specify } from '../testing/given-when-then.js';
import { customerDecider } from './customer.js';

const spec = specify(customerDecider);
const erase = {
  type: 'ErasePersonalData',
  customerId: 'cust-1',
  occurredAt: '2026-04-01T00:00:00Z',
} as const;
const erased = {
  type: 'PersonalDataErased',
  data: { customerId: 'cust-1', reason: 'GDPR request #12', occurredAt: '2026-04-01T00:00:00Z' },
} as const;

describe('ErasePersonalData', () => {
  it('puts the erasure on the record', () => {
    spec
      .given()
      .when({ ...erase, reason: 'GDPR request #12' })
      .thenEmits([erased]);
  });

  it('refuses a second erasure', () => {
    spec
      .given(erased)
      .when({ ...erase, occurredAt: '2026-04-02T00:00:00Z' })
      .thenRefused('LDG_PERSONAL_DATA_ALREADY_ERASED');
  });

  it('refuses an occurredAt before the previous event', () => {
    spec
      .given(erased)
      .when({ ...erase, occurredAt: '2026-03-31T00:00:00Z' })
      .thenRefused('LDG_OCCURRED_AT_BEFORE_PREVIOUS', 'occurredAt');
  });
});

import { describe, expect, it } from 'vitest';
import { at } from '../testing/fixtures.js';
import { specify } from '../testing/given-when-then.js';
import type { EnterCustody, RmaUnitCommand } from './commands.js';
import { rmaUnitDecider } from './decider.js';
import type { RmaUnitEvent } from './events.js';

const spec = specify(rmaUnitDecider);
const CNY = (amount: number) => ({ amount, currency: 'CNY' });
const unitId = 'c-1-u1';

const enter: EnterCustody = {
  type: 'EnterCustody',
  unitId,
  caseId: 'c-1',
  sku: 'SKU-1',
  vendorId: 'v-acme',
  pmId: 'pm-li',
  unitCost: CNY(12_000),
  occurredAt: at(1),
};
const entered: RmaUnitEvent = {
  type: 'UnitEnteredCustody',
  data: {
    unitId,
    caseId: 'c-1',
    sku: 'SKU-1',
    vendorId: 'v-acme',
    pmId: 'pm-li',
    unitCost: CNY(12_000),
    location: null,
    occurredAt: at(1),
  },
};
const graded = (
  grade: 'repairable' | 'resellable' | 'scrap' | 'defective' | 'customer-damaged',
): RmaUnitEvent => ({
  type: 'UnitGraded',
  data: { grade, occurredAt: at(2) },
});
const dispatched = (dispatchNo = 1, day = 3): RmaUnitEvent => ({
  type: 'UnitDispatchedToVendor',
  data: {
    dispatchNo,
    vendorId: 'v-acme',
    vendorRef: null,
    turnaroundDays: 14,
    vendorDueAt: at(day + 14),
    occurredAt: at(day),
  },
});
const repaired: RmaUnitEvent = {
  type: 'VendorReturnedRepaired',
  data: { dispatchNo: 1, occurredAt: at(10) },
};
const retestFailed: RmaUnitEvent = {
  type: 'RetestFailed',
  data: { dispatchNo: 1, notes: null, occurredAt: at(11) },
};

// Histories in each custody state.
const awaitingInspection = [entered];
const awaitingDispatch = [entered, graded('repairable')];
const atVendor = [...awaitingDispatch, dispatched()];
const awaitingRetest = [...atVendor, repaired];
const awaitingDisposition = [entered, graded('resellable')];
const writtenOff: RmaUnitEvent[] = [
  ...atVendor,
  {
    type: 'UnitWrittenOff',
    data: { amount: CNY(12_000), reason: 'vendor bankrupt', chargedToPmId: 'pm-li', occurredAt: at(40) },
  },
];

const base = { unitId, occurredAt: at(50) } as const;
const commands: Record<string, RmaUnitCommand> = {
  grade: { ...base, type: 'RecordGrade', grade: 'defective' },
  dispatch: { ...base, type: 'DispatchToVendor', context: { turnaroundDays: 14 } },
  dun: { ...base, type: 'DunVendor', note: 'where is it?' },
  response: { ...base, type: 'RecordVendorResponse', outcome: 'repaired' },
  retest: { ...base, type: 'RecordRetest', passed: true },
  restock: { ...base, type: 'Restock' },
  returnToCustomer: { ...base, type: 'ReturnToCustomer' },
  liquidate: { ...base, type: 'Liquidate', recovered: CNY(3_000) },
  writeOff: { ...base, type: 'WriteOff', reason: 'obsolete', context: { pmId: 'pm-zhao' } },
};

describe('EnterCustody', () => {
  it('puts the unit into custody with the attribution as of entry', () => {
    const state = spec
      .given()
      .when({ ...enter, location: 'RMA-1' })
      .thenEmits([{ ...entered, data: { ...entered.data, location: 'RMA-1' } } as RmaUnitEvent]);
    expect(state.custody).toBe('awaiting-inspection');
  });

  it('refuses a unit already in custody (a retried receipt cannot create a second unit)', () => {
    spec.given(entered).when(enter).thenRefused('LDG_UNIT_ALREADY_EXISTS', 'unitId');
  });

  it('refuses a unit cost that is not money', () => {
    spec
      .given()
      .when({ ...enter, unitCost: { amount: -1, currency: 'CNY' } })
      .thenRefused('LDG_INVALID_COMMAND', 'unitCost.amount');
  });
});

describe('RecordGrade', () => {
  it('sends repairable and defective units towards the vendor', () => {
    for (const grade of ['repairable', 'defective'] as const) {
      const state = spec
        .given(entered)
        .when({ ...commands.grade, grade } as RmaUnitCommand)
        .thenEmits([{ type: 'UnitGraded', data: { grade, occurredAt: at(50) } }]);
      expect(state.custody).toBe('awaiting-dispatch');
    }
  });

  it('leaves resellable, customer-damaged and scrap units awaiting a disposition', () => {
    for (const grade of ['resellable', 'customer-damaged', 'scrap'] as const) {
      const state = spec
        .given(entered)
        .when({ ...commands.grade, grade } as RmaUnitCommand)
        .thenEmits([{ type: 'UnitGraded', data: { grade, occurredAt: at(50) } }]);
      expect(state.custody).toBe('awaiting-disposition');
    }
  });

  it('refuses a second grade', () => {
    spec
      .given(...awaitingDispatch)
      .when(commands.grade!)
      .thenRefused('LDG_UNIT_ALREADY_GRADED');
  });
});

describe('DispatchToVendor', () => {
  it('starts the vendor clock from the agreement in force', () => {
    const state = spec
      .given(...awaitingDispatch)
      .when({
        unitId,
        type: 'DispatchToVendor',
        vendorRef: 'ACME-RMA-7',
        occurredAt: at(3),
        context: { turnaroundDays: 21 },
      })
      .thenEmits([
        {
          type: 'UnitDispatchedToVendor',
          data: {
            dispatchNo: 1,
            vendorId: 'v-acme',
            vendorRef: 'ACME-RMA-7',
            turnaroundDays: 21,
            vendorDueAt: at(24),
            occurredAt: at(3),
          },
        },
      ]);
    expect(state.custody).toBe('at-vendor');
  });

  it('starts a new clock after a failed retest', () => {
    const events = spec
      .given(...awaitingRetest, retestFailed)
      .when({ unitId, type: 'DispatchToVendor', occurredAt: at(12), context: { turnaroundDays: 14 } })
      .thenTypes('UnitDispatchedToVendor');
    expect(events[0]?.data).toMatchObject({ dispatchNo: 2, vendorDueAt: at(26) });
  });

  it('refuses a unit already at the vendor, not graded, or awaiting a disposition', () => {
    spec
      .given(...atVendor)
      .when(commands.dispatch!)
      .thenRefused('LDG_UNIT_ALREADY_AT_VENDOR');
    spec
      .given(...awaitingInspection)
      .when(commands.dispatch!)
      .thenRefused('LDG_UNIT_NOT_GRADED');
    spec
      .given(...awaitingDisposition)
      .when(commands.dispatch!)
      .thenRefused('LDG_UNIT_NOT_AWAITING_DISPATCH');
    spec
      .given(...awaitingRetest)
      .when(commands.dispatch!)
      .thenRefused('LDG_UNIT_NOT_AWAITING_DISPATCH');
  });

  it('refuses to dispatch a written-off unit', () => {
    spec
      .given(...writtenOff)
      .when(commands.dispatch!)
      .thenRefused('LDG_UNIT_ALREADY_DISPOSED');
  });
});

describe('DunVendor', () => {
  it('records each chase against the open dispatch', () => {
    const dunned = (dunningNo: number): RmaUnitEvent => ({
      type: 'VendorDunned',
      data: { dispatchNo: 1, dunningNo, note: 'where is it?', occurredAt: at(50) },
    });
    spec
      .given(...atVendor)
      .when(commands.dun!)
      .thenEmits([dunned(1)]);
    spec
      .given(...atVendor, dunned(1))
      .when(commands.dun!)
      .thenEmits([dunned(2)]);
  });

  it('refuses a unit that is not at a vendor', () => {
    spec
      .given(...awaitingDispatch)
      .when(commands.dun!)
      .thenRefused('LDG_UNIT_NOT_AT_VENDOR');
    spec
      .given(...awaitingRetest)
      .when(commands.dun!)
      .thenRefused('LDG_UNIT_NOT_AT_VENDOR');
  });
});

describe('RecordVendorResponse', () => {
  const respond = (
    outcome: 'repaired' | 'replaced' | 'credited' | 'rejected',
    creditAmount?: { amount: number; currency: string },
  ) =>
    ({
      ...base,
      type: 'RecordVendorResponse',
      outcome,
      ...(creditAmount ? { creditAmount } : {}),
    }) as RmaUnitCommand;

  it('sends repaired and replaced units to a retest', () => {
    let state = spec
      .given(...atVendor)
      .when(respond('repaired'))
      .thenEmits([{ type: 'VendorReturnedRepaired', data: { dispatchNo: 1, occurredAt: at(50) } }]);
    expect(state.custody).toBe('awaiting-retest');
    state = spec
      .given(...atVendor)
      .when(respond('replaced'))
      .thenEmits([{ type: 'VendorSentReplacement', data: { dispatchNo: 1, occurredAt: at(50) } }]);
    expect(state.custody).toBe('awaiting-retest');
  });

  it('leaves credited and rejected units awaiting a disposition', () => {
    let state = spec
      .given(...atVendor)
      .when(respond('credited', CNY(8_000)))
      .thenEmits([
        { type: 'VendorIssuedCredit', data: { dispatchNo: 1, amount: CNY(8_000), occurredAt: at(50) } },
      ]);
    expect(state.custody).toBe('awaiting-disposition');
    state = spec
      .given(...atVendor)
      .when(respond('rejected'))
      .thenEmits([{ type: 'VendorRejectedClaim', data: { dispatchNo: 1, occurredAt: at(50) } }]);
    expect(state.custody).toBe('awaiting-disposition');
  });

  it('refuses a credit without an amount, in another currency, or an amount on another outcome', () => {
    spec
      .given(...atVendor)
      .when(respond('credited'))
      .thenRefused('LDG_CREDIT_AMOUNT_REQUIRED', 'creditAmount');
    spec
      .given(...atVendor)
      .when(respond('credited', { amount: 8_000, currency: 'USD' }))
      .thenRefused('LDG_CURRENCY_MISMATCH', 'creditAmount');
    spec
      .given(...atVendor)
      .when(respond('repaired', CNY(1)))
      .thenRefused('LDG_CREDIT_AMOUNT_UNEXPECTED', 'creditAmount');
  });

  it('refuses a unit that is not at a vendor', () => {
    spec
      .given(...awaitingDispatch)
      .when(respond('repaired'))
      .thenRefused('LDG_UNIT_NOT_AT_VENDOR');
  });
});

describe('RecordRetest', () => {
  it('makes a passed unit ready for a disposition', () => {
    const state = spec
      .given(...awaitingRetest)
      .when({ ...base, type: 'RecordRetest', passed: true, notes: 'ok' })
      .thenEmits([{ type: 'RetestPassed', data: { dispatchNo: 1, notes: 'ok', occurredAt: at(50) } }]);
    expect(state.custody).toBe('awaiting-disposition');
  });

  it('sends a failed unit back towards the vendor', () => {
    const state = spec
      .given(...awaitingRetest)
      .when({ ...base, type: 'RecordRetest', passed: false })
      .thenEmits([{ type: 'RetestFailed', data: { dispatchNo: 1, notes: null, occurredAt: at(50) } }]);
    expect(state.custody).toBe('awaiting-dispatch');
  });

  it('refuses to retest a unit the vendor never returned', () => {
    spec
      .given(...atVendor)
      .when(commands.retest!)
      .thenRefused('LDG_UNIT_NOT_RETURNED_BY_VENDOR');
    spec
      .given(...awaitingDispatch)
      .when(commands.retest!)
      .thenRefused('LDG_UNIT_NOT_RETURNED_BY_VENDOR');
    spec
      .given(...atVendor, { type: 'VendorRejectedClaim', data: { dispatchNo: 1, occurredAt: at(10) } })
      .when(commands.retest!)
      .thenRefused('LDG_UNIT_NOT_RETURNED_BY_VENDOR');
  });
});

describe('Restock and ReturnToCustomer', () => {
  const passed: RmaUnitEvent = {
    type: 'RetestPassed',
    data: { dispatchNo: 1, notes: null, occurredAt: at(11) },
  };
  const credited: RmaUnitEvent = {
    type: 'VendorIssuedCredit',
    data: { dispatchNo: 1, amount: CNY(8_000), occurredAt: at(10) },
  };
  const rejected: RmaUnitEvent = {
    type: 'VendorRejectedClaim',
    data: { dispatchNo: 1, occurredAt: at(10) },
  };

  it('dispose of a unit awaiting a disposition', () => {
    let state = spec
      .given(...awaitingDisposition)
      .when({ ...base, type: 'Restock', location: 'A-1' })
      .thenEmits([{ type: 'UnitRestocked', data: { location: 'A-1', occurredAt: at(50) } }]);
    expect(state).toMatchObject({ custody: 'disposed', disposition: 'restocked' });
    state = spec
      .given(...awaitingRetest, {
        type: 'RetestPassed',
        data: { dispatchNo: 1, notes: null, occurredAt: at(11) },
      })
      .when(commands.returnToCustomer!)
      .thenEmits([{ type: 'UnitReturnedToCustomer', data: { occurredAt: at(50) } }]);
    expect(state).toMatchObject({ custody: 'disposed', disposition: 'returned-to-customer' });
  });

  it('restock or return a unit graded resellable, or whose retest passed, either way', () => {
    const sellable = [
      awaitingDisposition,
      [...awaitingRetest, passed],
      // Passed on the second round, after a failed retest and a second dispatch.
      [
        ...awaitingRetest,
        retestFailed,
        dispatched(2, 12),
        { type: 'VendorSentReplacement', data: { dispatchNo: 2, occurredAt: at(20) } },
        { type: 'RetestPassed', data: { dispatchNo: 2, notes: null, occurredAt: at(21) } },
      ] satisfies RmaUnitEvent[],
    ];
    for (const history of sellable) {
      spec
        .given(...history)
        .when(commands.restock!)
        .thenTypes('UnitRestocked');
      spec
        .given(...history)
        .when(commands.returnToCustomer!)
        .thenTypes('UnitReturnedToCustomer');
    }
  });

  it('refuse a unit the vendor credited or rejected: it was never retested', () => {
    for (const [history, reason] of [
      [[...atVendor, credited], 'vendor-credited'],
      [[...atVendor, rejected], 'vendor-rejected'],
    ] as const) {
      for (const command of [commands.restock!, commands.returnToCustomer!]) {
        const error = spec
          .given(...history)
          .when(command)
          .thenRefused('LDG_UNIT_NOT_SELLABLE');
        expect(error.field).toBeUndefined();
        expect(error.details).toEqual({ custody: 'awaiting-disposition', reason });
      }
    }
  });

  it('refuse a unit graded scrap or customer-damaged', () => {
    for (const grade of ['scrap', 'customer-damaged'] as const) {
      for (const command of [commands.restock!, commands.returnToCustomer!]) {
        const error = spec.given(entered, graded(grade)).when(command).thenRefused('LDG_UNIT_NOT_SELLABLE');
        expect(error.details).toEqual({ custody: 'awaiting-disposition', reason: grade });
      }
    }
  });

  it('leave an unsellable unit to be liquidated or written off', () => {
    for (const history of [
      [...atVendor, credited],
      [...atVendor, rejected],
      [entered, graded('scrap')],
      [entered, graded('customer-damaged')],
    ]) {
      spec
        .given(...history)
        .when(commands.liquidate!)
        .thenTypes('UnitLiquidated');
      spec
        .given(...history)
        .when(commands.writeOff!)
        .thenTypes('UnitWrittenOff');
    }
  });

  it('refuse a unit that is not awaiting a disposition', () => {
    for (const history of [awaitingInspection, awaitingDispatch, atVendor, awaitingRetest]) {
      spec
        .given(...history)
        .when(commands.restock!)
        .thenRefused('LDG_UNIT_NOT_AWAITING_DISPOSITION');
      spec
        .given(...history)
        .when(commands.returnToCustomer!)
        .thenRefused('LDG_UNIT_NOT_AWAITING_DISPOSITION');
    }
  });
});

describe('Liquidate', () => {
  it('records the amount recovered, the unit cost and the loss', () => {
    spec
      .given(...awaitingDisposition)
      .when(commands.liquidate!)
      .thenEmits([
        {
          type: 'UnitLiquidated',
          data: { recovered: CNY(3_000), unitCost: CNY(12_000), loss: CNY(9_000), occurredAt: at(50) },
        },
      ]);
  });

  it('never records a negative loss', () => {
    const events = spec
      .given(...awaitingDispatch)
      .when({ ...base, type: 'Liquidate', recovered: CNY(15_000) })
      .thenTypes('UnitLiquidated');
    expect(events[0]?.data).toMatchObject({ loss: CNY(0) });
  });

  it('refuses a unit at the vendor or not graded, and another currency', () => {
    spec
      .given(...atVendor)
      .when(commands.liquidate!)
      .thenRefused('LDG_UNIT_AT_VENDOR');
    spec
      .given(...awaitingInspection)
      .when(commands.liquidate!)
      .thenRefused('LDG_UNIT_NOT_GRADED');
    spec
      .given(...awaitingDisposition)
      .when({ ...base, type: 'Liquidate', recovered: { amount: 3_000, currency: 'USD' } })
      .thenRefused('LDG_CURRENCY_MISMATCH', 'recovered');
  });
});

describe('WriteOff', () => {
  it('writes off a unit stuck at the vendor at its unit cost, charged to the PM in force now', () => {
    spec
      .given(...atVendor)
      .when(commands.writeOff!)
      .thenEmits([
        {
          type: 'UnitWrittenOff',
          data: { amount: CNY(12_000), reason: 'obsolete', chargedToPmId: 'pm-zhao', occurredAt: at(50) },
        },
      ]);
  });

  it('writes off any undisposed unit, with an explicit amount', () => {
    for (const history of [awaitingInspection, awaitingDispatch, awaitingRetest, awaitingDisposition]) {
      const events = spec
        .given(...history)
        .when({ ...commands.writeOff!, amount: CNY(5_000) } as RmaUnitCommand)
        .thenTypes('UnitWrittenOff');
      expect(events[0]?.data).toMatchObject({ amount: CNY(5_000) });
    }
  });

  it('refuses an amount in another currency', () => {
    spec
      .given(...atVendor)
      .when({ ...commands.writeOff!, amount: { amount: 5_000, currency: 'USD' } } as RmaUnitCommand)
      .thenRefused('LDG_CURRENCY_MISMATCH', 'amount');
  });
});

describe('after a disposition', () => {
  it('refuses everything', () => {
    for (const command of Object.values(commands)) {
      spec
        .given(...writtenOff)
        .when(command)
        .thenRefused('LDG_UNIT_ALREADY_DISPOSED');
    }
  });
});

describe('any command', () => {
  it('is refused for a unit that never entered custody', () => {
    for (const command of Object.values(commands)) {
      spec.given().when(command).thenRefused('LDG_UNIT_NOT_FOUND', 'unitId');
    }
  });

  it('is refused when dated before the previous event', () => {
    spec
      .given(...atVendor)
      .when({ ...commands.dun!, occurredAt: at(2) } as RmaUnitCommand)
      .thenRefused('LDG_OCCURRED_AT_BEFORE_PREVIOUS', 'occurredAt');
  });
});

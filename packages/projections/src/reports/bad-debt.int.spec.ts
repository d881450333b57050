import type { DomainEvent } from '@rma-ledger/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectionRunner } from '../projection-runner.js';
import { day, ReportScenario } from '../test-support/report-scenario.js';
import { badDebtCsv, badDebtReport } from './bad-debt.js';

let runner: ProjectionRunner<DomainEvent>;
beforeAll(async () => {
  const s = new ReportScenario();
  const eur = (id: string) => s.enter(id, `c-${id}`, 'A', 'V1', 'P1', 1000, 'EUR', day(-20));
  eur('b6').writeOff('b6', 800, 'EUR', 'P1', day(0));
  eur('b1').writeOff('b1', 1000, 'EUR', 'P1', day(5));
  eur('b2').liquidate('b2', 300, 1000, 'EUR', day(6));
  eur('b3').restock('b3', day(7));
  // b4 entered custody under P2; the SKU then moved to P3, who is charged with the write-off
  s.enter('b4', 'c-b4', 'B', 'V2', 'P2', 5000, 'USD', day(-20)).writeOff('b4', 5000, 'USD', 'P3', day(8));
  s.enter('b7', 'c-b7', 'B', 'V2', 'P2', 5000, 'USD', day(-20)).returnToCustomer('b7', day(10));
  s.enter('b8', 'c-b8', 'C', 'V1', 'P1', 2000, 'USD', day(-20)).writeOff('b8', 2000, 'USD', 'P1', day(12));
  s.enter('b5', 'c-b5', 'B', 'V2', 'P2', 5000, 'USD', day(-20)).writeOff('b5', 5000, 'USD', 'P2', day(30));
  runner = await s.project();
});
afterAll(() => runner.stop());

const report = (from: string, to: string) => runner.read('reports', (db) => badDebtReport(db, { from, to }));

describe('bad debt per PM', () => {
  it('charges write-offs to the PM on the write-off, per currency, with liquidation losses apart', () => {
    expect(report(day(0), day(30))).toEqual({
      from: day(0),
      to: day(30),
      pms: [
        {
          pmId: 'P1',
          writeOffs: 3,
          badDebt: [
            { currency: 'EUR', count: 2, amount: 1800 },
            { currency: 'USD', count: 1, amount: 2000 },
          ],
          liquidationLosses: [{ currency: 'EUR', count: 1, amount: 700 }],
          unitsDisposed: 5,
          badDebtRate: 0.6,
        },
        { pmId: 'P2', writeOffs: 0, badDebt: [], liquidationLosses: [], unitsDisposed: 1, badDebtRate: 0 },
        {
          pmId: 'P3',
          writeOffs: 1,
          badDebt: [{ currency: 'USD', count: 1, amount: 5000 }],
          liquidationLosses: [],
          unitsDisposed: 1,
          badDebtRate: 1,
        },
      ],
    });
  });

  it('includes the start of the period and excludes its end', () => {
    expect(report(day(0, 1), day(30, 1)).pms.map((p) => [p.pmId, p.writeOffs, p.unitsDisposed])).toEqual([
      ['P1', 2, 4],
      ['P2', 1, 2],
      ['P3', 1, 1],
    ]);
  });

  it('writes one CSV line per PM with a stable column order', () => {
    expect(badDebtCsv(report(day(0), day(30))).split('\r\n')).toEqual([
      'pm_id,write_offs,bad_debt,liquidation_losses,units_disposed,bad_debt_rate',
      'P1,3,EUR 1800; USD 2000,EUR 700,5,0.6',
      'P2,0,,,1,0',
      'P3,1,USD 5000,,1,1',
      '',
    ]);
  });
});

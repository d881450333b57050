import { day, ReportScenario } from './report-scenario.js';

/**
 * Six cases through the vendor cycle (days counted from 2026-01-01):
 * - c1/u1 (V1, P1): promised day 20; dispatched day 4 due 14, repaired day 12, retest FAILED day 13,
 *   dispatched again day 15 due 25, repaired day 24, retest passed day 26 → completed day 26.
 * - c2/u2 (V2, P2, USD): promised day 10; dispatched day 3 due 17 (headroom −7), credited day 8.
 * - c3/u3 (V1, P1): promised day 15; dispatched day 7 due 17 (headroom −2), rejected day 20.
 * - c4/u4: in custody from day 25, never dispatched: never considered.
 * - c5/u6: SKU A moved from P1 to P3 on day 10; the case (opened day 9) stays P1's, the unit
 *   (in custody day 11) is P3's; promised day 19; dispatched day 12 due 22, dunned days 23 and 27.
 * - c6/u7 (V2, P2, USD): promised day 25; dispatched day 5 due 19, never answered.
 */
export function vendorCycleScenario(): ReportScenario {
  return new ReportScenario()
    .sku('A', 'V1', 'P1', 1000, 'EUR', day(-10))
    .sku('B', 'V2', 'P2', 5000, 'USD', day(-10))
    .openCase('c1', 'A', 1, 'V1', 'P1', day(0))
    .promise('c1', day(20), day(0))
    .openCase('c2', 'B', 1, 'V2', 'P2', day(1))
    .promise('c2', day(10), day(1))
    .openCase('c6', 'B', 1, 'V2', 'P2', day(1))
    .promise('c6', day(25), day(1))
    .receive('c1', 'u1', day(2))
    .enter('u1', 'c1', 'A', 'V1', 'P1', 1000, 'EUR', day(2))
    .enter('u2', 'c2', 'B', 'V2', 'P2', 5000, 'USD', day(2))
    .grade('u2', 'repairable', day(2))
    .grade('u1', 'defective', day(3))
    .dispatch('u2', 1, 'V2', day(3), day(17))
    .dispatch('u1', 1, 'V1', day(4), day(14))
    .enter('u7', 'c6', 'B', 'V2', 'P2', 5000, 'USD', day(4))
    .dispatch('u7', 1, 'V2', day(5), day(19))
    .openCase('c3', 'A', 1, 'V1', 'P1', day(5))
    .promise('c3', day(15), day(5))
    .enter('u3', 'c3', 'A', 'V1', 'P1', 1000, 'EUR', day(6))
    .dispatch('u3', 1, 'V1', day(7), day(17))
    .credit('u2', 1, 4000, 'USD', day(8))
    .openCase('c5', 'A', 1, 'V1', 'P1', day(9))
    .promise('c5', day(19), day(9))
    .reassign('A', 'V1', 'P3', day(10))
    .enter('u6', 'c5', 'A', 'V1', 'P3', 1000, 'EUR', day(11))
    .repaired('u1', 1, day(12))
    .dispatch('u6', 1, 'V1', day(12), day(22))
    .retest('u1', 1, false, day(13))
    .dispatch('u1', 2, 'V1', day(15), day(25))
    .reject('u3', 1, day(20))
    .openCase('c4', 'A', 1, 'V1', 'P3', day(22))
    .promise('c4', day(30), day(22))
    .dun('u6', 1, 1, day(23))
    .repaired('u1', 2, day(24))
    .enter('u4', 'c4', 'A', 'V1', 'P3', 1000, 'EUR', day(25))
    .retest('u1', 2, true, day(26))
    .dun('u6', 1, 2, day(27));
}

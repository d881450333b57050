import type { PersonalData, SealedPersonalData } from '@rma-ledger/domain';
import type { Business } from './business.js';

const GIVEN = ['Wei', 'Fang', 'Lei', 'Mei', 'Jun', 'Hui', 'Emma', 'Noah', 'Lena', 'Jonas', 'Sofia', 'Marco'];
const FAMILY = ['Zhang', 'Wang', 'Li', 'Zhao', 'Huang', 'Schmidt', 'Rossi', 'Miller', 'Garcia', 'Müller'];
const CITIES = ['Shanghai', 'Beijing', 'Shenzhen', 'Chengdu', 'Berlin', 'Milan', 'Austin', 'Lyon'];

/** Enough regulars that repeat customers are common, few enough to stay small on huge runs. */
const POOL_LIMIT = 50_000;
/** Share of cases opened by a customer the business has not seen before. */
const NEW_CUSTOMER_RATE = 0.35;

export interface ScenarioCustomer {
  readonly id: string;
  readonly personalData: SealedPersonalData;
}

/**
 * The customers who open cases. Each is sealed once, when first seen, and the sealed data is
 * reused on their later cases: sealing stays cheap on big runs.
 */
export class CustomerPool {
  private readonly pool: ScenarioCustomer[] = [];
  count = 0;

  remove(customerId: string): void {
    const index = this.pool.findIndex((c) => c.id === customerId);
    if (index >= 0) this.pool.splice(index, 1);
  }

  async next(b: Business): Promise<ScenarioCustomer> {
    const { random } = b;
    if (this.pool.length > 0 && !random.chance(NEW_CUSTOMER_RATE)) return random.pick(this.pool);
    const id = b.ids.next();
    const given = random.pick(GIVEN);
    const family = random.pick(FAMILY);
    const data: PersonalData = {
      name: `${given} ${family}`,
      phone: `+86 1${random.int(30, 89)} ${random.int(1000, 9999)} ${random.int(1000, 9999)}`,
      email: `${given}.${family}.${random.int(1, 999)}@example.com`.toLowerCase().replace('ü', 'ue'),
      address: `${random.int(1, 300)} ${random.pick(['Garden', 'River', 'Station', 'Market'])} Road, ${random.pick(CITIES)}`,
    };
    const customer = { id, personalData: await b.personalData.seal(id, data) };
    this.count++;
    if (this.pool.length < POOL_LIMIT) this.pool.push(customer);
    else this.pool[random.int(0, POOL_LIMIT - 1)] = customer;
    return customer;
  }
}

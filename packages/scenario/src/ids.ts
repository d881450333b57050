import { v5 } from 'uuid';

/** The namespace every scenario's ids descend from (a fixed, arbitrary UUID). */
const SCENARIO_NAMESPACE = '6f1c2a7e-3d4b-5c8e-9a1f-2b3c4d5e6f70';

/**
 * Ids that look random but are UUID v5 over (seed, counter): the same seed gives the same ids in
 * the same order, and two seeds never share one.
 */
export class IdSource {
  private readonly namespace: string;
  private counter = 0;

  constructor(seed: number) {
    this.namespace = v5(`rma-ledger-scenario:${seed}`, SCENARIO_NAMESPACE);
  }

  next(): string {
    this.counter++;
    return v5(String(this.counter), this.namespace);
  }
}

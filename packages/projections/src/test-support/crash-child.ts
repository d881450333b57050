// Run in a child process by the crash test: feeds `total` events into the counter projection in
// batches of 7 and kills its own process (SIGKILL, no cleanup) while applying event `killAt`.
import { ProjectionRunner } from '../projection-runner.js';
import { added, counterProjection, parseAdded } from './counter-projection.js';
import { InMemoryEventStore } from './in-memory-event-store.js';

const [directory, killAtArg, totalArg] = process.argv.slice(2);
const killAt = Number(killAtArg);
const store = new InMemoryEventStore();
for (let i = 1; i <= Number(totalArg); i++) store.appendSync(`s${i % 3}`, [added(i)]);
const counter = counterProjection();
ProjectionRunner.start({
  store,
  directory: directory!,
  projections: [
    {
      ...counter,
      bind(db) {
        const apply = counter.bind(db);
        return (event, recorded) => {
          if (recorded.position === killAt) process.kill(process.pid, 'SIGKILL');
          apply(event, recorded);
        };
      },
    },
  ],
  parse: parseAdded,
  batchSize: 7,
  maxBatchDelayMs: Number.POSITIVE_INFINITY,
});

// Prints vitest's totals as one plain closing line ("N passed, N failed, N skipped") and lists
// skipped suites with their reasons, so a skipped adapter is visible in the CI log.
import { readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const skippedTitles = new Set();
for (const file of results.testResults) {
  for (const test of file.assertionResults) {
    if (test.status === 'skipped' || test.status === 'pending')
      skippedTitles.add(test.ancestorTitles[0] ?? test.title);
  }
}
for (const title of skippedTitles) console.log(`skipped: ${title}`);
console.log(
  `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`,
);
process.exit(results.success ? 0 : 1);

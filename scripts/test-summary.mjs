// Prints vitest's result as the plain closing line CI reads ("N passed, N failed, N skipped"),
// and fails when CI is set and any test was skipped: a skipped real-dependency test is a gap, not a pass.
import fs from 'node:fs';

const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const passed = report.numPassedTests;
const failed = report.numFailedTests;
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
if (process.env.CI && skipped > 0) {
  console.error('CI: skipped tests count as failures (a real dependency is missing)');
  process.exit(1);
}
if (passed === 0) {
  console.error('no test ran');
  process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);

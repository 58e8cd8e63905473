// Prints one closing line in the plain `N passed, N failed` form that CI logs are read for.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failedSuites = results.numRuntimeErrorTestSuites;
    const suffix = skipped > 0 ? `, ${skipped} skipped` : '';
    if (failedSuites > 0) console.log(`jest: ${failedSuites} test files failed to run`);
    console.log(`tests: ${results.numPassedTests} passed, ${results.numFailedTests + failedSuites} failed${suffix}`);
  }
}
module.exports = SummaryReporter;

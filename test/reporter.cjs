// Mocha's spec reporter plus one closing line, "N passed, N failed, N skipped", that CI and people can
// read the same way whatever ran. With TEST_SUMMARY_FILE set, the counts are also appended there so
// .ci/run can print a total over several mocha runs.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      const line = `${passes} passed, ${failures} failed, ${pending} skipped`;
      process.stdout.write(`mocha: ${line}\n`);
      if (process.env.TEST_SUMMARY_FILE)
        fs.appendFileSync(process.env.TEST_SUMMARY_FILE, `${passes} ${failures} ${pending}\n`);
    });
  }
}

module.exports = SpecWithSummary;

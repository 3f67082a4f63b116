import { findings, writeReport } from "./matrix";

// A root hook: after every test file has run, write docs/reliability.md, but only from a whole run of the
// three matrices (a run narrowed with --grep would write a partial report).
after(() => {
  if (findings.faults.length >= 100 && findings.badInputs.length >= 30 && findings.load.length >= 1)
    writeReport();
});

/**
 * `npm test` runs this first: on a machine without a peer the suite stops here,
 * within seconds, naming each missing program and the line that installs it,
 * instead of failing on the first test that needs it minutes later.
 */
import { missingPeersReport } from "./required";

const report = missingPeersReport();
if (report) {
  console.error(report);
  process.exit(1);
}

// The nightly scan: a timer on %AKS_COMPLIANCE_SCHEDULE% (default 0 0 2 * * *), never on start-up. The handler lives
// in src/scan/nightly.ts; this file only registers it with the Functions host.
import { app } from '@azure/functions';
import { nightlyScanOptions } from '../scan/nightly';

export { nightlyScanHandler, nightlyScanOptions, timerRunId } from '../scan/nightly';

app.timer('nightlyScan', nightlyScanOptions);

// `aks-compliance scan`: a live scan with the configured credential; stored and alerted unless told otherwise.
import { createAzureClients } from '../../azure/clients';
import { loadSettings } from '../../config/settings';
import type { ScanReport } from '../../model';
import { renderReport } from '../../report/render';
import { runScan } from '../../scan/runScan';
import { emitReport, failsAtOrAbove, parseFlags, parseFormat, parseSeverity } from '../args';
import { UsageError, type CliIO, type CommandRunner } from '../io';

export const SCAN_USAGE = `Usage: aks-compliance scan [options]

Scans every AKS cluster in scope through Azure Resource Graph, the AKS resource provider and Microsoft Graph, with
the configured credential (AZURE_* variables, managed identity or developer sign-in).

  --subscription ID        scan this subscription (repeatable; default: AKS_COMPLIANCE_SUBSCRIPTIONS or the tenant)
  --management-group ID    scan this management group (repeatable)
  --format FORMAT          table, json, csv, md, html or sarif (default: from --output's extension, else table)
  --output FILE            write the report to FILE and print a one-line summary
  --no-store               do not record the run in Table Storage (and so send no alerts)
  --no-notify              record the run but send no alerts
  --fail-on SEVERITY       exit 1 when a fail at or above SEVERITY remains (critical, high, medium, low)
`;

const OPTIONS = {
  subscription: { type: 'string', multiple: true },
  'management-group': { type: 'string', multiple: true },
  format: { type: 'string' },
  output: { type: 'string' },
  'no-store': { type: 'boolean' },
  'no-notify': { type: 'boolean' },
  'fail-on': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MANAGEMENT_GROUP = /^[A-Za-z0-9\-_().]{1,90}$/;

/** Progress on a terminal only: one line rewritten in place, at most four times a second. */
function progressReporter(io: CliIO): ((done: number, total: number) => void) | undefined {
  if (!io.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 250) return;
    last = now;
    io.stderr(`\rEvaluated ${done}/${total} clusters${done >= total ? '\n' : ''}`);
  };
}

export const run: CommandRunner = async (args, io) => {
  const flags = parseFlags('scan', args, OPTIONS);
  if (flags.help) {
    io.stdout(SCAN_USAGE);
    return 0;
  }
  const format = parseFormat('scan', flags.format, flags.output);
  const failOn = parseSeverity('scan', 'fail-on', flags['fail-on']);
  const subscriptions = flags.subscription ?? [];
  for (const s of subscriptions) {
    if (!GUID.test(s.trim()))
      throw new UsageError(`scan: --subscription ${JSON.stringify(s)} is not a subscription ID`);
  }
  const managementGroups = flags['management-group'] ?? [];
  for (const mg of managementGroups) {
    if (!MANAGEMENT_GROUP.test(mg.trim())) {
      throw new UsageError(`scan: --management-group ${JSON.stringify(mg)} is not a management group ID`);
    }
  }
  const noStore = flags['no-store'] === true;

  const settings = loadSettings(io.env);
  const clients = createAzureClients(settings);
  const log = io.isTTY ? (line: string) => io.stderr(`${line}\n`) : undefined;
  const progress = progressReporter(io);

  let report: ScanReport;
  if (noStore) {
    report = await runScan(
      { settings, clients, ...(log ? { log } : {}), ...(progress ? { progress } : {}) },
      { subscriptions, managementGroups },
    );
  } else {
    // Loaded here: a --no-store scan needs neither Table Storage nor the alerting pipeline.
    const [{ runScanJob }, { FindingStore }] = await Promise.all([
      import('../../scan/job'),
      import('../../store/findingStore'),
    ]);
    const store = new FindingStore(clients);
    const result = await runScanJob(
      { settings, clients, store, log: log ?? (() => undefined) },
      {
        trigger: 'cli',
        keepReport: true,
        ...(subscriptions.length > 0 ? { subscriptions } : {}),
        ...(managementGroups.length > 0 ? { managementGroups } : {}),
        notify: flags['no-notify'] !== true,
      },
    );
    report = result.report;
  }
  emitReport('scan', io, report, renderReport(report, format), format, flags.output);
  return failsAtOrAbove(report, failOn) ? 1 : 0;
};

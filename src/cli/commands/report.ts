// `aks-compliance report`: prints a stored report (the latest, or one run) from the configured Table Storage.
import { createAzureClients } from '../../azure/clients';
import { loadSettings } from '../../config/settings';
import { FilterError, filterReport, type ReportFilters } from '../../report/filter';
import { renderReport } from '../../report/render';
import { FindingStore, RunNotReadyError } from '../../store/findingStore';
import { emitReport, failsAtOrAbove, parseFlags, parseFormat, parseSeverity } from '../args';
import { UsageError, type CommandRunner } from '../io';

export const REPORT_USAGE = `Usage: aks-compliance report [--run ID] [options]

Prints a report stored by earlier scans (the nightly timer, POST /api/scans, aks-compliance scan).

  --run ID                 the run to print (default: the latest finished fleet run)
  --list                   list the latest runs (ID, status, trigger, finished, clusters, fails) instead
  --format FORMAT          table, json, csv, md, html or sarif (default: from --output's extension, else table)
  --output FILE            write the report to FILE and print a one-line summary
  --severity LIST          only findings of these severities (comma list or repeated)
  --status LIST            only findings with these statuses
  --subscription LIST      only clusters in these subscriptions
  --rule LIST              only these rule IDs
  --fail-on SEVERITY       exit 1 when a fail at or above SEVERITY is in the report

Reads AKS_COMPLIANCE_STORAGE (or AzureWebJobsStorage): a connection string or a table service URL.
`;

const OPTIONS = {
  run: { type: 'string' },
  list: { type: 'boolean' },
  format: { type: 'string' },
  output: { type: 'string' },
  severity: { type: 'string', multiple: true },
  status: { type: 'string', multiple: true },
  subscription: { type: 'string', multiple: true },
  rule: { type: 'string', multiple: true },
  'fail-on': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const RUN_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export const run: CommandRunner = async (args, io) => {
  const flags = parseFlags('report', args, OPTIONS);
  if (flags.help) {
    io.stdout(REPORT_USAGE);
    return 0;
  }
  const format = parseFormat('report', flags.format, flags.output);
  const failOn = parseSeverity('report', 'fail-on', flags['fail-on']);
  if (flags.run !== undefined && !RUN_ID.test(flags.run)) {
    throw new UsageError(`report: --run ${JSON.stringify(flags.run.slice(0, 200))} is not a run ID`);
  }
  const filters: ReportFilters = {};
  for (const name of ['severity', 'status', 'subscription', 'rule'] as const) {
    if (flags[name]) filters[name] = flags[name];
  }

  const settings = loadSettings(io.env);
  const store = new FindingStore(createAzureClients(settings));

  if (flags.list) {
    const runs = await store.listRuns(20);
    const lines = runs.map((r) =>
      [
        r.runId,
        r.status,
        r.trigger,
        r.finishedAt ?? '-',
        r.summary ? `${r.summary.clusters} clusters` : '-',
        r.summary ? `${r.summary.status.fail} fail` : '-',
      ].join('  '),
    );
    io.stdout(lines.length ? `${lines.join('\n')}\n` : 'No runs are stored yet.\n');
    return 0;
  }

  let report;
  try {
    report = flags.run ? await store.getRunReport(flags.run) : await store.getLatestReport();
  } catch (error) {
    if (error instanceof RunNotReadyError) {
      throw new UsageError(`report: run ${flags.run} is ${error.status} and has no report`);
    }
    throw error;
  }
  if (!report) {
    throw new UsageError(flags.run ? `report: run ${flags.run} is not in the store` : 'report: no run is stored yet');
  }
  try {
    report = filterReport(report, filters);
  } catch (error) {
    if (error instanceof FilterError) throw new UsageError(`report: --${error.filter}: ${error.message}`);
    throw error;
  }
  emitReport('report', io, report, renderReport(report, format), format, flags.output);
  return failsAtOrAbove(report, failOn) ? 1 : 0;
};

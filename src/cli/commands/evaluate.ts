// `aks-compliance evaluate`: the rules, offline, on exported files. No network, no credential, no store.
import { loadSupportCalendar } from '../../catalog/calendar';
import { applyExemptions } from '../../exemptions/exemptions';
import type { AccessView, RegionCatalog } from '../../model';
import { readAccessInputs } from '../../offline/access';
import { readKubeDir } from '../../offline/kube';
import { readClustersFile, readExemptionsFile, readVersionsFile } from '../../offline/inputs';
import { thresholdsFromEnv } from '../../offline/thresholds';
import { buildReport } from '../../report/build';
import { renderReport } from '../../report/render';
import { buildRuleContext } from '../../rules/context';
import { evaluateCluster } from '../../rules/engine';
import { emitReport, failsAtOrAbove, parseDateFlag, parseFlags, parseFormat, parseSeverity } from '../args';
import { UsageError, type CommandRunner } from '../io';

export const EVALUATE_USAGE = `Usage: aks-compliance evaluate --clusters FILE [options]

Evaluates the rules offline on exported files (no Azure access).

  --clusters FILE          az graph query -o json output, an ARM list ({"value": [...]}), an array of clusters,
                           or az aks list / az aks show -o json output (the CLI's flattened form)
  --versions FILE          a listKubernetesVersions response (az aks get-versions -o json), for every location,
                           or an object mapping each location to one, or one cluster's az aks get-upgrades -o json
                           (for that cluster only); without it the version rules are unknown
  --role-assignments FILE  authorizationresources rows or az role assignment list --all -o json
  --directory FILE         a Graph directoryObjects/getByIds response
                           (without both, the RBAC-subject rules are unknown)
  --kube DIR               DIR/<cluster name>/{clusterrolebindings,rolebindings,clusterroles,daemonsets,nodes}.json,
                           each \`kubectl get <kind> -A -o json\` output (without it the in-cluster rules are unknown)
  --exemptions FILE        an array of exemption records
  --as-of YYYY-MM-DD       the date the age and horizon rules judge against (default: now)
  --format FORMAT          table, json, csv, md, html or sarif (default: from --output's extension, else table)
  --output FILE            write the report to FILE and print a one-line summary
  --fail-on SEVERITY       exit 1 when a fail at or above SEVERITY remains (critical, high, medium, low)

The report is complete (the clusters file is the whole inventory); rules whose optional input file is missing
are unknown, and each such finding says which file would answer it.

Settings read from the environment: AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS, AKS_COMPLIANCE_EOL_WARNING_DAYS,
AKS_COMPLIANCE_MAX_CLUSTER_ADMINS, AKS_COMPLIANCE_SUPPORT_CALENDAR.
`;

const OPTIONS = {
  clusters: { type: 'string' },
  versions: { type: 'string' },
  'role-assignments': { type: 'string' },
  directory: { type: 'string' },
  kube: { type: 'string' },
  exemptions: { type: 'string' },
  'as-of': { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string' },
  'fail-on': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const run: CommandRunner = async (args, io) => {
  const flags = parseFlags('evaluate', args, OPTIONS);
  if (flags.help) {
    io.stdout(EVALUATE_USAGE);
    return 0;
  }
  const format = parseFormat('evaluate', flags.format, flags.output);
  const failOn = parseSeverity('evaluate', 'fail-on', flags['fail-on']);
  const asOfFlag = parseDateFlag('evaluate', 'as-of', flags['as-of']);
  if (flags.clusters === undefined) throw new UsageError('evaluate: --clusters FILE is required');
  const startedAt = new Date();
  const asOf = asOfFlag ?? startedAt;

  const thresholds = thresholdsFromEnv(io.env);
  const calendar = loadSupportCalendar(thresholds.supportCalendarPath);
  const clusters = readClustersFile(flags.clusters, io.cwd);
  // Absent catalogs make the version rules unknown ("not fetched"), as the contract says for a missing --versions.
  const catalogs: Map<string, RegionCatalog> = flags.versions
    ? readVersionsFile(flags.versions, clusters, io.cwd)
    : new Map();
  const access: AccessView | undefined = readAccessInputs(
    { roleAssignments: flags['role-assignments'], directory: flags.directory },
    io.cwd,
  );
  const inCluster = flags.kube !== undefined ? readKubeDir(flags.kube, clusters, io.cwd) : undefined;
  const exemptions = flags.exemptions ? readExemptionsFile(flags.exemptions, asOf, io.cwd) : [];

  const ctx = buildRuleContext({
    asOf,
    nodeImageMaxAgeDays: thresholds.nodeImageMaxAgeDays,
    eolWarningDays: thresholds.eolWarningDays,
    maxClusterAdmins: thresholds.maxClusterAdmins,
    catalogs,
    calendar,
    access,
    ...(inCluster ? { inCluster } : {}),
  });
  const evaluated = applyExemptions(
    clusters.map((cluster) => evaluateCluster(cluster, ctx)),
    exemptions,
    asOf,
  );
  const report = buildReport({
    runId: `offline-${asOf.toISOString().slice(0, 10)}`,
    asOf,
    startedAt,
    finishedAt: new Date(),
    scope: {},
    // The inventory is the clusters file, read whole. Missing optional inputs show as unknown findings that say why.
    complete: true,
    clusters: evaluated,
    problems: [],
  });
  emitReport('evaluate', io, report, renderReport(report, format), format, flags.output);
  return failsAtOrAbove(report, failOn) ? 1 : 0;
};

// The bench fleet's report built offline (the same generator, rules and exemptions-free evaluation as the scan): what
// the browser test opens and the bench measures the HTML report of, without the simulator.
import { loadSupportCalendar } from '../src/catalog/calendar';
import { buildOfflineAccessView } from '../src/identity/offline';
import { toDirectoryObject } from '../src/identity/directory';
import { toRoleAssignmentRecord } from '../src/identity/roleAssignments';
import { toClusterRecord } from '../src/inventory/clusters';
import type {
  ClusterRecord,
  DirectoryObject,
  RegionCatalog,
  RoleAssignmentRecord,
  RuleContext,
  ScanReport,
} from '../src/model';
import { normaliseLocation } from '../src/model';
import { buildReport } from '../src/report/build';
import { buildRuleContext } from '../src/rules/context';
import { evaluateCluster } from '../src/rules/engine';
import { DEFAULT_AS_OF, generateFleet, type FleetOptions } from '../sim/fleet/generator';

/** The clusters and a prepared rule context for a generated fleet (the fleet itself is left behind). */
export function prepareRuleInputs(
  fleetOptions: FleetOptions,
  asOf = new Date(),
): { records: ClusterRecord[]; ctx: RuleContext } {
  const { fleet } = generateFleet(fleetOptions);
  // The rows as a scan receives them, parsed from Resource Graph's JSON: the generator builds its strings by
  // concatenation, a form no scan evaluates (and one that costs every lookup keyed by them a copy).
  const rows = JSON.parse(JSON.stringify(fleet.clusters)) as unknown[];
  const records: ClusterRecord[] = rows.map((row) => {
    const converted = toClusterRecord(row);
    if ('error' in converted) throw new Error(converted.error);
    return converted.record;
  });
  const catalogs = new Map<string, RegionCatalog>();
  for (const location of new Set(records.map((r) => normaliseLocation(r.location)))) {
    const answer = fleet.kubernetesVersions[location];
    catalogs.set(
      location,
      answer ? { readable: true, location, values: answer.values } : { readable: false, location, reason: 'HTTP 404' },
    );
  }
  const assignments = fleet.roleAssignments
    .map((a) => toRoleAssignmentRecord(a))
    .flatMap((r) => ('record' in r ? [r.record] : [])) as RoleAssignmentRecord[];
  const directory = fleet.directory.map(toDirectoryObject).filter((d): d is DirectoryObject => d !== undefined);
  const chains = new Map(
    fleet.subscriptions.map((s) => [
      s.subscriptionId.toLowerCase(),
      s.managementGroupAncestorsChain.map((m) => m.name),
    ]),
  );
  const access = buildOfflineAccessView(assignments, directory, chains);
  // As a scan's access phase (gatherAccess) leaves the view before its rules run: every cluster's covering role
  // assignments looked up once.
  for (const record of records) (access.forCluster?.(record) ?? access).assignmentsFor(record);
  const ctx = buildRuleContext({ asOf, catalogs, calendar: loadSupportCalendar(), access });
  return { records, ctx };
}

/** The whole report of a generated fleet, evaluated offline as of the generator's date. */
export function fleetReport(fleetOptions: FleetOptions, runId = 'bench-fleet'): ScanReport {
  const { records, ctx } = prepareRuleInputs(fleetOptions, DEFAULT_AS_OF);
  return buildReport({
    runId,
    asOf: DEFAULT_AS_OF,
    startedAt: DEFAULT_AS_OF,
    finishedAt: DEFAULT_AS_OF,
    scope: { subscriptions: [], managementGroups: [] },
    complete: true,
    clusters: records.map((record) => evaluateCluster(record, ctx)),
    problems: [],
  });
}

// One run's access data: AKS-access role assignments (Resource Graph) and their principals (Microsoft Graph).
import type { Client } from '@microsoft/microsoft-graph-client';
import type { AccessView, ClusterRecord, ScanProblem } from '../model';
import { AssignmentCoverage, readRoleAssignments, type GraphQueryReader } from './roleAssignments';
import { PrincipalDirectory, type PrincipalDirectoryOptions } from './directory';
import { FleetAccessView, type AssignmentSource, adminGroupIdsOf } from './accessView';

export interface GatherAccessDeps {
  /** `AzureClients` (src/azure/clients.ts); only its Graph client is used here. */
  clients: { graph: Client };
  /** The run's `ResourceGraphReader` (shares the Resource Graph quota with the inventory). */
  reader: GraphQueryReader;
  directoryOptions?: Omit<PrincipalDirectoryOptions, 'countMembersOf'>;
}

export interface GatherAccessInput {
  clusters: ClusterRecord[];
  /** From readInventory: subscription ID (lower case) -> management group names, nearest first. */
  chains: ReadonlyMap<string, readonly string[]>;
  scope: { subscriptions?: string[]; managementGroups?: string[] };
}

/**
 * Reads the role assignments that cover the clusters and resolves every principal they name plus every admin group
 * of the fleet, each distinct ID once. What could not be read comes back as problems and as `unknown` in the view.
 */
export async function gatherAccess(
  deps: GatherAccessDeps,
  input: GatherAccessInput,
): Promise<{ view: AccessView; problems: ScanProblem[] }> {
  const read = await readRoleAssignments(deps.reader, input.scope);
  const problems = [...read.problems];
  let source: AssignmentSource;
  const principalIds = new Set<string>();
  if (read.complete) {
    const coverage = new AssignmentCoverage(read.assignments, { chains: input.chains, unknownChain: 'unknown' });
    source = { readable: true, coverage };
    for (const cluster of input.clusters) {
      const covering = coverage.covering(cluster);
      if (covering.readable) for (const a of covering.assignments) principalIds.add(a.principalId);
    }
  } else {
    const detail = read.problems.map((p) => p.message).find((m) => m) ?? 'the read was incomplete';
    source = { readable: false, reason: `role assignments could not all be read from Resource Graph: ${detail}` };
  }
  const adminGroups = new Set<string>();
  for (const cluster of input.clusters) {
    for (const id of adminGroupIdsOf(cluster) ?? []) {
      adminGroups.add(id.trim().toLowerCase());
      principalIds.add(id.trim().toLowerCase());
    }
  }
  const { directory, problems: directoryProblems } = await PrincipalDirectory.load(deps.clients.graph, principalIds, {
    ...deps.directoryOptions,
    countMembersOf: adminGroups,
  });
  problems.push(...directoryProblems);
  return { view: new FleetAccessView(source, directory), problems };
}

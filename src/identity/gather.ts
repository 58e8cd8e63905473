// One run's access data: AKS-access role assignments (Resource Graph) and their principals (Microsoft Graph).
import type { Client } from '@microsoft/microsoft-graph-client';
import type { AccessView, ClusterRecord, RoleAssignmentRecord, ScanProblem } from '../model';
import {
  AssignmentCoverage,
  isDirectoryPrincipalType,
  readRoleAssignments,
  type GraphQueryReader,
} from './roleAssignments';
import { PrincipalDirectory, type PrincipalDirectoryOptions } from './directory';
import { FleetAccessView, type AssignmentSource, adminGroupIdsOf } from './accessView';

const SUBSCRIPTION_SCOPE = /^\/subscriptions\/([^/]+)$/i;

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
  /** More object IDs to resolve (subjects of in-cluster bindings). */
  extraPrincipals?: Iterable<string>;
  /** More groups whose transitive members to count (groups bound to cluster-admin inside clusters). */
  extraMemberCounts?: Iterable<string>;
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
  // A subscription that refused the query hides only its own assignments (those at its scopes); any other gap in
  // the read could hide assignments covering any cluster.
  const unreadableSubscriptions = new Map<string, string>();
  let wholeReadFailed: string | undefined;
  if (!read.complete) {
    for (const p of read.problems) {
      const m = SUBSCRIPTION_SCOPE.exec(p.scope);
      if (m) unreadableSubscriptions.set(m[1].toLowerCase(), `role assignments could not be read: ${p.message}`);
      else wholeReadFailed ??= p.message;
    }
    if (unreadableSubscriptions.size === 0) wholeReadFailed ??= 'the read was incomplete';
  }
  if (wholeReadFailed === undefined) {
    const coverage = new AssignmentCoverage(read.assignments, { chains: input.chains, unknownChain: 'unknown' });
    source = { readable: true, coverage, unreadableSubscriptions };
    // Clusters share most of their covering lists (inherited scopes): read each list once.
    const listsSeen = new Set<readonly RoleAssignmentRecord[]>();
    for (const cluster of input.clusters) {
      if (unreadableSubscriptions.has(cluster.subscriptionId.toLowerCase())) continue;
      const covering = coverage.covering(cluster);
      if (!covering.readable) continue;
      for (const list of covering.parts ?? [covering.assignments]) {
        if (listsSeen.has(list)) continue;
        listsSeen.add(list);
        for (const a of list) if (isDirectoryPrincipalType(a.principalType)) principalIds.add(a.principalId);
      }
    }
  } else {
    source = {
      readable: false,
      reason: `role assignments could not all be read from Resource Graph: ${wholeReadFailed}`,
    };
  }
  const adminGroups = new Set<string>();
  for (const cluster of input.clusters) {
    for (const id of adminGroupIdsOf(cluster) ?? []) {
      adminGroups.add(id.trim().toLowerCase());
      principalIds.add(id.trim().toLowerCase());
    }
  }
  for (const id of input.extraPrincipals ?? []) principalIds.add(id.trim().toLowerCase());
  for (const id of input.extraMemberCounts ?? []) {
    adminGroups.add(id.trim().toLowerCase());
    principalIds.add(id.trim().toLowerCase());
  }
  const { directory, problems: directoryProblems } = await PrincipalDirectory.load(deps.clients.graph, principalIds, {
    ...deps.directoryOptions,
    countMembersOf: adminGroups,
  });
  problems.push(...directoryProblems);
  return { view: new FleetAccessView(source, directory), problems };
}

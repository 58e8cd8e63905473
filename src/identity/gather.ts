// One run's access data: AKS-access role assignments (Resource Graph) and their principals (Microsoft Graph).
import type { Client } from '@microsoft/microsoft-graph-client';
import type { AccessView, ClusterHead, RoleAssignmentRecord, ScanProblem } from '../model';
import {
  AssignmentCoverage,
  isDirectoryPrincipalType,
  isGuid,
  readRoleAssignments,
  type GraphQueryReader,
} from './roleAssignments';
import { GET_BY_IDS_LIMIT, PrincipalDirectory, type PrincipalDirectoryOptions } from './directory';
import { FleetAccessView, type AssignmentSource, adminGroupIdsOf } from './accessView';
import { foreignTenantOf, foreignTenantReason } from './tenants';

const SUBSCRIPTION_SCOPE = /^\/subscriptions\/([^/]+)$/i;

export interface GatherAccessDeps {
  /** `AzureClients` (src/azure/clients.ts); only its Graph clients are used here. */
  clients: { graph: Client; graphFor?(tenantId: string): Client | undefined };
  /** The run's `ResourceGraphReader` (shares the Resource Graph quota with the inventory). */
  reader: GraphQueryReader;
  directoryOptions?: Omit<PrincipalDirectoryOptions, 'countMembersOf'>;
}

export interface GatherAccessInput {
  clusters: readonly ClusterHead[];
  /** From readInventory: subscription ID (lower case) -> management group names, nearest first. */
  chains: ReadonlyMap<string, readonly string[]>;
  scope: { subscriptions?: string[]; managementGroups?: string[] };
  /** More object IDs to resolve (subjects of in-cluster bindings). */
  extraPrincipals?: Iterable<string>;
  /** More groups whose transitive members to count (groups bound to cluster-admin inside clusters). */
  extraMemberCounts?: Iterable<string>;
  /**
   * The scanner's own tenant (lower case). Clusters of another tenant (Azure Lighthouse) have their principals
   * resolved in that tenant's Graph when `clients.graphFor` has it, and are unreadable otherwise; never looked up
   * in this directory. Undefined: every cluster is taken as the scanner's own.
   */
  homeTenantId?: string;
}

/**
 * Reads the role assignments that cover the clusters and resolves every principal they name plus every admin group
 * of the fleet, each distinct ID once. What could not be read comes back as problems and as `unknown` in the view.
 */
export async function gatherAccess(
  deps: GatherAccessDeps,
  input: GatherAccessInput,
): Promise<{ view: AccessView; problems: ScanProblem[] }> {
  // The scanner's own directory's admin groups are named by the clusters alone: they are resolved and their members
  // counted while the role assignments are read (Resource Graph's quota paces that read; Graph is idle meanwhile).
  // Only whole getByIds and $batch calls' worth: the rest go with the principals of the assignments, so that the
  // two loads make no more calls than one.
  const adminGroups = new Set<string>();
  for (const cluster of input.clusters) {
    if (foreignTenantOf(cluster, input.homeTenantId) !== undefined) continue;
    for (const id of adminGroupIdsOf(cluster) ?? []) adminGroups.add(id.trim().toLowerCase());
  }
  for (const id of input.extraMemberCounts ?? []) adminGroups.add(id.trim().toLowerCase());
  const earlyIds = [...adminGroups]
    .filter(isGuid)
    .sort()
    .slice(0, Math.floor(adminGroups.size / GET_BY_IDS_LIMIT) * GET_BY_IDS_LIMIT);
  const early = PrincipalDirectory.load(deps.clients.graph, earlyIds, {
    ...deps.directoryOptions,
    countMembersOf: earlyIds,
    wholeBatchesOnly: true,
  });
  // Awaited below; a rejection is not left unhandled while the assignments are read.
  early.catch(() => undefined);
  const read = await readRoleAssignments(deps.reader, input.scope);
  const problems = [...read.problems];
  let source: AssignmentSource;
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
  } else {
    source = {
      readable: false,
      reason: `role assignments could not all be read from Resource Graph: ${wholeReadFailed}`,
    };
  }
  // Each cluster's principals are resolved in its own tenant's directory ('' = the scanner's own). Clusters share
  // most of their covering lists (inherited scopes): each list is read once per tenant.
  const tenantOf = (cluster: ClusterHead): string => foreignTenantOf(cluster, input.homeTenantId) ?? '';
  type TenantIds = {
    principals: Set<string>;
    adminGroups: Set<string>;
    clusters: number;
    listsSeen: Set<readonly RoleAssignmentRecord[]>;
  };
  const idsByTenant = new Map<string, TenantIds>();
  const forTenant = (tenant: string): TenantIds => {
    let entry = idsByTenant.get(tenant);
    if (!entry) {
      entry = { principals: new Set(), adminGroups: new Set(), clusters: 0, listsSeen: new Set() };
      idsByTenant.set(tenant, entry);
    }
    return entry;
  };
  forTenant('');
  for (const cluster of input.clusters) {
    const entry = forTenant(tenantOf(cluster));
    entry.clusters += 1;
    for (const id of adminGroupIdsOf(cluster) ?? []) {
      entry.adminGroups.add(id.trim().toLowerCase());
      entry.principals.add(id.trim().toLowerCase());
    }
    if (!source.readable || unreadableSubscriptions.has(cluster.subscriptionId.toLowerCase())) continue;
    const covering = source.coverage.covering(cluster);
    if (!covering.readable) continue;
    for (const list of covering.parts ?? [covering.assignments]) {
      if (entry.listsSeen.has(list)) continue;
      entry.listsSeen.add(list);
      for (const a of list) if (isDirectoryPrincipalType(a.principalType)) entry.principals.add(a.principalId);
    }
  }
  const home = idsByTenant.get('')!;
  // In-cluster binding subjects (their directory is the scanner's own).
  for (const id of input.extraPrincipals ?? []) home.principals.add(id.trim().toLowerCase());
  for (const id of input.extraMemberCounts ?? []) {
    home.adminGroups.add(id.trim().toLowerCase());
    home.principals.add(id.trim().toLowerCase());
  }
  const first = await early;
  const rest = await PrincipalDirectory.load(
    deps.clients.graph,
    [...home.principals].filter((id) => !first.directory.looked(id)),
    {
      ...deps.directoryOptions,
      countMembersOf: [...home.adminGroups].filter((id) => !first.directory.looked(id)),
      knownGroups: first.deferredGroups,
    },
  );
  const directory = PrincipalDirectory.combine(first.directory, rest.directory);
  problems.push(...first.problems, ...rest.problems);
  const directories = new Map<string, PrincipalDirectory>();
  for (const [tenant, entry] of idsByTenant) {
    if (tenant === '') continue;
    const graph = deps.clients.graphFor?.(tenant);
    if (graph) {
      const loaded = await PrincipalDirectory.load(graph, entry.principals, {
        ...deps.directoryOptions,
        countMembersOf: entry.adminGroups,
      });
      directories.set(tenant, loaded.directory);
      for (const p of loaded.problems) problems.push({ ...p, scope: `tenant ${tenant}: ${p.scope}` });
    } else {
      const reason = foreignTenantReason(tenant);
      directories.set(
        tenant,
        new PrincipalDirectory(new Map(), new Map(), {
          principal: { state: 'unreadable', reason },
          memberCount: { state: 'unreadable', reason },
        }),
      );
      problems.push({
        source: 'graph',
        scope: `tenant ${tenant}`,
        message: `${entry.clusters} cluster(s) of tenant ${tenant} (Azure Lighthouse): their principals and admin groups are in that tenant's directory, which this scanner does not read (AKS_COMPLIANCE_TENANTS); their principal checks are unknown`,
      });
    }
  }
  return { view: new FleetAccessView(source, directory, { tenantOf, directories }), problems };
}

// AccessView: what the RBAC-subject rules see, built from role assignment coverage and the principal directory.
import type { AccessView, ClusterHead, ClusterRecord, MemberCountLookup, PrincipalLookup } from '../model';
import type { AssignmentCoverage, CoveringAssignments } from './roleAssignments';
import type { PrincipalDirectory } from './directory';

export type AssignmentSource =
  | {
      readable: true;
      coverage: AssignmentCoverage;
      /** Subscriptions (lower case) whose role assignments could not be read, with why. */
      unreadableSubscriptions?: ReadonlyMap<string, string>;
    }
  | { readable: false; reason: string };

type Directory = Pick<PrincipalDirectory, 'principal' | 'transitiveMemberCount'>;

/** Clusters of other tenants (Azure Lighthouse) and the directory each tenant's principals are resolved in. */
export interface TenantDirectories {
  /** The other tenant a cluster belongs to ('' or undefined: the scanner's own). */
  tenantOf(cluster: ClusterHead): string | undefined;
  directories: ReadonlyMap<string, Directory>;
}

export class FleetAccessView implements AccessView {
  private readonly views = new Map<string, FleetAccessView>();

  constructor(
    private readonly assignments: AssignmentSource,
    private readonly directory: Directory,
    private readonly tenants?: TenantDirectories,
  ) {}

  /** The view of one cluster: the same assignments, judged with its own tenant's directory. */
  forCluster(cluster: ClusterRecord): AccessView {
    const tenant = this.tenants?.tenantOf(cluster);
    if (!tenant) return this;
    let view = this.views.get(tenant);
    if (!view) {
      const directory = this.tenants!.directories.get(tenant);
      if (!directory) return this;
      this.views.set(tenant, (view = new FleetAccessView(this.assignments, directory)));
    }
    return view;
  }

  // The engine runs every rule of one cluster in turn, and each RBAC-subject rule asks for the same cluster.
  private last?: { cluster: ClusterRecord; id: string; answer: CoveringAssignments };

  assignmentsFor(cluster: ClusterRecord): CoveringAssignments {
    if (this.last && this.last.cluster === cluster && this.last.id === cluster.id) return this.last.answer;
    const answer = this.lookup(cluster);
    this.last = { cluster, id: cluster.id, answer };
    return answer;
  }

  private lookup(cluster: ClusterRecord): CoveringAssignments {
    if (!this.assignments.readable) return { readable: false, reason: this.assignments.reason };
    const skipped = this.assignments.unreadableSubscriptions?.get(cluster.subscriptionId.toLowerCase());
    if (skipped) return { readable: false, reason: skipped };
    return this.assignments.coverage.covering(cluster);
  }

  principal(id: string): PrincipalLookup {
    return this.directory.principal(id);
  }

  transitiveMemberCount(groupId: string): MemberCountLookup {
    return this.directory.transitiveMemberCount(groupId);
  }
}

/** The `aadProfile.adminGroupObjectIDs` of a cluster as strings; undefined when the field has an unreadable shape. */
export function adminGroupIdsOf(cluster: ClusterHead): string[] | undefined {
  const aad = cluster.properties.aadProfile;
  if (aad === undefined || aad === null) return [];
  if (typeof aad !== 'object' || Array.isArray(aad)) return undefined;
  const ids = (aad as Record<string, unknown>).adminGroupObjectIDs;
  if (ids === undefined || ids === null) return [];
  if (!Array.isArray(ids) || ids.some((v) => typeof v !== 'string')) return undefined;
  return ids as string[];
}

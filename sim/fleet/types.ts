// The simulator's fleet data: what the simulated tenant contains, in ARM / Graph wire form.
import type { KubernetesVersionWire } from '../../src/model';

export interface FleetSubscription {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  /** Nearest management group first, tenant root group last (as Resource Graph `resourcecontainers` returns it). */
  managementGroupAncestorsChain: { name: string; displayName: string }[];
}

/** A managed cluster exactly as `GET .../managedClusters/{name}` returns it (wire names, `properties` envelope). */
export interface ArmManagedCluster {
  id: string;
  name: string;
  type: string;
  location: string;
  tags?: Record<string, string>;
  sku?: { name?: string; tier?: string };
  identity?: unknown;
  properties: Record<string, unknown>;
}

/** A role assignment as `GET .../roleAssignments/{id}` returns it. */
export interface ArmRoleAssignment {
  id: string;
  name: string;
  type: string;
  properties: {
    roleDefinitionId: string;
    principalId: string;
    principalType: string;
    scope: string;
    [key: string]: unknown;
  };
}

/** A directory object as Graph returns it with every property selected. */
export interface DirectoryEntry {
  '@odata.type': '#microsoft.graph.user' | '#microsoft.graph.group' | '#microsoft.graph.servicePrincipal' | string;
  id: string;
  displayName?: string | null;
  userPrincipalName?: string | null;
  userType?: string | null;
  accountEnabled?: boolean | null;
  securityEnabled?: boolean | null;
  isAssignableToRole?: boolean | null;
  mail?: string | null;
  /** Groups only: the number of transitive members (served by `/groups/{id}/transitiveMembers/$count`). */
  transitiveMemberCount?: number;
  [key: string]: unknown;
}

export interface Fleet {
  tenantId: string;
  subscriptions: FleetSubscription[];
  clusters: ArmManagedCluster[];
  /** listKubernetesVersions answers by normalised location (`westeurope`). A location absent here answers 404. */
  kubernetesVersions: Record<string, { values: KubernetesVersionWire[] }>;
  /**
   * Newest node image per location and OS SKU prefix, for agent pool upgrade profiles (optional). Keys are
   * `location/family`, the family being the image version without its date part (`westeurope/AKSUbuntu-2204gen2containerd`).
   */
  latestNodeImageVersions?: Record<string, string>;
  roleAssignments: ArmRoleAssignment[];
  directory: DirectoryEntry[];
  /**
   * Subscriptions the scanning identity may not read (optional): their resources exist but Resource Graph leaves them
   * out (403 when named explicitly). The ground truth still lists their clusters.
   */
  forbiddenSubscriptions?: string[];
}

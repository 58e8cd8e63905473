// The simulator's fleet data: what the simulated tenant contains, in ARM / Graph wire form.
import type { KubernetesVersionWire } from '../../src/model';
import type { KubeReach, KubeSpec } from './model';

/** What a simulated cluster's Kubernetes API server serves (objects are built from the spec when read). */
export interface KubeWire {
  reach: KubeReach;
  spec: KubeSpec;
  /** The cluster's pools: their nodes are listed by the API server. */
  pools: { name: string; osType: string; count: number; image: string }[];
  /** ISO time kured lock ages are counted back from. */
  asOf: string;
}

/** A row of Resource Graph `containerserviceeventresources` (an AKS notification about one cluster). */
export interface ContainerServiceEventRow {
  id: string;
  name: string;
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  properties: Record<string, unknown>;
}

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
   * Other tenants (Azure Lighthouse customers) whose subscriptions appear in `subscriptions` with their own
   * `tenantId` (optional). Each has its own directory; the scanner's application can sign in there only when it is
   * consented (`scannerConsented`).
   */
  otherTenants?: { tenantId: string; displayName: string; directory: DirectoryEntry[]; scannerConsented?: boolean }[];
  /**
   * Subscriptions the scanning identity may not read (optional): their resources exist but Resource Graph leaves them
   * out (403 when named explicitly). The ground truth still lists their clusters.
   */
  forbiddenSubscriptions?: string[];
  /** Kubernetes API servers by cluster ID (any case); a cluster absent here serves only built-in objects. */
  kube?: Record<string, KubeWire>;
  /** AKS notifications (Resource Graph `containerserviceeventresources`). */
  containerServiceEvents?: ContainerServiceEventRow[];
}

// The generator's own choices, from which both the wire data (Fleet) and the ground truth are derived.
import type { KubernetesVersionWire } from '../../src/model';

/** A node image: a date the generator chose, or a version string that carries no recognisable date. */
export type ImageSpec =
  | { kind: 'linux'; family: string; date: string /* YYYY-MM-DD */; rev: number }
  | { kind: 'windows'; family: string; build: string; date: string /* YYYY-MM-DD */ }
  | { kind: 'unrecognised'; value: string }
  | { kind: 'missing' };

export interface PoolSpec {
  name: string;
  mode: 'System' | 'User';
  osType: 'Linux' | 'Windows';
  /** Full version the pool runs (currentOrchestratorVersion). */
  version: string;
  /** orchestratorVersion carries only the minor (`1.35`), as when a pool was created with a minor alias. */
  versionAlias: boolean;
  count: number;
  vmSize: string;
  image: ImageSpec;
}

export type AadSpec =
  | { kind: 'absent' }
  /** adminGroups: undefined = property absent; null = `null` on the wire (as in the verbatim example). */
  | { kind: 'managed'; azureRBAC: boolean | undefined; adminGroups: string[] | null | undefined }
  /** Legacy client/server app integration; `managed` false or absent on the wire. */
  | { kind: 'legacy'; managedField: false | undefined };

export interface ApiSpec {
  private?: boolean;
  /** undefined = no authorizedIPRanges property. */
  ranges?: string[];
}

/** How the scanner reaches a cluster's Kubernetes API (the simulator's API server follows it). */
export type KubeReach =
  /** Public API server (or private with a network path): answers. */
  | 'ok'
  /** Private API server, no network path: the kubeconfig names the private FQDN, which does not resolve. */
  | 'privateNoPath'
  /** Authorized IP ranges exclude the scanner: connections get no answer (the client times out). */
  | 'ipRangesExclude'
  /** The scanner lacks the data actions (Azure RBAC) or an in-cluster binding (Kubernetes RBAC): 403 on every list. */
  | 'forbidden'
  /** The scanner lacks Azure Kubernetes Service Cluster User Role: listClusterUserCredential answers 403. */
  | 'noClusterUserRole';

export interface KubeBindingSpec {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  namespace?: string;
  /** The referenced role's name. */
  role: string;
  /** Default ClusterRole. */
  roleKind?: 'ClusterRole' | 'Role';
  subjects: { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string }[];
  /** Kubernetes' bootstrap policy (label kubernetes.io/bootstrapping: rbac-defaults). */
  builtIn?: boolean;
}

/** What the cluster's Kubernetes API holds (the in-cluster rules' input). */
export interface KubeSpec {
  reach: KubeReach;
  bindings: KubeBindingSpec[];
  /** ClusterRoles beyond the built-in ones. */
  customRoles: { name: string; grantsAll: boolean }[];
  /** A kured DaemonSet in kube-system; lock = its weave.works/kured-node-lock annotation. */
  kured?: { desired: number; ready: number; lock?: { node: string; ageHours: number } };
  /** Pools whose last node runs a newer kernel than the others. */
  skewPools: string[];
}

/** An AKS notification row of Resource Graph `containerserviceeventresources`. */
export interface EventSpec {
  eventType: string;
  minor: string;
  /** Days before the as-of date it was raised. */
  daysAgo: number;
}

export interface ClusterSpec {
  /** Fixture file whose 200 body is the template. */
  template: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  /** undefined: no `sku` in the body. */
  tier?: 'Free' | 'Standard' | 'Premium';
  /** undefined: no `supportPlan` property (the service default, KubernetesOfficial). */
  supportPlan?: 'KubernetesOfficial' | 'AKSLongTermSupport';
  /** Full control-plane version (currentKubernetesVersion, or kubernetesVersion when the template has no current). */
  version: string;
  /** kubernetesVersion carries only the minor while currentKubernetesVersion has the full version. */
  versionAlias: boolean;
  pools: PoolSpec[];
  aad: AadSpec;
  enableRBAC?: boolean;
  disableLocalAccounts?: boolean;
  /** null: no API server restriction (the template's profile minus access settings, or none). */
  api: ApiSpec | null;
  /** undefined: no autoUpgradeProfile at all. */
  autoUpgrade?: { upgradeChannel?: string; nodeOSUpgradeChannel?: string };
  /** Deterministic suffix for FQDNs. */
  fqdnHash: string;
  /** The Kubernetes API's contents and reachability (absent: a cluster that answers with only built-in objects). */
  kube?: KubeSpec;
  /** AKS's own notifications about this cluster (containerserviceeventresources). */
  events?: EventSpec[];
}

export interface PrincipalSpec {
  id: string;
  kind: 'user' | 'group' | 'servicePrincipal';
  /** Deleted: referenced by assignments or admin group lists, absent from the directory. */
  deleted: boolean;
  guest?: boolean;
  displayName: string;
  userPrincipalName?: string;
  mail?: string;
  securityEnabled?: boolean;
  transitiveMemberCount?: number;
  accountEnabled?: boolean;
  appId?: string;
}

export interface AssignmentSpec {
  /** Name (GUID) of the assignment. */
  name: string;
  roleGuid: string;
  /** Role definition ID form on the wire. */
  roleForm: 'tenant' | 'subscription';
  principalId: string;
  /** ARM principalType (User | Group | ServicePrincipal). */
  principalType: string;
  /** Scope as ARM returns it (mixed case kept). */
  scope: string;
}

export interface SubscriptionSpec {
  subscriptionId: string;
  displayName: string;
  /** Another tenant's subscription delegated through Azure Lighthouse (default: the model's tenant). */
  tenantId?: string;
  /** Nearest first, tenant root group last. */
  chain: { name: string; displayName: string }[];
}

export interface FleetModel {
  asOf: Date;
  tenantId: string;
  subscriptions: SubscriptionSpec[];
  clusters: ClusterSpec[];
  /** By location; null = the region's version list cannot be read (absent from the fleet: 404). */
  catalogs: Record<string, { values: KubernetesVersionWire[] } | null>;
  principals: PrincipalSpec[];
  assignments: AssignmentSpec[];
  forbiddenSubscriptions: string[];
  /**
   * Other tenants (Azure Lighthouse customers) holding some of `subscriptions`, each with its own directory. Their
   * principals are not in `principals`. `scannerConsented`: the scanner's application can sign in there.
   */
  otherTenants?: { tenantId: string; displayName: string; principals: PrincipalSpec[]; scannerConsented?: boolean }[];
}

// The domain vocabulary shared by every part of aks-compliance. Plain data only: no I/O here.

export const STATUSES = ['pass', 'fail', 'unknown', 'not_applicable', 'exempt'] as const;
export type Status = (typeof STATUSES)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** critical = 4 ... low = 1; compare with `>=` to apply thresholds such as `--fail-on`. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/** The best-practice section a rule serves. */
export type BestPracticeSection = 'identity-and-access' | 'version-upgrades' | 'node-os-patching';

/**
 * A managed cluster as Resource Graph returns it (and as the offline `evaluate` inputs are normalised to):
 * `properties` keeps the ARM wire names (`enableRBAC`, `aadProfile.enableAzureRBAC`, ...), never the SDK model names.
 * Anything inside `properties` may be missing, null or of the wrong type: rules read it defensively.
 */
/** An AKS notification about a cluster (Resource Graph `containerserviceeventresources`). */
export interface AksNotification {
  id: string;
  /** `KubernetesVersionEOLTwoWeeks`, `KubernetesVersionEOLOneWeek`, `KubernetesVersionOutOfSupport`, ... */
  eventType: string;
  kubernetesVersion?: string;
  time?: string;
  details?: string;
}

export type ClusterNotifications = { readable: true; items: AksNotification[] } | { readable: false; reason: string };

export interface ClusterRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  sku?: { name?: string; tier?: string } | null;
  /** The tenant that owns the cluster's subscription (Resource Graph `tenantId`); another one for Lighthouse. */
  tenantId?: string;
  properties: Record<string, unknown>;
  /** AKS's notifications about the cluster, when the inventory read them. */
  notifications?: ClusterNotifications;
}

/**
 * What the region-catalog and access passes read of a cluster (a ClusterRecord is one): the inventory holds these for
 * the whole fleet and the full records a page at a time (src/inventory/shelf.ts).
 */
export interface ClusterHead {
  /** Normalised (lower case) in the inventory's heads. */
  id: string;
  subscriptionId: string;
  location: string;
  tenantId?: string;
  properties: { aadProfile?: unknown };
}

/** One entry of a listKubernetesVersions response (`values[]`), in wire form. */
export interface KubernetesVersionWire {
  version: string;
  isDefault?: boolean;
  isPreview?: boolean;
  capabilities?: { supportPlan?: string[] };
  patchVersions?: Record<string, { upgrades?: string[] }>;
}

/** The version list of one region, or why it could not be read. */
export type RegionCatalog =
  | {
      readable: true;
      location: string;
      values: KubernetesVersionWire[];
      /**
       * Set when the versions come from one cluster's upgrade profile (`az aks get-upgrades`), not the region's
       * catalog: its current version and the versions it can move to. They answer for that cluster only, and say
       * nothing about which minors AKS supports.
       */
      upgradeProfileOf?: string;
    }
  | { readable: false; location: string; reason: string };

/** End-of-support calendar (shipped as data; users may point AKS_COMPLIANCE_SUPPORT_CALENDAR at their own). */
export interface SupportCalendar {
  source: string;
  retrieved: string;
  /** endOfSupport / ltsEndOfSupport: `YYYY-MM` (the last day of that month) or `YYYY-MM-DD`. */
  minors: Record<string, { endOfSupport: string; ltsEndOfSupport?: string; estimated?: boolean }>;
}

/** An Azure role assignment, reduced to what the rules need (scope and IDs lower-cased for comparison). */
export interface RoleAssignmentRecord {
  id: string;
  principalId: string;
  principalType: string;
  roleDefinitionId: string;
  scope: string;
}

export type PrincipalKind = 'user' | 'group' | 'servicePrincipal' | 'other';

/** A directory object as resolved through Microsoft Graph `directoryObjects/getByIds`. */
export interface DirectoryObject {
  id: string;
  kind: PrincipalKind;
  displayName?: string;
  userPrincipalName?: string;
  userType?: string;
  accountEnabled?: boolean;
  securityEnabled?: boolean;
  isAssignableToRole?: boolean;
}

export type PrincipalLookup =
  { state: 'found'; object: DirectoryObject } | { state: 'absent' } | { state: 'unreadable'; reason: string };

export type MemberCountLookup =
  | { state: 'known'; count: number }
  | { state: 'not_checked'; reason: string }
  | { state: 'unreadable'; reason: string };

/** What the RBAC-subject rules see: who is assigned where, and who they are. */
export interface AccessView {
  /** AKS-access role assignments whose scope covers the cluster, or why they could not be read. */
  assignmentsFor(
    cluster: ClusterRecord,
  ): { readable: true; assignments: RoleAssignmentRecord[] } | { readable: false; reason: string };
  principal(id: string): PrincipalLookup;
  transitiveMemberCount(groupId: string): MemberCountLookup;
  /**
   * The view to judge one cluster with: a cluster of another tenant (Azure Lighthouse) has its principals looked up
   * in that tenant's directory. Absent: the same view for every cluster.
   */
  forCluster?(cluster: ClusterRecord): AccessView;
}

/** A subject of a ClusterRoleBinding or RoleBinding (Kubernetes RBAC v1 `subjects[]`). */
export interface K8sSubject {
  /** `User`, `Group` or `ServiceAccount`. */
  kind: string;
  name: string;
  namespace?: string;
}

/** A ClusterRoleBinding or RoleBinding, reduced to what the in-cluster rules read. */
export interface K8sBinding {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  namespace?: string;
  roleRef: { kind: string; name: string };
  subjects: K8sSubject[];
  /** Kubernetes' own bootstrap policy (label `kubernetes.io/bootstrapping: rbac-defaults`). */
  builtIn: boolean;
}

export interface K8sClusterRole {
  name: string;
  /** A rule grants every verb on every resource (`*` in verbs and resources). */
  grantsAll: boolean;
}

/** A DaemonSet, reduced to whether it is kured, how ready it is and kured's lock annotation. */
export interface K8sDaemonSet {
  namespace: string;
  name: string;
  kured: boolean;
  desired: number;
  ready: number;
  /** `weave.works/kured-node-lock` as written on the DaemonSet, when present. */
  kuredLock?: string;
}

export interface K8sNode {
  name: string;
  /** Label `kubernetes.azure.com/agentpool` (or `agentpool`). */
  pool?: string;
  /** Label `kubernetes.io/os`. */
  os?: string;
  /** `status.nodeInfo.kernelVersion`. */
  kernelVersion?: string;
}

/** One list read from a cluster's Kubernetes API (or an offline file), or why it could not be read. */
export type K8sList<T> = { readable: true; items: T[] } | { readable: false; reason: string };

/** What the in-cluster rules read from one cluster's Kubernetes API. */
export interface InClusterState {
  clusterRoleBindings: K8sList<K8sBinding>;
  roleBindings: K8sList<K8sBinding>;
  clusterRoles: K8sList<K8sClusterRole>;
  daemonSets: K8sList<K8sDaemonSet>;
  nodes: K8sList<K8sNode>;
}

/** A cluster's in-cluster state, or why the scanner could not read it at all (unreachable, no role, timeout). */
export type InClusterRead = { readable: true; state: InClusterState } | { readable: false; reason: string };

/** The in-cluster reads of a run, by cluster. */
export interface InClusterView {
  /** Undefined when the cluster was not read (not in scope of the in-cluster pass). */
  read(cluster: ClusterRecord): InClusterRead | undefined;
}

/** Everything a rule may consult besides the cluster itself. Rules never do I/O and never read the clock. */
export interface RuleContext {
  asOf: Date;
  nodeImageMaxAgeDays: number;
  eolWarningDays: number;
  /** Region version catalogs by normalised location (lower case, no spaces); absent = not fetched. */
  catalogs: ReadonlyMap<string, RegionCatalog>;
  calendar: SupportCalendar;
  /** Absent when role assignments and the directory were not gathered at all (RBAC-subject rules say unknown). */
  access?: AccessView;
  /** Absent when in-cluster reads are off (AKS_COMPLIANCE_IN_CLUSTER); the in-cluster rules say unknown. */
  inCluster?: InClusterView;
  /** aks_k8s_cluster_admin_holders: the most effective cluster-admin holders that pass. */
  maxClusterAdmins: number;
}

/** What a rule's evaluation returns. `exempt` is applied later by exemptions, never by a rule. */
export interface RuleOutcome {
  status: Exclude<Status, 'exempt'>;
  /** Severity of this finding; defaults to the rule's severity. Set it when the contract raises it per finding. */
  severity?: Severity;
  message: string;
  details?: Record<string, unknown>;
}

export interface RuleMetadata {
  id: string;
  /** Worded as the passing state. */
  title: string;
  /** The rule's highest severity (what a fail is, unless the finding raises or lowers it). */
  severity: Severity;
  section: BestPracticeSection;
  rationale: string;
  references: string[];
  /** An `az` command with the cluster's names filled in. */
  remediation(cluster: ClusterRecord, outcome: RuleOutcome, ctx: RuleContext): string;
}

export interface Rule extends RuleMetadata {
  evaluate(cluster: ClusterRecord, ctx: RuleContext): RuleOutcome;
}

/** One line of the report: one cluster, one rule, one run. */
export interface Finding {
  ruleId: string;
  status: Status;
  severity: Severity;
  title: string;
  message: string;
  remediation: string;
  details: Record<string, unknown>;
}

export interface ClusterReport {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  kubernetesVersion: string | null;
  tags: Record<string, string>;
  findings: Finding[];
}

/** Something that could not be read during a run (a subscription, a region's catalog, the directory, ...). */
export interface ScanProblem {
  source: 'resourceGraph' | 'containerService' | 'graph' | 'storage' | 'input' | 'rule';
  scope: string;
  message: string;
}

/** The JSON report, schemaVersion 1 (see docs/report.schema.json). */
export interface ScanReport {
  schemaVersion: 1;
  runId: string;
  asOf: string;
  startedAt: string;
  finishedAt: string;
  scope: { subscriptions: string[]; managementGroups: string[] };
  complete: boolean;
  summary: {
    clusters: number;
    status: Record<Status, number>;
    failBySeverity: Record<Severity, number>;
  };
  clusters: ClusterReport[];
  /** What could not be read; empty when `complete` is true. */
  problems?: ScanProblem[];
  /** A page of a report served by the HTTP API (`top`, `skipToken`): which clusters this page holds. */
  page?: ReportPage;
}

/** Where a page of a report sits in the whole (clusters in the report's order, after any filters). */
export interface ReportPage {
  /** Clusters per page. */
  top: number;
  /** The position of this page's first cluster. */
  offset: number;
  /** Clusters in the whole (filtered) report. */
  totalClusters: number;
  /** The `skipToken` of the next page; absent on the last page. */
  nextSkipToken?: string;
  /** The next page's address relative to the API root (`reports/RUN?...`); absent on the last page. */
  nextLink?: string;
}

/**
 * An exemption: an accepted risk for one rule within a scope, until it expires.
 * scope: a cluster resource ID, `/subscriptions/S/resourceGroups/RG`, `/subscriptions/S`, or `tag:KEY=VALUE`.
 */
export interface Exemption {
  id: string;
  ruleId: string;
  scope: string;
  justification: string;
  expiresOn: string;
  /** Who created it: a UPN or name (from the caller's token through the API). */
  author: string;
  createdAt: string;
  /** Set by the API: the creator's object ID, the version, and who changed it last and when. */
  authorOid?: string;
  version?: number;
  updatedAt?: string;
  updatedBy?: string;
  updatedByOid?: string;
}

/** Case-insensitive comparison form for ARM IDs and scopes (ARM treats `resourcegroups` = `resourceGroups`). */
export function normaliseId(id: string): string {
  return id.trim().toLowerCase().replace(/\/+$/, '');
}

/** Location keys: `West Europe` and `westeurope` are the same region. */
export function normaliseLocation(location: string): string {
  return location.toLowerCase().replace(/\s+/g, '');
}

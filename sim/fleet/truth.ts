// Ground truth: what every rule of the product contract must conclude for every generated cluster, computed from the
// generator's own choices (FleetModel), independently of src/rules and src/catalog. Valid for the given as-of date,
// the default thresholds (node image 30 days, end-of-support warning 60 days), every region catalog as chosen (a
// region whose catalog is null answers 404), role assignments and the directory readable.
//
// Semantic decisions encoded here (the rules must match them):
// - Cluster version: currentKubernetesVersion, else kubernetesVersion; the minor is `major.minor`.
// - aks_version_supported: pass if the region lists the minor GA (not isPreview) with supportPlan KubernetesOfficial;
//   or the cluster is sku.tier Premium + supportPlan AKSLongTermSupport and the minor's supportPlan lists
//   AKSLongTermSupport. Otherwise fail: high when minor == (oldest GA KubernetesOfficial minor) - 1 (platform support);
//   medium when the region lists the minor only as preview; critical for anything else. Catalog unreadable: unknown.
// - aks_version_patch_current: catalog unreadable: unknown; minor not in the catalog: not_applicable; pass when the
//   full version equals the numerically newest key of patchVersions (preview entries included); else fail medium.
// - aks_version_end_of_support_horizon: minor not in the shipped calendar: unknown. End = ltsEndOfSupport when the
//   cluster is Premium + AKSLongTermSupport and the calendar has one, else endOfSupport. `YYYY-MM` = the last day of
//   that month at 00:00 UTC; `YYYY-MM-DD` = that day at 00:00 UTC. pass when (end - asOf) > 60 days (in ms / 86400000),
//   else fail medium (already ended included).
// - aks_node_pools_match_control_plane: each pool's currentOrchestratorVersion (else orchestratorVersion) minor equals
//   the control plane's; any pool on an older minor: fail medium.
// - aks_auto_upgrade_enabled: upgradeChannel patch|stable|rapid: pass; none, missing (no profile or no channel),
//   node-image: fail medium.
// - aks_node_os_upgrade_managed: nodeOSUpgradeChannel NodeImage|SecurityPatch, or upgradeChannel node-image: pass;
//   None: fail high; Unmanaged or missing: fail medium.
// - aks_node_image_current: a Linux image date is `YYYYMM.DD` before the final `.rev` (`...-202405.27.0`); a Windows
//   image date is the final 6-digit `YYMMDD` segment (`AKSWindows-2022-containerd-20348.2227.241211`); anything else
//   (e.g. `AKSUbuntu:1604:2020.03.11`, or no nodeImageVersion) has no recognisable date. age = (asOf - image date at
//   00:00 UTC) in whole days (floored). Decision: fail if any pool with a recognisable date is older than 30 days (severity by the
//   oldest such pool: high when older than 90 days, else medium); otherwise unknown if any pool has no recognisable
//   date; otherwise pass.
// - aks_entra_id_enabled: aadProfile present (an object): pass; else fail high.
// - aks_entra_id_managed: no aadProfile: not_applicable; managed === true: pass; else fail medium.
// - aks_local_accounts_disabled: disableLocalAccounts === true: pass; else (false or missing) fail high.
// - aks_kubernetes_rbac_enabled: enableRBAC true: pass; false: fail critical; missing: unknown.
// - aks_azure_rbac_enabled: no aadProfile: not_applicable; enableAzureRBAC === true: pass; else fail low.
// - aks_api_server_access_restricted: enablePrivateCluster true, or authorizedIPRanges non-empty without 0.0.0.0/0:
//   pass; else fail high.
// - Coverage: an assignment covers a cluster when its scope (compared lower-case, trailing `/` trimmed) equals the
//   cluster ID, `/subscriptions/S/resourcegroups/RG`, `/subscriptions/S`, or
//   `/providers/microsoft.management/managementgroups/M` for M in the subscription's ancestor chain (tenant root group
//   included). Only AKS-access roles (matched on the trailing GUID of roleDefinitionId) count.
// - aks_rbac_bindings_use_groups: any covering assignment whose ARM principalType is `User` (case-insensitive; also when
//   that principal is deleted): fail medium; else pass.
// - aks_admin_groups_valid: no aadProfile, or adminGroupObjectIDs absent/null/empty: not_applicable. Per ID: absent
//   from the directory: high; a user: medium; a group with transitiveMemberCount 0: low. Worst severity wins; else pass.
// - aks_rbac_no_orphaned_assignments: any covering assignment whose principal is absent from the directory: fail low.
// - aks_rbac_no_guest_admins: any covering assignment of an admin-level role (all AKS-access roles except Cluster User,
//   RBAC Reader, RBAC Writer) held by a user whose userType is Guest: fail high.
import type { Severity, Status } from '../../src/model';
import calendarFile from '../../src/catalog/support-calendar.json';
import type { ClusterSpec, FleetModel, ImageSpec, PrincipalSpec } from './model';
import { inClusterTruth, IN_CLUSTER_RULE_IDS, type InClusterRuleId } from './inCluster';
import { notifiedOutOfSupport } from './events';

export { IN_CLUSTER_RULE_IDS, type InClusterRuleId } from './inCluster';

export type TruthEntry = { status: Status; severity?: Severity };
export type GroundTruth = Map<string /* cluster id lower-case */, Record<string /* ruleId */, TruthEntry>>;

export const RULE_IDS = [
  'aks_version_supported',
  'aks_version_patch_current',
  'aks_version_end_of_support_horizon',
  'aks_node_pools_match_control_plane',
  'aks_auto_upgrade_enabled',
  'aks_node_os_upgrade_managed',
  'aks_node_image_current',
  'aks_entra_id_enabled',
  'aks_entra_id_managed',
  'aks_local_accounts_disabled',
  'aks_kubernetes_rbac_enabled',
  'aks_azure_rbac_enabled',
  'aks_api_server_access_restricted',
  'aks_rbac_bindings_use_groups',
  'aks_admin_groups_valid',
  'aks_rbac_no_orphaned_assignments',
  'aks_rbac_no_guest_admins',
] as const;
export type RuleId = (typeof RULE_IDS)[number];
/** Every rule the truth covers: RULE_IDS (judged from Azure) and the in-cluster rules (judged from inside). */
export const ALL_RULE_IDS = [...RULE_IDS, ...IN_CLUSTER_RULE_IDS] as const;

/** The contract's AKS-access roles; `admin` = admin-level. */
export const AKS_ROLES: Record<string, { name: string; admin: boolean }> = {
  '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8': { name: 'Azure Kubernetes Service Cluster Admin Role', admin: true },
  '4abbcc35-e782-43d8-92c5-2d3f1bd2253f': { name: 'Azure Kubernetes Service Cluster User Role', admin: false },
  'ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8': { name: 'Azure Kubernetes Service Contributor Role', admin: true },
  'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b': { name: 'Azure Kubernetes Service RBAC Cluster Admin', admin: true },
  '3498e952-d568-435e-9b2c-8d77e338d7f7': { name: 'Azure Kubernetes Service RBAC Admin', admin: true },
  'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb': { name: 'Azure Kubernetes Service RBAC Writer', admin: false },
  '7f6c6a51-bcf8-42ba-9220-52d62157d7db': { name: 'Azure Kubernetes Service RBAC Reader', admin: false },
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': { name: 'Owner', admin: true },
  'b24988ac-6180-42a0-ab88-20f7382dd24c': { name: 'Contributor', admin: true },
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': { name: 'User Access Administrator', admin: true },
  'f58310d9-a9f6-439a-9e8d-f62e7b41a168': { name: 'Role Based Access Control Administrator', admin: true },
};

export const DEFAULT_NODE_IMAGE_MAX_AGE_DAYS = 30;
export const DEFAULT_EOL_WARNING_DAYS = 60;
const DAY_MS = 86_400_000;

interface CalendarEntry {
  endOfSupport: string;
  ltsEndOfSupport?: string;
}
export const SHIPPED_CALENDAR: Record<string, CalendarEntry> = (
  calendarFile as unknown as { minors: Record<string, CalendarEntry> }
).minors;

export function minorOf(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
}

/** Numeric comparison of dotted versions. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function calendarEndDate(value: string): Date {
  const month = /^(\d{4})-(\d{2})$/.exec(value);
  if (month) return new Date(Date.UTC(Number(month[1]), Number(month[2]), 0));
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) return new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
  throw new Error(`support calendar date "${value}" is neither YYYY-MM nor YYYY-MM-DD`);
}

const fail = (severity: Severity): TruthEntry => ({ status: 'fail', severity });
const PASS: TruthEntry = { status: 'pass' };
const UNKNOWN: TruthEntry = { status: 'unknown' };
const NA: TruthEntry = { status: 'not_applicable' };

function isLtsCluster(c: ClusterSpec): boolean {
  return c.tier === 'Premium' && c.supportPlan === 'AKSLongTermSupport';
}

/** The three version rules for one cluster against its region catalog (null = unreadable). */
export function versionTruth(
  c: ClusterSpec,
  catalog: FleetModel['catalogs'][string] | undefined,
  asOf: Date,
): Pick<
  Record<RuleId, TruthEntry>,
  'aks_version_supported' | 'aks_version_patch_current' | 'aks_version_end_of_support_horizon'
> {
  const minor = minorOf(c.version);
  if (!minor) throw new Error(`generator chose an unparseable version ${c.version}`);
  let supported: TruthEntry;
  let patch: TruthEntry;
  if (!catalog) {
    supported = UNKNOWN;
    patch = UNKNOWN;
  } else {
    const entry = catalog.values.find((v) => v.version === minor);
    const plans = entry?.capabilities?.supportPlan ?? [];
    const officialGa = catalog.values
      .filter((v) => !v.isPreview && (v.capabilities?.supportPlan ?? []).includes('KubernetesOfficial'))
      .map((v) => v.version)
      .sort(compareVersions);
    const oldest = officialGa[0];
    const platformMinor = oldest ? `${oldest.split('.')[0]}.${Number(oldest.split('.')[1]) - 1}` : undefined;
    if (entry && !entry.isPreview && plans.includes('KubernetesOfficial')) supported = PASS;
    else if (entry && isLtsCluster(c) && plans.includes('AKSLongTermSupport')) supported = PASS;
    else if (minor === platformMinor) supported = fail('high');
    else if (entry && entry.isPreview) supported = fail('medium');
    else supported = fail('critical');
    if (!entry) patch = NA;
    else {
      const newest = Object.keys(entry.patchVersions ?? {})
        .sort(compareVersions)
        .pop();
      patch = newest === c.version ? PASS : fail('medium');
    }
  }
  let horizon: TruthEntry;
  const cal = SHIPPED_CALENDAR[minor];
  if (!cal) horizon = UNKNOWN;
  else {
    const end = calendarEndDate(isLtsCluster(c) && cal.ltsEndOfSupport ? cal.ltsEndOfSupport : cal.endOfSupport);
    horizon = (end.getTime() - asOf.getTime()) / DAY_MS > DEFAULT_EOL_WARNING_DAYS ? PASS : fail('medium');
  }
  return {
    aks_version_supported: supported,
    aks_version_patch_current: patch,
    aks_version_end_of_support_horizon: horizon,
  };
}

export function imageDate(image: ImageSpec): string | undefined {
  return image.kind === 'linux' || image.kind === 'windows' ? image.date : undefined;
}

/** Rules that read only the cluster body (no catalog, no access data). */
export function configTruth(c: ClusterSpec, asOf: Date): Omit<Record<RuleId, TruthEntry>, VersionOrAccessRule> {
  const cpMinor = minorOf(c.version);
  const poolsOlder = c.pools.some((p) => compareVersions(minorOf(p.version) ?? '0.0', cpMinor ?? '0.0') < 0);

  const channel = c.autoUpgrade?.upgradeChannel;
  const nodeOs = c.autoUpgrade?.nodeOSUpgradeChannel;
  const autoUpgrade = channel === 'patch' || channel === 'stable' || channel === 'rapid' ? PASS : fail('medium');
  let nodeOsTruth: TruthEntry;
  if (nodeOs === 'NodeImage' || nodeOs === 'SecurityPatch' || channel === 'node-image') nodeOsTruth = PASS;
  else if (nodeOs === 'None') nodeOsTruth = fail('high');
  else nodeOsTruth = fail('medium');

  let oldest = -Infinity;
  let unrecognised = false;
  for (const p of c.pools) {
    const d = imageDate(p.image);
    if (!d) {
      unrecognised = true;
      continue;
    }
    // Whole days before the as-of date, as the contract counts ("at most N days before"): an image 30 days and two
    // hours old at a 02:00 run is 30 days old.
    oldest = Math.max(oldest, Math.floor((asOf.getTime() - Date.parse(`${d}T00:00:00Z`)) / DAY_MS));
  }
  let image: TruthEntry;
  if (oldest > DEFAULT_NODE_IMAGE_MAX_AGE_DAYS) image = fail(oldest > 90 ? 'high' : 'medium');
  else if (unrecognised) image = UNKNOWN;
  else image = PASS;

  const aad = c.aad;
  const api = c.api;
  const apiOk =
    api !== null &&
    (api.private === true || (Array.isArray(api.ranges) && api.ranges.length > 0 && !api.ranges.includes('0.0.0.0/0')));

  return {
    aks_node_pools_match_control_plane: poolsOlder ? fail('medium') : PASS,
    aks_auto_upgrade_enabled: autoUpgrade,
    aks_node_os_upgrade_managed: nodeOsTruth,
    aks_node_image_current: image,
    aks_entra_id_enabled: aad.kind === 'absent' ? fail('high') : PASS,
    aks_entra_id_managed: aad.kind === 'absent' ? NA : aad.kind === 'managed' ? PASS : fail('medium'),
    aks_local_accounts_disabled: c.disableLocalAccounts === true ? PASS : fail('high'),
    aks_kubernetes_rbac_enabled: c.enableRBAC === true ? PASS : c.enableRBAC === false ? fail('critical') : UNKNOWN,
    aks_azure_rbac_enabled:
      aad.kind === 'absent' ? NA : aad.kind === 'managed' && aad.azureRBAC === true ? PASS : fail('low'),
    aks_api_server_access_restricted: apiOk ? PASS : fail('high'),
  };
}

type VersionOrAccessRule =
  | 'aks_version_supported'
  | 'aks_version_patch_current'
  | 'aks_version_end_of_support_horizon'
  | 'aks_rbac_bindings_use_groups'
  | 'aks_admin_groups_valid'
  | 'aks_rbac_no_orphaned_assignments'
  | 'aks_rbac_no_guest_admins';

export function clusterIdOf(
  c: Pick<ClusterSpec, 'subscriptionId' | 'resourceGroup' | 'name'>,
  rgSegment = 'resourceGroups',
): string {
  return `/subscriptions/${c.subscriptionId}/${rgSegment}/${c.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${c.name}`;
}

const normScope = (s: string) => s.trim().toLowerCase().replace(/\/+$/, '');

interface ScopeFlags {
  user: boolean;
  orphan: boolean;
  guestAdmin: boolean;
}

/** What the AKS-access assignments at each scope (lower-case) contribute to the three assignment rules. */
export function scopeFlags(model: FleetModel): Map<string, ScopeFlags> {
  const principals = new Map<string, PrincipalSpec>(model.principals.map((p) => [p.id.toLowerCase(), p]));
  const flags = new Map<string, ScopeFlags>();
  for (const a of model.assignments) {
    const role = AKS_ROLES[a.roleGuid.toLowerCase()];
    if (!role) continue;
    const key = normScope(a.scope);
    let f = flags.get(key);
    if (!f) flags.set(key, (f = { user: false, orphan: false, guestAdmin: false }));
    const p = principals.get(a.principalId.toLowerCase());
    const present = p !== undefined && !p.deleted;
    if (a.principalType.toLowerCase() === 'user') f.user = true;
    // Only users, groups and service principals are looked up in this directory: a ForeignGroup, a Device or another
    // type is never orphaned (an assignment of such a type at a scope without others makes the rule not applicable,
    // which the generated fleets never do: every cluster has its deployer's assignment).
    const directoryType = ['user', 'group', 'serviceprincipal'].includes(a.principalType.toLowerCase());
    if (!present && directoryType) f.orphan = true;
    if (present && role.admin && p.kind === 'user' && p.guest === true) f.guestAdmin = true;
  }
  return flags;
}

function adminGroupsTruth(c: ClusterSpec, principals: Map<string, PrincipalSpec>): TruthEntry {
  if (c.aad.kind !== 'managed' || !c.aad.adminGroups || c.aad.adminGroups.length === 0) return NA;
  let worst: Severity | undefined;
  const rank: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };
  for (const id of c.aad.adminGroups) {
    const p = principals.get(id.toLowerCase());
    let sev: Severity | undefined;
    if (!p || p.deleted) sev = 'high';
    else if (p.kind === 'user') sev = 'medium';
    else if (p.kind === 'group' && p.transitiveMemberCount === 0) sev = 'low';
    else if (p.kind !== 'group' || p.securityEnabled !== true) {
      throw new Error(`generator put an unclassifiable admin group ${id} on ${c.name}`);
    }
    if (sev && (!worst || rank[sev] > rank[worst])) worst = sev;
  }
  return worst ? fail(worst) : PASS;
}

/** Ground truth of every cluster of the model for `asOf` (default: the model's). */
export function computeTruth(model: FleetModel, asOf: Date = model.asOf, ctx = truthContext(model)): GroundTruth {
  const truth: GroundTruth = new Map();
  for (const c of model.clusters) {
    truth.set(clusterKey(c), clusterTruth(c, model, asOf, ctx.flags, ctx.principals, ctx.chains));
  }
  return truth;
}

/** The per-model lookups the truth needs (computed once, reused for single-cluster recomputation). */
export function truthContext(model: FleetModel) {
  return {
    flags: scopeFlags(model),
    principals: new Map<string, PrincipalSpec>(model.principals.map((p) => [p.id.toLowerCase(), p])),
    chains: new Map(model.subscriptions.map((s) => [s.subscriptionId.toLowerCase(), s.chain])),
  };
}

export function clusterKey(c: ClusterSpec): string {
  return clusterIdOf(c).toLowerCase();
}

export function clusterTruth(
  c: ClusterSpec,
  model: FleetModel,
  asOf: Date,
  flags: Map<string, ScopeFlags>,
  principals: Map<string, PrincipalSpec>,
  chains: Map<string, { name: string }[]>,
): Record<RuleId | InClusterRuleId, TruthEntry> {
  const sub = c.subscriptionId.toLowerCase();
  const keys = [
    clusterKey(c),
    `/subscriptions/${sub}/resourcegroups/${c.resourceGroup.toLowerCase()}`,
    `/subscriptions/${sub}`,
    ...(chains.get(sub) ?? []).map((m) => `/providers/microsoft.management/managementgroups/${m.name.toLowerCase()}`),
  ];
  let user = false;
  let orphan = false;
  let guestAdmin = false;
  for (const k of keys) {
    const f = flags.get(k);
    if (!f) continue;
    user ||= f.user;
    orphan ||= f.orphan;
    guestAdmin ||= f.guestAdmin;
  }
  const catalog = model.catalogs[c.location.toLowerCase()];
  const versions = versionTruth(c, catalog, asOf);
  // AKS's own out-of-support notice for the current minor wins over the catalog (aks_version_supported).
  if (notifiedOutOfSupport(c)) versions.aks_version_supported = fail('critical');
  const truth: Record<RuleId | InClusterRuleId, TruthEntry> = {
    ...versions,
    ...configTruth(c, asOf),
    aks_rbac_bindings_use_groups: user ? fail('medium') : PASS,
    aks_admin_groups_valid: adminGroupsTruth(c, principals),
    aks_rbac_no_orphaned_assignments: orphan ? fail('low') : PASS,
    aks_rbac_no_guest_admins: guestAdmin ? fail('high') : PASS,
    ...inClusterTruth(c, principals),
  };
  const tenant = model.subscriptions.find((s) => s.subscriptionId.toLowerCase() === sub)?.tenantId;
  if (tenant && tenant.toLowerCase() !== model.tenantId.toLowerCase()) {
    // A delegated (Lighthouse) cluster's principals are in its own tenant's directory, which the scanner does not
    // read (no AKS_COMPLIANCE_TENANTS in the truth): what needs a directory look-up is unknown, never "deleted".
    // Bindings are judged from ARM's principalType alone.
    const scoped = model.assignments.filter(
      (a) => AKS_ROLES[a.roleGuid.toLowerCase()] && keys.includes(normScope(a.scope)),
    );
    const directoryTyped = scoped.filter((a) =>
      ['user', 'group', 'serviceprincipal'].includes(a.principalType.toLowerCase()),
    );
    const adminLookups = directoryTyped.filter((a) => AKS_ROLES[a.roleGuid.toLowerCase()].admin);
    if (truth.aks_admin_groups_valid.status !== 'not_applicable') truth.aks_admin_groups_valid = { status: 'unknown' };
    truth.aks_rbac_no_orphaned_assignments = directoryTyped.length > 0 ? { status: 'unknown' } : PASS;
    truth.aks_rbac_no_guest_admins = adminLookups.length > 0 ? { status: 'unknown' } : PASS;
    // Counting cluster-admin holders expands the admin groups in that same directory.
    if (c.aad.kind === 'managed' && (c.aad.adminGroups?.length ?? 0) > 0) {
      truth.aks_k8s_cluster_admin_holders = { status: 'unknown' };
    }
  }
  return truth;
}

/** True when every rule passed or did not apply. */
export function isCompliant(record: Record<string, TruthEntry>): boolean {
  return Object.values(record).every((e) => e.status === 'pass' || e.status === 'not_applicable');
}

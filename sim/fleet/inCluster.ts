// The in-cluster half of a generated fleet: what each cluster's Kubernetes API holds (bindings, kured, kernels) and
// whether the scanner can reach it, and the ground truth of the four in-cluster rules, computed from these choices
// independently of src/rules.
//
// Semantic decisions encoded here (the rules must match them):
// - Unreachable (every in-cluster rule unknown, except aks_node_reboot_managed's not_applicable below): no aadProfile
//   (local accounts only), legacy Entra ID integration, or reach other than `ok` (private without a path, authorized
//   IP ranges excluding the scanner, 403 on every list, 403 on listClusterUserCredential).
// - aks_k8s_bindings_use_groups: a `User` subject whose name does not start with `system:` fails: high when the
//   binding's role is the ClusterRole cluster-admin or admin or a ClusterRole granting * on *, else medium. The group
//   system:masters in a binding that is not Kubernetes' bootstrap policy: critical. Else pass.
// - aks_k8s_cluster_admin_holders: subjects of ClusterRoleBindings to cluster-admin (names starting `system:` not
//   counted) plus aadProfile.adminGroupObjectIDs, deduplicated by kind and name (case-insensitive). A group counts its
//   transitiveMemberCount (0 when deleted), a user, service principal or service account 1. More than 10: fail low.
// - aks_node_reboot_managed: not_applicable unless nodeOSUpgradeChannel is Unmanaged or missing (and the legacy
//   channel is not node-image); then unknown when unreachable; pass when kured has desired > 0 and ready >= desired;
//   else fail high.
// - aks_node_reboot_pending: a pool in skewPools (its last node on another kernel), or a kured lock older than 24 h:
//   fail medium; else pass.
import type { Severity } from '../../src/model';
import type { ClusterSpec, FleetModel, KubeBindingSpec, KubeSpec, PrincipalSpec } from './model';
import { Rng } from './random';
import type { TruthEntry } from './truth';

export const IN_CLUSTER_RULE_IDS = [
  'aks_k8s_bindings_use_groups',
  'aks_k8s_cluster_admin_holders',
  'aks_node_reboot_managed',
  'aks_node_reboot_pending',
] as const;
export type InClusterRuleId = (typeof IN_CLUSTER_RULE_IDS)[number];

export const MAX_CLUSTER_ADMINS = 10;
const WILDCARD_ROLE = 'platform-superuser';
const LIMITED_ROLE = 'deployment-manager';

/** Kubernetes' own bootstrap bindings, present in every cluster. */
export const BOOTSTRAP_BINDINGS: KubeBindingSpec[] = [
  { kind: 'ClusterRoleBinding', name: 'cluster-admin', role: 'cluster-admin', subjects: [{ kind: 'Group', name: 'system:masters' }], builtIn: true },
  { kind: 'ClusterRoleBinding', name: 'system:basic-user', role: 'system:basic-user', subjects: [{ kind: 'Group', name: 'system:authenticated' }], builtIn: true },
  { kind: 'ClusterRoleBinding', name: 'system:kube-scheduler', role: 'system:kube-scheduler', subjects: [{ kind: 'User', name: 'system:kube-scheduler' }], builtIn: true },
]; // prettier-ignore

const fail = (severity: Severity): TruthEntry => ({ status: 'fail', severity });
const PASS: TruthEntry = { status: 'pass' };
const UNKNOWN: TruthEntry = { status: 'unknown' };
const NA: TruthEntry = { status: 'not_applicable' };

/** A cluster with nothing but the bootstrap policy, reachable. */
export function cleanKubeSpec(): KubeSpec {
  return { reach: 'ok', bindings: [...BOOTSTRAP_BINDINGS], customRoles: [], skewPools: [] };
}

/** Reboots are left to the user: nodeOSUpgradeChannel Unmanaged or missing, and no legacy node-image channel. */
export function rebootsLeftToUser(c: ClusterSpec): boolean {
  if (c.autoUpgrade?.upgradeChannel === 'node-image') return false;
  const ch = c.autoUpgrade?.nodeOSUpgradeChannel;
  return ch === undefined || ch === 'Unmanaged';
}

export function reachable(c: ClusterSpec): boolean {
  if (c.aad.kind !== 'managed') return false;
  return (c.kube?.reach ?? 'ok') === 'ok';
}

export function inClusterTruth(
  c: ClusterSpec,
  principals: Map<string, PrincipalSpec>,
): Record<InClusterRuleId, TruthEntry> {
  const spec = c.kube ?? cleanKubeSpec();
  const linux = c.pools.some((p) => p.osType === 'Linux');
  const rebootManaged = (): TruthEntry => {
    if (!rebootsLeftToUser(c) || !linux) return NA;
    if (!reachable(c)) return UNKNOWN;
    return spec.kured && spec.kured.desired > 0 && spec.kured.ready >= spec.kured.desired ? PASS : fail('high');
  };
  if (!reachable(c)) {
    return {
      aks_k8s_bindings_use_groups: UNKNOWN,
      aks_k8s_cluster_admin_holders: UNKNOWN,
      aks_node_reboot_managed: rebootManaged(),
      aks_node_reboot_pending: UNKNOWN,
    };
  }
  const wildcard = new Set(spec.customRoles.filter((r) => r.grantsAll).map((r) => r.name));
  let worst: Severity | undefined;
  const rank: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };
  const raise = (s: Severity) => {
    if (!worst || rank[s] > rank[worst]) worst = s;
  };
  for (const b of spec.bindings) {
    for (const s of b.subjects) {
      if (s.kind === 'Group' && s.name === 'system:masters') {
        if (!b.builtIn) raise('critical');
        continue;
      }
      if (s.kind !== 'User' || s.name.startsWith('system:')) continue;
      const clusterRole = (b.roleKind ?? 'ClusterRole') === 'ClusterRole';
      raise(
        clusterRole && (b.role === 'cluster-admin' || b.role === 'admin' || wildcard.has(b.role)) ? 'high' : 'medium',
      );
    }
  }
  const holders = new Map<string, number>();
  const count = (kind: string, name: string): number => {
    if (kind === 'ServiceAccount' || kind === 'User') return 1;
    const p = principals.get(name.toLowerCase());
    if (!p || p.deleted) return 0;
    return p.kind === 'group' ? (p.transitiveMemberCount ?? 0) : 1;
  };
  for (const b of spec.bindings) {
    if (
      b.kind !== 'ClusterRoleBinding' ||
      b.role !== 'cluster-admin' ||
      (b.roleKind ?? 'ClusterRole') !== 'ClusterRole'
    )
      continue;
    for (const s of b.subjects) {
      if (s.name.startsWith('system:')) continue;
      const name = s.kind === 'ServiceAccount' ? `${s.namespace ?? 'default'}/${s.name}` : s.name.toLowerCase();
      holders.set(`${s.kind}|${name}`, count(s.kind, s.name));
    }
  }
  if (c.aad.kind === 'managed') {
    for (const id of c.aad.adminGroups ?? []) holders.set(`Group|${id.toLowerCase()}`, count('Group', id));
  }
  let total = 0;
  for (const n of holders.values()) total += n;
  const stale = spec.kured?.lock !== undefined && spec.kured.lock.ageHours > 24;
  return {
    aks_k8s_bindings_use_groups: worst ? fail(worst) : PASS,
    aks_k8s_cluster_admin_holders: total > MAX_CLUSTER_ADMINS ? fail('low') : PASS,
    aks_node_reboot_managed: rebootManaged(),
    aks_node_reboot_pending: spec.skewPools.length > 0 || stale ? fail('medium') : PASS,
  };
}

export interface KubePools {
  users: PrincipalSpec[];
  guests: PrincipalSpec[];
  deleted: PrincipalSpec[];
  groups: PrincipalSpec[];
}

/**
 * Chooses every cluster's Kubernetes contents. Clean clusters get groups and service accounts only, no kured need,
 * one kernel per pool, and are reachable; the others draw each in-cluster violation with `rate`. A separate random
 * sequence keeps every other choice of the fleet as it was.
 */
export function assignKubeSpecs(
  model: FleetModel,
  clean: (index: number) => boolean,
  pools: KubePools,
  seed: number,
  rate = 0.25,
): void {
  const rng = new Rng(seed ^ 0x6b756265);
  const bigGroups = pools.groups.filter((g) => !g.deleted && (g.transitiveMemberCount ?? 0) > MAX_CLUSTER_ADMINS);
  const anyGroups = pools.groups.filter((g) => !g.deleted);
  model.clusters.forEach((c, i) => {
    const spec = cleanKubeSpec();
    c.kube = spec;
    const team = c.name.split('-')[1] ?? 'team';
    if (anyGroups.length > 0) {
      spec.bindings.push({
        kind: 'RoleBinding',
        name: `${team}-developers-edit`,
        namespace: team,
        role: 'edit',
        subjects: [{ kind: 'Group', name: rng.pick(anyGroups).id }],
      });
    }
    spec.bindings.push({
      kind: 'ClusterRoleBinding',
      name: 'argocd-application-controller',
      role: LIMITED_ROLE,
      subjects: [{ kind: 'ServiceAccount', name: 'argocd-application-controller', namespace: 'argocd' }],
    });
    spec.customRoles.push({ name: LIMITED_ROLE, grantsAll: false });
    if (clean(i)) return;
    const user = (): string => {
      const roll = rng.float();
      const list = roll < 0.55 ? pools.users : roll < 0.75 ? pools.guests : roll < 0.9 ? pools.deleted : pools.users;
      const p = list.length > 0 ? rng.pick(list) : pools.users[0];
      if (!p) return 'someone@contoso.com';
      // Some clusters name users by UPN (AKS accepts either); deleted principals only by object ID.
      return roll >= 0.9 && p.userPrincipalName ? p.userPrincipalName : p.id;
    };
    if (rng.chance(rate)) {
      const role = rng.pick(['view', 'edit', 'admin', 'cluster-admin', WILDCARD_ROLE, LIMITED_ROLE]);
      if (role === WILDCARD_ROLE) spec.customRoles.push({ name: WILDCARD_ROLE, grantsAll: true });
      const namespaced = role !== 'cluster-admin' && rng.chance(0.5);
      spec.bindings.push(
        namespaced
          ? {
              kind: 'RoleBinding',
              name: `${team}-${role}-user`,
              namespace: team,
              role,
              subjects: [{ kind: 'User', name: user() }],
            }
          : {
              kind: 'ClusterRoleBinding',
              name: `${team}-${role}-user`,
              role,
              subjects: [{ kind: 'User', name: user() }],
            },
      );
    }
    if (rng.chance(rate / 5)) {
      spec.bindings.push({
        kind: 'ClusterRoleBinding',
        name: `${team}-break-glass`,
        role: 'cluster-admin',
        subjects: [{ kind: 'Group', name: 'system:masters' }],
      });
    }
    if (rng.chance(rate) && bigGroups.length > 0) {
      spec.bindings.push({
        kind: 'ClusterRoleBinding',
        name: `${team}-operators-cluster-admin`,
        role: 'cluster-admin',
        subjects: [{ kind: 'Group', name: rng.pick(bigGroups).id }],
      });
    }
    if (rebootsLeftToUser(c)) {
      const roll = rng.float();
      const nodes = c.pools
        .filter((p) => p.osType === 'Linux')
        .reduce((sum, p) => sum + Math.max(1, Math.min(p.count, 4)), 0);
      if (roll < 0.5) spec.kured = { desired: nodes, ready: nodes };
      else if (roll < 0.7) spec.kured = { desired: nodes, ready: Math.max(0, nodes - 1 - rng.int(2)) };
    }
    if (spec.kured && rng.chance(rate)) {
      spec.kured.lock = {
        node: `aks-${c.pools[0].name}-00000000-vmss000000`,
        ageHours: rng.chance(0.3) ? rng.between(1, 20) : rng.between(30, 400),
      };
    }
    if (rng.chance(rate)) spec.skewPools = [rng.pick(c.pools).name];
    if (rng.chance(rate / 4)) {
      const options: KubeSpec['reach'][] = ['forbidden', 'noClusterUserRole'];
      if (c.api?.private) options.push('privateNoPath');
      if (c.api?.ranges && c.api.ranges.length > 0 && !c.api.ranges.includes('0.0.0.0/0'))
        options.push('ipRangesExclude');
      spec.reach = rng.pick(options);
    }
  });
}

/**
 * What an in-cluster rule concludes when in-cluster reads are off: unknown, except aks_node_reboot_managed on a
 * channel that reboots nodes itself (not_applicable is decided from the cluster's properties alone).
 */
export function withInClusterOff(rule: string, entry: TruthEntry): TruthEntry {
  if (!(IN_CLUSTER_RULE_IDS as readonly string[]).includes(rule)) return entry;
  return rule === 'aks_node_reboot_managed' && entry.status === 'not_applicable' ? entry : UNKNOWN;
}

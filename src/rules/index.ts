// The rule catalog, in the contract's order. Rule IDs are stable: reports, exemptions and alerts refer to them.
import type { Rule } from '../model';
import { aksAdminGroupsValid } from './aks_admin_groups_valid';
import { aksApiServerAccessRestricted } from './aks_api_server_access_restricted';
import { aksAutoUpgradeEnabled } from './aks_auto_upgrade_enabled';
import { aksAzureRbacEnabled } from './aks_azure_rbac_enabled';
import { aksEntraIdEnabled } from './aks_entra_id_enabled';
import { aksEntraIdManaged } from './aks_entra_id_managed';
import { aksK8sBindingsUseGroups } from './aks_k8s_bindings_use_groups';
import { aksK8sClusterAdminHolders } from './aks_k8s_cluster_admin_holders';
import { aksKubernetesRbacEnabled } from './aks_kubernetes_rbac_enabled';
import { aksLocalAccountsDisabled } from './aks_local_accounts_disabled';
import { aksNodeImageCurrent } from './aks_node_image_current';
import { aksNodeOsUpgradeManaged } from './aks_node_os_upgrade_managed';
import { aksNodePoolsMatchControlPlane } from './aks_node_pools_match_control_plane';
import { aksNodeRebootManaged } from './aks_node_reboot_managed';
import { aksNodeRebootPending } from './aks_node_reboot_pending';
import { aksRbacBindingsUseGroups } from './aks_rbac_bindings_use_groups';
import { aksRbacNoGuestAdmins } from './aks_rbac_no_guest_admins';
import { aksRbacNoOrphanedAssignments } from './aks_rbac_no_orphaned_assignments';
import { aksVersionEndOfSupportHorizon } from './aks_version_end_of_support_horizon';
import { aksVersionPatchCurrent } from './aks_version_patch_current';
import { aksVersionSupported } from './aks_version_supported';

/** The rules judged from cluster properties, the version catalog and the support calendar. */
export const CLUSTER_RULES: readonly Rule[] = [
  aksVersionSupported,
  aksVersionPatchCurrent,
  aksVersionEndOfSupportHorizon,
  aksNodePoolsMatchControlPlane,
  aksAutoUpgradeEnabled,
  aksNodeOsUpgradeManaged,
  aksNodeImageCurrent,
  aksEntraIdEnabled,
  aksEntraIdManaged,
  aksLocalAccountsDisabled,
  aksKubernetesRbacEnabled,
  aksAzureRbacEnabled,
  aksApiServerAccessRestricted,
];

/** The RBAC-subject rules (role assignments and the directory), in the contract's order. */
export const RBAC_SUBJECT_RULES: readonly Rule[] = [
  aksRbacBindingsUseGroups,
  aksAdminGroupsValid,
  aksRbacNoOrphanedAssignments,
  aksRbacNoGuestAdmins,
];

/** The rules judged from inside the cluster (Kubernetes API reads), in the contract's order. */
export const IN_CLUSTER_RULES: readonly Rule[] = [
  aksK8sBindingsUseGroups,
  aksK8sClusterAdminHolders,
  aksNodeRebootManaged,
  aksNodeRebootPending,
];

/** Every rule, in the contract's catalog order. */
export const ALL_RULES: Rule[] = [...CLUSTER_RULES, ...RBAC_SUBJECT_RULES, ...IN_CLUSTER_RULES];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(ALL_RULES.map((rule) => [rule.id, rule]));

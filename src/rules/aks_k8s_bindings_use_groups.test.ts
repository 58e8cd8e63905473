import { aksK8sBindingsUseGroups as rule } from './aks_k8s_bindings_use_groups';
import { describeRuleCases } from './testing';
import { rbacExampleCluster } from '../../test/identity/examples';
import { DELETED, GUEST, MEMBER, OPS_GROUP, TREVOR, view } from '../../test/identity/scenario';
import { BOOTSTRAP, crb, rb, ROLES, unreadableView, viewOf } from '../../test/incluster/examples';

const cluster = rbacExampleCluster();
const access = view({});
const groupsOnly = [...BOOTSTRAP, crb('ops-admin', 'cluster-admin', [{ kind: 'Group', name: OPS_GROUP }])];

describeRuleCases(rule, [
  {
    scenario: 'groups, service accounts and the bootstrap system:masters binding only -> pass',
    cluster,
    context: {
      access,
      inCluster: viewOf({
        clusterrolebindings: groupsOnly,
        rolebindings: [
          rb('argocd', 'deployer', 'edit', [{ kind: 'ServiceAccount', name: 'argocd', namespace: 'argocd' }]),
        ],
        clusterroles: ROLES,
      }),
    },
    status: 'pass',
    message: /None of the 5 bindings binds an individual user or system:masters/,
    details: { ignored: { serviceAccounts: 1, systemIdentities: 3 } },
    remediation: 'kubectl get clusterrolebindings,rolebindings -A -o wide',
  },
  {
    scenario: 'a member user in a RoleBinding to edit -> fail medium, named from Graph',
    cluster,
    context: {
      access,
      inCluster: viewOf({
        clusterrolebindings: BOOTSTRAP,
        rolebindings: [rb('team', 'morgan-edit', 'edit', [{ kind: 'User', name: MEMBER }])],
        clusterroles: ROLES,
      }),
    },
    status: 'fail',
    severity: 'medium',
    message:
      /1 user subject: Morgan Member \(morgan@contoso.com\) \(ClusterRole edit via RoleBinding team\/morgan-edit\)/,
    remediation: "'kubectl get rolebinding morgan-edit -n team -o yaml'",
  },
  {
    scenario: 'a guest bound to cluster-admin -> fail high, named as a guest',
    cluster,
    context: {
      access,
      inCluster: viewOf({
        clusterrolebindings: [...BOOTSTRAP, crb('partner', 'cluster-admin', [{ kind: 'User', name: GUEST }])],
        clusterroles: ROLES,
      }),
    },
    status: 'fail',
    severity: 'high',
    message: /Pat Partner \(pat_partner.example#EXT#@contoso.onmicrosoft.com\), a guest \(ClusterRole cluster-admin/,
  },
  {
    scenario: 'a deleted object ID bound to a ClusterRole granting * -> fail high, not in the directory',
    cluster,
    context: {
      access,
      inCluster: viewOf({
        clusterrolebindings: [crb('old', 'superuser', [{ kind: 'User', name: DELETED }])],
        clusterroles: ROLES,
      }),
    },
    status: 'fail',
    severity: 'high',
    message: /not in the directory \(deleted, or a user of another tenant\)/,
  },
  {
    scenario: 'a UPN and a guest UPN -> fail, the guest named by its #EXT# form',
    cluster,
    context: {
      inCluster: viewOf({
        rolebindings: [
          rb('a', 'x', 'view', [
            { kind: 'User', name: 'jo@contoso.com' },
            { kind: 'User', name: 'kim_fabrikam.com#EXT#@contoso.onmicrosoft.com' },
          ]),
        ],
        clusterroles: ROLES,
      }),
    },
    status: 'fail',
    severity: 'medium',
    message: [/2 user subjects: jo@contoso.com \(/, /kim_fabrikam.com#EXT#@contoso.onmicrosoft.com, a guest/],
  },
  {
    scenario: 'system:masters in a binding of its own -> fail critical',
    cluster,
    context: {
      access,
      inCluster: viewOf({
        clusterrolebindings: [
          ...BOOTSTRAP,
          crb('break-glass', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }]),
        ],
        clusterroles: ROLES,
      }),
    },
    status: 'fail',
    severity: 'critical',
    message: /system:masters is bound by ClusterRoleBinding break-glass/,
  },
  {
    scenario: 'ClusterRoles unreadable: a user on an unknown ClusterRole is medium and the message says so',
    cluster,
    context: {
      access,
      inCluster: viewOf({
        clusterrolebindings: [crb('x', 'custom', [{ kind: 'User', name: TREVOR }])],
        clusterroles: { reason: 'listing clusterroles failed (HTTP 500)' },
      }),
    },
    status: 'fail',
    severity: 'medium',
    message: /whether a role grants \* was not checked/,
  },
  {
    scenario: 'RoleBindings unreadable and no user among the ClusterRoleBindings -> unknown naming the list',
    cluster,
    context: {
      access,
      inCluster: viewOf({
        clusterrolebindings: groupsOnly,
        rolebindings: { reason: 'no role: 403' },
        clusterroles: ROLES,
      }),
    },
    status: 'unknown',
    message: /Bindings could not all be read \(rolebindings: no role: 403\)/,
  },
  {
    scenario: 'the cluster could not be reached -> unknown with the reason',
    cluster,
    context: { inCluster: unreadableView('private API server with no network path from the scanner') },
    status: 'unknown',
    message: /could not be read: private API server with no network path/,
  },
  {
    scenario: 'in-cluster reads off -> unknown naming the setting',
    cluster,
    status: 'unknown',
    message: /AKS_COMPLIANCE_IN_CLUSTER=true/,
  },
]);

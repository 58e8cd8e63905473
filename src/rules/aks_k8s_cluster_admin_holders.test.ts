import { aksK8sClusterAdminHolders as rule } from './aks_k8s_cluster_admin_holders';
import { describeRuleCases } from './testing';
import { rbacExampleCluster } from '../../test/identity/examples';
import { APP, DELETED, EMPTY_GROUP, OPS_GROUP, TREVOR, view } from '../../test/identity/scenario';
import { BOOTSTRAP, crb, unreadableView, viewOf } from '../../test/incluster/examples';

const counts = { memberCounts: { [OPS_GROUP]: 8, [EMPTY_GROUP]: 0 } };
const withAdmins = (ids: string[]) => rbacExampleCluster({ adminGroupObjectIDs: ids });

describeRuleCases(rule, [
  {
    scenario: 'an admin group of 8 and one service account -> pass with 9 holders listed',
    cluster: withAdmins([OPS_GROUP]),
    context: {
      access: view(counts),
      inCluster: viewOf({
        clusterrolebindings: [
          ...BOOTSTRAP,
          crb('flux', 'cluster-admin', [{ kind: 'ServiceAccount', name: 'flux', namespace: 'flux-system' }]),
        ],
      }),
    },
    status: 'pass',
    message:
      /^9 effective cluster-admin holders, at most 10: flux-system\/flux; AKS Operators \(11111111-1111-4111-8111-111111111111\): 8$/,
    details: { effectiveHolders: 9, maxClusterAdmins: 10 },
  },
  {
    scenario: 'the same group bound and configured as admin group counts once; a user adds one -> 9',
    cluster: withAdmins([OPS_GROUP]),
    context: {
      access: view(counts),
      inCluster: viewOf({
        clusterrolebindings: [
          crb('ops', 'cluster-admin', [
            { kind: 'Group', name: OPS_GROUP.toUpperCase() },
            { kind: 'User', name: TREVOR },
          ]),
        ],
      }),
    },
    status: 'pass',
    details: { effectiveHolders: 9 },
  },
  {
    scenario: 'over the limit (AKS_COMPLIANCE_MAX_CLUSTER_ADMINS 5) -> fail low listing every holder',
    cluster: withAdmins([OPS_GROUP, EMPTY_GROUP]),
    context: {
      access: view(counts),
      maxClusterAdmins: 5,
      inCluster: viewOf({ clusterrolebindings: [crb('app', 'cluster-admin', [{ kind: 'User', name: APP }])] }),
    },
    status: 'fail',
    severity: 'low',
    message: /^9 effective cluster-admin holders, more than 5: /,
    remediation: 'kubectl get clusterrolebindings -o wide',
  },
  {
    scenario: 'a deleted group counts 0 and is named',
    cluster: withAdmins([DELETED]),
    context: { access: view(counts), inCluster: viewOf({ clusterrolebindings: BOOTSTRAP }) },
    status: 'pass',
    details: {
      holders: [
        { kind: 'Group', name: 'system:masters' },
        { name: DELETED, holders: 0, note: 'not in the directory' },
      ],
    },
  },
  {
    scenario: 'member count unreadable (offline directory) and the rest within the limit -> unknown',
    cluster: withAdmins([OPS_GROUP]),
    context: { access: view({}), inCluster: viewOf({ clusterrolebindings: BOOTSTRAP }) },
    status: 'unknown',
    message: /1 cluster-admin group could not be counted/,
  },
  {
    scenario: 'ClusterRoleBindings unreadable -> unknown naming why',
    cluster: withAdmins([OPS_GROUP]),
    context: { access: view(counts), inCluster: viewOf({ clusterrolebindings: { reason: 'no role: 403' } }) },
    status: 'unknown',
    message: /ClusterRoleBindings could not be read \(no role: 403\); admin groups alone give 8/,
  },
  {
    scenario: 'ClusterRoleBindings unreadable but the admin groups alone exceed the limit -> fail',
    cluster: withAdmins([OPS_GROUP]),
    context: {
      access: view(counts),
      maxClusterAdmins: 3,
      inCluster: viewOf({ clusterrolebindings: { reason: 'no role: 403' } }),
    },
    status: 'fail',
    severity: 'low',
    message: /at least; some could not be counted/,
  },
  {
    scenario: 'unreachable -> unknown',
    cluster: withAdmins([OPS_GROUP]),
    context: { access: view(counts), inCluster: unreadableView('timeout: no answer within 60000 ms') },
    status: 'unknown',
    message: /timeout/,
  },
]);

import { aksNodeRebootPending as rule } from './aks_node_reboot_pending';
import { AS_OF, describeRuleCases } from './testing';
import { rbacExampleCluster } from '../../test/identity/examples';
import { kured, node, unreadableView, viewOf } from '../../test/incluster/examples';

const cluster = rbacExampleCluster();
const k1 = '5.15.0-1079-azure';
const k2 = '5.15.0-1081-azure';
const hoursAgo = (h: number) => new Date(AS_OF.getTime() - h * 3_600_000).toISOString();
const nodes = [
  node('aks-system-1-vmss000000', 'system', k1),
  node('aks-system-1-vmss000001', 'system', k1),
  node('aksnp000000', 'win1', '10.0.20348.2966', 'windows'),
];

describeRuleCases(rule, [
  {
    scenario: 'one kernel per pool and no lock -> pass',
    cluster,
    context: { inCluster: viewOf({ nodes, daemonsets: [kured(2, 2)] }) },
    status: 'pass',
    message: /3 nodes: each pool runs one kernel and no kured lock is stale/,
  },
  {
    scenario: 'two kernels in one pool -> fail medium naming the nodes',
    cluster,
    context: { inCluster: viewOf({ nodes: [...nodes, node('aks-system-1-vmss000002', 'system', k2)] }) },
    status: 'fail',
    severity: 'medium',
    message:
      /pool system runs 2 kernels \(5.15.0-1079-azure: aks-system-1-vmss000000, aks-system-1-vmss000001; 5.15.0-1081-azure: aks-system-1-vmss000002\)/,
    remediation:
      'az aks nodepool upgrade --resource-group rg1 --cluster-name clustername1 --name system --node-image-only',
  },
  {
    scenario: 'a kured lock held for 30 h -> fail medium naming the node',
    cluster,
    context: {
      inCluster: viewOf({
        nodes,
        daemonsets: [kured(2, 2, { node: 'aks-system-1-vmss000001', created: hoursAgo(30) })],
      }),
    },
    status: 'fail',
    severity: 'medium',
    message: /kured's lock \(kube-system\/kured\) is held by aks-system-1-vmss000001 since .* \(30 h\)/,
  },
  {
    scenario: 'a kured lock held for 3 h -> pass',
    cluster,
    context: {
      inCluster: viewOf({
        nodes,
        daemonsets: [kured(2, 2, { node: 'aks-system-1-vmss000001', created: hoursAgo(3) })],
      }),
    },
    status: 'pass',
  },
  {
    scenario: 'nodes unreadable -> unknown',
    cluster,
    context: { inCluster: viewOf({ nodes: { reason: 'no role: 403' } }) },
    status: 'unknown',
    message: /Nodes could not be read: no role: 403/,
  },
  {
    scenario: 'kernels agree but DaemonSets unreadable -> unknown (lock not checked)',
    cluster,
    context: { inCluster: viewOf({ nodes, daemonsets: { reason: 'HTTP 500' } }) },
    status: 'unknown',
    message: /kured's lock not checked/,
  },
  {
    scenario: 'a lock annotation that is not JSON -> unknown',
    cluster,
    context: {
      inCluster: {
        read: () => ({
          readable: true,
          state: {
            clusterRoleBindings: { readable: true, items: [] },
            roleBindings: { readable: true, items: [] },
            clusterRoles: { readable: true, items: [] },
            daemonSets: {
              readable: true,
              items: [
                { namespace: 'kube-system', name: 'kured', kured: true, desired: 1, ready: 1, kuredLock: 'garbage' },
              ],
            },
            nodes: { readable: true, items: [] },
          },
        }),
      },
    },
    status: 'unknown',
    message: /the lock annotation is not JSON/,
  },
  {
    scenario: 'unreachable -> unknown',
    cluster,
    context: { inCluster: unreadableView('no role: listClusterUserCredential was refused') },
    status: 'unknown',
  },
]);

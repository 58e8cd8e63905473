import { aksNodeRebootManaged as rule } from './aks_node_reboot_managed';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withPools, withProperties } from './testing';
import { KUBE_PROXY, kured, unreadableView, viewOf } from '../../test/incluster/examples';

const base = exampleCluster(CLUSTER_EXAMPLES.azureRbac);
const channel = (nodeOSUpgradeChannel: unknown, upgradeChannel = 'patch') =>
  withProperties(base, { autoUpgradeProfile: { upgradeChannel, nodeOSUpgradeChannel } });
const unmanaged = channel('Unmanaged');

describeRuleCases(rule, [
  {
    scenario: 'Unmanaged and a ready kured -> pass',
    cluster: unmanaged,
    context: { inCluster: viewOf({ daemonsets: [KUBE_PROXY, kured(3, 3)] }) },
    status: 'pass',
    message: /kured \(kube-system\/kured\) runs on 3 of 3 nodes/,
  },
  {
    scenario: 'Unmanaged and no kured -> fail high',
    cluster: unmanaged,
    context: { inCluster: viewOf({ daemonsets: [KUBE_PROXY] }) },
    status: 'fail',
    severity: 'high',
    message: /no kured DaemonSet runs: patches install, nodes never reboot/,
    remediation: '--node-os-upgrade-channel SecurityPatch',
  },
  {
    scenario: 'channel not set and kured not ready -> fail high',
    cluster: withProperties(base, { autoUpgradeProfile: { upgradeChannel: 'patch' } }),
    context: { inCluster: viewOf({ daemonsets: [kured(3, 1)] }) },
    status: 'fail',
    severity: 'high',
    message: /kured is not ready \(kube-system\/kured: 1 of 3 ready\)/,
  },
  {
    scenario: 'NodeImage -> not_applicable (without reading the cluster)',
    cluster: channel('NodeImage'),
    status: 'not_applicable',
  },
  {
    scenario: 'legacy node-image channel -> not_applicable',
    cluster: withProperties(base, { autoUpgradeProfile: { upgradeChannel: 'node-image' } }),
    status: 'not_applicable',
  },
  {
    scenario: 'Unmanaged but only Windows pools -> not_applicable',
    cluster: withPools(unmanaged, [{ osType: 'Windows', name: 'win1' }]),
    status: 'not_applicable',
    message: /no Linux node pool/,
  },
  {
    scenario: 'Unmanaged and DaemonSets unreadable -> unknown',
    cluster: unmanaged,
    context: { inCluster: viewOf({ daemonsets: { reason: 'no role: 403' } }) },
    status: 'unknown',
    message: /DaemonSets could not be read: no role: 403/,
  },
  {
    scenario: 'Unmanaged and unreachable -> unknown',
    cluster: unmanaged,
    context: { inCluster: unreadableView('local accounts only') },
    status: 'unknown',
  },
  {
    scenario: 'Unmanaged and reads off -> unknown',
    cluster: unmanaged,
    status: 'unknown',
    message: /In-cluster reads are off/,
  },
  {
    scenario: 'a channel of the wrong type -> unknown naming the field',
    cluster: channel(7),
    status: 'unknown',
    message: /nodeOSUpgradeChannel is number 7/,
  },
]);

import { aksNodeOsUpgradeManaged } from './aks_node_os_upgrade_managed';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withProperties } from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const profile = (autoUpgradeProfile: unknown) => withProperties(get, { autoUpgradeProfile });
const fix = 'az aks update --resource-group rg1 --name clustername1 --node-os-upgrade-channel NodeImage';

describeRuleCases(aksNodeOsUpgradeManaged, [
  { scenario: 'NodeImage passes', cluster: profile({ nodeOSUpgradeChannel: 'NodeImage' }), status: 'pass' },
  {
    scenario: 'SecurityPatch passes',
    cluster: profile({ upgradeChannel: 'patch', nodeOSUpgradeChannel: 'SecurityPatch' }),
    status: 'pass',
  },
  {
    scenario: 'legacy node-image upgrade channel passes without a node OS channel',
    cluster: profile({ upgradeChannel: 'node-image' }),
    status: 'pass',
    message: /legacy node-image/,
  },
  {
    scenario: 'legacy node-image upgrade channel passes whatever the node OS channel says',
    cluster: profile({ upgradeChannel: 'node-image', nodeOSUpgradeChannel: 'Unmanaged' }),
    status: 'pass',
  },
  {
    scenario: 'Unmanaged fails medium and names kured',
    cluster: profile({ upgradeChannel: 'stable', nodeOSUpgradeChannel: 'Unmanaged' }),
    status: 'fail',
    severity: 'medium',
    message: [/patches install but nodes never reboot/, /kured/, /NodeImage\/SecurityPatch/],
    remediation: fix,
  },
  {
    scenario: 'verbatim cluster without a channel fails medium',
    cluster: get,
    status: 'fail',
    severity: 'medium',
    message: /nodes never reboot/,
  },
  {
    scenario: 'None fails high',
    cluster: profile({ upgradeChannel: 'patch', nodeOSUpgradeChannel: 'None' }),
    status: 'fail',
    severity: 'high',
    remediation: fix,
  },
  {
    scenario: 'unrecognised channel is unknown',
    cluster: profile({ nodeOSUpgradeChannel: 'Weekly' }),
    status: 'unknown',
    message: /nodeOSUpgradeChannel is "Weekly"/,
  },
  {
    scenario: 'channel of the wrong type is unknown',
    cluster: profile({ nodeOSUpgradeChannel: true }),
    status: 'unknown',
  },
  { scenario: 'profile of the wrong type is unknown', cluster: profile([1]), status: 'unknown' },
]);

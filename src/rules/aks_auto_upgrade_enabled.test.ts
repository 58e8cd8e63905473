import { aksAutoUpgradeEnabled } from './aks_auto_upgrade_enabled';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withProperties, type RuleCase } from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const channel = (upgradeChannel: unknown) => withProperties(get, { autoUpgradeProfile: { upgradeChannel } });
const fix = 'az aks update --resource-group rg1 --name clustername1 --auto-upgrade-channel patch';

describeRuleCases(aksAutoUpgradeEnabled, [
  ...['patch', 'stable', 'rapid', 'Stable'].map((c): RuleCase => ({
    scenario: `channel ${c} passes`,
    cluster: channel(c),
    status: 'pass',
  })),
  {
    scenario: 'channel none fails medium',
    cluster: channel('none'),
    status: 'fail',
    severity: 'medium',
    message: /none/,
    remediation: fix,
  },
  {
    scenario: 'legacy node-image channel fails medium',
    cluster: channel('node-image'),
    status: 'fail',
    severity: 'medium',
    message: /legacy node-image channel/,
    remediation: fix,
  },
  {
    scenario: 'verbatim cluster without autoUpgradeProfile fails medium',
    cluster: get,
    status: 'fail',
    severity: 'medium',
    message: /upgradeChannel is missing/,
  },
  { scenario: 'null channel fails', cluster: channel(null), status: 'fail' },
  {
    scenario: 'profile with only a node OS channel fails',
    cluster: withProperties(get, { autoUpgradeProfile: { nodeOSUpgradeChannel: 'NodeImage' } }),
    status: 'fail',
  },
  {
    scenario: 'unrecognised channel is unknown',
    cluster: channel('weekly'),
    status: 'unknown',
    message: /autoUpgradeProfile\.upgradeChannel is "weekly", not a known channel/,
  },
  { scenario: 'channel of the wrong type is unknown', cluster: channel(['patch']), status: 'unknown' },
  {
    scenario: 'autoUpgradeProfile of the wrong type is unknown',
    cluster: withProperties(get, { autoUpgradeProfile: 'patch' }),
    status: 'unknown',
    message: /properties\.autoUpgradeProfile is "patch", not an object/,
  },
]);

import { aksNodePoolsMatchControlPlane } from './aks_node_pools_match_control_plane';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withPools, withProperties } from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const on = (version: string) => withProperties(get, { currentKubernetesVersion: version, kubernetesVersion: version });
const pool = (name: string, version: unknown) => ({
  name,
  currentOrchestratorVersion: version,
  orchestratorVersion: version,
});

describeRuleCases(aksNodePoolsMatchControlPlane, [
  {
    scenario: 'verbatim cluster: the pool matches the control plane',
    cluster: get,
    status: 'pass',
    message: /Every node pool \(nodepool1\) runs the control plane minor 1\.9/,
    remediation: 'az aks nodepool list --resource-group rg1 --cluster-name clustername1 --output table',
  },
  {
    scenario: 'an older patch of the same minor passes',
    cluster: withPools(on('1.33.5'), [pool('system', '1.33.5'), pool('user', '1.33.2')]),
    status: 'pass',
  },
  {
    scenario: 'pools on older minors fail medium and are listed',
    cluster: withPools(on('1.33.5'), [pool('system', '1.33.5'), pool('user', '1.32.9'), pool('gpu', '1.31.1')]),
    status: 'fail',
    severity: 'medium',
    message: /older minor than the control plane 1\.33: user \(1\.32\.9\), gpu \(1\.31\.1\)/,
    details: {
      olderPools: [
        { name: 'user', version: '1.32.9' },
        { name: 'gpu', version: '1.31.1' },
      ],
    },
    remediation:
      'az aks nodepool upgrade --resource-group rg1 --cluster-name clustername1 --name user --kubernetes-version 1.33.5 && ' +
      'az aks nodepool upgrade --resource-group rg1 --cluster-name clustername1 --name gpu --kubernetes-version 1.33.5',
  },
  {
    scenario: 'minor compared as numbers: a 1.9 pool is older than a 1.10 control plane',
    cluster: withPools(on('1.10.2'), [pool('old', '1.9.6')]),
    status: 'fail',
    message: /old \(1\.9\.6\)/,
  },
  {
    scenario: 'falls back to orchestratorVersion when currentOrchestratorVersion is missing',
    cluster: withPools(on('1.33.5'), [
      { name: 'np', currentOrchestratorVersion: undefined, orchestratorVersion: '1.32.1' },
    ]),
    status: 'fail',
    message: /np \(1\.32\.1\)/,
  },
  {
    scenario: 'an older pool wins over an unreadable one',
    cluster: withPools(on('1.33.5'), [pool('bad', 'garbage'), pool('old', '1.32.1')]),
    status: 'fail',
  },
  {
    scenario: 'an unreadable pool version is unknown',
    cluster: withPools(on('1.33.5'), [pool('system', '1.33.5'), pool('bad', 42)]),
    status: 'unknown',
    message: /bad currentOrchestratorVersion\/orchestratorVersion is number 42/,
  },
  {
    scenario: 'a missing pool version is unknown',
    cluster: withPools(on('1.33.5'), [pool('np', undefined)]),
    status: 'unknown',
  },
  {
    scenario: 'missing agentPoolProfiles is unknown',
    cluster: withProperties(on('1.33.5'), { agentPoolProfiles: undefined }),
    status: 'unknown',
    message: /properties\.agentPoolProfiles is missing/,
  },
  {
    scenario: 'agentPoolProfiles of the wrong type is unknown',
    cluster: withProperties(on('1.33.5'), { agentPoolProfiles: { name: 'np' } }),
    status: 'unknown',
  },
  {
    scenario: 'no pools is not applicable',
    cluster: withProperties(on('1.33.5'), { agentPoolProfiles: [] }),
    status: 'not_applicable',
  },
  {
    scenario: 'garbage control plane version is unknown',
    cluster: on('x'),
    status: 'unknown',
    message: /currentKubernetesVersion/,
  },
]);

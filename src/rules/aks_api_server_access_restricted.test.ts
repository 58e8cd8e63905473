import { aksApiServerAccessRestricted } from './aks_api_server_access_restricted';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withProperties } from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const privateCluster = exampleCluster(CLUSTER_EXAMPLES.privateCluster);
const premium = exampleCluster(CLUSTER_EXAMPLES.premium);
const access = (apiServerAccessProfile: unknown) => withProperties(get, { apiServerAccessProfile });
const fix = 'az aks update --resource-group rg1 --name clustername1 --api-server-authorized-ip-ranges ALLOWED_CIDR_1';

describeRuleCases(aksApiServerAccessRestricted, [
  { scenario: 'verbatim private cluster passes', cluster: privateCluster, status: 'pass', message: /private/ },
  {
    scenario: 'authorized ranges pass',
    cluster: access({ authorizedIPRanges: ['203.0.113.0/24', '198.51.100.7/32'] }),
    status: 'pass',
    message: /203\.0\.113\.0\/24, 198\.51\.100\.7\/32/,
  },
  {
    scenario: '0.0.0.0/0 in authorized ranges fails high',
    cluster: access({ authorizedIPRanges: ['203.0.113.0/24', '0.0.0.0/0'] }),
    status: 'fail',
    severity: 'high',
    message: /include 0\.0\.0\.0\/0/,
    remediation: fix,
  },
  { scenario: '::/0 in authorized ranges fails', cluster: access({ authorizedIPRanges: ['::/0'] }), status: 'fail' },
  {
    scenario: 'empty authorized ranges on a public cluster fail high',
    cluster: access({ enablePrivateCluster: false, authorizedIPRanges: [] }),
    status: 'fail',
    severity: 'high',
    message: /reachable from any address/,
  },
  { scenario: 'verbatim cluster without a profile fails high', cluster: get, status: 'fail', severity: 'high' },
  { scenario: 'verbatim Premium cluster (profile without ranges) fails high', cluster: premium, status: 'fail' },
  {
    scenario: 'private cluster with 0.0.0.0/0 ranges still passes',
    cluster: access({ enablePrivateCluster: true, authorizedIPRanges: ['0.0.0.0/0'] }),
    status: 'pass',
  },
  {
    scenario: 'authorized ranges of the wrong type are unknown',
    cluster: access({ authorizedIPRanges: '10.0.0.0/8' }),
    status: 'unknown',
    message: /authorizedIPRanges is "10\.0\.0\.0\/8", not a list/,
  },
  { scenario: 'a non-string range is unknown', cluster: access({ authorizedIPRanges: [10] }), status: 'unknown' },
  {
    scenario: 'enablePrivateCluster of the wrong type is unknown',
    cluster: access({ enablePrivateCluster: 'yes' }),
    status: 'unknown',
    message: /enablePrivateCluster is "yes"/,
  },
  { scenario: 'profile of the wrong type is unknown', cluster: access(true), status: 'unknown' },
]);

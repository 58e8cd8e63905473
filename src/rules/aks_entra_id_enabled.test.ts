import { aksEntraIdEnabled } from './aks_entra_id_enabled';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withProperties } from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const azureRbac = exampleCluster(CLUSTER_EXAMPLES.azureRbac);

describeRuleCases(aksEntraIdEnabled, [
  { scenario: 'verbatim managed Entra ID cluster passes', cluster: azureRbac, status: 'pass', message: /managed/ },
  {
    scenario: 'legacy aadProfile passes (the managed rule judges it)',
    cluster: withProperties(get, { aadProfile: { clientAppID: 'c', serverAppID: 's', tenantID: 't' } }),
    status: 'pass',
    message: /legacy/,
  },
  {
    scenario: 'verbatim cluster without aadProfile fails high',
    cluster: get,
    status: 'fail',
    severity: 'high',
    message: /no aadProfile/,
    remediation: 'az aks update --resource-group rg1 --name clustername1 --enable-aad',
  },
  { scenario: 'null aadProfile fails', cluster: withProperties(azureRbac, { aadProfile: null }), status: 'fail' },
  {
    scenario: 'aadProfile of the wrong type is unknown',
    cluster: withProperties(get, { aadProfile: 'enabled' }),
    status: 'unknown',
    message: /properties\.aadProfile is "enabled", not an object/,
  },
]);

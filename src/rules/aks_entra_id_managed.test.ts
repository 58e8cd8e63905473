import { aksEntraIdManaged } from './aks_entra_id_managed';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withProperties } from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const azureRbac = exampleCluster(CLUSTER_EXAMPLES.azureRbac);
const aad = (aadProfile: unknown) => withProperties(azureRbac, { aadProfile });

describeRuleCases(aksEntraIdManaged, [
  { scenario: 'verbatim managed Entra ID cluster passes', cluster: azureRbac, status: 'pass' },
  {
    scenario: 'legacy client/server application integration fails medium',
    cluster: aad({ clientAppID: 'clientappid', serverAppID: 'serverappid', serverAppSecret: '', tenantID: 't' }),
    status: 'fail',
    severity: 'medium',
    message: /legacy client\/server application integration \(clientAppID, serverAppID set\)/,
    remediation: 'az aks update --resource-group rg1 --name clustername1 --enable-aad',
  },
  { scenario: 'managed false fails medium', cluster: aad({ managed: false }), status: 'fail', severity: 'medium' },
  {
    scenario: 'managed missing fails medium',
    cluster: aad({ tenantID: 't' }),
    status: 'fail',
    message: /managed is not true/,
  },
  { scenario: 'no aadProfile is not applicable (verbatim cluster)', cluster: get, status: 'not_applicable' },
  {
    scenario: 'managed of the wrong type is unknown',
    cluster: aad({ managed: 'true' }),
    status: 'unknown',
    message: /aadProfile\.managed is "true", not true or false/,
  },
  { scenario: 'aadProfile of the wrong type is unknown', cluster: aad([]), status: 'unknown' },
]);

import { aksAzureRbacEnabled } from './aks_azure_rbac_enabled';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withProperties } from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const azureRbac = exampleCluster(CLUSTER_EXAMPLES.azureRbac);
const aad = (aadProfile: unknown) => withProperties(azureRbac, { aadProfile });

describeRuleCases(aksAzureRbacEnabled, [
  { scenario: 'verbatim cluster with enableAzureRBAC passes', cluster: azureRbac, status: 'pass' },
  {
    scenario: 'enableAzureRBAC false fails low',
    cluster: aad({ managed: true, enableAzureRBAC: false }),
    status: 'fail',
    severity: 'low',
    remediation: 'az aks update --resource-group rg1 --name clustername1 --enable-azure-rbac',
  },
  { scenario: 'enableAzureRBAC missing fails low', cluster: aad({ managed: true }), status: 'fail', severity: 'low' },
  { scenario: 'no aadProfile is not applicable (verbatim cluster)', cluster: get, status: 'not_applicable' },
  {
    scenario: 'enableAzureRBAC of the wrong type is unknown',
    cluster: aad({ managed: true, enableAzureRBAC: 1 }),
    status: 'unknown',
    message: /aadProfile\.enableAzureRBAC is number 1/,
  },
]);

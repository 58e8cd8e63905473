import { aksKubernetesRbacEnabled } from './aks_kubernetes_rbac_enabled';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withProperties } from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const azureRbac = exampleCluster(CLUSTER_EXAMPLES.azureRbac);

describeRuleCases(aksKubernetesRbacEnabled, [
  { scenario: 'verbatim cluster with enableRBAC true passes', cluster: azureRbac, status: 'pass' },
  {
    scenario: 'verbatim cluster with enableRBAC false fails critical',
    cluster: get,
    status: 'fail',
    severity: 'critical',
    message: /Kubernetes RBAC is disabled/,
    remediation: /^az aks create --resource-group rg1 --name clustername1-rbac /,
  },
  {
    scenario: 'missing enableRBAC is unknown',
    cluster: withProperties(get, { enableRBAC: undefined }),
    status: 'unknown',
    message: /properties\.enableRBAC is missing/,
  },
  { scenario: 'null enableRBAC is unknown', cluster: withProperties(get, { enableRBAC: null }), status: 'unknown' },
  {
    scenario: 'a string is unknown',
    cluster: withProperties(get, { enableRBAC: 'false' }),
    status: 'unknown',
    message: /properties\.enableRBAC is "false"/,
  },
]);

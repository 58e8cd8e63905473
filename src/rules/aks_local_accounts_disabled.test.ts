import { aksLocalAccountsDisabled } from './aks_local_accounts_disabled';
import { CLUSTER_EXAMPLES, describeRuleCases, exampleCluster, withProperties } from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);
const set = (disableLocalAccounts: unknown) => withProperties(get, { disableLocalAccounts });

describeRuleCases(aksLocalAccountsDisabled, [
  { scenario: 'disabled local accounts pass', cluster: set(true), status: 'pass' },
  {
    scenario: 'enabled local accounts fail high',
    cluster: set(false),
    status: 'fail',
    severity: 'high',
    message: /disableLocalAccounts is false/,
    remediation: 'az aks update --resource-group rg1 --name clustername1 --disable-local-accounts',
  },
  {
    scenario: 'verbatim cluster without the field fails high',
    cluster: get,
    status: 'fail',
    severity: 'high',
    message: /not set/,
  },
  { scenario: 'null fails high', cluster: set(null), status: 'fail' },
  {
    scenario: 'a string is unknown',
    cluster: set('true'),
    status: 'unknown',
    message: /properties\.disableLocalAccounts is "true"/,
  },
]);

import type { RuleOutcome } from '../model';
import { clusterArgs, learn, properties, readBoolean, type DocumentedRule } from './common';

// Three outcomes only, shared by every cluster (findings never mutate an outcome).
const DISABLED: RuleOutcome = {
  status: 'pass',
  message: 'Local accounts are disabled.',
  details: { disableLocalAccounts: true },
};
const ENABLED: RuleOutcome = {
  status: 'fail',
  severity: 'high',
  message:
    'Local accounts are enabled (disableLocalAccounts is false): the static cluster-admin credential bypasses Entra ID.',
  details: { disableLocalAccounts: false },
};
const NOT_SET: RuleOutcome = {
  status: 'fail',
  severity: 'high',
  message:
    'Local accounts are enabled (disableLocalAccounts is not set): the static cluster-admin credential bypasses Entra ID.',
  details: { disableLocalAccounts: null },
};

export const aksLocalAccountsDisabled: DocumentedRule = {
  id: 'aks_local_accounts_disabled',
  title: 'Local Kubernetes accounts are disabled',
  severity: 'high',
  section: 'identity-and-access',
  rationale:
    'The local cluster-admin account bypasses Entra ID: anyone holding its static credential has full control, ' +
    'with no MFA and no per-user audit. Disabling local accounts makes every sign-in go through Entra ID.',
  evaluation:
    'Pass: `disableLocalAccounts` is true. Fail high: false, missing or null. Unknown: a value that is not a ' +
    'boolean.',
  references: [learn('manage-local-accounts-managed-azure-ad'), learn('operator-best-practices-cluster-security')],
  remediation(cluster) {
    return `az aks update ${clusterArgs(cluster)} --disable-local-accounts`;
  },
  evaluate(cluster): RuleOutcome {
    const value = readBoolean(properties(cluster), 'disableLocalAccounts', 'properties.disableLocalAccounts');
    if (!value.ok) return value.outcome;
    if (value.value === true) return DISABLED;
    return value.value === false ? ENABLED : NOT_SET;
  },
};

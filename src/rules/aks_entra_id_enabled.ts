import type { RuleOutcome } from '../model';
import { clusterArgs, learn, readObject, type DocumentedRule } from './common';

// Three outcomes, shared by every cluster (findings never mutate an outcome).
const NOT_ENABLED: RuleOutcome = {
  status: 'fail',
  severity: 'high',
  message:
    'Microsoft Entra ID integration is not enabled (no aadProfile): API server access relies on local certificates.',
  details: { aadProfile: false },
};
const MANAGED: RuleOutcome = {
  status: 'pass',
  message: 'Microsoft Entra ID integration is enabled (managed).',
  details: { aadProfile: true, managed: true },
};
const LEGACY: RuleOutcome = {
  status: 'pass',
  message: 'Microsoft Entra ID integration is enabled (legacy).',
  details: { aadProfile: true, managed: false },
};

export const aksEntraIdEnabled: DocumentedRule = {
  id: 'aks_entra_id_enabled',
  title: 'API server sign-in uses Microsoft Entra ID',
  severity: 'high',
  section: 'identity-and-access',
  rationale:
    'With Microsoft Entra ID integration, people sign in to the API server with their organisation identity, ' +
    'conditional access and MFA apply, and access ends when the account is disabled. Without it, access rests on ' +
    'certificates that cannot be revoked individually.',
  evaluation:
    'Pass: `aadProfile` is present. Fail high: `aadProfile` is absent (or null). Unknown: `aadProfile` is of the ' +
    'wrong type.',
  references: [learn('enable-authentication-microsoft-entra-id'), learn('operator-best-practices-cluster-security')],
  remediation(cluster) {
    return `az aks update ${clusterArgs(cluster)} --enable-aad --aad-admin-group-object-ids ADMIN_GROUP_OBJECT_ID`;
  },
  evaluate(cluster): RuleOutcome {
    const aad = readObject(cluster, 'aadProfile');
    if (!aad.ok) return aad.outcome;
    if (!aad.value) return NOT_ENABLED;
    return aad.value.managed === true ? MANAGED : LEGACY;
  },
};

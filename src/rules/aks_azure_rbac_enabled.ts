import type { RuleOutcome } from '../model';
import { clusterArgs, learn, readBoolean, readObject, type DocumentedRule } from './common';

// Four outcomes, shared by every cluster (findings never mutate an outcome).
const NO_ENTRA_ID: RuleOutcome = {
  status: 'not_applicable',
  message:
    'Microsoft Entra ID integration is not enabled, a prerequisite of Azure RBAC (aks_entra_id_enabled reports it).',
  details: {},
};
const ENABLED: RuleOutcome = {
  status: 'pass',
  message: 'Azure RBAC for Kubernetes authorization is enabled.',
  details: { enableAzureRBAC: true },
};
const NOT_ENABLED =
  'Azure RBAC for Kubernetes authorization is not enabled: cluster permissions live only in Kubernetes role bindings.';
const DISABLED: RuleOutcome = {
  status: 'fail',
  severity: 'low',
  message: NOT_ENABLED,
  details: { enableAzureRBAC: false },
};
const NOT_SET: RuleOutcome = {
  status: 'fail',
  severity: 'low',
  message: NOT_ENABLED,
  details: { enableAzureRBAC: null },
};

export const aksAzureRbacEnabled: DocumentedRule = {
  id: 'aks_azure_rbac_enabled',
  title: 'Azure RBAC for Kubernetes authorization is enabled',
  severity: 'low',
  section: 'identity-and-access',
  rationale:
    'Azure RBAC for Kubernetes authorization manages cluster permissions as Azure role assignments to Entra ID ' +
    'groups, in one place, audited and scoped like every other Azure permission.',
  evaluation:
    'Not applicable: no `aadProfile`. Pass: `aadProfile.enableAzureRBAC` is true. Fail low: false or missing. ' +
    'Unknown: a value that is not a boolean.',
  references: [learn('manage-azure-rbac'), learn('concepts-identity')],
  remediation(cluster) {
    return `az aks update ${clusterArgs(cluster)} --enable-azure-rbac`;
  },
  evaluate(cluster): RuleOutcome {
    const aad = readObject(cluster, 'aadProfile');
    if (!aad.ok) return aad.outcome;
    if (!aad.value) return NO_ENTRA_ID;
    const value = readBoolean(aad.value, 'enableAzureRBAC', 'aadProfile.enableAzureRBAC');
    if (!value.ok) return value.outcome;
    if (value.value === true) return ENABLED;
    return value.value === false ? DISABLED : NOT_SET;
  },
};

import type { RuleOutcome } from '../model';
import { clusterArgs, learn, readBoolean, readObject, type DocumentedRule } from './common';

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
    if (!aad.value) {
      return {
        status: 'not_applicable',
        message:
          'Microsoft Entra ID integration is not enabled, a prerequisite of Azure RBAC (aks_entra_id_enabled reports it).',
        details: {},
      };
    }
    const value = readBoolean(aad.value, 'enableAzureRBAC', 'aadProfile.enableAzureRBAC');
    if (!value.ok) return value.outcome;
    if (value.value === true) {
      return {
        status: 'pass',
        message: 'Azure RBAC for Kubernetes authorization is enabled.',
        details: { enableAzureRBAC: true },
      };
    }
    return {
      status: 'fail',
      severity: 'low',
      message:
        'Azure RBAC for Kubernetes authorization is not enabled: cluster permissions live only in Kubernetes role bindings.',
      details: { enableAzureRBAC: value.value ?? null },
    };
  },
};

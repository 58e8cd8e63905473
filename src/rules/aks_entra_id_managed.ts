import type { RuleOutcome } from '../model';
import { clusterArgs, learn, readBoolean, readObject, type DocumentedRule } from './common';

// Outcomes shared by every cluster they apply to (findings never mutate an outcome).
const NO_ENTRA_ID: RuleOutcome = {
  status: 'not_applicable',
  message: 'Microsoft Entra ID integration is not enabled (aks_entra_id_enabled reports it).',
  details: {},
};
const MANAGED: RuleOutcome = {
  status: 'pass',
  message: 'Microsoft Entra ID integration is AKS-managed.',
  details: { managed: true },
};

export const aksEntraIdManaged: DocumentedRule = {
  id: 'aks_entra_id_managed',
  title: 'Microsoft Entra ID integration is AKS-managed',
  severity: 'medium',
  section: 'identity-and-access',
  rationale:
    'The legacy Entra ID integration (client and server applications you create and whose secrets you rotate) is ' +
    'deprecated; AKS-managed Entra ID needs no application secrets and is the supported path.',
  evaluation:
    'Not applicable: no `aadProfile`. Pass: `aadProfile.managed` is true. Fail medium: `managed` is false or ' +
    'missing (the legacy client/server application integration). Unknown: `aadProfile` or `managed` of the wrong ' +
    'type.',
  references: [learn('enable-authentication-microsoft-entra-id'), learn('azure-ad-integration-cli')],
  remediation(cluster) {
    return `az aks update ${clusterArgs(cluster)} --enable-aad --aad-admin-group-object-ids ADMIN_GROUP_OBJECT_ID`;
  },
  evaluate(cluster): RuleOutcome {
    const aad = readObject(cluster, 'aadProfile');
    if (!aad.ok) return aad.outcome;
    if (!aad.value) return NO_ENTRA_ID;
    const managed = readBoolean(aad.value, 'managed', 'aadProfile.managed');
    if (!managed.ok) return managed.outcome;
    if (managed.value === true) return MANAGED;
    const legacyApps = ['clientAppID', 'serverAppID'].filter((k) => typeof aad.value?.[k] === 'string');
    return {
      status: 'fail',
      severity: 'medium',
      message:
        'Microsoft Entra ID integration is the legacy client/server application integration' +
        (legacyApps.length > 0 ? ` (${legacyApps.join(', ')} set)` : ' (aadProfile.managed is not true)') +
        ': migrate to AKS-managed Entra ID.',
      details: { managed: managed.value ?? null, legacyApps },
    };
  },
};

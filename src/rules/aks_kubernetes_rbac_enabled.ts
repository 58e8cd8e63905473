import type { RuleOutcome } from '../model';
import { learn, properties, readBoolean, shellArg, unknown, type DocumentedRule } from './common';

// Two outcomes, shared by every cluster (findings never mutate an outcome).
const ENABLED: RuleOutcome = { status: 'pass', message: 'Kubernetes RBAC is enabled.', details: { enableRBAC: true } };
const DISABLED: RuleOutcome = {
  status: 'fail',
  severity: 'critical',
  message:
    'Kubernetes RBAC is disabled: every authenticated identity has full access; the cluster must be recreated with RBAC.',
  details: { enableRBAC: false },
};

export const aksKubernetesRbacEnabled: DocumentedRule = {
  id: 'aks_kubernetes_rbac_enabled',
  title: 'Kubernetes RBAC is enabled',
  severity: 'critical',
  section: 'identity-and-access',
  rationale:
    'Without Kubernetes RBAC every authenticated identity can do anything in the cluster; least privilege is ' +
    'impossible. RBAC cannot be turned on for an existing cluster: it has to be recreated.',
  evaluation:
    'Pass: `enableRBAC` is true. Fail critical: `enableRBAC` is false. Unknown: missing, null or not a boolean.',
  references: [
    learn('concepts-identity'),
    learn('operator-best-practices-cluster-security'),
    learn('manage-azure-rbac'),
  ],
  remediation(cluster) {
    // Kubernetes RBAC can only be set at creation: the fix is a replacement cluster (RBAC is on by default).
    return (
      `az aks create --resource-group ${shellArg(cluster.resourceGroup)} --name ${shellArg(`${cluster.name}-rbac`)} ` +
      '--enable-aad --enable-azure-rbac --disable-local-accounts --generate-ssh-keys'
    );
  },
  evaluate(cluster): RuleOutcome {
    const value = readBoolean(properties(cluster), 'enableRBAC', 'properties.enableRBAC');
    if (!value.ok) return value.outcome;
    if (value.value === undefined) {
      return unknown('properties.enableRBAC is missing: whether Kubernetes RBAC is enabled cannot be read.', {
        field: 'properties.enableRBAC',
      });
    }
    return value.value ? ENABLED : DISABLED;
  },
};

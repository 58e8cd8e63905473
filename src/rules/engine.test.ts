import type { Rule } from '../model';
import { evaluateCluster } from './engine';
import { ALL_RULES, CLUSTER_RULES, RULES_BY_ID } from './index';
import { CLUSTER_EXAMPLES, exampleCluster, exampleVersions, testContext, withProperties } from './testing';

const get = exampleCluster(CLUSTER_EXAMPLES.get);

const throwing: Rule = {
  ...CLUSTER_RULES[0],
  id: 'test_throwing_rule',
  evaluate() {
    throw new Error('boom: properties.foo exploded');
  },
};
const invalid: Rule = {
  ...CLUSTER_RULES[0],
  id: 'test_invalid_outcome',
  evaluate() {
    return { status: 'exempt', message: 'rules never exempt' } as never;
  },
};

describe('evaluateCluster', () => {
  it('engine: one finding per rule in catalog order for the verbatim cluster', () => {
    const report = evaluateCluster(get, testContext({ versions: exampleVersions() }));
    expect(report).toMatchObject({
      id: get.id,
      name: 'clustername1',
      subscriptionId: '00000000-0000-0000-0000-000000000000',
      resourceGroup: 'rg1',
      location: 'location1',
      kubernetesVersion: '1.9.6',
      tags: { archv2: '', tier: 'production' },
    });
    expect(report.findings.map((f) => f.ruleId)).toEqual(ALL_RULES.map((r) => r.id));
    const byId = Object.fromEntries(report.findings.map((f) => [f.ruleId, f]));
    expect(byId.aks_version_supported).toMatchObject({
      status: 'fail',
      severity: 'critical',
      title: 'Cluster runs a supported Kubernetes minor version',
      remediation: 'az aks upgrade --resource-group rg1 --name clustername1 --kubernetes-version 1.23.15',
    });
    expect(byId.aks_kubernetes_rbac_enabled).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(byId.aks_node_image_current).toMatchObject({ status: 'unknown', severity: 'high' });
    expect(byId.aks_entra_id_managed).toMatchObject({ status: 'not_applicable', severity: 'medium' });
    expect(byId.aks_version_patch_current.details).toEqual(expect.objectContaining({ clusterVersion: '1.9.6' }));
    const clusterRuleIds = new Set(CLUSTER_RULES.map((r) => r.id));
    for (const finding of report.findings) {
      expect(finding.message.length).toBeGreaterThan(10);
      expect(finding.remediation).toMatch(clusterRuleIds.has(finding.ruleId) ? /^az aks / : /^az /);
      expect(finding.remediation).toContain('rg1');
    }
  });

  it('engine: a finding takes the outcome severity over the rule severity', () => {
    const cluster = withProperties(get, { autoUpgradeProfile: { nodeOSUpgradeChannel: 'Unmanaged' } });
    const finding = evaluateCluster(cluster, testContext(), [RULES_BY_ID.get('aks_node_os_upgrade_managed')!])
      .findings[0];
    expect(finding).toMatchObject({ status: 'fail', severity: 'medium' });
  });

  it('engine: a throwing rule yields unknown with its error and the other rules still run', () => {
    const rules = [throwing, ...CLUSTER_RULES, invalid];
    const report = evaluateCluster(get, testContext(), rules);
    expect(report.findings).toHaveLength(rules.length);
    expect(report.findings[0]).toMatchObject({
      ruleId: 'test_throwing_rule',
      status: 'unknown',
      message: 'The rule could not be evaluated: boom: properties.foo exploded',
      details: { error: 'boom: properties.foo exploded' },
    });
    expect(report.findings[rules.length - 1]).toMatchObject({ ruleId: 'test_invalid_outcome', status: 'unknown' });
    expect(report.findings[1]).toMatchObject({ ruleId: 'aks_version_supported', status: 'fail' });
    expect(report.findings.filter((f) => f.status === 'unknown').length).toBeGreaterThanOrEqual(2);
  });

  it('engine: kubernetesVersion falls back to kubernetesVersion, then null', () => {
    const ctx = testContext();
    expect(
      evaluateCluster(withProperties(get, { currentKubernetesVersion: undefined }), ctx, []).kubernetesVersion,
    ).toBe('1.9.6');
    expect(
      evaluateCluster(withProperties(get, { currentKubernetesVersion: null, kubernetesVersion: 7 }), ctx, [])
        .kubernetesVersion,
    ).toBeNull();
  });

  it('engine: garbage everywhere never throws', () => {
    const garbage = { ...get, sku: null, properties: { agentPoolProfiles: [null, 'x', 3], aadProfile: 5 } };
    const report = evaluateCluster(garbage as never, testContext());
    expect(report.findings).toHaveLength(ALL_RULES.length);
    expect(report.findings.every((f) => f.details && typeof f.message === 'string')).toBe(true);
    expect(report.findings.some((f) => f.message.startsWith('The rule could not be evaluated'))).toBe(false);
  });
});

describe('rule catalog', () => {
  const CONTRACT_ORDER = [
    'aks_version_supported',
    'aks_version_patch_current',
    'aks_version_end_of_support_horizon',
    'aks_node_pools_match_control_plane',
    'aks_auto_upgrade_enabled',
    'aks_node_os_upgrade_managed',
    'aks_node_image_current',
    'aks_entra_id_enabled',
    'aks_entra_id_managed',
    'aks_local_accounts_disabled',
    'aks_kubernetes_rbac_enabled',
    'aks_azure_rbac_enabled',
    'aks_api_server_access_restricted',
    'aks_rbac_bindings_use_groups',
    'aks_admin_groups_valid',
    'aks_rbac_no_orphaned_assignments',
    'aks_rbac_no_guest_admins',
    'aks_k8s_bindings_use_groups',
    'aks_k8s_cluster_admin_holders',
    'aks_node_reboot_managed',
    'aks_node_reboot_pending',
  ];

  it('catalog: rules follow the contract order with unique IDs', () => {
    expect(CLUSTER_RULES.map((r) => r.id)).toEqual(CONTRACT_ORDER.slice(0, 13));
    const ids = ALL_RULES.map((r) => r.id);
    expect(ids).toEqual(CONTRACT_ORDER.filter((id) => ids.includes(id)));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...RULES_BY_ID.keys()]).toEqual(ids);
  });

  it.each(CLUSTER_RULES.map((r) => [r.id, r] as const))('catalog: %s carries complete metadata', (_id, rule) => {
    expect(rule.title.length).toBeGreaterThan(10);
    expect(rule.rationale.length).toBeGreaterThan(40);
    expect(['identity-and-access', 'version-upgrades', 'node-os-patching']).toContain(rule.section);
    expect(rule.references.length).toBeGreaterThan(0);
    for (const ref of rule.references) expect(ref).toMatch(/^https:\/\/learn\.microsoft\.com\/azure\/aks\//);
  });
});

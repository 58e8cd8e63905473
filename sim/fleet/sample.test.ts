import {
  afterReaderLoss,
  DELEGATED_CLUSTER_NAME,
  FABRIKAM_TENANT_ID,
  HOSTILE_NAME,
  HOSTILE_TAGS,
  READER_LOSS_SUBSCRIPTION,
  sampleFleet,
} from './sample';
import { ALL_RULE_IDS, isCompliant } from './truth';
import { DEFAULT_AS_OF } from './generator';
import { toClusterRecord } from '../../src/inventory/clusters';

describe('sampleFleet (the demo fleet)', () => {
  const { fleet, truth, model } = sampleFleet();
  const status = (name: string, rule: string) => {
    const c = fleet.clusters.find((x) => x.name === name);
    if (!c) throw new Error(`no sample cluster ${name}`);
    return truth.get(c.id.toLowerCase())![rule];
  };
  const count = (rule: string, status: string, severity?: string) =>
    [...truth.values()].filter((r) => r[rule].status === status && (!severity || r[rule].severity === severity)).length;

  test('about 60 clusters in several subscriptions and regions, deterministic', () => {
    expect(fleet.clusters.length).toBe(61);
    expect(new Set(fleet.clusters.map((c) => c.id.split('/')[2])).size).toBe(6);
    expect(new Set(fleet.clusters.map((c) => c.location)).size).toBe(6);
    expect(JSON.stringify(sampleFleet().fleet)).toBe(JSON.stringify(fleet));
    expect(new Set(model.clusters.map((c) => c.template)).size).toBe(7);
    for (const c of fleet.clusters) expect('error' in toClusterRecord(c)).toBe(false);
  });

  test('the truth covers every rule of every cluster, with compliant and non-compliant clusters', () => {
    expect(truth.size).toBe(61);
    for (const r of truth.values()) expect(Object.keys(r).sort()).toEqual([...ALL_RULE_IDS].sort());
    const compliant = [...truth.values()].filter(isCompliant).length;
    expect(compliant).toBeGreaterThanOrEqual(15);
    expect(compliant).toBeLessThanOrEqual(25);
  });

  test('it shows the variety the demo promises', () => {
    expect(status('aks-payments-prod-weu', 'aks_version_supported')).toEqual({ status: 'pass' });
    expect(count('aks_version_supported', 'fail', 'critical')).toBeGreaterThanOrEqual(3); // out of support
    expect(status('aks-checkout-prod-weu', 'aks_version_supported')).toEqual({ status: 'pass' }); // LTS on Premium
    expect(fleet.clusters.find((c) => c.name === 'aks-checkout-prod-weu')!.sku?.tier).toBe('Premium');
    expect(status('aks-checkout-dr-neu', 'aks_version_end_of_support_horizon')).toEqual({ status: 'fail', severity: 'medium' });
    expect(status('aks-ledger-stg-weu', 'aks_version_supported')).toEqual({ status: 'fail', severity: 'high' }); // platform support
    expect(status('aks-platform-dev-weu', 'aks_version_supported')).toEqual({ status: 'fail', severity: 'medium' }); // preview
    expect(status('aks-catalog-stg-eus2', 'aks_version_end_of_support_horizon')).toEqual({ status: 'unknown' });
    expect(status('aks-fraud-dev-eus2', 'aks_entra_id_managed')).toEqual({ status: 'fail', severity: 'medium' }); // legacy
    expect(count('aks_local_accounts_disabled', 'fail')).toBeGreaterThanOrEqual(4);
    expect(status('aks-identity-dev-weu', 'aks_node_os_upgrade_managed')).toEqual({ status: 'fail', severity: 'medium' });
    expect(status('aks-gateway-stg-eus2', 'aks_node_os_upgrade_managed')).toEqual({ status: 'fail', severity: 'high' });
    expect(status('aks-checkout-stg-uks', 'aks_node_image_current')).toEqual({ status: 'fail', severity: 'medium' });
    expect(status('aks-ledger-dev-weu', 'aks_node_image_current')).toEqual({ status: 'fail', severity: 'high' });
    expect(status('aks-observability-stg-neu', 'aks_node_image_current')).toEqual({ status: 'unknown' });
    expect(status('aks-checkout-dev-uks', 'aks_rbac_bindings_use_groups')).toEqual({ status: 'fail', severity: 'medium' });
    expect(status('aks-search-stg-eus2', 'aks_rbac_bindings_use_groups')).toEqual({ status: 'fail', severity: 'medium' });
    expect(count('aks_rbac_bindings_use_groups', 'fail')).toBe(4); // two direct, one at a resource group, the guest admin
    expect(status('aks-ledger-prod-weu', 'aks_admin_groups_valid')).toEqual({ status: 'fail', severity: 'high' });
    expect(status('aks-identity-stg-weu', 'aks_admin_groups_valid')).toEqual({ status: 'fail', severity: 'medium' });
    expect(status('aks-platform-stg-sec', 'aks_admin_groups_valid')).toEqual({ status: 'fail', severity: 'low' });
    expect(status('aks-fraud-prod-eus2', 'aks_rbac_no_guest_admins')).toEqual({ status: 'fail', severity: 'high' });
    expect(count('aks_rbac_no_guest_admins', 'fail')).toBe(1);
    expect(count('aks_rbac_no_orphaned_assignments', 'fail', 'low')).toBe(2);
    expect(status('aks-gateway-dev-eus2', 'aks_api_server_access_restricted')).toEqual({ status: 'fail', severity: 'high' });
    expect(count('aks_api_server_access_restricted', 'pass')).toBeGreaterThan(40);
    const privateApi = fleet.clusters.filter((c) => (c.properties.apiServerAccessProfile as { enablePrivateCluster?: boolean } | undefined)?.enablePrivateCluster === true);
    expect(privateApi.length).toBeGreaterThan(10);
    expect(privateApi.length).toBeLessThan(55);
    expect(status('aks-catalog-stg-eus2', 'aks_kubernetes_rbac_enabled')).toEqual({ status: 'fail', severity: 'critical' });
    expect(status('aks-search-dev-eus2', 'aks_kubernetes_rbac_enabled')).toEqual({ status: 'unknown' });
  }); // prettier-ignore

  test("a customer's cluster delegated through Azure Lighthouse: its principal checks are unknown, never deleted", () => {
    const delegated = fleet.clusters.find((c) => c.name === DELEGATED_CLUSTER_NAME)!;
    const sub = fleet.subscriptions.find((x) => x.subscriptionId === delegated.id.split('/')[2])!;
    expect(sub.tenantId).toBe(FABRIKAM_TENANT_ID);
    expect((delegated.properties.aadProfile as { tenantID?: string }).tenantID).toBe(FABRIKAM_TENANT_ID);
    expect(fleet.otherTenants?.map((t) => t.tenantId)).toEqual([FABRIKAM_TENANT_ID]);
    // Its admin group lives in Fabrikam's directory only.
    const groupId = (delegated.properties.aadProfile as { adminGroupObjectIDs: string[] }).adminGroupObjectIDs[0];
    expect(fleet.directory.some((d) => d.id === groupId)).toBe(false);
    expect(fleet.otherTenants![0].directory.some((d) => d.id === groupId)).toBe(true);
    expect(status(DELEGATED_CLUSTER_NAME, 'aks_admin_groups_valid')).toEqual({ status: 'unknown' });
    expect(status(DELEGATED_CLUSTER_NAME, 'aks_rbac_no_orphaned_assignments')).toEqual({ status: 'unknown' });
    expect(status(DELEGATED_CLUSTER_NAME, 'aks_rbac_bindings_use_groups')).toEqual({ status: 'pass' });
  });

  test('the identity loses Reader on Contoso Sandbox between the demo scans; the truth keeps its clusters', () => {
    const lost = afterReaderLoss(sampleFleet());
    expect(lost.fleet.forbiddenSubscriptions).toEqual([READER_LOSS_SUBSCRIPTION]);
    expect(fleet.clusters.filter((c) => c.id.includes(READER_LOSS_SUBSCRIPTION)).length).toBeGreaterThan(2);
    expect(lost.truth.size).toBe(truth.size);
  });

  test('one cluster carries hostile name and tags', () => {
    const hostile = fleet.clusters.find((c) => c.name === HOSTILE_NAME)!;
    expect(hostile).toBeDefined();
    expect(hostile.id.endsWith(`/managedClusters/${HOSTILE_NAME}`)).toBe(true);
    expect(hostile.tags).toEqual(HOSTILE_TAGS);
    expect(JSON.stringify(hostile)).toContain('<script>alert(1)</script>');
    expect(JSON.stringify(hostile)).toContain("=cmd|' /C calc'!A0");
    expect(truth.has(hostile.id.toLowerCase())).toBe(true);
    // A high fail, so the demo's alerts carry the hostile name (the card must show it as typed).
    expect(truth.get(hostile.id.toLowerCase())!.aks_local_accounts_disabled).toMatchObject({
      status: 'fail',
      severity: 'high',
    });
  });

  test('node image dates follow the as-of date', () => {
    const later = new Date(DEFAULT_AS_OF.getTime() + 400 * 86_400_000);
    const moved = sampleFleet(later);
    const image = (f: typeof fleet, name: string) => {
      const c = f.clusters.find((x) => x.name === name)!;
      return truthOf(f === fleet ? truth : moved.truth, c.id).aks_node_image_current;
    };
    expect(image(moved.fleet, 'aks-checkout-stg-uks')).toEqual({ status: 'fail', severity: 'medium' });
    expect(image(moved.fleet, 'aks-payments-prod-weu')).toEqual({ status: 'pass' });
    expect(JSON.stringify(moved.fleet.clusters[0].properties.agentPoolProfiles)).not.toBe(
      JSON.stringify(fleet.clusters[0].properties.agentPoolProfiles),
    );
  });
});

function truthOf(t: ReturnType<typeof sampleFleet>['truth'], id: string) {
  return t.get(id.toLowerCase())!;
}

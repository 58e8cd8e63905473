// Another tenant's cluster (Azure Lighthouse, case 3): a tenant-scope Resource Graph answer holds a customer's
// cluster whose principals and admin groups live in the customer's directory. They are never judged in the scanner's
// own directory (where they would look deleted): unknown naming the tenant, unless the identity may sign in to that
// tenant (AKS_COMPLIANCE_TENANTS), and then judged there. End to end through runScanJob, the store and the notifier.
import { createAzureClients } from '../../src/azure/clients';
import { loadSettings } from '../../src/config/settings';
import { runScanJob } from '../../src/scan/job';
import { DEFAULT_AS_OF } from '../../sim/fleet/generator';
import type { ArmManagedCluster, DirectoryEntry, Fleet } from '../../sim/fleet/types';
import { acceptedKeys, smallFleet, startFaultEnv, type FaultEnv } from '../faults/harness';

jest.setTimeout(180_000);

const OTHER_TENANT = 'c0ffee00-1111-4222-8333-444455556666';
const OTHER_SUB = 'c0ffee00-aaaa-4bbb-8ccc-000000000001';
const CUSTOMER_GROUP = 'c0ffee00-0000-4000-8000-00000000a001';
const CUSTOMER_GROUP_GONE = 'c0ffee00-0000-4000-8000-00000000a002';
const CUSTOMER_USER = 'c0ffee00-0000-4000-8000-00000000b001';
const CUSTOMER_SP_GONE = 'c0ffee00-0000-4000-8000-00000000b002';
const DIRECTORY_RULES = ['aks_admin_groups_valid', 'aks_rbac_no_orphaned_assignments', 'aks_rbac_no_guest_admins'];

/** A small fleet plus one delegated subscription of another tenant holding one cluster. */
function withCustomerTenant(): ReturnType<typeof smallFleet> {
  const generated = smallFleet();
  const fleet: Fleet = structuredClone(generated.fleet);
  const template = fleet.clusters[0];
  const id = `/subscriptions/${OTHER_SUB}/resourceGroups/rg-customer/providers/Microsoft.ContainerService/managedClusters/aks-customer-prod`;
  const cluster: ArmManagedCluster = {
    ...structuredClone(template),
    id,
    name: 'aks-customer-prod',
    properties: {
      ...structuredClone(template.properties),
      aadProfile: {
        managed: true,
        enableAzureRBAC: true,
        tenantID: OTHER_TENANT,
        adminGroupObjectIDs: [CUSTOMER_GROUP, CUSTOMER_GROUP_GONE],
      },
    },
  };
  fleet.clusters.push(cluster);
  fleet.subscriptions.push({
    subscriptionId: OTHER_SUB,
    displayName: 'Fabrikam Production (delegated)',
    tenantId: OTHER_TENANT,
    managementGroupAncestorsChain: [{ name: OTHER_TENANT, displayName: 'Tenant Root Group' }],
  });
  const assign = (name: string, principalId: string, principalType: string, role: string) =>
    fleet.roleAssignments.push({
      id: `${id}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${role}`,
        principalId,
        principalType,
        scope: id,
      },
    });
  assign('c0ffee00-0000-4000-8000-0000000000c1', CUSTOMER_USER, 'User', '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8');
  assign(
    'c0ffee00-0000-4000-8000-0000000000c2',
    CUSTOMER_SP_GONE,
    'ServicePrincipal',
    'b24988ac-6180-42a0-ab88-20f7382dd24c',
  );
  const customerDirectory: DirectoryEntry[] = [
    {
      '@odata.type': '#microsoft.graph.group',
      id: CUSTOMER_GROUP,
      displayName: 'fabrikam-aks-admins',
      securityEnabled: true,
      transitiveMemberCount: 3,
    },
    {
      '@odata.type': '#microsoft.graph.user',
      id: CUSTOMER_USER,
      displayName: 'Fabrikam Operator',
      userPrincipalName: 'operator@fabrikam.com',
      userType: 'Member',
      accountEnabled: true,
    },
  ];
  fleet.otherTenants = [
    { tenantId: OTHER_TENANT, displayName: 'Fabrikam', directory: customerDirectory, scannerConsented: true },
  ];
  return { ...generated, fleet };
}

let env: FaultEnv;
beforeAll(async () => {
  env = await startFaultEnv({ generated: withCustomerTenant() });
});
afterAll(async () => {
  await env?.stop();
});

function customer(report: {
  clusters: { id: string; findings: { ruleId: string; status: string; message: string; severity: string }[] }[];
}) {
  return report.clusters.find((c) => c.id.toLowerCase().includes(OTHER_SUB))!;
}

it('Resource Graph rows of the delegated subscription carry the customer tenant', async () => {
  const page = await env.local.clients.resourceGraph.resources({
    query: (await import('../../src/inventory/queries')).CLUSTERS_QUERY,
    subscriptions: [OTHER_SUB],
  });
  expect((page.data as { tenantId: string }[]).map((r) => r.tenantId)).toEqual([OTHER_TENANT]);
});

it('with the customer tenant configured, its principals are judged in its own directory', async () => {
  const settings = loadSettings({ ...env.local.env, AKS_COMPLIANCE_TENANTS: OTHER_TENANT });
  const clients = createAzureClients(settings);
  const run = await runScanJob(
    { settings: { ...env.settings, tenants: settings.tenants }, clients, store: env.store, log: () => undefined },
    { trigger: 'timer', asOf: DEFAULT_AS_OF, keepReport: true },
  );
  expect(run.report.complete).toBe(true);
  const c = customer(run.report);
  const by = Object.fromEntries(c.findings.map((f) => [f.ruleId, f]));
  // The customer's deleted admin group and service principal are really gone from the customer's directory.
  expect(by.aks_admin_groups_valid).toMatchObject({ status: 'fail', severity: 'high' });
  expect(by.aks_admin_groups_valid.message).toContain(`${CUSTOMER_GROUP_GONE} no longer exists`);
  expect(by.aks_admin_groups_valid.message).not.toContain(`${CUSTOMER_GROUP} no longer exists`);
  expect(by.aks_rbac_no_orphaned_assignments).toMatchObject({ status: 'fail' });
  expect(by.aks_rbac_no_orphaned_assignments.message).toContain(CUSTOMER_SP_GONE);
  expect(by.aks_rbac_no_orphaned_assignments.message).not.toContain(CUSTOMER_USER);
  expect(by.aks_rbac_no_guest_admins.status).toBe('pass');
});

it('without it, they are unknown naming the tenant (never deleted), and the fails found before stay fails', async () => {
  const keys = acceptedKeys(env).length;
  const run = await env.job({ asOf: DEFAULT_AS_OF });
  expect(run.report.complete).toBe(true);
  const c = customer(run.report);
  for (const rule of DIRECTORY_RULES) {
    const f = c.findings.find((x) => x.ruleId === rule)!;
    expect(`${rule} ${f.status}`).toBe(`${rule} unknown`);
    expect(f.message).toContain(`tenant ${OTHER_TENANT}`);
    expect(f.message).not.toMatch(/no longer exist/);
  }
  // Bindings are judged from ARM's principalType: the customer's user is named by ID.
  expect(c.findings.find((x) => x.ruleId === 'aks_rbac_bindings_use_groups')?.status).toBe('fail');
  expect(run.report.problems).toEqual([
    expect.objectContaining({
      source: 'graph',
      scope: `tenant ${OTHER_TENANT}`,
      message: expect.stringMatching(/AKS_COMPLIANCE_TENANTS/),
    }),
  ]);
  // The store keeps the fails judged in the customer's directory: unknown is not evidence.
  const state = await env.store.getClusterHistory(c.id);
  const stored = Object.fromEntries(state!.cluster.findings.map((f) => [f.ruleId, f.status]));
  expect(stored.aks_admin_groups_valid).toBe('fail');
  expect(stored.aks_rbac_no_orphaned_assignments).toBe('fail');
  expect(
    acceptedKeys(env)
      .slice(keys)
      .filter((k) => k.endsWith('|resolved')),
  ).toEqual([]);
});

it('a tenant configured but not consented: sign-in there is refused, its principals are unknown, nothing else is', async () => {
  const fleet = structuredClone(env.generated.fleet);
  fleet.otherTenants![0].scannerConsented = false;
  env.local.sim.setFleet(fleet);
  try {
    const settings = loadSettings({ ...env.local.env, AKS_COMPLIANCE_TENANTS: OTHER_TENANT });
    const clients = createAzureClients(settings);
    const run = await runScanJob(
      { settings: { ...env.settings, tenants: settings.tenants }, clients, store: env.store, log: () => undefined },
      { trigger: 'timer', asOf: DEFAULT_AS_OF, notify: false, keepReport: true },
    );
    const c = customer(run.report);
    for (const rule of DIRECTORY_RULES) expect(c.findings.find((x) => x.ruleId === rule)?.status).toBe('unknown');
    expect(run.report.problems?.some((p) => p.scope.startsWith(`tenant ${OTHER_TENANT}`))).toBe(true);
    const home = run.report.clusters.filter((x) => !x.id.toLowerCase().includes(OTHER_SUB));
    expect(home.some((x) => x.findings.some((f) => DIRECTORY_RULES.includes(f.ruleId) && f.status !== 'unknown'))).toBe(
      true,
    );
  } finally {
    env.local.sim.setFleet(env.generated.fleet);
  }
});

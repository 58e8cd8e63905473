// `evaluate --role-assignments --directory`: the RBAC-subject rules offline, from the verbatim Azure and Graph examples.
import type { ScanReport } from '../../src/model';
import { CliSandbox, exampleBody, loadExample } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SUB = 'a925f2f7-5c63-4b7b-8799-25a5f97bc3b2'; // the subscription of the verbatim role assignment
const RBAC_CLUSTER_ADMIN = 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b';
const DELETED = '11111111-2222-3333-4444-555555555555';

function cluster(): Json {
  const c = structuredClone((exampleBody('aks/ManagedClustersList.2025-10-01.json') as { value: Json[] }).value[0]);
  c.id = c.id.replace(/^\/subscriptions\/[^/]+/, `/subscriptions/${SUB}`);
  return c;
}

function assignments(): Json[] {
  const user = structuredClone(exampleBody('authorization/RoleAssignments_Get.2022-04-01.json')) as Json;
  user.properties.roleDefinitionId = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${RBAC_CLUSTER_ADMIN}`;
  // The principal of the Graph getByIds example, so the directory knows it.
  user.properties.principalId = '84b80893-8749-40a3-97b7-68513b600544';
  const orphan = structuredClone(user) as Json;
  orphan.id = orphan.id.replace(/[^/]+$/, 'c0f43c54-e787-4862-89b1-a653fa9cf747');
  orphan.name = 'c0f43c54-e787-4862-89b1-a653fa9cf747';
  orphan.properties.principalId = DELETED;
  return [user, orphan];
}

let box: CliSandbox;
beforeEach(() => {
  box = new CliSandbox();
  box.write('clusters.json', { value: [cluster()] });
  box.write('ra.json', assignments());
  box.write('directory.json', loadExample('graph/getByIds.response.json'));
});
afterEach(() => box.remove());

async function rbacStatuses(...files: string[]): Promise<Record<string, { status: string; message: string }>> {
  const run = await box.run(
    'evaluate',
    '--clusters',
    'clusters.json',
    '--as-of',
    '2026-11-27',
    '--format',
    'json',
    ...files,
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout) as ScanReport;
  return Object.fromEntries(
    report.clusters[0].findings
      .filter((f) => /^aks_(rbac_|admin_groups)/.test(f.ruleId))
      .map((f) => [f.ruleId, { status: f.status === 'fail' ? `fail:${f.severity}` : f.status, message: f.message }]),
  );
}

test('a user bound directly is named; a deleted principal is an orphan; no admin groups is not applicable', async () => {
  const s = await rbacStatuses('--role-assignments', 'ra.json', '--directory', 'directory.json');
  expect(s.aks_rbac_bindings_use_groups.status).toBe('fail:medium');
  expect(s.aks_rbac_bindings_use_groups.message).toMatch(/Trevor Jones|Billy Smith/);
  expect(s.aks_rbac_no_orphaned_assignments.status).toBe('fail:low');
  expect(s.aks_admin_groups_valid.status).toBe('not_applicable');
});

test('without the directory, principal-dependent rules are unknown', async () => {
  const s = await rbacStatuses('--role-assignments', 'ra.json');
  expect(s.aks_rbac_no_orphaned_assignments.status).toBe('unknown');
  expect(s.aks_rbac_no_orphaned_assignments.message).toContain('--directory');
});

test('without either file, the RBAC-subject rules are unknown (admin groups: none configured, so not applicable)', async () => {
  const s = await rbacStatuses();
  expect(Object.keys(s).sort()).toEqual([
    'aks_admin_groups_valid',
    'aks_rbac_bindings_use_groups',
    'aks_rbac_no_guest_admins',
    'aks_rbac_no_orphaned_assignments',
  ]);
  expect(s.aks_admin_groups_valid.status).toBe('not_applicable');
  for (const rule of ['aks_rbac_bindings_use_groups', 'aks_rbac_no_guest_admins', 'aks_rbac_no_orphaned_assignments']) {
    expect([rule, s[rule].status]).toEqual([rule, 'unknown']);
  }
});

test('a directory export of the wrong shape: one line naming the file, exit 2', async () => {
  box.write('directory.json', { users: [] });
  const run = await box.run('evaluate', '--clusters', 'clusters.json', '--directory', 'directory.json');
  expect(run.code).toBe(2);
  expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^aks-compliance: directory\.json: /)]);
});

test('a guest holding RBAC Cluster Admin at subscription scope is a high fail, named', async () => {
  const guest = '99999999-8888-7777-6666-555555555555';
  const directory = structuredClone(loadExample('graph/getByIds.response.json')) as { value: Json[] };
  directory.value.push({
    '@odata.type': '#microsoft.graph.user',
    id: guest,
    displayName: 'Contractor',
    userPrincipalName: 'contractor_example.com#EXT#@contoso.onmicrosoft.com',
    userType: 'Guest',
    accountEnabled: true,
  });
  const [user] = assignments();
  const guestAssignment = structuredClone(user) as Json;
  guestAssignment.id = guestAssignment.id.replace(/[^/]+$/, 'd0f43c54-e787-4862-89b1-a653fa9cf747');
  guestAssignment.properties.principalId = guest;
  box.write('ra.json', [user, guestAssignment]);
  box.write('directory.json', directory);
  const s = await rbacStatuses('--role-assignments', 'ra.json', '--directory', 'directory.json');
  expect(s.aks_rbac_no_guest_admins.status).toBe('fail:high');
  expect(s.aks_rbac_no_guest_admins.message).toContain('Contractor');
  expect(s.aks_rbac_no_orphaned_assignments.status).toBe('pass');
});

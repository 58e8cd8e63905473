import { aksRbacBindingsUseGroups as rule } from './aks_rbac_bindings_use_groups';
import { rbacExampleCluster } from '../../test/identity/examples';
import {
  APP,
  assignment,
  context,
  GUEST,
  OPS_GROUP,
  ROLE,
  SUB,
  TREVOR,
  view,
  type ViewOptions,
} from '../../test/identity/scenario';

const cluster = rbacExampleCluster();
const clusterScope = cluster.id;
const rgScope = `/subscriptions/${SUB}/resourceGroups/rg1`;

describe('aks_rbac_bindings_use_groups', () => {
  const cases: { name: string; options?: ViewOptions; status: string; contains?: string[]; excludes?: string[] }[] = [
    { name: 'no access data gathered -> unknown', status: 'unknown', contains: ['not gathered'] },
    { name: 'no covering assignment -> pass', options: { assignments: [] }, status: 'pass' },
    {
      name: 'only groups and a service principal -> pass',
      options: {
        assignments: [
          assignment(OPS_GROUP, 'Group', ROLE.rbacClusterAdmin, clusterScope),
          assignment(APP, 'ServicePrincipal', ROLE.clusterUser, rgScope, false),
        ],
      },
      status: 'pass',
    },
    {
      name: 'a user bound directly at the cluster -> fail naming the user and role',
      options: {
        assignments: [
          assignment(OPS_GROUP, 'Group', ROLE.rbacClusterAdmin, clusterScope),
          assignment(TREVOR, 'User', ROLE.rbacReader, clusterScope),
        ],
      },
      status: 'fail',
      contains: ['Trevor Jones', 'Azure Kubernetes Service RBAC Reader', clusterScope.toLowerCase()],
      excludes: ['AKS Operators'],
    },
    {
      name: 'a guest user at the subscription, subscription-form role ID -> fail naming display name and UPN',
      options: { assignments: [assignment(GUEST, 'User', ROLE.owner, `/subscriptions/${SUB}`, false)] },
      status: 'fail',
      contains: ['Pat Partner (pat_partner.example#EXT#@contoso.onmicrosoft.com)', 'Owner'],
    },
    {
      name: 'a user with a role that is not an AKS-access role -> pass',
      options: { assignments: [assignment(TREVOR, 'User', ROLE.reader, clusterScope)] },
      status: 'pass',
    },
    {
      name: 'a user on another cluster in the same resource group -> pass',
      options: {
        assignments: [
          assignment(
            TREVOR,
            'User',
            ROLE.clusterAdmin,
            `${rgScope}/providers/Microsoft.ContainerService/managedClusters/other`,
          ),
        ],
      },
      status: 'pass',
    },
    {
      name: 'a user at a namespace of the cluster (sub-scope) -> fail',
      options: { assignments: [assignment(TREVOR, 'User', ROLE.rbacWriter, `${clusterScope}/namespaces/team-a`)] },
      status: 'fail',
      contains: ['Trevor Jones', 'RBAC Writer'],
    },
    {
      name: 'a user at a management group in the chain -> fail',
      options: {
        assignments: [
          assignment(TREVOR, 'User', ROLE.clusterUser, '/providers/Microsoft.Management/managementGroups/Platform'),
        ],
        chains: new Map([[SUB, ['platform', 'tenant-root']]]),
      },
      status: 'fail',
      contains: ['Trevor Jones', '/providers/microsoft.management/managementgroups/platform'],
    },
    {
      name: 'a user at a management group outside the chain -> pass',
      options: {
        assignments: [
          assignment(TREVOR, 'User', ROLE.clusterUser, '/providers/Microsoft.Management/managementGroups/Sandbox'),
        ],
        chains: new Map([[SUB, ['platform', 'tenant-root']]]),
      },
      status: 'pass',
    },
    {
      name: 'directory unreadable: the user is still a direct binding, named by object ID',
      options: {
        assignments: [assignment(TREVOR, 'User', ROLE.clusterUser, clusterScope)],
        principalsUnreadable: true,
      },
      status: 'fail',
      contains: [TREVOR],
    },
  ];

  it.each(cases)('$name', ({ options, status, contains = [], excludes = [] }) => {
    const ctx = context(options ? view(options) : undefined);
    const outcome = rule.evaluate(cluster, ctx);
    expect(outcome.status).toBe(status);
    const text = `${outcome.message} ${JSON.stringify(outcome.details)}`;
    for (const c of contains) expect(text).toContain(c);
    for (const c of excludes) expect(text).not.toContain(c);
    if (status === 'fail') {
      expect(outcome.details?.users).toEqual(
        expect.arrayContaining([expect.objectContaining({ roles: expect.any(Array), scopes: expect.any(Array) })]),
      );
      const fix = rule.remediation(cluster, outcome, ctx);
      expect(fix).toMatch(
        /^az role assignment create --assignee-object-id GROUP_OBJECT_ID --assignee-principal-type Group --role /,
      );
      expect(fix).toMatch(/ && az role assignment delete --ids \/(subscriptions|providers)\//);
    }
  });

  it('reports every user once with all roles and scopes in details', () => {
    const outcome = rule.evaluate(
      cluster,
      context(
        view({
          assignments: [
            assignment(TREVOR, 'User', ROLE.clusterUser, clusterScope),
            assignment(TREVOR, 'User', ROLE.owner, `/subscriptions/${SUB}`),
          ],
        }),
      ),
    );
    expect(outcome.details?.users).toEqual([
      expect.objectContaining({
        principalId: TREVOR,
        displayName: 'Trevor Jones',
        roles: ['Azure Kubernetes Service Cluster User Role', 'Owner'],
        scopes: [clusterScope.toLowerCase(), `/subscriptions/${SUB}`],
      }),
    ]);
    expect(outcome.message).toMatch(/^1 user is bound directly/);
  });

  it('keeps details and the remediation bounded when many users are bound', () => {
    const many = Array.from({ length: 130 }, (_, i) =>
      assignment(`${String(i).padStart(8, '0')}-1111-4111-8111-111111111111`, 'User', ROLE.clusterUser, clusterScope),
    );
    const ctx = context(view({ assignments: many }));
    const outcome = rule.evaluate(cluster, ctx);
    expect(outcome.message).toMatch(/^130 users are bound directly/);
    expect(outcome.message).toContain('and 120 more');
    expect(outcome.details?.users).toHaveLength(100);
    expect(outcome.details?.principalsOmitted).toBe(30);
    const fix = rule.remediation(cluster, outcome, ctx);
    expect(fix.match(/roleassignments\//g)).toHaveLength(25);
    expect(fix).toMatch(/ # and 105 more: see the finding details$/);
  });

  it('has contract metadata', () => {
    expect(rule).toMatchObject({
      id: 'aks_rbac_bindings_use_groups',
      severity: 'medium',
      section: 'identity-and-access',
    });
    expect(rule.references.length).toBeGreaterThan(0);
  });
});

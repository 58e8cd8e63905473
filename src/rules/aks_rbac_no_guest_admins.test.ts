import { aksRbacNoGuestAdmins as rule } from './aks_rbac_no_guest_admins';
import { rbacExampleCluster } from '../../test/identity/examples';
import { assignment, context, GUEST, MEMBER, ROLE, SUB, view, type ViewOptions } from '../../test/identity/scenario';

const cluster = rbacExampleCluster();

describe('aks_rbac_no_guest_admins', () => {
  const cases: { name: string; options?: ViewOptions; status: string; contains?: string[] }[] = [
    { name: 'no access view -> unknown', status: 'unknown' },
    { name: 'no assignments -> pass', options: { assignments: [] }, status: 'pass' },
    {
      name: 'a guest with RBAC Cluster Admin at subscription scope -> fail high, named',
      options: { assignments: [assignment(GUEST, 'User', ROLE.rbacClusterAdmin, `/subscriptions/${SUB}`)] },
      status: 'fail',
      contains: [
        'Pat Partner',
        'pat_partner.example#EXT#@contoso.onmicrosoft.com',
        'Azure Kubernetes Service RBAC Cluster Admin',
        `/subscriptions/${SUB}`,
      ],
    },
    {
      name: 'a guest with a non-admin role (RBAC Reader) -> pass',
      options: { assignments: [assignment(GUEST, 'User', ROLE.rbacReader, cluster.id)] },
      status: 'pass',
    },
    {
      name: 'a guest with Cluster User -> pass',
      options: { assignments: [assignment(GUEST, 'User', ROLE.clusterUser, cluster.id)] },
      status: 'pass',
    },
    {
      name: 'a member user with Owner -> pass (a guest rule, not a user rule)',
      options: { assignments: [assignment(MEMBER, 'User', ROLE.owner, cluster.id)] },
      status: 'pass',
    },
    {
      name: 'a user returned without userType (no Directory.Read.All) -> unknown naming the permission, never pass',
      options: { assignments: [assignment(GUEST, 'User', ROLE.owner, cluster.id)], strippedDirectory: true },
      status: 'unknown',
      contains: ['Directory.Read.All', 'userType'],
    },
    {
      name: 'directory unreadable -> unknown naming the permission',
      options: { assignments: [assignment(GUEST, 'User', ROLE.owner, cluster.id)], principalsUnreadable: true },
      status: 'unknown',
      contains: ['Directory.Read.All'],
    },
    {
      name: 'a guest at a management group in the chain -> fail',
      options: {
        assignments: [
          assignment(GUEST, 'User', ROLE.clusterAdmin, '/providers/Microsoft.Management/managementGroups/contoso'),
        ],
        chains: new Map([[SUB, ['landing-zones', 'contoso']]]),
      },
      status: 'fail',
      contains: ['Pat Partner'],
    },
    {
      name: 'management-group assignments exist and the chain is unknown (live) -> unknown',
      options: {
        assignments: [
          assignment(GUEST, 'User', ROLE.clusterAdmin, '/providers/Microsoft.Management/managementGroups/contoso'),
        ],
        principalsUnreadable: true,
        chains: new Map(),
      },
      status: 'unknown',
      contains: ['management group chain'],
    },
  ];

  it.each(cases)('$name', ({ options, status, contains = [] }) => {
    const ctx = context(options ? view(options) : undefined);
    const outcome = rule.evaluate(cluster, ctx);
    expect(outcome.status).toBe(status);
    const text = `${outcome.message} ${JSON.stringify(outcome.details)}`;
    for (const c of contains) expect(text).toContain(c);
    if (status === 'fail') {
      expect(outcome.severity ?? rule.severity).toBe('high');
      expect(rule.remediation(cluster, outcome, ctx)).toMatch(
        /^az role assignment delete --ids \/providers\/microsoft\.management|^az role assignment delete --ids \/subscriptions\//,
      );
    }
  });
});

import { aksRbacNoOrphanedAssignments as rule } from './aks_rbac_no_orphaned_assignments';
import { rbacExampleCluster } from '../../test/identity/examples';
import {
  assignment,
  context,
  DELETED,
  OPS_GROUP,
  ROLE,
  SUB,
  TREVOR,
  view,
  type ViewOptions,
} from '../../test/identity/scenario';

const cluster = rbacExampleCluster();

describe('aks_rbac_no_orphaned_assignments', () => {
  const deletedAtRg = assignment(DELETED, 'User', ROLE.clusterAdmin, `/subscriptions/${SUB}/resourceGroups/RG1`);
  const cases: { name: string; options?: ViewOptions; status: string; contains?: string[] }[] = [
    { name: 'no access view -> unknown', status: 'unknown' },
    { name: 'no assignments -> pass', options: { assignments: [] }, status: 'pass' },
    {
      name: 'all principals exist -> pass',
      options: {
        assignments: [
          assignment(OPS_GROUP, 'Group', ROLE.clusterUser, cluster.id),
          assignment(TREVOR, 'User', ROLE.owner, `/subscriptions/${SUB}`),
        ],
      },
      status: 'pass',
    },
    {
      name: 'a deleted principal at the resource group (upper-case RG in scope) -> fail low',
      options: { assignments: [assignment(OPS_GROUP, 'Group', ROLE.clusterUser, cluster.id), deletedAtRg] },
      status: 'fail',
      contains: [DELETED, 'Azure Kubernetes Service Cluster Admin Role'],
    },
    {
      name: 'directory unreadable -> unknown naming the permission, never orphaned',
      options: { assignments: [deletedAtRg], principalsUnreadable: true },
      status: 'unknown',
      contains: ['Directory.Read.All'],
    },
    {
      name: 'only a foreign group from another tenant -> not applicable naming the type, never orphaned',
      options: { assignments: [assignment(DELETED, 'ForeignGroup', ROLE.clusterUser, cluster.id)] },
      status: 'not_applicable',
      contains: ['ForeignGroup'],
    },
    {
      name: 'a Device and an unknown principal type next to an existing group -> pass naming what was not checked',
      options: {
        assignments: [
          assignment(OPS_GROUP, 'Group', ROLE.clusterUser, cluster.id),
          assignment(DELETED, 'Device', ROLE.clusterUser, cluster.id),
          assignment('9f8e7d6c-0000-4000-8000-00000000abcd', 'DirectoryRoleTemplate', ROLE.rbacReader, cluster.id),
        ],
      },
      status: 'pass',
      contains: ['Device', 'DirectoryRoleTemplate', 'not checked'],
    },
  ];

  it.each(cases)('$name', ({ options, status, contains = [] }) => {
    const ctx = context(options ? view(options) : undefined);
    const outcome = rule.evaluate(cluster, ctx);
    expect(outcome.status).toBe(status);
    const text = `${outcome.message} ${JSON.stringify(outcome.details)}`;
    for (const c of contains) expect(text).toContain(c);
    if (status === 'fail') {
      expect(outcome.severity ?? rule.severity).toBe('low');
      expect(rule.remediation(cluster, outcome, ctx)).toBe(
        `az role assignment delete --ids ${deletedAtRg.id.toLowerCase()}`,
      );
    }
  });
});

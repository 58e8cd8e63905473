import { aksAdminGroupsValid as rule } from './aks_admin_groups_valid';
import { rbacExampleCluster } from '../../test/identity/examples';
import {
  APP,
  context,
  DELETED,
  EMPTY_GROUP,
  M365_GROUP,
  OPS_GROUP,
  TREVOR,
  view,
  type ViewOptions,
} from '../../test/identity/scenario';

describe('aks_admin_groups_valid', () => {
  const counts = { [OPS_GROUP]: 3, [EMPTY_GROUP]: 0, [M365_GROUP]: 4 };
  const cases: {
    name: string;
    groups: unknown;
    options?: ViewOptions;
    status: string;
    severity?: string;
    contains?: string[];
  }[] = [
    {
      name: 'the verbatim example (adminGroupObjectIDs null) -> not_applicable',
      groups: null,
      options: {},
      status: 'not_applicable',
    },
    { name: 'an empty list -> not_applicable', groups: [], options: {}, status: 'not_applicable' },
    {
      name: 'no access view but groups configured -> unknown',
      groups: [OPS_GROUP],
      status: 'unknown',
      contains: ['not gathered'],
    },
    {
      name: 'a security group with members -> pass',
      groups: [OPS_GROUP],
      options: { memberCounts: counts },
      status: 'pass',
      contains: ['AKS Operators', '"transitiveMembers":3'],
    },
    {
      name: 'the same group twice in different case is checked once',
      groups: [OPS_GROUP, OPS_GROUP.toUpperCase()],
      options: { memberCounts: counts },
      status: 'pass',
      contains: ['1 admin group resolves'],
    },
    {
      name: 'a deleted group -> fail high',
      groups: [OPS_GROUP, DELETED],
      options: { memberCounts: counts },
      status: 'fail',
      severity: 'high',
      contains: [`${DELETED} no longer exists`],
    },
    {
      name: 'a user instead of a group -> fail medium',
      groups: [TREVOR.toUpperCase()],
      options: { memberCounts: counts },
      status: 'fail',
      severity: 'medium',
      contains: ['Trevor Jones', 'is a user, not a group'],
    },
    {
      name: 'a service principal instead of a group -> fail medium',
      groups: [APP],
      options: { memberCounts: counts },
      status: 'fail',
      severity: 'medium',
      contains: ['a service principal, not a group'],
    },
    {
      name: 'a group that is not security-enabled -> fail medium',
      groups: [M365_GROUP],
      options: { memberCounts: counts },
      status: 'fail',
      severity: 'medium',
      contains: ['not a security-enabled group'],
    },
    {
      name: 'an empty group -> fail low',
      groups: [OPS_GROUP, EMPTY_GROUP],
      options: { memberCounts: counts },
      status: 'fail',
      severity: 'low',
      contains: ['Break glass', 'has no members'],
    },
    {
      name: 'empty + user + deleted -> the worst severity (high)',
      groups: [EMPTY_GROUP, TREVOR, DELETED],
      options: { memberCounts: counts },
      status: 'fail',
      severity: 'high',
      contains: ['no longer exists', 'not a group', 'no members'],
    },
    {
      name: 'a group returned without securityEnabled (no Directory.Read.All) -> unknown naming the permission',
      groups: [OPS_GROUP],
      options: { strippedDirectory: true },
      status: 'unknown',
      contains: ['Directory.Read.All', 'securityEnabled'],
    },
    {
      name: 'directory unreadable -> unknown naming the permission',
      groups: [OPS_GROUP],
      options: { principalsUnreadable: true },
      status: 'unknown',
      contains: ['Directory.Read.All'],
    },
    {
      name: 'offline (no member counts): valid group passes, empty-group condition not checked',
      groups: [OPS_GROUP, EMPTY_GROUP],
      options: {},
      status: 'pass',
      contains: ['member counts not checked', 'carries no member counts'],
    },
    {
      name: 'an ID that is not a GUID -> unknown, not "no longer exists"',
      groups: ['ops-admins'],
      options: { memberCounts: counts },
      status: 'unknown',
      contains: ['not a directory object ID'],
    },
    {
      name: 'adminGroupObjectIDs of the wrong type -> unknown naming the field',
      groups: 'not-a-list',
      options: {},
      status: 'unknown',
      contains: ['properties.aadProfile.adminGroupObjectIDs'],
    },
  ];

  it.each(cases)('$name', ({ groups, options, status, severity, contains = [] }) => {
    const cluster = rbacExampleCluster({ adminGroupObjectIDs: groups });
    const ctx = context(options ? view(options) : undefined);
    const outcome = rule.evaluate(cluster, ctx);
    expect(outcome.status).toBe(status);
    if (severity) expect(outcome.severity).toBe(severity);
    const text = `${outcome.message} ${JSON.stringify(outcome.details)}`;
    for (const c of contains) expect(text).toContain(c);
    const fix = rule.remediation(cluster, outcome, ctx);
    expect(fix).toMatch(
      /^az (aks update --resource-group rg1 --name clustername1 --aad-admin-group-object-ids |ad group member add )/,
    );
  });

  it('remediation keeps the valid groups and replaces the broken ones', () => {
    const cluster = rbacExampleCluster({ adminGroupObjectIDs: [OPS_GROUP, DELETED] });
    const ctx = context(view({ memberCounts: counts }));
    const fix = rule.remediation(cluster, rule.evaluate(cluster, ctx), ctx);
    expect(fix).toBe(
      `az aks update --resource-group rg1 --name clustername1 --aad-admin-group-object-ids ${OPS_GROUP},GROUP_OBJECT_ID`,
    );
  });
});

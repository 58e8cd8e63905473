// The RBAC-subject rules walk each covering list once per run, however many clusters share it.
import { AssignmentCoverage, toRoleAssignmentRecord } from './roleAssignments';
import { FleetAccessView } from './accessView';
import { PrincipalDirectory } from './directory';
import { groupParts, summariseParts } from './ruleSupport';
import type { ClusterRecord, RoleAssignmentRecord } from '../model';

const ROLE = '/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b';
const sub = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const principal = (n: number) => `11111111-1111-4111-8111-${String(n).padStart(12, '0')}`;

const cluster = (s: string, rg: string, name: string): ClusterRecord => ({
  id: `/subscriptions/${s}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`,
  name,
  subscriptionId: s,
  resourceGroup: rg,
  location: 'westeurope',
  tags: {},
  properties: {},
});

const rec = (scope: string, p: string, id: string): RoleAssignmentRecord =>
  (
    toRoleAssignmentRecord({ id, principalId: p, principalType: 'User', roleDefinitionId: ROLE, scope }) as {
      record: RoleAssignmentRecord;
    }
  ).record;

function fixture() {
  const assignments: RoleAssignmentRecord[] = [
    rec('/providers/Microsoft.Management/managementGroups/mg1', principal(1), 'a-mg'),
    rec('/', principal(2), 'a-root'),
  ];
  const clusters: ClusterRecord[] = [];
  const chains = new Map<string, string[]>();
  for (let s = 1; s <= 4; s++) {
    chains.set(sub(s), ['mg1']);
    assignments.push(rec(`/subscriptions/${sub(s)}`, principal(1), `a-sub-${s}`));
    for (let c = 1; c <= 3; c++) clusters.push(cluster(sub(s), 'rg', `c${s}-${c}`));
  }
  // One cluster also has its own assignment, held by a second principal.
  assignments.push(rec(`${clusters[0].id}/namespaces/ns`, principal(3), 'a-own'));
  const coverage = new AssignmentCoverage(assignments, { chains, unknownChain: 'unknown' });
  const view = new FleetAccessView(
    { readable: true, coverage },
    PrincipalDirectory.fromObjects([], 'no member counts in this test'),
  );
  return { clusters, coverage, view };
}

describe('covering lists and per-list work', () => {
  it('hands every cluster the same list objects for scopes they share, across subscriptions', () => {
    const { clusters, coverage } = fixture();
    const answers = clusters.map((c) => coverage.covering(c));
    const parts = answers.map((a) => (a.readable ? (a.parts ?? []) : []));
    // Clusters of subscription 2 and 4 share the management group and root lists, not the subscription list.
    const s2 = parts[3];
    const s4 = parts[9];
    expect(s2).toHaveLength(3);
    expect(s2[1]).toBe(s4[1]);
    expect(s2[2]).toBe(s4[2]);
    expect(s2[0]).not.toBe(s4[0]);
    // The cluster with its own assignment has that list first; the joined list keeps the order.
    expect(parts[0]).toHaveLength(4);
    expect(answers[0].readable && answers[0].assignments.map((a) => a.id)).toEqual([
      'a-own',
      'a-sub-1',
      'a-mg',
      'a-root',
    ]);
  });

  it('summarises each shared list once per view and key, whatever the number of clusters', () => {
    const { clusters, view } = fixture();
    const seen: (readonly RoleAssignmentRecord[])[] = [];
    let total = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (const c of clusters) {
        const covering = view.assignmentsFor(c);
        if (!covering.readable || !covering.parts) throw new Error('expected readable parts');
        const counts = summariseParts(view, covering.parts, 'count', (part) => {
          seen.push(part);
          return part.length;
        });
        total += counts.reduce((n, x) => n + x, 0);
      }
    }
    // Lists: own (1), four subscriptions, the management group, the root.
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    // 12 clusters see 3 assignments each, one sees a fourth; twice.
    expect(total).toBe(2 * (12 * 3 + 1));
  });

  it('groups by principal across lists as over the joined list', () => {
    const { clusters, view } = fixture();
    const covering = view.assignmentsFor(clusters[0]);
    if (!covering.readable || !covering.parts) throw new Error('expected readable parts');
    const entries = groupParts(view, covering.parts);
    expect(entries.map((e) => [e.principalId, e.assignmentIds])).toEqual([
      [principal(3), ['a-own']],
      [principal(1), ['a-sub-1', 'a-mg']],
      [principal(2), ['a-root']],
    ]);
    // The merged entry is a copy: the shared entry of the subscription list keeps its own assignment only.
    const other = groupParts(view, [covering.parts[1]]);
    expect(other[0].assignmentIds).toEqual(['a-sub-1']);
  });
});

// RBAC subjects end to end through the simulator: Resource Graph role assignments and chains, Graph getByIds and
// $batch member counts, over the real SDK clients, then the four rules.
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';
import { ResourceGraphReader } from '../../src/inventory/resourceGraph';
import { readInventory } from '../../src/inventory/inventory';
import { gatherAccess } from '../../src/identity/gather';
import { PRINCIPALS_PERMISSION, MEMBERS_PERMISSION } from '../../src/identity/directory';
import { aksRbacBindingsUseGroups } from '../../src/rules/aks_rbac_bindings_use_groups';
import { aksAdminGroupsValid } from '../../src/rules/aks_admin_groups_valid';
import { aksRbacNoOrphanedAssignments } from '../../src/rules/aks_rbac_no_orphaned_assignments';
import { aksRbacNoGuestAdmins } from '../../src/rules/aks_rbac_no_guest_admins';
import type { ClusterRecord, Rule, RuleOutcome } from '../../src/model';
import { context } from './scenario';
import { EXPECTED, identityFleet } from './fleet';

const RULES: Rule[] = [
  aksRbacBindingsUseGroups,
  aksAdminGroupsValid,
  aksRbacNoOrphanedAssignments,
  aksRbacNoGuestAdmins,
];

let local: LocalAzure;

beforeAll(async () => {
  local = await startLocalAzure({ fleet: identityFleet() });
});

afterAll(async () => {
  await local?.stop();
});

beforeEach(() => {
  local.sim.faults.clear();
  local.sim.counters.reset();
});

async function scan(): Promise<{
  outcomes: Map<string, Record<string, RuleOutcome>>;
  clusters: ClusterRecord[];
  problems: string[];
}> {
  const reader = new ResourceGraphReader(local.clients.resourceGraph);
  const inventory = await readInventory(reader, {});
  const { view, problems } = await gatherAccess(
    { clients: local.clients, reader },
    { clusters: inventory.clusters.heads, chains: inventory.chains, scope: {} },
  );
  const ctx = context(view);
  const outcomes = new Map<string, Record<string, RuleOutcome>>();
  const clusters = [...inventory.clusters];
  for (const cluster of clusters) {
    outcomes.set(cluster.name, Object.fromEntries(RULES.map((r) => [r.id, r.evaluate(cluster, ctx)])));
  }
  return { outcomes, clusters, problems: problems.map((p) => p.message) };
}

describe('RBAC subjects through the simulator', () => {
  it('gives every acceptance scenario its verdict, resolving each principal once', async () => {
    const { outcomes, problems } = await scan();
    expect(problems).toEqual([]);
    expect([...outcomes.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [name, expected] of Object.entries(EXPECTED)) {
      for (const [ruleId, want] of Object.entries(expected)) {
        const got = outcomes.get(name)![ruleId];
        expect({
          name,
          ruleId,
          status: got.status,
          severity: got.status === 'fail' ? got.severity : undefined,
        }).toEqual({
          name,
          ruleId,
          status: want.status,
          severity: want.severity,
        });
      }
    }
    // A user bound directly is named with display name and UPN, role and scope.
    const bound = outcomes.get('user-bound')!.aks_rbac_bindings_use_groups;
    expect(bound.message).toContain('Trevor Jones (trevor@contoso.com)');
    expect(bound.message).toContain('Azure Kubernetes Service RBAC Reader');
    // The guest at subscription scope is named in the guest finding.
    const guest = outcomes.get('guest-admin')!.aks_rbac_no_guest_admins;
    expect(guest.message).toContain('Pat Partner (pat_partner.example#EXT#@contoso.onmicrosoft.com)');
    expect(guest.message).toContain('Azure Kubernetes Service RBAC Cluster Admin at /subscriptions/bbbbbbbb');
    // The management-group assignment reached the cluster through its subscription's chain.
    expect(outcomes.get('mg-reached')!.aks_rbac_bindings_use_groups.message).toContain(
      '/providers/microsoft.management/managementgroups/mg-team-c',
    );
    // 6 distinct principals (4 found, 2 deleted) in one getByIds call; 2 admin groups that are groups in one $batch.
    const calls = local.sim.counters.snapshot();
    expect(calls['graph.getByIds']).toBe(1);
    expect(calls['graph.batch']).toBe(1);
  });

  it('a 403 from Graph getByIds makes the directory rules unknown, naming the permission, never fail or pass', async () => {
    local.sim.faults.set('graph.getByIds', { forbidden: true });
    const { outcomes, problems } = await scan();
    expect(problems.join('\n')).toContain(PRINCIPALS_PERMISSION);
    for (const name of ['deleted-admin-group', 'user-admin-group', 'empty-admin-group', 'groups-only']) {
      const o = outcomes.get(name)!.aks_admin_groups_valid;
      expect(o.status).toBe('unknown');
      expect(o.message).toContain(PRINCIPALS_PERMISSION);
    }
    expect(outcomes.get('deleted-admin-group')!.aks_rbac_no_orphaned_assignments.status).toBe('unknown');
    expect(outcomes.get('guest-admin')!.aks_rbac_no_guest_admins.status).toBe('unknown');
    expect(outcomes.get('guest-admin')!.aks_rbac_no_guest_admins.message).toContain('Directory.Read.All');
    // ARM's principalType still proves a direct user binding.
    expect(outcomes.get('user-bound')!.aks_rbac_bindings_use_groups.status).toBe('fail');
    // No member counts are asked for groups that could not be resolved.
    expect(local.sim.counters.snapshot()['graph.batch']).toBe(0);
  });

  it('a 403 on the member counts makes only the admin group rule unknown, naming the permission', async () => {
    local.sim.faults.set('graph.memberCount', { forbidden: true });
    const { outcomes } = await scan();
    const o = outcomes.get('groups-only')!.aks_admin_groups_valid;
    expect(o.status).toBe('unknown');
    expect(o.message).toContain(MEMBERS_PERMISSION);
    // A deleted group is still a certain fail.
    expect(outcomes.get('deleted-admin-group')!.aks_admin_groups_valid).toMatchObject({
      status: 'fail',
      severity: 'high',
    });
  });

  it('a throttled $batch item is retried after its Retry-After and gets the right verdict', async () => {
    local.sim.faults.set('graph.memberCount', { failNext: { count: 1, kind: 'throttle' }, retryAfterSeconds: 0.3 });
    const started = Date.now();
    const { outcomes, problems } = await scan();
    expect(problems).toEqual([]);
    expect(local.sim.counters.snapshot()['graph.batch']).toBe(2);
    // Two admin groups resolve as groups: two counts plus the one throttled and asked again.
    expect(local.sim.counters.snapshot()['graph.memberCount']).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(outcomes.get('empty-admin-group')!.aks_admin_groups_valid).toMatchObject({
      status: 'fail',
      severity: 'low',
    });
    expect(outcomes.get('groups-only')!.aks_admin_groups_valid.status).toBe('pass');
  });

  it('a whole getByIds call throttled past the retries is unknown, never deleted', async () => {
    local.sim.faults.set('graph.getByIds', { throttleRate: 1, retryAfterSeconds: 0.05 });
    const { outcomes } = await scan();
    expect(outcomes.get('deleted-admin-group')!.aks_admin_groups_valid.status).toBe('unknown');
    expect(outcomes.get('deleted-admin-group')!.aks_rbac_no_orphaned_assignments.status).toBe('unknown');
  });

  it('a cut-short getByIds answer leaves principals unreadable, never deleted', async () => {
    local.sim.faults.set('graph.getByIds', { malformedRate: 1 });
    const { outcomes, problems } = await scan();
    expect(problems.join('\n')).toContain('directoryObjects/getByIds');
    expect(outcomes.get('deleted-admin-group')!.aks_admin_groups_valid.status).toBe('unknown');
    expect(outcomes.get('deleted-admin-group')!.aks_rbac_no_orphaned_assignments.status).toBe('unknown');
  });

  it('a $batch call that keeps failing past the client retries is asked again in a later round', async () => {
    // The client's RetryHandler makes 4 attempts; the fifth failure hits the second round, whose retry succeeds.
    local.sim.faults.set('graph.batch', { failNext: { count: 5, kind: 'error' }, retryAfterSeconds: 0.05 });
    const { outcomes, problems } = await scan();
    expect(problems).toEqual([]);
    expect(local.sim.counters.snapshot()['graph.batch']).toBe(6);
    expect(outcomes.get('empty-admin-group')!.aks_admin_groups_valid).toMatchObject({
      status: 'fail',
      severity: 'low',
    });
    expect(outcomes.get('groups-only')!.aks_admin_groups_valid.status).toBe('pass');
  });
});

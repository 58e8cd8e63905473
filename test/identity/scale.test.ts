// Fleet scale: a generated fleet of 2,500 clusters, 12,000 distinct principals and 2,200 admin group IDs, scanned for
// RBAC subjects through the simulator. The call counts are the minimum the Graph limits allow (the first 2,000 admin
// groups are resolved while the role assignments are read, the rest with the assignments' principals), and every
// RBAC-subject finding matches the generator's ground truth.
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';
import { generateFleet, type GeneratedFleet } from '../../sim/fleet/generator';
import { ResourceGraphReader } from '../../src/inventory/resourceGraph';
import { readInventory } from '../../src/inventory/inventory';
import { gatherAccess } from '../../src/identity/gather';
import { aksRbacBindingsUseGroups } from '../../src/rules/aks_rbac_bindings_use_groups';
import { aksAdminGroupsValid } from '../../src/rules/aks_admin_groups_valid';
import { aksRbacNoOrphanedAssignments } from '../../src/rules/aks_rbac_no_orphaned_assignments';
import { aksRbacNoGuestAdmins } from '../../src/rules/aks_rbac_no_guest_admins';
import { normaliseId, type Rule } from '../../src/model';
import { context } from './scenario';

const RULES: Rule[] = [
  aksRbacBindingsUseGroups,
  aksAdminGroupsValid,
  aksRbacNoOrphanedAssignments,
  aksRbacNoGuestAdmins,
];

let generated: GeneratedFleet;
let local: LocalAzure;

beforeAll(async () => {
  // 2,200 admin IDs: the early load's groups and the rest each leave a partial $batch (2 + 2 groups for this seed),
  // so counting both loads' partial batches apart would cost a call more than the bound.
  generated = generateFleet({ seed: 404, clusters: 2500, principals: 12_000, adminGroups: 2200 });
  local = await startLocalAzure({ fleet: generated.fleet });
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

it('resolves 12,000 principals in ceil(n/1000) getByIds calls, counts admin groups in ceil(groups/20) $batch calls, and matches the ground truth', async () => {
  const { stats, model, truth } = generated;
  expect(stats.clusters).toBe(2500);
  expect(stats.resolvablePrincipals).toBe(12_000);
  expect(stats.adminGroups).toBe(2200);
  // Admin group IDs that resolve as groups (not users, not deleted): only those get a member count.
  const principals = new Map(model.principals.map((p) => [p.id.toLowerCase(), p]));
  const adminIds = new Set<string>();
  for (const c of model.clusters) {
    if (c.aad.kind === 'managed' && c.aad.adminGroups)
      for (const id of c.aad.adminGroups) adminIds.add(id.toLowerCase());
  }
  const groups = [...adminIds].filter((id) => {
    const p = principals.get(id);
    return p !== undefined && !p.deleted && p.kind === 'group';
  }).length;
  expect(adminIds.size).toBe(2200);
  expect(groups).toBeGreaterThan(1800);

  local.sim.counters.reset();
  const reader = new ResourceGraphReader(local.clients.resourceGraph);
  const inventory = await readInventory(reader, {});
  expect(inventory.clusters).toHaveLength(2500);
  const started = performance.now();
  const { view, problems } = await gatherAccess(
    { clients: local.clients, reader },
    { clusters: inventory.clusters.heads, chains: inventory.chains, scope: {} },
  );
  const gatherMs = performance.now() - started;
  expect(problems).toEqual([]);

  const calls = local.sim.counters.snapshot();
  expect(calls['graph.getByIds']).toBe(Math.ceil(stats.resolvablePrincipals / 1000)); // 12
  expect(calls['graph.batch']).toBe(Math.ceil(groups / 20));
  expect(calls['graph.memberCount']).toBe(groups);

  const ctx = context(view);
  const evalStarted = performance.now();
  const mismatches: string[] = [];
  let compared = 0;
  const tally: Record<string, Record<string, number>> = {};
  for (const cluster of inventory.clusters) {
    const expected = truth.get(normaliseId(cluster.id));
    if (!expected) {
      mismatches.push(`${cluster.id}: not in the ground truth`);
      continue;
    }
    for (const rule of RULES) {
      const got = rule.evaluate(cluster, ctx);
      const want = expected[rule.id];
      const gotKey = got.status === 'fail' ? `fail:${got.severity ?? rule.severity}` : got.status;
      const wantKey = want.status === 'fail' ? `fail:${want.severity}` : want.status;
      tally[rule.id] ??= {};
      tally[rule.id][gotKey] = (tally[rule.id][gotKey] ?? 0) + 1;
      compared++;
      if (gotKey !== wantKey)
        mismatches.push(`${cluster.name} ${rule.id}: got ${gotKey}, truth ${wantKey} (${got.message})`);
    }
  }
  const evalMs = performance.now() - evalStarted;
  expect(mismatches.slice(0, 10)).toEqual([]);
  expect(compared).toBe(2500 * 4);
  // Every kind of verdict occurs, so the comparison means something.
  expect(Object.keys(tally.aks_rbac_bindings_use_groups)).toEqual(expect.arrayContaining(['pass', 'fail:medium']));
  expect(Object.keys(tally.aks_admin_groups_valid)).toEqual(
    expect.arrayContaining(['pass', 'not_applicable', 'fail:high', 'fail:medium', 'fail:low']),
  );
  expect(Object.keys(tally.aks_rbac_no_orphaned_assignments)).toEqual(expect.arrayContaining(['pass', 'fail:low']));
  expect(Object.keys(tally.aks_rbac_no_guest_admins)).toEqual(expect.arrayContaining(['pass', 'fail:high']));
  console.log(
    `identity scale: gather ${Math.round(gatherMs)} ms, evaluate ${Math.round(evalMs)} ms, calls ${JSON.stringify(calls)}, verdicts ${JSON.stringify(tally)}`,
  );
}, 180_000);

// The cluster rules against the fleet generator's independent ground truth: 2,500 generated clusters in 40 regions
// (some without a readable catalog), evaluated in-process. The scan tests cover the same through the simulator.
import { changeClusters, generateFleet, truthFor, DEFAULT_AS_OF } from '../../sim/fleet/generator';
import { toClusterRecord } from '../inventory/clusters';
import type { AksNotification, ClusterRecord, RegionCatalog } from '../model';
import { clusterOfEvent } from '../inventory/notifications';
import { loadSupportCalendar } from '../catalog/calendar';
import { buildRuleContext } from './context';
import { evaluateCluster } from './engine';
import { CLUSTER_RULES } from './index';

/** The fleet's AKS notifications by cluster, as the inventory attaches them. */
function notificationsOf(fleet: typeof generated.fleet): Map<string, AksNotification[]> {
  const out = new Map<string, AksNotification[]>();
  for (const e of fleet.containerServiceEvents ?? []) {
    const cluster = clusterOfEvent(e.id);
    if (!cluster) continue;
    const p = e.properties as Record<string, string>;
    const list = out.get(cluster) ?? [];
    list.push({ id: e.id, eventType: p.eventType, kubernetesVersion: p.kubernetesVersion, time: p.lastUpdateTime });
    out.set(cluster, list);
  }
  return out;
}

function recordOf(row: unknown, notices: Map<string, AksNotification[]>): ClusterRecord {
  const converted = toClusterRecord(row);
  if ('error' in converted) throw new Error(converted.error);
  const record = converted.record;
  record.notifications = { readable: true, items: notices.get(record.id.toLowerCase()) ?? [] };
  return record;
}

const generated = generateFleet({ seed: 7, clusters: 2500, regions: 40, regionsWithoutCatalog: 3, poolsPerCluster: 3 });

describe('cluster rules against generated ground truth', () => {
  it('ground truth: every finding of 2,500 generated clusters in 40 regions matches', () => {
    const { fleet, truth } = generated;
    const notices = notificationsOf(fleet);
    const regions = new Set(fleet.clusters.map((c) => c.location.toLowerCase().replace(/\s+/g, '')));
    const catalogs = new Map<string, RegionCatalog>();
    for (const location of regions) {
      const answer = fleet.kubernetesVersions[location];
      catalogs.set(
        location,
        answer
          ? { readable: true, location, values: answer.values }
          : { readable: false, location, reason: 'HTTP 404' },
      );
    }
    const ctx = buildRuleContext({ asOf: DEFAULT_AS_OF, catalogs, calendar: loadSupportCalendar() });
    const mismatches: string[] = [];
    let compared = 0;
    const started = process.cpuUsage();
    for (const row of fleet.clusters) {
      const report = evaluateCluster(recordOf(row, notices), ctx, CLUSTER_RULES);
      const expected = truth.get(row.id.toLowerCase());
      if (!expected) throw new Error(`no ground truth for ${row.id}`);
      for (const f of report.findings) {
        const want = expected[f.ruleId];
        const got = f.status === 'fail' ? `fail/${f.severity}` : f.status;
        const wanted = want.status === 'fail' ? `fail/${want.severity}` : want.status;
        compared++;
        if (got !== wanted) mismatches.push(`${row.name} ${f.ruleId}: ${got} (${f.message}), truth ${wanted}`);
      }
    }
    const cpu = process.cpuUsage(started);
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(compared).toBe(2500 * CLUSTER_RULES.length);
    // Generous bound: about 0.1 s on this machine; the fleet benchmark holds 10,000 clusters under 1 s.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(3000);
  });

  it('ground truth at the nightly run time (02:00, not midnight): ages are counted in whole days on both sides', () => {
    const asOf = new Date(DEFAULT_AS_OF.getTime() + 2 * 3_600_000);
    // Images exactly at the thresholds: 30 days (pass), 31 (medium), 90 (medium), 91 (high) before the as-of day.
    const day = (n: number) => new Date(DEFAULT_AS_OF.getTime() - n * 86_400_000).toISOString().slice(0, 10);
    const edges = [30, 31, 90, 91];
    const ids = generated.fleet.clusters.slice(0, edges.length).map((c) => c.id);
    const edited = changeClusters(generated, ids, (spec, index) => {
      for (const pool of spec.pools) {
        pool.image = { kind: 'linux', family: 'AKSUbuntu-2204gen2containerd', date: day(edges[index]), rev: 0 };
      }
    });
    const truth = truthFor(edited, asOf);
    const { fleet } = edited;
    const edgeTruth = ids.map((id) => truth.get(id.toLowerCase())!.aks_node_image_current);
    expect(edgeTruth).toEqual([
      { status: 'pass' },
      { status: 'fail', severity: 'medium' },
      { status: 'fail', severity: 'medium' },
      { status: 'fail', severity: 'high' },
    ]);
    const regions = new Set(fleet.clusters.map((c) => c.location.toLowerCase().replace(/\s+/g, '')));
    const catalogs = new Map<string, RegionCatalog>();
    for (const location of regions) {
      const answer = fleet.kubernetesVersions[location];
      catalogs.set(
        location,
        answer
          ? { readable: true, location, values: answer.values }
          : { readable: false, location, reason: 'HTTP 404' },
      );
    }
    const ctx = buildRuleContext({ asOf, catalogs, calendar: loadSupportCalendar() });
    const mismatches: string[] = [];
    for (const row of fleet.clusters) {
      const expected = truth.get(row.id.toLowerCase())!;
      for (const f of evaluateCluster(recordOf(row, notificationsOf(fleet)), ctx, CLUSTER_RULES).findings) {
        const want = expected[f.ruleId];
        const got = f.status === 'fail' ? `fail/${f.severity}` : f.status;
        const wanted = want.status === 'fail' ? `fail/${want.severity}` : want.status;
        if (got !== wanted) mismatches.push(`${row.name} ${f.ruleId}: ${got} (${f.message}), truth ${wanted}`);
      }
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
  });
});
